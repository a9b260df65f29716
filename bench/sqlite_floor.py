#!/usr/bin/env python3
"""The floor under `leadline bench import` on SQLite: Leadline's own schema loaded by a thin
client (Python's C-level executemany, 10,000-row transactions) with rows shaped like the
benchmark's, and no parsing, validation or dedupe at all.

    python3 bench/sqlite_floor.py [ROWS] [VARIANT ...]

Variants: `terms` (the schema as it is: a contact row, its identities and its folded search
terms), `noterms` (without search terms), `fts5` (terms in a contentless FTS5 table instead).
"""
import os
import random
import sqlite3
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
MIGRATIONS = os.path.join(HERE, "..", "crates", "leadline-store", "migrations", "sqlite")
FIRST = ["Anna", "Lukasz", "Zofia", "Giulia", "Marco"]
LAST = ["Nowak", "Rossi", "Smith", "Conti", "Walker", "Bianchi"]
COLUMNS = ("id, first_name, last_name, company_name, job_title, country, lifecycle_stage, lead_status, "
           "properties, tags, consent, created_at, updated_at")


def run(rows, variant, batch=10_000):
    path = os.path.join(tempfile.mkdtemp(prefix="leadline-floor-"), "floor.db")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=wal")
    db.execute("PRAGMA synchronous=normal")
    db.execute("PRAGMA cache_size=-65536")
    for name in sorted(os.listdir(MIGRATIONS)):
        db.executescript(open(os.path.join(MIGRATIONS, name)).read())
    if variant == "fts5":
        db.execute("CREATE VIRTUAL TABLE contact_search USING fts5(terms, content='', detail=none, prefix='2 4')")
    insert = f"INSERT INTO contacts ({COLUMNS}) VALUES ({', '.join('?' * len(COLUMNS.split(', ')))})"
    now = 1_700_000_000_000
    spent = 0.0
    for start in range(0, rows, batch):
        contacts, identities, terms, docs = [], [], [], []
        for n in range(start, min(rows, start + batch)):
            cid = str(uuid.UUID(int=(now + n) << 80 | random.getrandbits(64)))
            first, last = FIRST[n % len(FIRST)], LAST[(n // 7) % len(LAST)]
            contacts.append((cid, first, last, f"Firm {n % 20000}", "Manager", "PL", "lead", "new", "{}", "[]", "[]",
                             now + n, now + n))
            identities.append((f"email:person{n}@firm{n % 20000}.example", cid, 0))
            words = {first.lower(), last.lower(), "firm", str(n % 20000), f"person{n}", f"firm{n % 20000}"}
            if n % 2 == 0:
                identities.append((f"phone:+4860{n:07d}", cid, 100))
                words |= {f"4860{n:07d}", f"60{n:07d}"}
            terms.extend(("contact", w, cid) for w in words)
            docs.append((n + 1, " ".join(words)))
        t = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.executemany(insert, contacts)
        db.executemany("INSERT INTO contact_identities VALUES (?, ?, ?)", identities)
        if variant == "terms":
            db.executemany("INSERT INTO search_terms VALUES (?, ?, ?)", terms)
        elif variant == "fts5":
            db.executemany("INSERT INTO contact_search (rowid, terms) VALUES (?, ?)", docs)
        db.execute("COMMIT")
        spent += time.perf_counter() - t
    db.close()
    print(f"{variant}: {rows} rows in {spent:.1f} s of database time = {rows / spent:,.0f} rows/s")


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    for v in sys.argv[2:] or ["terms", "noterms", "fts5"]:
        run(n, v)
