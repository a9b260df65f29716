#!/usr/bin/env python3
"""The floor under `leadline bench import` on SQLite: Leadline's own schema loaded by a thin
client (multi-row INSERTs of 1,000 rows, as the store writes them, in transactions of the
import's batch size) with rows shaped like the benchmark's, and no parsing, validation, dedupe
or updates.

Multi-row statements matter here beyond saving round trips: FTS5 writes its pending terms out
at every statement boundary inside a transaction, so one row per statement would make a tiny
index segment per row.

    python3 bench/sqlite_floor.py [ROWS] [VARIANT ...]

Variants: `schema` (a contact row with its search text, which triggers put into the FTS5
index, and its identities), `nosearch` (the same rows without search text), `full` (what the
benchmark's new contact really writes: `schema`, plus a company among 20,000, its
`contact_companies` link and the history row of its first lifecycle stage). `full` is the floor
to compare `leadline bench import` with; `deferred` writes what `full` writes, with the secondary
indexes and the search trigger dropped first and everything rebuilt at the end (timed too), to
show whether the order of the work matters; `split` writes what `full` writes, with the search
index in a database file of its own, written on a second thread beside the first (a second
SQLite writer). A company and an e-mail address are random keys, so
every batch dirties pages all over their indexes; on some machines that writing dominates at a
million rows, on others (where batch size makes no difference) SQLite's work per row does.

BATCH (environment) sets the rows per transaction; the default is the import's.

Python's own SQLite may predate FTS5's `contentless_delete` (3.43); the option only matters
for deletes, so it is dropped when the library is older.
"""
import os
import random
import sqlite3
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
MIGRATIONS = os.path.join(HERE, "..", "crates", "leadline-store", "migrations", "sqlite")
FIRST = ["Anna", "Lukasz", "Zofia", "Giulia", "Marco"]
LAST = ["Nowak", "Rossi", "Smith", "Conti", "Walker", "Bianchi"]
COLUMNS = ("id, first_name, last_name, company_name, job_title, country, lifecycle_stage, lead_status, "
           "properties, tags, consent, created_at, updated_at, search_text, company_id")
BATCH = int(os.environ.get("BATCH", "25000"))
# What `deferred` drops and rebuilds: every secondary index a new contact touches.
DEFERRED_INDEXES = ("contacts_updated", "contacts_owner", "contacts_stage", "contacts_country", "contacts_source_list",
                    "contacts_merged", "contacts_sort_last_name", "contact_identities_contact",
                    "contact_companies_company", "field_history_object")


def schema_script(name):
    text = open(os.path.join(MIGRATIONS, name)).read()
    if sqlite3.sqlite_version_info < (3, 43):
        text = text.replace("contentless_delete = 1, ", "")
    return text


def insert(db, table, rows):
    """Insert `rows` into `table` 1,000 to a statement."""
    for i in range(0, len(rows), 1000):
        chunk = rows[i:i + 1000]
        row = f"({', '.join('?' * len(chunk[0]))})"
        db.execute(f"INSERT INTO {table} VALUES {', '.join([row] * len(chunk))}", [v for r in chunk for v in r])


def connect(path):
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=wal")
    db.execute("PRAGMA synchronous=normal")
    db.execute("PRAGMA cache_size=-65536")
    # The store's writer checkpoints at 256 MB (a background task does the rest, which a
    # single-threaded client cannot mirror).
    db.execute("PRAGMA wal_autocheckpoint=65536")
    return db


def write_search(search, terms):
    search.execute("BEGIN IMMEDIATE")
    insert(search, "contacts_search (rowid, terms)", terms)
    search.execute("COMMIT")


def run(rows, variant, batch=BATCH):
    folder = tempfile.mkdtemp(prefix="leadline-floor-")
    db = connect(os.path.join(folder, "floor.db"))
    for name in sorted(os.listdir(MIGRATIONS)):
        db.executescript(schema_script(name))
    now = 1_700_000_000_000
    spent = 0.0
    search = None
    if variant == "split":
        # The same index, in a file of its own; a contact's search_key is its place in the load.
        search = connect(os.path.join(folder, "search.db"))
        search.execute(db.execute("SELECT sql FROM sqlite_master WHERE name = 'contacts_search'").fetchone()[0])
        search.execute("INSERT INTO contacts_search (contacts_search, rank) VALUES ('automerge', 16)")
        db.execute("DROP TRIGGER contacts_search_insert")
    deferred = variant == "deferred"
    if deferred:
        t = time.perf_counter()
        ddl = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name IN (%s)"
                              % ", ".join("?" * (len(DEFERRED_INDEXES) + 1)),
                              DEFERRED_INDEXES + ("contacts_search_insert",)).fetchall())
        for name in DEFERRED_INDEXES:
            db.execute(f"DROP INDEX {name}")
        db.execute("DROP TRIGGER contacts_search_insert")
        spent += time.perf_counter() - t
    for start in range(0, rows, batch):
        contacts, identities, links, history, terms = [], [], [], [], []
        for n in range(start, min(rows, start + batch)):
            cid = str(uuid.UUID(int=(now + n) << 80 | random.getrandbits(64)))
            first, last = FIRST[n % len(FIRST)], LAST[(n // 7) % len(LAST)]
            identities.append((f"email:person{n}@firm{n % 20000}.example", cid, 0))
            words = {first.lower(), last.lower(), "firm", str(n % 20000), f"person{n}", f"firm{n % 20000}"}
            if n % 2 == 0:
                identities.append((f"phone:+4860{n:07d}", cid, 100))
                words |= {f"4860{n:07d}", f"60{n:07d}"}
            text = " ".join(sorted(words)) if variant != "nosearch" else ""
            company = f"company-{random.randrange(20000):05d}" if variant in ("full", "deferred", "split") else None
            contacts.append((cid, first, last, f"Firm {n % 20000}", "Manager", "PL", "lead", "new", "{}", "[]", "[]",
                             now + n, now + n, text, company))
            if company:
                links.append((cid, company, "other", now))
                history.append(("contact", cid, "lifecycle_stage", None, "lead", now, "import", None))
            terms.append((n + 1, text))
        t = time.perf_counter()
        # Python's sqlite3 lets go of the interpreter lock while SQLite works, so the two
        # writers run at once (building each statement's parameters still takes turns).
        side = search and threading.Thread(target=write_search, args=(search, terms))
        if side:
            side.start()
        db.execute("BEGIN IMMEDIATE")
        insert(db, f"contacts ({COLUMNS})", contacts)
        insert(db, "contact_identities", identities)
        insert(db, "contact_companies", links)
        insert(db, "field_history (object, object_id, field, from_value, to_value, at, cause, actor_id)", history)
        db.execute("COMMIT")
        if side:
            side.join()
        spent += time.perf_counter() - t
    if deferred:
        t = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        for name in DEFERRED_INDEXES:
            db.execute(ddl[name])
        db.execute("INSERT INTO contacts_search (rowid, terms) SELECT search_key, search_text FROM contacts "
                   "WHERE search_text <> ''")
        db.execute(ddl["contacts_search_insert"])
        db.execute("COMMIT")
        spent += time.perf_counter() - t
    db.close()
    print(f"{variant}: {rows} rows in {spent:.1f} s of database time = {rows / spent:,.0f} rows/s")


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    for v in sys.argv[2:] or ["full", "schema", "nosearch"]:
        run(n, v)
