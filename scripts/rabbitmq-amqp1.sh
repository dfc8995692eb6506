#!/usr/bin/env bash
# rabbitmq-amqp1.sh: make sure the local RabbitMQ runs with its AMQP 1.0 plugin, for Wharf's
# channels.amqp1 / outgoing.amqp1 integration tests (127.0.0.1:5672, guest/guest, SASL PLAIN).
# Idempotent: starts the node only if it is not running, the app only if it is stopped (e.g. left by
# `rabbitmqctl stop_app`), and enables rabbitmq_amqp1_0 only if it is not enabled (it survives restarts).
# Run as root or as the rabbitmq user (rabbitmqctl needs the Erlang cookie).
#
# Settings (environment):
#   WHARF_RABBIT_TIMEOUT   seconds to wait for the node and the app (default 60)
set -euo pipefail

TIMEOUT=${WHARF_RABBIT_TIMEOUT:-60}

say() { printf 'rabbitmq-amqp1: %s\n' "$*"; }
die() { printf 'rabbitmq-amqp1: ERROR: %s\n' "$*" >&2; exit 1; }

command -v rabbitmqctl >/dev/null || die "rabbitmqctl not found (install rabbitmq-server)"

node_up() { rabbitmqctl -q ping >/dev/null 2>&1; }
app_up() { [ "$(rabbitmqctl -q eval 'rabbit:is_running().' 2>/dev/null)" = "true" ]; }

if ! node_up; then
  say "starting rabbitmq-server"
  rabbitmq-server -detached
  for _ in $(seq "$TIMEOUT"); do node_up && break; sleep 1; done
  node_up || die "the RabbitMQ node did not come up within ${TIMEOUT}s"
fi

if ! app_up; then
  say "starting the RabbitMQ application"
  rabbitmqctl -q start_app >/dev/null 2>&1 || true
fi
rabbitmqctl -q --timeout "$TIMEOUT" await_startup || die "RabbitMQ did not finish starting within ${TIMEOUT}s"

if rabbitmq-plugins -q is_enabled rabbitmq_amqp1_0 >/dev/null 2>&1; then
  say "rabbitmq_amqp1_0 already enabled"
else
  say "enabling rabbitmq_amqp1_0"
  rabbitmq-plugins -q enable rabbitmq_amqp1_0 >/dev/null
fi

rabbitmq-diagnostics -q check_port_listener 5672 >/dev/null 2>&1 || die "nothing listens on port 5672"
say "ready: amqp://guest:guest@127.0.0.1:5672 (AMQP 0-9-1 and 1.0)"
