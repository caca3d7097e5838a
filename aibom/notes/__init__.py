"""Record store on ``refs/notes/aibom``: JSON Lines, one self-contained record per line."""
