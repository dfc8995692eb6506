#!/usr/bin/env bash
# swift-aio.sh: a single-node OpenStack Swift ("all in one") on 127.0.0.1 with tempauth,
# for Wharf's Swift integration tests. Debian 12 (bookworm) packages, Swift 2.30.x; run as root
# the first time (it apt-get installs what is missing).
#
#   bash scripts/swift-aio.sh up       install packages if missing, write config + rings, start
#                                      memcached, account/container/object servers and the proxy,
#                                      wait until healthy. Idempotent: restarts only dead processes.
#                                      If a healthy Swift that this script did not start already
#                                      answers tempauth on the proxy port, it is reused as it is.
#   bash scripts/swift-aio.sh down     stop what `up` started (pid files only, cmdlines verified)
#   bash scripts/swift-aio.sh status   print each process; exit 0 only if healthy and auth works
#   bash scripts/swift-aio.sh env      print export lines: SWIFT_AUTH_URL, SWIFT_USER, SWIFT_KEY
#
# Settings (environment):
#   WHARF_SWIFT_DIR            state dir (default /var/lib/wharf-swift)
#   WHARF_SWIFT_PORT           proxy port on 127.0.0.1 (default 8080)
#   WHARF_SWIFT_BACKEND_PORT   object=P, container=P+1, account=P+2 (default 6200)
#   WHARF_SWIFT_MEMCACHE_PORT  memcached port (default 11212; not the system 11211)
#   WHARF_SWIFT_TIMEOUT        seconds `up` waits for health (default 60)
#
# tempauth users (account:user / key): test:tester/testing, test:tester2/testing2 and
# test2:tester2/testing2 (all .admin of their account), test:tester3/testing3 (no .admin: 403 unless
# granted by an ACL), admin:admin (reseller admin).
set -euo pipefail

DIR=${WHARF_SWIFT_DIR:-/var/lib/wharf-swift}
PORT=${WHARF_SWIFT_PORT:-8080}
BPORT=${WHARF_SWIFT_BACKEND_PORT:-6200}
MCPORT=${WHARF_SWIFT_MEMCACHE_PORT:-11212}
TIMEOUT=${WHARF_SWIFT_TIMEOUT:-60}
OBJ_PORT=$BPORT
CONT_PORT=$((BPORT + 1))
ACCT_PORT=$((BPORT + 2))
HOST=127.0.0.1
AUTH_URL="http://$HOST:$PORT/auth/v1.0"
SW_USER="test:tester"
SW_KEY="testing"

ETC=$DIR/etc
RUN=$DIR/run
LOG=$DIR/log
DEVS=$DIR/srv/node
PY=/usr/bin/python3   # Debian's python: Swift is installed there, not in pyenv or a venv
SERVICES="memcached account container object proxy"   # start order; stopped in reverse
PKGS="swift swift-proxy swift-account swift-container swift-object memcached curl"
MC_ARGV0="wharf-swift-memcached"   # argv[0] of our memcached, so its cmdline is unmistakably ours

say() { printf 'swift-aio: %s\n' "$*"; }
die() { printf 'swift-aio: ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

port_of() {
  case $1 in
    memcached) echo "$MCPORT" ;; account) echo "$ACCT_PORT" ;;
    container) echo "$CONT_PORT" ;; object) echo "$OBJ_PORT" ;; proxy) echo "$PORT" ;;
  esac
}

# the argv of a service, one word per line (no word contains a space)
argv_of() {
  case $1 in
    memcached)
      printf '%s\n' /usr/bin/memcached -l "$HOST" -p "$MCPORT" -U 0 -m 64 -c 1024
      [ "$(id -u)" = 0 ] && printf '%s\n' -u root
      return 0 ;;
    *) printf '%s\n' "/usr/bin/swift-$1-server" "$ETC/$1-server.conf" -v ;;
  esac
}

