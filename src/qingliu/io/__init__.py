"""io layer (DESIGN.md §1)."""
