"""Provenance: who or what wrote a commit, from layered evidence."""
