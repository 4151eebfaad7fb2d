"""cli layer (DESIGN.md §1)."""
