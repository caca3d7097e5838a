"""Release signing: Sigstore bundles of the AI-BOM, an in-toto attestation, offline verify.

``intoto`` and ``history`` are pure (no sigstore import); ``signer``, ``verifier`` and
``trust`` import sigstore-python lazily, inside the functions that need it.
"""
