"""store layer (DESIGN.md §1)."""
