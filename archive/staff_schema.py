"""The catalog tables of staff work: corrections and their audit log, saved searches
(bevakningar) and the jobs staff start from the web (issue 14).

A correction is kept beside the extracted metadata, never instead of it: ``own_metadata``
stays what extraction found, and the ``corrections_apply`` trigger lays the corrections of
a document's near-duplicate group over ``metadata`` whenever anything writes it — a new
group, ``arkiv reindex --reextract``, a re-linked meeting, an earlier version superseded.
So no code path that writes metadata, today's or tomorrow's, can lose a correction; the
write bumps ``seq`` as before and the index picks the corrected values up.

A changed file (a new version of an ingested path) inherits its previous version's
corrections (``corrections_carry``), logged as ``carried`` in the audit log: what staff
know of a document (its committee, its decision date, its projects) outlives a re-saved
PDF, and the log says where each value came from.
"""

from __future__ import annotations

#: The documents of the group the row NEW belongs to (its canonical one and the others).
_GROUP = (
    "SELECT id FROM documents WHERE id = COALESCE(NEW.duplicate_of, NEW.id) "
    "OR duplicate_of = COALESCE(NEW.duplicate_of, NEW.id)"
)

#: The audit log lines of the corrections a changed file's new version takes over from
#: its previous one (``corrections_carry``; archive.db has it in PL/pgSQL too).
CARRY_AUDIT = """INSERT INTO audit_log (document_id, action, field, before, after, by_user, at)
        SELECT NEW.document_id, 'carried', c.field, NULL, c.value, c.by_user, NEW.at
        FROM corrections c JOIN versions v ON v.document_id = c.document_id
        WHERE v.path = NEW.path AND v.version = NEW.version - 1
        AND NOT EXISTS (SELECT 1 FROM corrections o
                        WHERE o.document_id = NEW.document_id AND o.field = c.field)"""

STAFF_TABLES = f"""
CREATE TABLE corrections (
    document_id TEXT NOT NULL REFERENCES documents(id),
    field       TEXT NOT NULL,
    value       TEXT NOT NULL,   -- JSON: the corrected value (null clears the field)
    extracted   TEXT NOT NULL,   -- JSON: the value before the first correction
    by_user     TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (document_id, field)
);
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    document_id TEXT,            -- null for registry changes
    action      TEXT NOT NULL,   -- corrected | reverted | carried | project-confirmed …
    field       TEXT,
    before      TEXT,            -- JSON
    after       TEXT,            -- JSON
    by_user     TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX audit_log_document ON audit_log(document_id, id);
CREATE TABLE project_decisions (
    name        TEXT PRIMARY KEY, -- a discovered project name (project_candidates)
    decision    TEXT NOT NULL CHECK (decision IN ('confirmed', 'merged', 'rejected')),
    target      TEXT,             -- the project it was merged into
    by_user     TEXT NOT NULL,
    at          TEXT NOT NULL
);

CREATE TRIGGER corrections_apply AFTER UPDATE OF metadata ON documents
WHEN EXISTS (SELECT 1 FROM corrections WHERE document_id IN ({_GROUP}))
BEGIN
    UPDATE documents SET metadata = json_patch(metadata, (
        SELECT json_group_object(field, json(value)) FROM (
            -- the latest correction of each field in the group (SQLite takes the bare
            -- columns from the row of MAX)
            SELECT field, value, MAX(at || printf('%012d', rowid))
            FROM corrections WHERE document_id IN ({_GROUP}) GROUP BY field)))
    WHERE id IN ({_GROUP});
END;

CREATE TRIGGER corrections_carry AFTER INSERT ON versions WHEN NEW.version > 1
BEGIN
    {CARRY_AUDIT};
    INSERT OR IGNORE INTO corrections (document_id, field, value, extracted, by_user, at)
        SELECT NEW.document_id, c.field, c.value,
               COALESCE(json_quote(json_extract(d.own_metadata, '$.' || c.field)), 'null'),
               c.by_user, NEW.at
        FROM corrections c JOIN versions v ON v.document_id = c.document_id
        JOIN documents d ON d.id = NEW.document_id
        WHERE v.path = NEW.path AND v.version = NEW.version - 1;
    UPDATE documents SET metadata = metadata WHERE id = NEW.document_id;
END;

CREATE TABLE saved_searches (
    id          INTEGER PRIMARY KEY,
    user        TEXT NOT NULL,
    name        TEXT NOT NULL,
    query       TEXT NOT NULL,    -- the search's URL query string (web.state)
    created_at  TEXT NOT NULL,
    since_row   INTEGER NOT NULL, -- documents received after this one are new to it
    sent_row    INTEGER NOT NULL, -- the e-mail digest has told up to this document
    feed_token  TEXT NOT NULL UNIQUE  -- SHA-256 of the feed URL's token
);
CREATE INDEX saved_searches_user ON saved_searches(user);
CREATE TABLE alert_recipients (
    user        TEXT PRIMARY KEY,
    email       TEXT NOT NULL     -- where the user's digest of new matches goes
);

CREATE TABLE web_jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('upload', 'reindex', 'check')),
    args         TEXT NOT NULL,   -- JSON
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    pid          INTEGER,
    started_at   TEXT,
    finished_at  TEXT,
    result       TEXT             -- JSON: what the job did
);
"""
