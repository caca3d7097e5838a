"""Foreign attribution stores: git-ai notes and Agent Trace records, in and out.

* :mod:`aibom.interop.gitai` reads git-ai's ``refs/notes/ai`` (authorship/3.0.0).
* :mod:`aibom.interop.agenttrace` reads and writes Agent Trace v0.1 records (JSON Lines).
* :mod:`aibom.interop.convert` turns what either reader found into aibom ``attribution``
  records (evidence ``imported``) on the commits they annotate, in one batched notes write.
"""
