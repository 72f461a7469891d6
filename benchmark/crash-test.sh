#!/usr/bin/env bash
# Crash-recovery check for QoS 1: kill -9 the Karaf JVM during a stream of QoS 1 publishes, restart it, and
# check that every message the publisher had PUBACKed reaches the persistent subscriber.
#
#   benchmark/crash-test.sh [ASSEMBLY] [--mode kill|boot|stop] [--port P] [--seconds 10] [--rate 0]
#                           [--idle-seconds 10] [--max-inflight 1000] [--max-queued 10000000]
#                           [--max-queued-bytes 4294967296]
#                           [--bridge auto|any|NAME] [--transport-bridge VALUE] [--boot-timeout 180] [--keep]
#
# --mode kill (default): as above. --mode boot: the publisher starts before Karaf and connects (again and
# again) as soon as the port accepts, through the whole boot, for --seconds after the broker is ready.
# --mode stop: the publisher streams, Karaf is stopped gracefully (bin/stop) while it keeps reconnecting
# through the shutdown; Karaf is started again. Either way every PUBACKed message must reach the subscriber:
# a listener that runs on the wrong bridge in those windows (bridge = any) loses them.
# --transport-bridge sets the transport's "bridge" key in the copy (e.g. any, to see the windows).
# ASSEMBLY is a built Karaf distribution (default: assembly/target/assembly). It is copied to a temporary
# directory, which is used for both runs (same data/, so the broker's journal is reused); the build output is
# not touched. In the copy: MQTT on --port (default: 1883, or the next free port), SSH, RMI and an Artemis
# acceptor (if configured) moved to free ports, and maxQueuedMessages and maxQueuedBytes raised to --max-queued
# and --max-queued-bytes, so that the per-session bounds (10000 messages, 64 MiB by default) do not drop
# messages while the subscriber is away.
# --bridge: the bridge the transport must run on before the clients start (read from data/log/karaf.log);
# auto = "artemis" if the boot features name courier-mqtt-artemis, else any.
# Prints sent/acked/received; exit 0 when nothing acked was lost, 1 on loss, 2 on bad usage, 3 when the
# check could not run. Logs and the acked/received files stay in the printed work directory (the Karaf copy
# too with --keep). Needs java 17, ss; builds benchmark/target/courier-mqtt-benchmark.jar when missing.
set -uo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"
jar="${script_dir}/target/courier-mqtt-benchmark.jar"

assembly="${repo_root}/assembly/target/assembly"
port=""
seconds=10
rate=0
idle=10
inflight=1000
max_queued=10000000
max_queued_bytes=4294967296
bridge=auto
boot_timeout=180
keep=0
mode=kill
transport_bridge=""

usage() { sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "crash-test: $*" >&2; exit 3; }
log() { echo "[crash-test $(date +%H:%M:%S)] $*" >&2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --idle-seconds) idle="$2"; shift 2 ;;
    --max-inflight) inflight="$2"; shift 2 ;;
    --max-queued) max_queued="$2"; shift 2 ;;
    --max-queued-bytes) max_queued_bytes="$2"; shift 2 ;;
    --bridge) bridge="$2"; shift 2 ;;
    --mode) mode="$2"; shift 2 ;;
    --transport-bridge) transport_bridge="$2"; shift 2 ;;
    --boot-timeout) boot_timeout="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
    *) assembly="$1"; shift ;;
  esac
done
for n in "${port:-1}" "$seconds" "$idle" "$inflight" "$max_queued" "$max_queued_bytes" "$boot_timeout"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "not a number: $n" >&2; exit 2; }
done
[[ "$mode" =~ ^(kill|boot|stop)$ ]] || { echo "--mode must be kill, boot or stop" >&2; exit 2; }
[[ -x "${assembly}/bin/start" && -d "${assembly}/etc" ]] || die "not a built Karaf assembly: ${assembly}"
command -v ss >/dev/null || die "ss (iproute2) is needed"

if [[ ! -f "${jar}" ]]; then
  log "building ${jar} ..."
  (cd "${repo_root}" && mvn -B -q -o -pl benchmark -am package -DskipTests) >&2 || die "cannot build ${jar}"
fi
crash_check() { java ${CRASH_JAVA_OPTS:-} -cp "${jar}" dev.courier.mqtt.benchmark.CrashCheck "$@"; }

# ------------------------------------------------------------------ ports
port_in_use() { [[ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ]]; }
taken=" "
pick_port() {  # first port from $1 on that nothing listens on and that we have not picked yet
  local p="$1"
  while port_in_use "$p" || [[ "$taken" == *" $p "* ]]; do p=$((p + 1)); done
  taken+="$p "
  echo "$p"
}
if [[ -n "$port" ]]; then
  port_in_use "$port" && die "port ${port} is in use (ss -ltn); pick another with --port"
  taken+="$port "
else
  port="$(pick_port 1883)"
fi