# is PID a process of service SVC that this script started? (guards against pid reuse and
# against the same service started by someone else, e.g. another swift-aio with another dir)
ours() {
  local c; c=$(tr '\0' ' ' 2>/dev/null <"/proc/$2/cmdline") || return 1
  case $1 in
    memcached) [[ $c == "$MC_ARGV0 "* && $c == *"-l $HOST -p $MCPORT "* ]] ;;
    *) [[ $c == *"$ETC/$1-server.conf"* ]] ;;
  esac
}

listening() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# pid of a running service that we started, or failure
live_pid() {
  local f="$RUN/$1.pid" pid
  [ -s "$f" ] || return 1
  pid=$(cat "$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  ours "$1" "$pid" || return 1
  echo "$pid"
}

# members of process group $2 that are service $1 of ours: the leader, or workers left behind
# by a crashed leader
group_members() {
  local svc=$1 pg=$2 p
  for p in $(awk -v pg="$pg" '{ sub(/.*\) /, ""); if ($3 == pg) { f = FILENAME; gsub(/[^0-9]/, "", f); print f } }' \
               /proc/[0-9]*/stat 2>/dev/null); do
    ours "$svc" "$p" && echo "$p"
  done
  return 0
}

# stop services by their pid files: TERM all at once, wait up to 10 s, then KILL.
# Each service runs under setsid, so its pid is also its process group id.
stop_services() {
  local svc pid m entries="" left="" i
  for svc in "$@"; do
    [ -f "$RUN/$svc.pid" ] || continue
    pid=$(cat "$RUN/$svc.pid" 2>/dev/null || true)
    [[ $pid =~ ^[0-9]+$ ]] || { rm -f "$RUN/$svc.pid"; continue; }
    m=$(group_members "$svc" "$pid")
    [ -n "$m" ] || { rm -f "$RUN/$svc.pid"; continue; }
    # shellcheck disable=SC2086
    kill -TERM $m 2>/dev/null || true
    entries="$entries $svc:$pid"
  done
  for i in $(seq 1 100); do
    left=""
    for m in $entries; do [ -n "$(group_members "${m%%:*}" "${m#*:}")" ] && left="$left $m"; done
    [ -z "$left" ] && break
    sleep 0.1
  done
  for m in $left; do
    # shellcheck disable=SC2046
    kill -KILL $(group_members "${m%%:*}" "${m#*:}") 2>/dev/null || true
    say "${m%%:*} did not stop on TERM within 10s; sent KILL"
  done
  for m in $entries; do say "stopped ${m%%:*} (pid ${m#*:})"; done
  for svc in "$@"; do rm -f "$RUN/$svc.pid"; done
}

# HTTP status of a request, "000" on any failure. Uses curl, or bash's /dev/tcp when curl is not
# installed yet (so a running Swift can be detected before anything is installed).
# usage: http_code URL [HEADER...]
http_code() {
  local url=$1; shift
  if command -v curl >/dev/null 2>&1; then
    local h=() x
    for x in "$@"; do h+=(-H "$x"); done
    local c; c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "${h[@]}" "$url" 2>/dev/null || true)
    echo "${c:-000}"
    return 0
  fi
  local rest=${url#http://} hostport path code
  hostport=${rest%%/*}; path=/${rest#*/}
  code=$( (
    exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}"
    printf 'GET %s HTTP/1.0\r\nHost: %s\r\n' "$path" "$hostport" >&3
    for x in "$@"; do printf '%s\r\n' "$x" >&3; done
    printf '\r\n' >&3
    IFS=' ' read -r -t 5 _ c _ <&3 && printf '%s' "$c"
  ) 2>/dev/null || true)
  echo "${code:-000}"
}

# a tempauth login works and the storage URL it returns answers (checks memcached, proxy, account)
auth_ok() {
  if command -v curl >/dev/null 2>&1; then
    local h token surl
    h=$(curl -s -D - -o /dev/null --max-time 5 -H "X-Auth-User: $SW_USER" -H "X-Auth-Key: $SW_KEY" "$AUTH_URL" 2>/dev/null) || return 1
    token=$(printf '%s' "$h" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-auth-token"{print $2}')
    surl=$(printf '%s' "$h" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-storage-url"{print $2}')
    [ -n "$token" ] && [ -n "$surl" ] || return 1
    case $(http_code "$surl" "X-Auth-Token: $token") in 200|204) return 0 ;; *) return 1 ;; esac
  else
    [ "$(http_code "$AUTH_URL" "X-Auth-User: $SW_USER" "X-Auth-Key: $SW_KEY")" = 200 ]
  fi
}

healthy() {
  case $1 in
    memcached) listening "$MCPORT" ;;
    *) [ "$(curl -s --max-time 3 "http://$HOST:$(port_of "$1")/healthcheck" 2>/dev/null)" = OK ] ;;
  esac
}

any_ours_running() {
  local svc
  for svc in $SERVICES; do live_pid "$svc" >/dev/null && return 0; done
  return 1
}

# a Swift we did not start answers on our proxy port (e.g. /work/shared/services/swift-aio)
foreign_swift_ok() {
  ! any_ours_running && listening "$PORT" && auth_ok
}

ensure_packages() {
  local missing="" b
  for b in swift-proxy-server swift-account-server swift-container-server \
           swift-object-server swift-ring-builder memcached curl; do
    [ -x "/usr/bin/$b" ] || missing="$missing $b"
  done
  [ -z "$missing" ] && return 0
  [ "$(id -u)" = 0 ] || die "missing:$missing; run as root (apt-get) or install: $PKGS"
  command -v apt-get >/dev/null || die "missing:$missing and no apt-get; install: $PKGS"
  local t0; t0=$(now)
  say "installing Debian packages ($PKGS; log $LOG/apt.log)"
  export DEBIAN_FRONTEND=noninteractive
  local apt=(apt-get -y -qq -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  # apt-get update only when the package lists do not know Swift, or when the install fails
  if ! apt-cache show swift-proxy >/dev/null 2>&1; then
    apt-get update -qq >>"$LOG/apt.log" 2>&1 || true
  fi
  # shellcheck disable=SC2086
  if ! "${apt[@]}" install --no-install-recommends $PKGS >>"$LOG/apt.log" 2>&1; then
    apt-get update -qq >>"$LOG/apt.log" 2>&1 || true
    # shellcheck disable=SC2086
    "${apt[@]}" install --no-install-recommends $PKGS >>"$LOG/apt.log" 2>&1 \
      || { tail -20 "$LOG/apt.log" >&2; die "apt-get install failed (log $LOG/apt.log)"; }
  fi
  say "packages installed in $(since "$t0")s"
}

ensure_swift_conf() {
  # Swift always reads the hash prefix/suffix and storage policies from /etc/swift/swift.conf
  # (there is no override). Debian ships one; write it only if it is missing.
  if ! grep -qs '^swift_hash_path_suffix' /etc/swift/swift.conf; then
    mkdir -p /etc/swift
    cat >/etc/swift/swift.conf <<'EOF'
# written by wharf scripts/swift-aio.sh because none was present
[swift-hash]
swift_hash_path_suffix = wharf-swift
swift_hash_path_prefix = wharf-swift

[storage-policy:0]
name = Policy-0
default = yes
EOF
    say "wrote /etc/swift/swift.conf"
  fi
}

check_xattr() {
  "$PY" - "$DEVS/d1" <<'EOF' || die "the filesystem of $DEVS lacks user xattrs (Swift needs them); set WHARF_SWIFT_DIR elsewhere"
import os, sys
p = sys.argv[1]
os.setxattr(p, 'user.wharf.swift', b'1'); os.removexattr(p, 'user.wharf.swift')
EOF
}

# write $2 into file $1 only if different; prints the file name if it changed
put_file() {
  if [ ! -f "$1" ] || [ "$(cat "$1")" != "$2" ]; then
    printf '%s\n' "$2" >"$1"
    echo "$1"
  fi
}

backend_conf() { # backend_conf KIND PORT EXTRA_SECTIONS
  printf '%s\n' "[DEFAULT]
bind_ip = $HOST
bind_port = $2
user = $(id -un)
swift_dir = $ETC
devices = $DEVS
mount_check = false
disable_fallocate = true
fallocate_reserve = 0
workers = 0
log_name = $1-server
log_level = INFO
recon_cache_path = $DIR/cache

[pipeline:main]
pipeline = healthcheck $1-server

[app:$1-server]
use = egg:swift#$1

[filter:healthcheck]
use = egg:swift#healthcheck
"
  local s; for s in $3; do printf '[%s]\n' "$s"; done
}

write_configs() {
  local changed=""
  changed+=$(put_file "$ETC/object-server.conf" \
    "$(backend_conf object "$OBJ_PORT" "object-replicator object-reconstructor object-updater object-auditor")")
  changed+=$(put_file "$ETC/container-server.conf" \
    "$(backend_conf container "$CONT_PORT" "container-replicator container-updater container-auditor container-sharder")")
  changed+=$(put_file "$ETC/account-server.conf" \
    "$(backend_conf account "$ACCT_PORT" "account-replicator account-auditor account-reaper")")
  changed+=$(put_file "$ETC/proxy-server.conf" "[DEFAULT]
bind_ip = $HOST
bind_port = $PORT
user = $(id -un)
swift_dir = $ETC
workers = 0
log_name = proxy-server
log_level = INFO

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempauth copy slo dlo versioned_writes proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = true

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:cache]
use = egg:swift#memcache
memcache_servers = $HOST:$MCPORT

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:bulk]
use = egg:swift#bulk

[filter:tempauth]
use = egg:swift#tempauth
# user_<account>_<user> = <key> [group] ...
user_admin_admin = admin .admin .reseller_admin
user_test_tester = testing .admin
user_test_tester2 = testing2 .admin
user_test_tester3 = testing3
user_test2_tester2 = testing2 .admin

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo

[filter:versioned_writes]
use = egg:swift#versioned_writes")
  printf '%s' "$changed"
}

build_rings() {
  local stamp="$ETC/rings.stamp" want="host=$HOST object=$OBJ_PORT container=$CONT_PORT account=$ACCT_PORT dev=d1 replicas=1"
  if [ -f "$ETC/object.ring.gz" ] && [ -f "$ETC/container.ring.gz" ] && [ -f "$ETC/account.ring.gz" ] \
     && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  local t0; t0=$(now)
  # Swift's RingBuilder in one python process: the same rings as `swift-ring-builder X.builder
  # create 8 1 1; add r1z1-127.0.0.1:PORT/d1 100; rebalance`, several times faster
  ( cd "$ETC" && "$PY" - "$HOST" "$OBJ_PORT" "$CONT_PORT" "$ACCT_PORT" <<'PYEOF'
import sys
from swift.common.ring import RingBuilder
host = sys.argv[1]
for kind, port in zip(('object', 'container', 'account'), map(int, sys.argv[2:5])):
    b = RingBuilder(8, 1, 1)   # 2^8 partitions, 1 replica, min_part_hours 1
    b.add_dev({'region': 1, 'zone': 1, 'ip': host, 'port': port,
               'replication_ip': host, 'replication_port': port,
               'device': 'd1', 'weight': 100.0, 'meta': ''})
    b.rebalance()
    b.save(kind + '.builder')
    b.get_ring().save(kind + '.ring.gz')
    print('%s ring: %s:%d/d1' % (kind, host, port))
PYEOF
  ) >>"$LOG/rings.log" 2>&1 || { tail -20 "$LOG/rings.log" >&2; die "ring build failed"; }
  echo "$want" >"$stamp"
  say "built 1-replica rings in $(since "$t0")s"
}

start_one() {
  local svc=$1 port argv0 argv=()
  port=$(port_of "$svc")
  live_pid "$svc" >/dev/null && return 0
  stop_services "$svc"   # clears a stale pid file and orphaned workers of ours
  listening "$port" && die "port $HOST:$port ($svc) is in use by a process this script did not start"
  mapfile -t argv < <(argv_of "$svc")
  argv0=${argv[0]}; [ "$svc" = memcached ] && argv0=$MC_ARGV0
  # the child writes its own pid, then execs the server, so the pid file is exact
  env -u PYTHONPATH -u PYTHONHOME setsid bash -c 'echo $$ >"$0"; a0=$1; shift; exec -a "$a0" "$@"' \
    "$RUN/$svc.pid" "$argv0" "${argv[@]}" </dev/null >>"$LOG/$svc.log" 2>&1 &
  local i; for i in $(seq 1 50); do [ -s "$RUN/$svc.pid" ] && break; sleep 0.02; done
  say "started $svc (pid $(cat "$RUN/$svc.pid" 2>/dev/null), $HOST:$port, log $LOG/$svc.log)"
}

wait_healthy() {
  local deadline=$(( $(date +%s) + TIMEOUT )) svc pending
  while :; do
    pending=""
    for svc in $SERVICES; do
      if ! live_pid "$svc" >/dev/null; then
        echo "--- tail of $LOG/$svc.log" >&2; tail -20 "$LOG/$svc.log" >&2 || true
        die "$svc exited during start-up"
      fi
      healthy "$svc" || pending="$pending $svc"
    done
    [ -z "$pending" ] && auth_ok && return 0
    [ -z "$pending" ] && pending=" tempauth (login via memcached)"
    [ "$(date +%s)" -ge "$deadline" ] && die "not healthy after ${TIMEOUT}s:$pending (logs in $LOG)"
    sleep 0.2
  done
}

cmd_up() {
  local t0; t0=$(now)
  if foreign_swift_ok; then
    say "reusing the Swift already running at http://$HOST:$PORT (not started by this script; auth $AUTH_URL as $SW_USER works)"
    return 0
  fi
  mkdir -p "$ETC" "$RUN" "$LOG" "$DEVS/d1" "$DIR/cache"
  ensure_packages
  ensure_swift_conf
  check_xattr
  local changed; changed=$(write_configs)
  build_rings
  local svc any_running=0 all_running=1
  for svc in $SERVICES; do
    if live_pid "$svc" >/dev/null; then any_running=1; else all_running=0; fi
  done
  if [ -n "$changed" ] && [ "$any_running" = 1 ]; then
    say "config changed; restarting what is running"
    stop_services proxy object container account memcached
    all_running=0
  fi
  # refuse before starting anything if a port we need is held by someone else
  for svc in $SERVICES; do
    live_pid "$svc" >/dev/null && continue
    stop_services "$svc"
    listening "$(port_of "$svc")" \
      && die "port $HOST:$(port_of "$svc") ($svc) is in use by a process this script did not start"
  done
  for svc in $SERVICES; do start_one "$svc"; done
  wait_healthy
  [ "$all_running" = 1 ] && say "already up"
  say "up in $(since "$t0")s: proxy http://$HOST:$PORT (auth $AUTH_URL, user $SW_USER, state $DIR)"
}

cmd_down() {
  stop_services proxy object container account memcached
  say "down"
}

cmd_status() {
  local svc pid rc=0 h
  if foreign_swift_ok; then
    echo "external   Swift at http://$HOST:$PORT not started by this script; auth ok ($AUTH_URL as $SW_USER)"
    return 0
  fi
  for svc in $SERVICES; do
    if pid=$(live_pid "$svc"); then
      healthy "$svc" && h=healthy || { h=unhealthy; rc=3; }
      printf '%-10s running pid %-7s %s:%-5s %s\n' "$svc" "$pid" "$HOST" "$(port_of "$svc")" "$h"
    else
      printf '%-10s stopped\n' "$svc"; rc=3
    fi
  done
  if [ "$rc" = 0 ]; then
    if auth_ok; then echo "auth       ok ($AUTH_URL as $SW_USER)"; else echo "auth       FAILED"; rc=3; fi
  fi
  return $rc
}

cmd_env() {
  cat <<EOF
export SWIFT_AUTH_URL=$AUTH_URL
export SWIFT_USER=$SW_USER
export SWIFT_KEY=$SW_KEY
EOF
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
