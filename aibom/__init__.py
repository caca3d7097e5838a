"""aibom: make AI authorship of code a verifiable fact of a Git repository."""

__version__ = "0.1.0"
