"""assess layer (DESIGN.md §1)."""
