"""The peers for `leadline bench funnel`: the same 4-step funnel in DuckDB and in ClickHouse
(chdb), over the same events, each loaded into its own table first (not timed with the query).

    python3 bench/funnel_peers.py DIR WINDOW_SECONDS FROM TO

DIR holds person.u32, time.u32 (seconds since the epoch) and kind.u8 (0 page_view,
1 product_view, 2 add_to_cart, 3 purchase, 4.. other types) written by the bench. Prints one
JSON line: for each engine, the people at each step or further, the load time, and the query's
times (the first run and the best of the warm runs), in milliseconds.
"""
import json
import sys
import time

import chdb.session
import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

directory, window, start, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
RUNS = 5

person = np.fromfile(f"{directory}/person.u32", dtype=np.uint32)
seconds = np.fromfile(f"{directory}/time.u32", dtype=np.uint32)
kind = np.fromfile(f"{directory}/kind.u8", dtype=np.uint8)
parquet = f"{directory}/events.parquet"
pq.write_table(pa.table({"person": person, "t": seconds, "kind": kind}), parquet)


def reached(levels, steps=4):
    """People at each step or further, from (level, people) pairs."""
    at = {int(level): int(n) for level, n in levels}
    return [sum(n for level, n in at.items() if level >= step) for step in range(1, steps + 1)]


def timed(run):
    out, times = None, []
    for _ in range(RUNS):
        started = time.perf_counter()
        out = run()
        times.append((time.perf_counter() - started) * 1000)
    return out, times[0], min(times[1:])


result = {}

# ClickHouse: windowFunnel over a MergeTree table ordered by person and time.
sess = chdb.session.Session()
started = time.perf_counter()
sess.query("CREATE TABLE events (person UInt32, t UInt32, kind UInt8) ENGINE = MergeTree ORDER BY (person, t)")
sess.query(f"INSERT INTO events SELECT person, t, kind FROM file('{parquet}', Parquet)")
load = (time.perf_counter() - started) * 1000
clickhouse_sql = f"""
SELECT level, count() FROM (
    SELECT person, windowFunnel({window})(t, kind = 0, kind = 1, kind = 2, kind = 3) AS level
    FROM events WHERE t >= {start} AND t < {end} GROUP BY person
) GROUP BY level ORDER BY level FORMAT CSV
"""


def clickhouse():
    text = str(sess.query(clickhouse_sql))
    return [line.split(",") for line in text.strip().splitlines()]


levels, cold, warm = timed(clickhouse)
result["clickhouse"] = {"counts": reached(levels), "load_ms": load, "cold_ms": cold, "warm_ms": warm,
                        "version": str(sess.query("SELECT version()")).strip().strip('"')}
sess.close()

# DuckDB has no windowFunnel: from each first step, the earliest next step at or after it (an
# ASOF join per step), within the window of the first; a person's level is their best start's.
db = duckdb.connect()
started = time.perf_counter()
db.execute(f"CREATE TABLE events AS SELECT * FROM read_parquet('{parquet}')")
load = (time.perf_counter() - started) * 1000
step = lambda k: f"(SELECT person, t FROM events WHERE kind = {k} AND t >= {start} AND t < {end})"
duckdb_sql = f"""
WITH s1 AS {step(0)}, s2 AS {step(1)}, s3 AS {step(2)}, s4 AS {step(3)},
j2 AS (SELECT s1.person, s1.t AS t1, s2.t AS t2 FROM s1 ASOF LEFT JOIN s2 ON s1.person = s2.person AND s2.t >= s1.t),
j3 AS (SELECT j2.*, s3.t AS t3 FROM j2 ASOF LEFT JOIN s3 ON j2.person = s3.person AND s3.t >= j2.t2),
j4 AS (SELECT j3.*, s4.t AS t4 FROM j3 ASOF LEFT JOIN s4 ON j3.person = s4.person AND s4.t >= j3.t3)
SELECT level, count(*) FROM (
    SELECT person, max(CASE WHEN t4 <= t1 + {window} THEN 4 WHEN t3 <= t1 + {window} THEN 3
                            WHEN t2 <= t1 + {window} THEN 2 ELSE 1 END) AS level
    FROM j4 GROUP BY person
) GROUP BY level ORDER BY level
"""
levels, cold, warm = timed(lambda: db.execute(duckdb_sql).fetchall())
result["duckdb"] = {"counts": reached(levels), "load_ms": load, "cold_ms": cold, "warm_ms": warm,
                    "version": duckdb.__version__}

print(json.dumps(result))
