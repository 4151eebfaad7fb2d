"""scale layer (DESIGN.md §1)."""
