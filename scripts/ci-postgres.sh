#!/usr/bin/env bash
# `make ci`'s check before the PostgreSQL run: start the local PostgreSQL 15 cluster, and fail with a
# clear message (never skip) when PostgreSQL is not installed or the cluster does not come online.
# The PostgreSQL run is required (issue 5). `make test-postgres` then creates the role and database.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null || ! command -v pg_lsclusters >/dev/null; then
  echo "CI FAILED: PostgreSQL 15 is not installed (pg_ctlcluster missing); the PostgreSQL run is required." >&2
  exit 1
fi
pg_ctlcluster 15 main start 2>/dev/null || true
clusters="$(pg_lsclusters 2>&1 || true)"
if ! grep -q "^15 *main .*online" <<<"$clusters"; then
  echo "CI FAILED: the PostgreSQL 15 cluster 'main' could not be started; the PostgreSQL run is required." >&2
  echo "$clusters" >&2
  exit 1
fi
