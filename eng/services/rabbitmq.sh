# Sourced by eng/test.sh (or run with bash): makes a RabbitMQ broker ready on 127.0.0.1:5672 (guest/guest) for the
# DataWeaver.RabbitMq tests. Idempotent: installs rabbitmq-server from Debian only when missing, starts it only when it
# is not already answering, then waits until it is ready. Loopback only (listener and epmd bound to 127.0.0.1).
# Stop it with: rabbitmqctl stop; epmd -kill
rabbitmq_service_up() {
  if ! command -v rabbitmq-server >/dev/null 2>&1; then
    echo "rabbitmq.sh: installing rabbitmq-server (about 45 s)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rabbitmq-server >/dev/null
  fi
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=5672 ERL_EPMD_ADDRESS=127.0.0.1
  # The Erlang distribution port (25672) on loopback too.
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
  if rabbitmqctl -q status >/dev/null 2>&1; then
    return 0
  fi
  echo "rabbitmq.sh: starting rabbitmq-server on 127.0.0.1:5672"
  # Free of earlier runs' state: a node that is not running has its queues and messages wiped before it starts.
  rm -rf /var/lib/rabbitmq/mnesia
  mkdir -p /var/lib/rabbitmq /var/log/rabbitmq
  chown -R rabbitmq:rabbitmq /var/lib/rabbitmq /var/log/rabbitmq 2>/dev/null || true
  rabbitmq-server -detached
  # await_startup fails at once while the node has not registered with epmd yet: ask again until it answers.
  local i
  for i in $(seq 1 120); do
    if rabbitmqctl -q await_startup --timeout 120 >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "rabbitmq.sh: rabbitmq-server did not start; see /var/log/rabbitmq/" >&2
  return 1
}
rabbitmq_service_up
