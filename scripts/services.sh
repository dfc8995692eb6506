#!/usr/bin/env bash
# services.sh: make sure every real server the tests talk to is installed and running on loopback.
# Idempotent; starts only what is down; installs with apt-get only what is missing (Debian 12).
#
#   bash scripts/services.sh up        all of them (what `npm test` and .ci/run call)
#   bash scripts/services.sh status    exit 0 only when all answer
#
# PostgreSQL 5432 (trust, db test), MariaDB 3306 (root, db test), Redis 6379, RabbitMQ 5672 with the
# AMQP 1.0 plugin, Mosquitto 1883, OpenStack Swift 8080 (scripts/swift-aio.sh), HAProxy (binary only),
# Debian's Chromium (binary only, /usr/bin/chromium: the web admin's browser tests drive it), Debian's
# python3-zeep (the WSDL tests' SOAP client).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
say() { printf 'services: %s\n' "$*"; }
fail=0

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # port seconds name
  local i
  for ((i = 0; i < $2 * 10; i++)); do listening "$1" && return 0; sleep 0.1; done
  say "ERROR: $3 did not open port $1 within $2 s"
  return 1
}

apt_updated=0
need() { # binary package...
  command -v "$1" >/dev/null 2>&1 && return 0
  shift
  say "installing $*"
  if [ $apt_updated = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 || { say "ERROR: apt-get install $* failed"; return 1; }
}

postgres_up() {
  listening 5432 && return 0
  need pg_ctlcluster postgresql || return 1
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start >/dev/null 2>&1
  wait_port 5432 30 PostgreSQL || return 1
  psql -h 127.0.0.1 -U postgres -tc "select 1 from pg_database where datname='test'" 2>/dev/null | grep -q 1 || psql -h 127.0.0.1 -U postgres -c 'create database test' >/dev/null 2>&1 || true
}

mariadb_up() {
  listening 3306 && return 0
  need mariadbd mariadb-server || return 1
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_port 3306 60 MariaDB || return 1
  mariadb -uroot -e 'create database if not exists test' 2>/dev/null || true
}

redis_up() {
  listening 6379 && return 0
  need redis-server redis-server || return 1
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_port 6379 20 Redis
}

rabbitmq_up() {
  need rabbitmqctl rabbitmq-server || return 1
  bash "$here/rabbitmq-amqp1.sh" >/dev/null
}

mosquitto_up() { bash "$here/mosquitto.sh" up >/dev/null; }
swift_up() { bash "$here/swift-aio.sh" up; }
haproxy_present() { need haproxy haproxy; }
chromium_present() { need /usr/bin/chromium chromium fonts-liberation; }
# Debian's python3-zeep (no binary of its own): the reference SOAP client of the WSDL tests.
zeep_present() { /usr/bin/python3 -c 'import zeep' >/dev/null 2>&1 || need /usr/bin/python3-zeep-missing python3-zeep; }

case "${1:-up}" in
  up)
    for s in postgres mariadb redis rabbitmq mosquitto swift; do
      "${s}_up" || { say "ERROR: $s is not available"; fail=1; }
    done
    haproxy_present || fail=1
    chromium_present || fail=1
    zeep_present || fail=1
    [ $fail = 0 ] && say 'all services up'
    exit $fail
    ;;
  status)
    for p in 5432 3306 6379 5672 1883 8080; do listening $p || { say "port $p is down"; fail=1; }; done
    exit $fail
    ;;
  *) echo "usage: $0 up|status" >&2; exit 2 ;;
esac
