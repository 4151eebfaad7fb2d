"""data layer (DESIGN.md §1)."""
