"""report layer (DESIGN.md §1)."""
