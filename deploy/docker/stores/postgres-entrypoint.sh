#!/bin/sh
# The official postgres image's contract, in short: a first start creates the cluster in
# $PGDATA (POSTGRES_HOST_AUTH_METHOD, default scram-sha-256 with POSTGRES_PASSWORD) and the
# database $POSTGRES_DB; then `postgres ARGS...` runs the server in the foreground.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  AUTH=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
  if [ "$AUTH" != trust ] && [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "set POSTGRES_PASSWORD, or POSTGRES_HOST_AUTH_METHOD=trust (development only)" >&2
    exit 1
  fi
  PWFILE=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:-unused}" > "$PWFILE"
  initdb -D "$PGDATA" -U postgres --auth="$AUTH" --pwfile="$PWFILE" >/dev/null
  rm -f "$PWFILE"
  echo "host all all 0.0.0.0/0 $AUTH" >> "$PGDATA/pg_hba.conf"
  echo "host all all ::/0 $AUTH" >> "$PGDATA/pg_hba.conf"
  if [ -n "${POSTGRES_DB:-}" ] && [ "$POSTGRES_DB" != postgres ]; then
    echo "CREATE DATABASE \"$POSTGRES_DB\";" | postgres --single -D "$PGDATA" postgres >/dev/null
  fi
fi
if [ "${1:-}" = postgres ]; then
  shift
  exec postgres -D "$PGDATA" -c unix_socket_directories=/tmp "$@"
fi
exec "$@"
