#!/usr/bin/env bash
# A throw-away NATS JetStream for development and tests (issue 14, item 4: the fleet).
#   start [--cluster]  start `nats-server -js` on 127.0.0.1 at free ports, its JetStream
#                      store in a fresh temporary directory; with --cluster three nodes
#                      (server names n1..n3, cluster "vigil", routes between them on
#                      127.0.0.1). Waits until JetStream is ready (with --cluster: until
#                      the meta leader is elected). Writes the state file.
#   stop               stop every node and remove the directory (and the state file)
#   env                print the state file (shell `KEY=value` lines; `eval "$(... env)"`)
#   leader STREAM      print the server name of STREAM's leader (from a node's /jsz)
#   pid NAME           print the pid of node NAME (n1, n2, n3)
#   revive NAME        start node NAME again (same ports, same JetStream store) after a
#                      test killed it; waits until it answers
# The state file is $VIGIL_NATS_STATE (default build/nats.env). It names VIGIL_NATS_URL (a
# comma-separated list of every node's client URL, as libnats and `vigil worker --nats`
# take it), VIGIL_NATS_DIR, VIGIL_NATS_NODES and per node VIGIL_NATS_<NAME>_{PID,PORT,MON}.
# Nothing listens anywhere but 127.0.0.1; nothing outside the temporary directory is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
state="${VIGIL_NATS_STATE:-build/nats.env}"
case "$state" in /*) ;; *) state="$(pwd)/$state" ;; esac

die() { echo "nats: $*" >&2; exit 1; }

usage() {
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
  echo "Usage: bash scripts/nats.sh start [--cluster]|stop|env|leader STREAM|pid NAME|revive NAME"
}

server="$(command -v nats-server || true)"
[ -n "$server" ] || [ ! -x /usr/sbin/nats-server ] || server=/usr/sbin/nats-server

# Reads KEY from the state file (no eval: the file is data).
state_get() { sed -n "s/^$1=//p" "$state" 2>/dev/null | head -1 | tr -d '"'; }

# A live process (a killed node may linger a moment as a zombie: that is not alive).
alive() {
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
  local stat
  stat="$(ps -o stat= -p "$1" 2>/dev/null || true)"
  [ -n "$stat" ] && [ "${stat:0:1}" != "Z" ]
}

running() {
  [ -f "$state" ] || return 1
  local name
  for name in $(state_get VIGIL_NATS_NODES); do
    alive "$(state_get "VIGIL_NATS_${name}_PID")" && return 0
  done
  return 1
}

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# GETs a monitoring page of the node listening on port $1 (path $2); empty on failure.
monitor() {
  /usr/bin/python3 - "$1" "$2" <<'EOF' 2>/dev/null || true
import sys, urllib.request
try:
    print(urllib.request.urlopen("http://127.0.0.1:%s%s" % (sys.argv[1], sys.argv[2]), timeout=2).read().decode())
except Exception:
    pass
EOF
}

# Is JetStream ready on the node with monitoring port $1? Clustered: a meta leader is known.
js_ready() {
  local clustered="$2"
  /usr/bin/python3 - "$1" "$clustered" <<'EOF' 2>/dev/null
import json, sys, urllib.request
port, clustered = sys.argv[1], sys.argv[2] == "1"
try:
    health = urllib.request.urlopen("http://127.0.0.1:%s/healthz?js-enabled-only=true" % port, timeout=2)
    if health.status != 200:
        sys.exit(1)
    jsz = json.loads(urllib.request.urlopen("http://127.0.0.1:%s/jsz" % port, timeout=2).read())
    if jsz.get("disabled"):
        sys.exit(1)
    if clustered and not (jsz.get("meta_cluster") or {}).get("leader"):
        sys.exit(1)
except Exception:
    sys.exit(1)
EOF
}

cleanup_stale() {
  # A state file without its servers: a crashed run or a reboot. Clean up what it names.
  local old name pid
  for name in $(state_get VIGIL_NATS_NODES); do
    pid="$(state_get "VIGIL_NATS_${name}_PID")"
    alive "$pid" && kill "$pid" 2>/dev/null || true
  done
  old="$(state_get VIGIL_NATS_DIR)"
  case "$(basename "${old:-none}")" in vigil-nats.*) rm -rf "$old" ;; esac
  rm -f "$state"
}

start() {
  local cluster=0
  [ "${1:-}" = "--cluster" ] && cluster=1
  [ -n "$server" ] || die "nats-server is not installed (bash scripts/install-deps.sh)"
  if running; then
    echo "nats: already running ($(state_get VIGIL_NATS_URL)); state in $state"
    return 0
  fi
  [ -f "$state" ] && cleanup_stale
  local dir names name i
  dir="$(mktemp -d "${TMPDIR:-/tmp}/vigil-nats.XXXXXX")"
  case "$dir" in *[[:space:]]*) rm -rf "$dir"; die "the temporary directory '$dir' has a space in it; set TMPDIR" ;; esac
  chmod 0700 "$dir"
  if [ "$cluster" -eq 1 ]; then names="n1 n2 n3"; else names="n1"; fi
  declare -A port mon route pid
  for name in $names; do
    port[$name]="$(free_port)"
    mon[$name]="$(free_port)"
    route[$name]="$(free_port)"
  done
  local routes=""
  for name in $names; do routes+="nats-route://127.0.0.1:${route[$name]}, "; done
  for name in $names; do
    mkdir -p "$dir/$name/js"
    {
      echo "server_name: $name"
      echo "listen: 127.0.0.1:${port[$name]}"
      echo "http: 127.0.0.1:${mon[$name]}"
      echo "max_payload: 1MB"
      echo "jetstream { store_dir: \"$dir/$name/js\", max_memory_store: 256MB, max_file_store: 8GB }"
      if [ "$cluster" -eq 1 ]; then
        echo "cluster { name: vigil, listen: 127.0.0.1:${route[$name]}, routes: [ ${routes%, } ] }"
      fi
    } >"$dir/$name/nats.conf"
    # setsid and no inherited output: the server outlives this script (a ctest fixture).
    setsid "$server" -js -c "$dir/$name/nats.conf" -P "$dir/$name/nats.pid" \
      </dev/null >"$dir/$name/server.log" 2>&1 &
    pid[$name]=$!
  done
  local ready=0 attempt
  for attempt in $(seq 1 150); do
    ready=1
    for name in $names; do
      if ! alive "${pid[$name]}"; then
        tail -20 "$dir/$name/server.log" >&2 || true
        for i in $names; do kill "${pid[$i]}" 2>/dev/null || true; done
        rm -rf "$dir"
        die "node $name exited at start (log above)"
      fi
      js_ready "${mon[$name]}" "$cluster" || ready=0
    done
    [ "$ready" -eq 1 ] && break
    sleep 0.2
  done
  if [ "$ready" -ne 1 ]; then
    for name in $names; do tail -5 "$dir/$name/server.log" >&2 || true; kill "${pid[$name]}" 2>/dev/null || true; done
    rm -rf "$dir"
    die "JetStream did not become ready in 30 s (logs above)"
  fi
  local urls=""
  for name in $names; do urls+="nats://127.0.0.1:${port[$name]},"; done
  mkdir -p "$(dirname "$state")"
  {
    echo "VIGIL_NATS_URL=${urls%,}"
    echo "VIGIL_NATS_DIR=$dir"
    echo "VIGIL_NATS_NODES=\"$names\""
    for name in $names; do
      echo "VIGIL_NATS_${name}_PID=${pid[$name]}"
      echo "VIGIL_NATS_${name}_PORT=${port[$name]}"
      echo "VIGIL_NATS_${name}_MON=${mon[$name]}"
    done
  } >"$state.tmp"
  mv "$state.tmp" "$state"
  echo "nats: started nats-server $("$server" --version | awk '{print $2}') ($names) at ${urls%,}"
  echo "nats: state in $state"
}

stop() {
  if [ ! -f "$state" ]; then
    echo "nats: not running (no state file $state)"
    return 0
  fi
  local dir name pid waited
  dir="$(state_get VIGIL_NATS_DIR)"
  for name in $(state_get VIGIL_NATS_NODES); do
    pid="$(state_get "VIGIL_NATS_${name}_PID")"
    if alive "$pid"; then
      kill "$pid" 2>/dev/null || true
      for waited in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
      alive "$pid" && kill -9 "$pid" 2>/dev/null || true
    fi
  done
  # Remove only what start made: a vigil-nats.* temporary directory.
  case "$(basename "${dir:-none}")" in
    vigil-nats.*) rm -rf "$dir" ;;
    *) echo "nats: the state file names '$dir', which start did not make; left alone" >&2 ;;
  esac
  rm -f "$state"
  echo "nats: stopped and removed $dir"
}

# The server name of a stream's leader, asked of any live node.
leader() {
  local stream="${1:-}" name pid mon out
  [ -n "$stream" ] || die "leader needs a stream name"
  for name in $(state_get VIGIL_NATS_NODES); do
    pid="$(state_get "VIGIL_NATS_${name}_PID")"
    alive "$pid" || continue
    mon="$(state_get "VIGIL_NATS_${name}_MON")"
    out="$(/usr/bin/python3 - "$mon" "$stream" <<'EOF' 2>/dev/null || true
import json, sys, urllib.request
jsz = json.loads(urllib.request.urlopen(
    "http://127.0.0.1:%s/jsz?streams=true" % sys.argv[1], timeout=2).read())
for account in jsz.get("account_details") or []:
    for stream in account.get("stream_detail") or []:
        if stream.get("name") == sys.argv[2] and (stream.get("cluster") or {}).get("leader"):
            print(stream["cluster"]["leader"])
            sys.exit(0)
EOF
)"
    if [ -n "$out" ]; then echo "$out"; return 0; fi
  done
  die "no live node knows a leader for stream '$stream'"
}

# Starts a killed node again from its own config and store; records its new pid.
revive() {
  local name="${1:-}" dir pid mon attempt
  [ -n "$name" ] || die "revive needs a node name (n1, n2, n3)"
  dir="$(state_get VIGIL_NATS_DIR)"
  [ -f "$dir/$name/nats.conf" ] || die "no node '$name' in $state"
  pid="$(state_get "VIGIL_NATS_${name}_PID")"
  if alive "$pid"; then echo "nats: $name is running ($pid)"; return 0; fi
  setsid "$server" -js -c "$dir/$name/nats.conf" -P "$dir/$name/nats.pid" \
    </dev/null >>"$dir/$name/server.log" 2>&1 &
  pid=$!
  sed -i "s/^VIGIL_NATS_${name}_PID=.*/VIGIL_NATS_${name}_PID=$pid/" "$state"
  mon="$(state_get "VIGIL_NATS_${name}_MON")"
  for attempt in $(seq 1 150); do
    alive "$pid" || die "$name exited at restart (log: $dir/$name/server.log)"
    [ -n "$(monitor "$mon" /healthz)" ] && { echo "nats: revived $name ($pid)"; return 0; }
    sleep 0.2
  done
  die "$name did not answer after restart"
}

command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
  start) start "$@" ;;
  stop) stop ;;
  env)
    running || die "no server is running for $state (bash scripts/nats.sh start)"
    sed 's/^/export /' "$state" ;;
  leader) running || die "no server is running for $state"; leader "$@" ;;
  pid)
    [ -n "${1:-}" ] || die "pid needs a node name (n1, n2, n3)"
    p="$(state_get "VIGIL_NATS_${1}_PID")"
    [ -n "$p" ] || die "no node '$1' in $state"
    echo "$p" ;;
  revive) [ -f "$state" ] || die "no state file $state"; revive "$@" ;;
  -h|--help|help) usage ;;
  "") usage >&2; exit 2 ;;
  *) echo "nats: unknown command '$command'" >&2; usage >&2; exit 2 ;;
esac
