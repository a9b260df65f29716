"""The peer for `leadline bench scoring`: DuckDB answers the measured segment's question over
the same contacts and page views, written to Parquet first (the conversion is not timed).

    python3 bench/duckdb_segment.py DIR NOW_MS

DIR holds contacts.csv (id, country, fit) and page_views.csv (contact_id, url, occurred_at)
written by the bench. Prints `count=N ms=T`.
"""
import sys
import time

import duckdb

directory, now = sys.argv[1], int(sys.argv[2])
day = 86_400_000
db = duckdb.connect()
db.execute(f"COPY (SELECT * FROM read_csv_auto('{directory}/contacts.csv', header=true, all_varchar=false)) TO '{directory}/contacts.parquet' (FORMAT parquet)")
db.execute(f"COPY (SELECT * FROM read_csv_auto('{directory}/page_views.csv', header=true)) TO '{directory}/page_views.parquet' (FORMAT parquet)")
# country = "PL" and fit >= 20 and count(page_view where url contains "/pricing", last 30 days) >= 1
query = f"""
SELECT count(*) FROM '{directory}/contacts.parquet' c
WHERE c.country = 'PL' AND c.fit >= 20
  AND (SELECT count(*) FROM '{directory}/page_views.parquet' v
       WHERE v.contact_id = c.id AND v.url LIKE '%/pricing%'
         AND v.occurred_at >= {now - 30 * day} AND v.occurred_at <= {now}) >= 1
"""
db.execute(query).fetchall()  # warm: DuckDB plans and reads the footers once
started = time.perf_counter()
count = db.execute(query).fetchone()[0]
ms = (time.perf_counter() - started) * 1000
print(f"count={count} ms={ms:.1f}")
