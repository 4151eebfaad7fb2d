"""services layer (DESIGN.md §1)."""