# ------------------------------------------------------------------ the copy
work="$(mktemp -d "${TMPDIR:-/tmp}/courier-crash.XXXXXX")"
inst="${work}/karaf"
log "copying ${assembly} to ${inst}"
cp -a "${assembly}" "${inst}" || die "cannot copy the assembly"
inst="$(cd "${inst}" && pwd)"
# start from a fresh instance even if the assembly was run in place
rm -rf "${inst}/data" "${inst}/karaf.pid" "${inst}/instances" "${inst}/lock"
mkdir -p "${inst}/data/tmp"

set_prop() {  # file key value: replace "key = ..." (or a commented-out one), else append
  local file="$1" key="$2" value="$3"
  if grep -Eq "^[[:space:]]*#?[[:space:]]*${key}[[:space:]]*[=:]" "$file"; then
    sed -i -E "0,/^[[:space:]]*#?[[:space:]]*${key}[[:space:]]*[=:].*/s//${key} = ${value}/" "$file"
  else
    printf '\n%s = %s\n' "$key" "$value" >> "$file"
  fi
}
set_prop "${inst}/etc/dev.courier.mqtt.transport.cfg" port "${port}"
set_prop "${inst}/etc/dev.courier.mqtt.transport.cfg" maxQueuedMessages "${max_queued}"
set_prop "${inst}/etc/dev.courier.mqtt.transport.cfg" maxQueuedBytes "${max_queued_bytes}"
if [[ -n "$transport_bridge" ]]; then
  set_prop "${inst}/etc/dev.courier.mqtt.transport.cfg" bridge "${transport_bridge}"
