"""The CycloneDX AI-BOM: ``build`` (history + notes + blame + manifests -> a validated,
reproducible document) and ``verify_records`` (do the notes still say what a BOM recorded?)."""
