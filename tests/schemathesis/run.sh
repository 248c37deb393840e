#!/usr/bin/env bash
# Property-based test of the API against its own OpenAPI document: schemathesis, with every
# check, on a seeded server (demo data, a standards editor's token): on a temporary SQLite file,
# then, when CORRIGENDA_TEST_POSTGRES names a server (as in CI), on a temporary PostgreSQL
# database made there and dropped afterwards. Fails on any failure. schemathesis.toml beside this file says what is configured, and why. SCHEMATHESIS_MAX_EXAMPLES, SCHEMATHESIS_SEED and
# SCHEMATHESIS_TIME_LIMIT (seconds) tune it; CORRIGENDA_BIN runs another build.
set -euo pipefail
cd "$(dirname "$0")/../.."

target="${CARGO_TARGET_DIR:-target}"
mkdir -p "$target" && target="$(cd "$target" && pwd)"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-25}"
seed="${SCHEMATHESIS_SEED:-1}"
time_limit="${SCHEMATHESIS_TIME_LIMIT:-300}"

# schemathesis at the version pinned beside this script, in a venv of its own.
venv="$target/schemathesis-venv"
requirements="tests/schemathesis/requirements.txt"
if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
  echo "schemathesis: installing $(cat "$requirements")"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/requirements.txt"
fi

if [ -z "${CORRIGENDA_BIN:-}" ]; then
  cargo build --locked --quiet
  CORRIGENDA_BIN="$target/debug/corrigenda"
fi

work="$(mktemp -d)"
server_pid=""
copy_pid=""
pg_admin=""
pg_database=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$copy_pid" ]; then wait "$copy_pid" 2>/dev/null || true; fi
  if [ -n "$pg_database" ]; then psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $pg_database WITH (FORCE)" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Seeds the database at $1 and runs schemathesis against a server on it; $2 names the backend.
run_against() {
  local database_url="$1" backend="$2"
  local dir="$work/$backend"
  mkdir -p "$dir"
  # Every setting points into the temporary folder; reports are not rate limited, or the
  # limiter's 429s would be all schemathesis sees of filing after the tenth.
  export DATABASE_URL="$database_url"
  export CORRIGENDA_SIGNING_KEY="$dir/corrigenda.key"
  export CORRIGENDA_MAIL_DIR="$dir/mail"
  export CORRIGENDA_REPORT_RATE_LIMIT=0
  unset SMTP_URL
  local base="" line server_out token started status=0

  "$CORRIGENDA_BIN" demo >"$dir/demo.log"
  token="$("$CORRIGENDA_BIN" token create --email standards@demo.example --name schemathesis | tail -n 1)"

  # The server picks a free port itself and prints where it listens: its stdout is read here
  # through a fifo up to that line, then copied on to its log with the rest.
  export CORRIGENDA_BIND="127.0.0.1:0"
  mkfifo "$dir/stdout"
  "$CORRIGENDA_BIN" serve >"$dir/stdout" 2>>"$dir/server.log" &
  server_pid=$!
  exec {server_out}<"$dir/stdout"
  # A minute at most for each of the few lines before it.
  while [ -z "$base" ] && IFS= read -r -t 60 line <&"$server_out"; do
    printf '%s\n' "$line" >>"$dir/server.log"
    case "$line" in "Corrigenda is listening on "*) base="${line#Corrigenda is listening on }" ;; esac
  done
  cat <&"$server_out" >>"$dir/server.log" &
  copy_pid=$!
  exec {server_out}<&-
  if [ -z "$base" ]; then
    echo "the server did not say where it listens within a minute" >&2
    cat "$dir/server.log" >&2
    exit 1
  fi
  # It listens already: the answer waits, at most a minute, until it serves.
  if ! curl -fsS --max-time 60 "$base/healthz" >/dev/null 2>&1; then
    echo "the server did not answer /healthz within a minute" >&2
    cat "$dir/server.log" >&2
    exit 1
  fi

  echo "schemathesis ($backend): $max_examples examples per operation, seed $seed, at most ${time_limit}s"
  started=$SECONDS
  # Run from the temporary folder: schemathesis keeps a cache in the working directory.
  (cd "$dir" && timeout --signal=INT "$time_limit" "$venv/bin/st" --config-file "$root/tests/schemathesis/schemathesis.toml" \
    run "$base/api/v1/openapi.json" \
    --url "$base" \
    --checks all \
    --max-examples "$max_examples" \
    --seed "$seed" \
    --workers 1 \
    --generation-database none \
    --header "Authorization: Bearer $token" \
    --no-color) || status=$?
  echo "schemathesis ($backend): finished in $((SECONDS - started))s with status $status"
  if [ "$status" -eq 124 ] || [ "$status" -eq 130 ]; then
    echo "schemathesis ($backend): stopped after ${time_limit}s; the run must fit in that time" >&2
  fi
  if [ "$status" -ne 0 ]; then
    echo "schemathesis ($backend): the server's log follows" >&2
    tail -n 50 "$dir/server.log" >&2
    exit "$status"
  fi
  kill "$server_pid" && wait "$server_pid" || true
  server_pid=""
  wait "$copy_pid" || true
  copy_pid=""
}

root="$PWD"
run_against "$work/corrigenda.db" sqlite

if [ -n "${CORRIGENDA_TEST_POSTGRES:-}" ]; then
  pg_admin="$CORRIGENDA_TEST_POSTGRES"
  name="corrigenda_schemathesis_$$_$RANDOM"
  psql -q "$pg_admin" -c "CREATE DATABASE $name" >/dev/null
  pg_database="$name"
  run_against "${pg_admin%/*}/$name" postgres
elif [ -n "${CI:-}" ]; then
  echo "schemathesis: CI is set but CORRIGENDA_TEST_POSTGRES is not: the PostgreSQL run cannot be skipped" >&2
  exit 1
else
  echo "*** schemathesis: CORRIGENDA_TEST_POSTGRES is not set: SKIPPED the PostgreSQL run ***"
fi
