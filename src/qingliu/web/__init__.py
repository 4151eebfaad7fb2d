"""web layer (DESIGN.md §1)."""
