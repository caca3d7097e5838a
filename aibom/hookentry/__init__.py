"""Git hook entry points: standard library and aibom core only (see DESIGN.md §4)."""