fi
set_prop "${inst}/etc/org.apache.karaf.shell.cfg" sshPort "$(pick_port 18101)"
set_prop "${inst}/etc/org.apache.karaf.management.cfg" rmiRegistryPort "$(pick_port 11099)"
set_prop "${inst}/etc/org.apache.karaf.management.cfg" rmiServerPort "$(pick_port 14444)"
for f in "${inst}"/etc/*artemis*.xml; do
  if [[ -f "$f" ]] && grep -q ':61616' "$f"; then
    artemis_port="$(pick_port 16161)"
    sed -i "s/:61616\([^0-9]\)/:${artemis_port}\1/g" "$f"
    log "Artemis acceptor in $(basename "$f") moved to port ${artemis_port}"
  fi
done
if [[ "$bridge" == auto ]]; then
  if grep -q 'courier-mqtt-artemis' "${inst}/etc/org.apache.karaf.features.cfg"; then bridge=artemis; else bridge=any; fi
fi
karaf_log="${inst}/data/log/karaf.log"
log "MQTT port ${port}, expected bridge: ${bridge}, work dir ${work}"

# ------------------------------------------------------------------ Karaf control
karaf_pid=""
pub_pid=""
is_our_karaf() {  # pid: alive, and a JVM of this copy (never another Karaf, a Maven build, ...)
  local pid="$1"
  [[ -n "$pid" && -r "/proc/${pid}/cmdline" ]] || return 1
  tr '\0' '\n' < "/proc/${pid}/cmdline" | grep -Fxq -e "-Dkaraf.base=${inst}" -e "-Dkaraf.home=${inst}"
}
start_karaf() {  # $1: run number
  rm -f "${inst}/karaf.pid"
  KARAF_REDIRECT="${work}/karaf-$1.out" "${inst}/bin/start" || die "bin/start failed"
  local deadline=$((SECONDS + 60)) pid=""
  while (( SECONDS < deadline )); do
    pid="$(cat "${inst}/karaf.pid" 2>/dev/null || true)"
    if is_our_karaf "$pid"; then karaf_pid="$pid"; log "Karaf started, pid ${karaf_pid}"; return 0; fi
    sleep 0.2
  done
  die "no Karaf JVM of ${inst} within 60 s (karaf.pid: '${pid}'); see ${work}/karaf-$1.out"
}
current_bridge() {  # $1: local time this run started. The log may roll over: read every karaf.log*
  grep -h 'MQTT transport starting with the ' "${karaf_log}"* 2>/dev/null | awk -v since="$1" '$1 >= since' \
    | sort | sed -n 's/.*MQTT transport starting with the \([^ ]*\) bridge.*/\1/p' | tail -n 1
}
now_stamp() { date +%Y-%m-%dT%H:%M:%S; }  # the format of karaf.log's first column, to the second
wait_ready() {  # $1: local time this run started. Polls: port listening, a client connects, right bridge
  local since="$1" deadline=$((SECONDS + boot_timeout)) b=""
  while (( SECONDS < deadline )); do
    is_our_karaf "$karaf_pid" || die "Karaf (pid ${karaf_pid}) died while booting; see ${karaf_log}"
    if port_in_use "$port"; then
      b="$(current_bridge "$since")"
      if [[ -n "$b" && ( "$bridge" == any || "$b" == "$bridge" ) ]] \
          && crash_check probe --port "$port" --wait-seconds 0 >/dev/null 2>&1; then
        log "MQTT port ${port} accepts clients (bridge: ${b})"
        return 0
      fi
    fi
    sleep 0.5
  done
  die "Karaf not ready within ${boot_timeout} s (port ${port} listening: $(port_in_use "$port" && echo yes || echo no), bridge: '${b}', expected ${bridge}); see ${karaf_log}"
}
stop_karaf() {
  is_our_karaf "$karaf_pid" || return 0
  log "stopping Karaf (pid ${karaf_pid})"
  "${inst}/bin/stop" >/dev/null 2>&1 || true
  local deadline=$((SECONDS + 60))
  while is_our_karaf "$karaf_pid" && (( SECONDS < deadline )); do sleep 0.5; done
  if is_our_karaf "$karaf_pid"; then
    log "Karaf still alive after bin/stop: kill -9 ${karaf_pid}"
    kill -9 "$karaf_pid" 2>/dev/null
  fi
}
cleanup() {
  local rc=$?
  if [[ -n "$pub_pid" ]] && kill -0 "$pub_pid" 2>/dev/null; then kill "$pub_pid" 2>/dev/null; fi
  stop_karaf
  [[ -f "${karaf_log}" ]] && cp "${karaf_log}" "${work}/karaf.log" 2>/dev/null
  if (( keep )); then
    log "kept the Karaf copy: ${inst}"
  else
    rm -rf "${inst}"
  fi
  log "files in ${work}"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 3' INT TERM

# ------------------------------------------------------------------ the check
run_id="$(date +%s | tail -c 6)$$"
topic="courier/crash/${run_id}"
sub_id="crash-sub-${run_id}"
pub_id="crash-pub-${run_id}"

start_publisher() {  # $1: seconds it may run; it reconnects whenever the connection is refused or lost
  java ${CRASH_JAVA_OPTS:-} -cp "${jar}" dev.courier.mqtt.benchmark.CrashCheck publish --port "$port" \
    --client-id "$pub_id" --topic "$topic" --rate "$rate" --max-inflight "$inflight" --out "${work}/acked.txt" \
    --reconnect "$2" --max-seconds "$1" > "${work}/publish.out" 2> "${work}/publish.err" &
  pub_pid=$!
}
stop_publisher() {  # ends the publisher (its acked file is flushed at every PUBACK) and prints its summary
  if [[ -n "$pub_pid" ]] && kill -0 "$pub_pid" 2>/dev/null; then kill "$pub_pid" 2>/dev/null; fi
  [[ -n "$pub_pid" ]] && wait "$pub_pid" 2>/dev/null
  pub_pid=""
  cat "${work}/publish.out" >&2
}

run_start="$(now_stamp)"
start_karaf 1
wait_ready "$run_start"
crash_check subscribe-init --port "$port" --client-id "$sub_id" --topic "$topic" \
  || die "subscribe-init failed"

case "$mode" in
  kill)
    log "publishing QoS 1 to ${topic} for ${seconds} s (rate ${rate}/s, 0 = flat out; in flight ${inflight})"
    start_publisher 600 false
    sleep "$seconds"   # the length of the stream, not a readiness wait
    kill -0 "$pub_pid" 2>/dev/null || { cat "${work}/publish.err" >&2; die "the publisher ended before the kill"; }

    is_our_karaf "$karaf_pid" || die "Karaf (pid ${karaf_pid}) is gone before the kill"
    log "kill -9 ${karaf_pid} (acked so far: $(grep -vc '^#' "${work}/acked.txt"))"
    kill -9 "$karaf_pid"
    deadline=$((SECONDS + 30))
    while [[ -e "/proc/${karaf_pid}" ]] && (( SECONDS < deadline )); do sleep 0.1; done

    deadline=$((SECONDS + 60))
    while kill -0 "$pub_pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
    kill -0 "$pub_pid" 2>/dev/null && log "publisher did not notice the lost connection in 60 s: ending it"
    stop_publisher
    ;;
  boot)
    stop_karaf
    log "publisher reconnecting to port ${port} from before the boot until ${seconds} s after it"
    start_publisher 0 true
    run_start="$(now_stamp)"
    start_karaf 2
    wait_ready "$run_start"
    sleep "$seconds"   # the length of the stream after the boot, not a readiness wait
    stop_publisher
    ;;
  stop)
    log "publishing QoS 1 to ${topic}, reconnecting, for ${seconds} s; then bin/stop while it goes on"
    start_publisher 0 true
    sleep "$seconds"   # the length of the stream, not a readiness wait
    log "bin/stop (acked so far: $(grep -vc '^#' "${work}/acked.txt"))"
    stop_karaf
    sleep 3            # the publisher keeps knocking on a stopped broker: nothing may be acked now
    stop_publisher
    ;;
esac

if [[ "$mode" != boot ]]; then
  run_start="$(now_stamp)"
  start_karaf 2
  wait_ready "$run_start"
fi
crash_check drain --port "$port" --client-id "$sub_id" --out "${work}/received.txt" --idle-seconds "$idle" \
  2> "${work}/drain.err" || { tail -n 5 "${work}/drain.err" >&2; log "drain failed"; }
grep -h 'sessionPresent' "${work}/drain.err" >&2

crash_check compare --acked "${work}/acked.txt" --received "${work}/received.txt"
rc=$?
if (( rc == 0 )); then log "PASS: every acked message was received"; else log "FAIL: acked messages were lost"; fi
exit "$rc"
