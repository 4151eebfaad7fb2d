"""simulate layer (DESIGN.md §1)."""
