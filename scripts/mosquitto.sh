#!/usr/bin/env bash
# mosquitto.sh: the Mosquitto MQTT broker on 127.0.0.1:1883 for Wharf's MQTT integration tests.
# Debian 12 (bookworm) package, Mosquitto 2.0.x, the packaged config /etc/mosquitto/mosquitto.conf
# (persistence on, so persistent sessions and queued QoS 1 messages survive a restart).
#
#   bash scripts/mosquitto.sh [up]     install with apt-get if missing, start it if port 1883 does not
#                                      answer, wait until it does. Idempotent: a running broker is reused.
#   bash scripts/mosquitto.sh restart  stop the broker gracefully (TERM: it saves its persistence file)
#                                      and start it again; waits until the port answers.
#   bash scripts/mosquitto.sh stop     stop it (TERM, then KILL after 10 s); waits until the port is closed.
#   bash scripts/mosquitto.sh status   exit 0 when port 1883 answers.
#
# The broker is signalled only by the pid in its pid file, after checking that pid's command line.
# Settings (environment): MOSQUITTO_CONF (default /etc/mosquitto/mosquitto.conf), MOSQUITTO_PORT (1883),
# MOSQUITTO_TIMEOUT (seconds to wait, default 30).
set -euo pipefail

CONF=${MOSQUITTO_CONF:-/etc/mosquitto/mosquitto.conf}
PORT=${MOSQUITTO_PORT:-1883}
TIMEOUT=${MOSQUITTO_TIMEOUT:-30}
HOST=127.0.0.1

say() { printf 'mosquitto: %s\n' "$*"; }
die() { printf 'mosquitto: ERROR: %s\n' "$*" >&2; exit 1; }

listening() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

pid_file() {
  local f=""
  [ -f "$CONF" ] && f=$(awk '$1 == "pid_file" { print $2; exit }' "$CONF")
  echo "${f:-/run/mosquitto/mosquitto.pid}"
}

# the broker's pid, if the pid file names a live mosquitto process
broker_pid() {
  local f pid c
  f=$(pid_file)
  [ -s "$f" ] || return 1
  pid=$(tr -dc '0-9' <"$f")
  [ -n "$pid" ] || return 1
  c=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ $c == *mosquitto* ]] || return 1
  echo "$pid"
}

install_if_missing() {
  command -v mosquitto >/dev/null 2>&1 && return 0
  [ "$(id -u)" = 0 ] || die "mosquitto is not installed and this is not root: apt-get install mosquitto"
  say "installing mosquitto (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -y -qq install --no-install-recommends mosquitto >/dev/null 2>&1 ||
    { apt-get -qq update >/dev/null && apt-get -y -qq install --no-install-recommends mosquitto >/dev/null; } ||
    die "apt-get install mosquitto failed"
}

wait_port() { # $1 = up|down
  local i
  for i in $(seq 1 $((TIMEOUT * 10))); do
    if [ "$1" = up ] && listening; then return 0; fi
    if [ "$1" = down ] && ! listening; then return 0; fi
    sleep 0.1
  done
  return 1
}

start() {
  install_if_missing
  if listening; then return 0; fi
  [ -f "$CONF" ] || die "no config at $CONF"
  # the packaged service creates these; a container started without systemd may lack them
  local run; run=$(dirname "$(pid_file)")
  mkdir -p "$run" /var/log/mosquitto /var/lib/mosquitto
  id mosquitto >/dev/null 2>&1 && chown mosquitto: "$run" /var/log/mosquitto /var/lib/mosquitto 2>/dev/null || true
  mosquitto -d -c "$CONF"
  wait_port up || die "mosquitto did not answer on $HOST:$PORT within ${TIMEOUT}s (see /var/log/mosquitto/mosquitto.log)"
  say "up on $HOST:$PORT"
}

stop() {
  local pid i
  if ! pid=$(broker_pid); then
    listening && die "port $PORT answers but no mosquitto pid file names a live broker; not touching it"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "pid $pid ignored TERM for 10 s; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait_port down || die "port $PORT still answers after stopping pid $pid"
  say "stopped (pid $pid)"
}

case ${1:-up} in
  up | start) start ;;
  restart) stop; start ;;
  stop) stop ;;
  status) listening && { say "up on $HOST:$PORT"; exit 0; } || { say "down"; exit 1; } ;;
  *) die "usage: $0 [up|restart|stop|status]" ;;
esac
