#!/usr/bin/env bash
# Run a command with DATABASE_URL pointing at the local PostgreSQL 15 cluster (started if needed).
set -euo pipefail
pg_ctlcluster 15 main start 2>/dev/null || true
pg_lsclusters | grep -q "15 *main.*online" || { echo "PostgreSQL 15 cluster is not running" >&2; exit 1; }
su postgres -c "psql -qtc \"SELECT 1 FROM pg_roles WHERE rolname='clinic'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE clinic LOGIN CREATEDB PASSWORD 'clinic'\""
su postgres -c "psql -qtc \"SELECT 1 FROM pg_database WHERE datname='clinic'\"" | grep -q 1 \
  || su postgres -c "createdb -O clinic clinic"
export DATABASE_URL="postgres://clinic:clinic@127.0.0.1:5432/clinic"
exec "$@"
