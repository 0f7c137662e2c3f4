# Sourced by eng/test.sh (or run with bash): makes the Debian PostgreSQL 15 cluster "15 main" ready on 127.0.0.1:5432
# for the DataWeaver.PostgreSql tests: wal_level=logical and 32 replication slots (change data capture), the postgres user's password set to
# $DATAWEAVER_PG_PASSWORD (default "dataweaver", a test-only password on a loopback-only server), and the databases and roles
# left by earlier test runs (named dwtest_*) dropped. Idempotent: installs postgresql from Debian only when missing,
# restarts the cluster only when wal_level is not yet logical, starts it only when it is down, waits until it is ready.
# Stop it with: pg_ctlcluster 15 main stop
postgres_service_up() {
  local password=${DATAWEAVER_PG_PASSWORD:-dataweaver}
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -d /etc/postgresql/15/main ]; then
    echo "postgres.sh: installing postgresql (Debian's PostgreSQL 15)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  local restart=0
  if [ "$(pg_conftool -s 15 main show wal_level 2>/dev/null)" != "logical" ]; then
    pg_conftool 15 main set wal_level logical
    restart=1
  fi
  # Change data capture tests run side by side, each with a slot (and a walsender) of its own.
  if [ "$(pg_conftool -s 15 main show max_replication_slots 2>/dev/null)" != "32" ]; then
    pg_conftool 15 main set max_replication_slots 32
    pg_conftool 15 main set max_wal_senders 32
    restart=1
  fi
  if pg_ctlcluster 15 main status >/dev/null 2>&1; then
    if [ "$restart" = 1 ]; then
      echo "postgres.sh: restarting PostgreSQL 15 (wal_level=logical, max_replication_slots=32)"
      pg_ctlcluster 15 main restart
    fi
  else
    echo "postgres.sh: starting PostgreSQL 15 on 127.0.0.1:5432"
    pg_ctlcluster 15 main start
  fi
  local i
  for i in $(seq 1 100); do
    if pg_isready -q -h 127.0.0.1 -p 5432; then break; fi
    sleep 0.2
  done
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "postgres.sh: PostgreSQL did not become ready; see /var/log/postgresql/postgresql-15-main.log" >&2
    return 1
  fi
  su postgres -c "psql -q -X -v ON_ERROR_STOP=1 -c \"ALTER USER postgres PASSWORD '$password'\"" >/dev/null
  # Free of earlier runs' state: the databases and replication slots tests left behind when they were killed.
  su postgres -c "psql -q -X -At -c \"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE 'dwtest%' AND NOT active\"" >/dev/null
  local db
  for db in $(su postgres -c "psql -q -X -At -c \"SELECT datname FROM pg_database WHERE datname LIKE 'dwtest%'\""); do
    su postgres -c "psql -q -X -c 'DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)'" >/dev/null
  done
  local role
  for role in $(su postgres -c "psql -q -X -At -c \"SELECT rolname FROM pg_roles WHERE rolname LIKE 'dwtest%'\""); do
    su postgres -c "psql -q -X -c 'DROP ROLE IF EXISTS \"$role\"'" >/dev/null
  done
  export DATAWEAVER_PG_CONNECTION="Host=127.0.0.1;Port=5432;Username=postgres;Password=$password"
}
postgres_service_up
