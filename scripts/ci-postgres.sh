#!/usr/bin/env bash
# Makes a PostgreSQL server available on 127.0.0.1:5432 for the test suite and prints its URL.
# Installs Debian's PostgreSQL when missing, starts the packaged cluster (or creates one), and sets a
# password for the postgres role so that tests connect over TCP like any client would.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$ver main$"; then
  pg_createcluster "$ver" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main" {print $4}' | grep -q online; then
  # Tests create throwaway databases; durability is irrelevant and fsync would dominate their time.
  pg_conftool "$ver" main set fsync off >&2 || true
  pg_conftool "$ver" main set synchronous_commit off >&2 || true
  pg_conftool "$ver" main set max_connections 300 >&2 || true
  pg_ctlcluster "$ver" main start >&2
fi
port=$(pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main" {print $3}')
for _ in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -p "$port" -q && break
  sleep 1
done
su postgres -c "psql -q -p $port -c \"ALTER USER postgres PASSWORD 'porta'\"" >&2
echo "postgres://postgres:porta@127.0.0.1:${port}/postgres"
