"""The index schema, versioned, shared by SQLite and PostgreSQL.

The index is a cache of what ``git log`` and the notes say: any index whose version is not
:data:`VERSION` (or whose tables cannot be read) is rebuilt from the repositories, which is
the migration. Statements use ``?`` placeholders (the PostgreSQL backend rewrites them) and
``{clustered}``, which the SQLite backend turns into ``WITHOUT ROWID`` (rows kept in key
order: a model's commits, a commit's files, are read in one range), and ``{commit_id}``, the
type of a commit's id (SQLite: ``INTEGER``, the row id itself; PostgreSQL: ``BIGINT``).
Table names carry an ``aibom_`` prefix so a fleet database can be shared with other tools.

Commits have an integer ``id`` (given by the indexer, which holds the writer lock); the
lookup tables and the files refer to it, so queries join integers, not 40-digit shas.
"""

from __future__ import annotations

VERSION = 3  # 2: ids follow the walk order (writer._Ids); 3: aibom_resume

TABLES = (
    "aibom_resume",
    "aibom_files",
    "aibom_sessions",
    "aibom_models",
    "aibom_commits",
    "aibom_tips",
    "aibom_repositories",
    "aibom_meta",
)

CREATE = (
    "CREATE TABLE IF NOT EXISTS aibom_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # identity: root commit + remote URL (or path when there is no remote); label: for people
    "CREATE TABLE IF NOT EXISTS aibom_repositories ("
    " id INTEGER PRIMARY KEY, identity TEXT NOT NULL UNIQUE, label TEXT NOT NULL,"
    " root TEXT NOT NULL, remote TEXT NOT NULL, path TEXT NOT NULL,"
    " notes_tip TEXT NOT NULL, indexed_at BIGINT NOT NULL)",
    # the tips the last complete run indexed: the next run walks only what is new since them
    "CREATE TABLE IF NOT EXISTS aibom_tips ("
    " repo INTEGER NOT NULL, ref TEXT NOT NULL, sha TEXT NOT NULL, PRIMARY KEY (repo, ref))",
    # models / sessions: the commit's ids joined with SEPARATOR (the lookup tables index them)
    "CREATE TABLE IF NOT EXISTS aibom_commits ("
    " id {commit_id} PRIMARY KEY, repo INTEGER NOT NULL, sha TEXT NOT NULL,"
    " parents TEXT NOT NULL,"
    " author_name TEXT NOT NULL, author_email TEXT NOT NULL, committed BIGINT NOT NULL,"
    " subject TEXT NOT NULL, origin TEXT NOT NULL, agent TEXT, source TEXT NOT NULL,"
    " skipped INTEGER NOT NULL, models TEXT NOT NULL, sessions TEXT NOT NULL,"
    " UNIQUE (repo, sha))",
    "CREATE TABLE IF NOT EXISTS aibom_models ("
    " model TEXT NOT NULL, commit_id BIGINT NOT NULL, PRIMARY KEY (model, commit_id))"
    " {clustered}",
    "CREATE TABLE IF NOT EXISTS aibom_sessions ("
    " session TEXT NOT NULL, commit_id BIGINT NOT NULL, PRIMARY KEY (session, commit_id))"
    " {clustered}",
    "CREATE TABLE IF NOT EXISTS aibom_files ("
    " commit_id BIGINT NOT NULL, pos INTEGER NOT NULL, path TEXT NOT NULL,"
    " added INTEGER NOT NULL, deleted INTEGER NOT NULL, PRIMARY KEY (commit_id, pos))"
    " {clustered}",
    "CREATE INDEX IF NOT EXISTS aibom_commits_agent ON aibom_commits (agent)",
    # where an interrupted walk of a repository stopped (JSON, see writer._Resume)
    "CREATE TABLE IF NOT EXISTS aibom_resume (repo INTEGER PRIMARY KEY, state TEXT NOT NULL)",
)

COMMIT_COLUMNS = (
    "id, repo, sha, parents, author_name, author_email, committed, subject, origin, agent,"
    " source, skipped, models, sessions"
)
UPSERT_COMMIT = (
    f"INSERT INTO aibom_commits ({COMMIT_COLUMNS})"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (id) DO UPDATE SET parents = excluded.parents,"
    " author_name = excluded.author_name, author_email = excluded.author_email,"
    " committed = excluded.committed, subject = excluded.subject, origin = excluded.origin,"
    " agent = excluded.agent, source = excluded.source, skipped = excluded.skipped,"
    " models = excluded.models, sessions = excluded.sessions"
)
INSERT_MODEL = "INSERT INTO aibom_models (model, commit_id) VALUES (?, ?) ON CONFLICT DO NOTHING"
INSERT_SESSION = (
    "INSERT INTO aibom_sessions (session, commit_id) VALUES (?, ?) ON CONFLICT DO NOTHING"
)
INSERT_FILE = (
    "INSERT INTO aibom_files (commit_id, pos, path, added, deleted) VALUES (?, ?, ?, ?, ?)"
)
SAVE_RESUME = (
    "INSERT INTO aibom_resume (repo, state) VALUES (?, ?)"
    " ON CONFLICT (repo) DO UPDATE SET state = excluded.state"
)
SEPARATOR = "\x1f"  # between the model ids (sessions) of a commit row
