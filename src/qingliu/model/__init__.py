"""model layer (DESIGN.md §1)."""
