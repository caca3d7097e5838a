"""Forensics: which commits, files and surviving lines a model, agent or session wrote."""
