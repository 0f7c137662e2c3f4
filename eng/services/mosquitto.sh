# Sourced by eng/test.sh (or run with bash): makes a Mosquitto MQTT broker ready on 127.0.0.1:1883 (anonymous) for the
# DataWeaver.Mqtt tests. Idempotent: installs mosquitto from Debian only when missing, starts it only when nothing
# answers on the port, then waits until it accepts connections. Loopback only; persistence in a folder wiped at each start, so no state survives
# from earlier runs. Stop it with: kill $(cat /tmp/dataweaver-mosquitto/mosquitto.pid)
mosquitto_service_up() {
  if ! command -v mosquitto >/dev/null 2>&1; then
    echo "mosquitto.sh: installing mosquitto (about 17 s)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto >/dev/null
  fi
  local dir=/tmp/dataweaver-mosquitto
  if (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; then
    return 0
  fi
  echo "mosquitto.sh: starting mosquitto on 127.0.0.1:1883"
  rm -rf "$dir"; mkdir -p "$dir"; chmod 777 "$dir"
  cat >"$dir/mosquitto.conf" <<CONF
listener 1883 127.0.0.1
allow_anonymous true
persistence true
persistence_location $dir/
pid_file $dir/mosquitto.pid
log_dest file $dir/mosquitto.log
max_queued_messages 1000000
max_inflight_messages 0
CONF
  mosquitto -c "$dir/mosquitto.conf" -d
  local i
  for i in $(seq 1 100); do
    if (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "mosquitto.sh: mosquitto did not start; see $dir/mosquitto.log" >&2
  return 1
}
mosquitto_service_up
