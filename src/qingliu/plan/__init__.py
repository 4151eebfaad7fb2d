"""plan layer (DESIGN.md §1)."""
