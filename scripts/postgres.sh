#!/usr/bin/env bash
# A throw-away PostgreSQL 15 for development and tests (issue 13: the team store).
#   start    initdb into a fresh temporary directory and start a server listening on a Unix
#            socket in that directory and on 127.0.0.1 at a free port; writes the state file
#   stop     stop the server and remove its directory (and the state file)
#   restart  restart the running server (pg_ctl restart; tests use it for reconnects)
#   env      print the state file (shell `KEY=value` lines; `eval "$(... env)"` exports them)
#   psql     run psql as the superuser over the socket (arguments are passed on)
# The state file is $VIGIL_PG_STATE (default build/postgres.env). Socket connections are
# trusted, but the socket sits in a directory only the server's user (and root) may enter;
# TCP needs a SCRAM password (the superuser's is in the pgpass file the state names).
# As root the server runs as the `postgres` system user (initdb refuses root). Never
# touches the Debian default cluster (/var/lib/postgresql, pg_ctlcluster).
# $VIGIL_PG_OPTIONS adds server settings at start, e.g. to see statement times in a bench:
#   VIGIL_PG_OPTIONS="-c log_min_duration_statement=0 -c logging_collector=on -c log_directory=/tmp/pglog"
set -euo pipefail
cd "$(dirname "$0")/.."
state="${VIGIL_PG_STATE:-build/postgres.env}"
case "$state" in /*) ;; *) state="$(pwd)/$state" ;; esac

die() { echo "postgres: $*" >&2; exit 1; }

usage() {
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
  echo "Usage: bash scripts/postgres.sh start|stop|restart|env|psql [psql arguments]"
}

bindir=""
for candidate in /usr/lib/postgresql/15/bin "$(pg_config --bindir 2>/dev/null || true)"; do
  if [ -n "$candidate" ] && [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
    bindir="$candidate"
    break
  fi
done

# Runs a command as the server's user: the `postgres` system user when we are root.
as_server() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Reads KEY from the state file (no eval: the file is data).
state_get() { sed -n "s/^$1=//p" "$state" 2>/dev/null | head -1; }

running() {
  [ -f "$state" ] || return 1
  local data
  data="$(state_get VIGIL_PG_DATA)"
  [ -n "$data" ] && [ -d "$data" ] && as_server "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1
}

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  [ -n "$bindir" ] || die "PostgreSQL 15 is not installed (apt-get install postgresql-15; bash scripts/install-deps.sh)"
  if running; then
    echo "postgres: already running ($(state_get VIGIL_PG_URL)); state in $state"
    return 0
  fi
  if [ -f "$state" ]; then
    # A state file without its server: a crashed run or a reboot. Clean up what it names.
    local old
    old="$(state_get VIGIL_PG_DIR)"
    case "$old" in /tmp/vigil-pg.*|"${TMPDIR:-/tmp}"/vigil-pg.*) rm -rf "$old" ;; esac
    rm -f "$state"
  fi
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' system user (from the postgresql-15 package)"
  fi
  local dir data port password
  dir="$(mktemp -d "${TMPDIR:-/tmp}/vigil-pg.XXXXXX")"
  case "$dir" in *[[:space:]]*) rm -rf "$dir"; die "the temporary directory '$dir' has a space in it; set TMPDIR" ;; esac
  data="$dir/data"
  password="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  # The superuser's password for TCP (scram-sha-256), read by initdb from a file, kept in
  # a pgpass file that only the caller may read.
  printf '%s\n' "$password" >"$dir/superuser.password"
  chmod 0600 "$dir/superuser.password"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$dir" "$dir/superuser.password"
  fi
  chmod 0700 "$dir"
  if ! as_server "$bindir/initdb" -D "$data" -U postgres --auth-local=trust \
      --auth-host=scram-sha-256 --pwfile="$dir/superuser.password" -E UTF8 \
      --locale=C.UTF-8 --no-instructions >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    die "initdb failed (log above)"
  fi
  rm -f "$dir/superuser.password"
  local attempt started=0
  for attempt in 1 2 3 4 5; do
    port="$(free_port)"
    # Only the socket in our directory and 127.0.0.1: nothing else listens.
    if as_server "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=100 -c fsync=off ${VIGIL_PG_OPTIONS:-}" \
        start >/dev/null 2>&1; then
      started=1
      break
    fi
    grep -q "could not bind\|already in use" "$dir/server.log" 2>/dev/null || break
  done
  if [ "$started" -ne 1 ]; then
    tail -20 "$dir/server.log" >&2 2>/dev/null || true
    rm -rf "$dir"
    die "the server did not start (log above)"
  fi
  mkdir -p "$(dirname "$state")"
  local pgpass="$dir/pgpass"
  # The caller reads this pgpass (libpq refuses one others may read); the server never does.
  printf '127.0.0.1:%s:*:postgres:%s\n' "$port" "$password" >"$pgpass"
  chmod 0600 "$pgpass"
  cat >"$state.tmp" <<EOF
VIGIL_PG_URL=postgresql://postgres@127.0.0.1:$port/postgres
VIGIL_PG_SOCKET=$dir
VIGIL_PG_PORT=$port
VIGIL_PG_DIR=$dir
VIGIL_PG_DATA=$data
VIGIL_PG_BIN=$bindir
PGPASSFILE=$pgpass
EOF
  mv "$state.tmp" "$state"
  echo "postgres: started PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port and $dir"
  echo "postgres: admin URL postgresql://postgres@127.0.0.1:$port/postgres (password in $pgpass: export PGPASSFILE=$pgpass)"
  echo "postgres: state in $state"
}

stop() {
  if [ ! -f "$state" ]; then
    echo "postgres: not running (no state file $state)"
    return 0
  fi
  local dir data
  dir="$(state_get VIGIL_PG_DIR)"
  data="$(state_get VIGIL_PG_DATA)"
  if [ -n "$bindir" ] && [ -n "$data" ] && [ -d "$data" ]; then
    as_server "$bindir/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  fi
  # Remove only what start made: a vigil-pg.* temporary directory.
  case "$(basename "${dir:-none}")" in
    vigil-pg.*) rm -rf "$dir" ;;
    *) echo "postgres: the state file names '$dir', which start did not make; left alone" >&2 ;;
  esac
  rm -f "$state"
  echo "postgres: stopped and removed $dir"
}

restart() {
  running || die "no server is running for $state (bash scripts/postgres.sh start)"
  as_server "$bindir/pg_ctl" -D "$(state_get VIGIL_PG_DATA)" -m fast -w -t 60 restart >/dev/null \
    || die "pg_ctl restart failed (log: $(state_get VIGIL_PG_DIR)/server.log)"
  echo "postgres: restarted"
}

command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
  start) start ;;
  stop) stop ;;
  restart) restart ;;
  env)
    running || die "no server is running for $state (bash scripts/postgres.sh start)"
    sed 's/^/export /' "$state" ;;
  psql)
    running || die "no server is running for $state (bash scripts/postgres.sh start)"
    exec "$bindir/psql" -h "$(state_get VIGIL_PG_SOCKET)" -p "$(state_get VIGIL_PG_PORT)" \
      -U postgres "$@" ;;
  -h|--help|help) usage ;;
  "") usage >&2; exit 2 ;;
  *) echo "postgres: unknown command '$command'" >&2; usage >&2; exit 2 ;;
esac
