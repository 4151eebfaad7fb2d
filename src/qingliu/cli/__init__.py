"""The command line (Typer + Rich): ``qingliu ...`` (DESIGN.md §3)."""
