#!/usr/bin/env bash
# API latency under load: 1M contacts in SQLite, the server in one process, the open-loop
# load generator (`leadline bench http`) in another, 2,000 requests/s for 20 s per phase.
# With PG_SERVER=postgres://user@host:port, the same 1M rows go into a new PostgreSQL database
# with `leadline import` (which brings the planner's statistics up to date as it ends) and the
# server runs on that.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${ROWS:-1000000}"
RPS="${RPS:-2000}"
SECONDS_PER_PHASE="${SECONDS_PER_PHASE:-20}"
DIR="${DIR:-${TMPDIR:-/tmp}/leadline-bench-api}"
PORT="${PORT:-8099}"
cargo build --release -p leadline
BIN=target/release/leadline
STORE=(--data-dir "$DIR")
if [ -n "${PG_SERVER:-}" ]; then
  DB="leadline_bench_api"
  mkdir -p "$DIR"
  if [ ! -f "$DIR/contacts.csv" ]; then
    "$BIN" bench import --rows "$ROWS" --csv "$DIR/contacts.csv"
  fi
  psql "$PG_SERVER/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  STORE+=(--database-url "$PG_SERVER/$DB")
  started=$(date +%s.%N)
  "$BIN" "${STORE[@]}" import contacts "$DIR/contacts.csv" >/dev/null
  echo "leadline import into PostgreSQL, statistics included: $(echo "$(date +%s.%N) - $started" | bc) s"
elif [ ! -f "$DIR/leadline.db" ]; then
  mkdir -p "$DIR"
  "$BIN" bench import --rows "$ROWS" --keep "$DIR"
fi
echo "bench password 1" | "$BIN" "${STORE[@]}" user create --email bench@leadline.local --role read_only >/dev/null 2>&1 || true
TOKEN="$("$BIN" "${STORE[@]}" token create --user bench@leadline.local --name "bench $(date +%s)" 2>/dev/null)"
LEADLINE_LOG=error "$BIN" "${STORE[@]}" serve --listen "127.0.0.1:$PORT" >/dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
"$BIN" bench http --url "http://127.0.0.1:$PORT" --token "$TOKEN" --rps "$RPS" --seconds "$SECONDS_PER_PHASE"
