#!/usr/bin/env bash
#
# Courier MQTT: runs a two-node cluster on this machine and checks that MQTT messages cross it.
#
#   cluster/run-two-nodes.sh [--dist DIR] [--dir DIR] [--keep-running] [--load-balancing ON_DEMAND|STRICT]
#
#   --dist DIR        the built distribution (default: assembly/target/assembly of this checkout, or
#                     $COURIER_DIST). It is copied, never modified or started in place.
#   --dir DIR         where the two copies go (DIR/node1, DIR/node2; DIR must not hold them already).
#                     Default: a new temporary directory.
#   --keep-running    leave both nodes running at the end and print how to stop them.
#   --load-balancing  the cluster-connection's message-load-balancing (default ON_DEMAND).
#
# Environment: CLUSTER_USER / CLUSTER_PASSWORD (default courier-cluster / a random password written into
# both nodes' etc/courier-artemis.xml), START_TIMEOUT (seconds per node, default 180).
#
# Ports: each node gets MQTT, Karaf SSH, RMI registry, RMI server and Artemis Core ports, starting from
# the defaults (1883/1884, 8101/8102, 1099/1100, 44444/44445, 61616/61617) and moving up past any port
# that `ss -ltn` shows in use.
#
# Exit status: 0 when the required checks pass (node 1 <-> node 2 in both directions, persistent
# subscriber that was away), 1 when one fails, 2 on a setup error.
#
set -uo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TEMPLATE="$SCRIPT_DIR/courier-artemis-cluster.xml"
DIST="${COURIER_DIST:-$SCRIPT_DIR/../assembly/target/assembly}"
BASE=""
KEEP=false
LB=ON_DEMAND
START_TIMEOUT="${START_TIMEOUT:-180}"

usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --dist) DIST="$2"; shift 2 ;;
    --dir) BASE="$2"; shift 2 ;;
    --keep-running) KEEP=true; shift ;;
    --load-balancing) LB="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

die() { echo "ERROR: $*" >&2; exit 2; }
log() { echo "[$(date +%H:%M:%S)] $*"; }

case "$LB" in ON_DEMAND|STRICT|OFF_WITH_REDISTRIBUTION) ;; *) die "--load-balancing: ON_DEMAND or STRICT" ;; esac
[ -x "$DIST/bin/start" ] || die "no distribution at $DIST (build it, or pass --dist)"
[ -f "$TEMPLATE" ] || die "missing $TEMPLATE"
for tool in ss mosquitto_sub mosquitto_pub java stdbuf; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done
DIST=$(cd "$DIST" && pwd)

if [ -z "$BASE" ]; then
  BASE=$(mktemp -d "${TMPDIR:-/tmp}/courier-cluster.XXXXXX")
else
  mkdir -p "$BASE" || die "cannot create $BASE"
  BASE=$(cd "$BASE" && pwd)
  [ -e "$BASE/node1" ] || [ -e "$BASE/node2" ] && die "$BASE/node1 or node2 exists already"
fi
N1="$BASE/node1"
N2="$BASE/node2"

CLUSTER_USER="${CLUSTER_USER:-courier-cluster}"
CLUSTER_PASSWORD="${CLUSTER_PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')}"

# ---------------------------------------------------------------- ports
TAKEN=" "
in_use() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q . ; }
free_port() { # first port >= $1 that is neither listening nor already chosen
  local p=$1
  while in_use "$p" || [[ "$TAKEN" == *" $p "* ]]; do p=$((p + 1)); done
  echo "$p"
}
MQTT1=$(free_port 1883); TAKEN="$TAKEN$MQTT1 "; MQTT2=$(free_port 1884); TAKEN="$TAKEN$MQTT2 "
SSH1=$(free_port 8101); TAKEN="$TAKEN$SSH1 "; SSH2=$(free_port 8102); TAKEN="$TAKEN$SSH2 "
REG1=$(free_port 1099); TAKEN="$TAKEN$REG1 "; REG2=$(free_port 1100); TAKEN="$TAKEN$REG2 "
RMI1=$(free_port 44444); TAKEN="$TAKEN$RMI1 "; RMI2=$(free_port 44445); TAKEN="$TAKEN$RMI2 "
CORE1=$(free_port 61616); TAKEN="$TAKEN$CORE1 "; CORE2=$(free_port 61617); TAKEN="$TAKEN$CORE2 "

# ---------------------------------------------------------------- copy and configure
set_key() { # file key value: replace "key = ..." / "key=..." (first occurrence), or append
  local file=$1 key=$2 value=$3
  if grep -Eq "^[[:space:]]*$key[[:space:]]*=" "$file"; then
    sed -i -E "0,/^[[:space:]]*$key[[:space:]]*=.*/s//$key = $value/" "$file"
  else
    printf '%s = %s\n' "$key" "$value" >> "$file"
  fi
}

configure_node() { # dir name mqtt ssh reg rmi core peerCore
  local dir=$1 name=$2 mqtt=$3 ssh=$4 reg=$5 rmi=$6 core=$7 peer=$8
  cp -a "$DIST" "$dir" || die "copy to $dir failed"
  # a fresh node: no journal (each node must create its own Artemis node id), no cache, no logs, no pid
  rm -rf "$dir/data/artemis" "$dir/data/cache" "$dir/data/log" "$dir/data/port" "$dir/karaf.pid" "$dir/instances"
  set_key "$dir/etc/dev.courier.mqtt.transport.cfg" port "$mqtt"
  set_key "$dir/etc/dev.courier.mqtt.transport.cfg" host 127.0.0.1
  set_key "$dir/etc/org.apache.karaf.shell.cfg" sshPort "$ssh"
  set_key "$dir/etc/org.apache.karaf.shell.cfg" sshHost 127.0.0.1
  set_key "$dir/etc/org.apache.karaf.management.cfg" rmiRegistryPort "$reg"
  set_key "$dir/etc/org.apache.karaf.management.cfg" rmiServerPort "$rmi"
  sed -e "s|@NODE_NAME@|$name|g" -e "s|@CORE_PORT@|$core|g" -e "s|@PEER_HOST@|127.0.0.1|g" \
      -e "s|@PEER_PORT@|$peer|g" -e "s|@CLUSTER_USER@|$CLUSTER_USER|g" \
      -e "s|@CLUSTER_PASSWORD@|$CLUSTER_PASSWORD|g" -e "s|@LOAD_BALANCING@|$LB|g" \
      "$TEMPLATE" > "$dir/etc/courier-artemis.xml"
  chmod 600 "$dir/etc/courier-artemis.xml"
}

log "distribution: $DIST"
log "nodes in:     $BASE   (message-load-balancing $LB)"
configure_node "$N1" courier-node1 "$MQTT1" "$SSH1" "$REG1" "$RMI1" "$CORE1" "$CORE2"
configure_node "$N2" courier-node2 "$MQTT2" "$SSH2" "$REG2" "$RMI2" "$CORE2" "$CORE1"
printf '%-7s %6s %6s %8s %8s %8s\n' node MQTT SSH RMI-reg RMI-srv Core
printf '%-7s %6s %6s %8s %8s %8s\n' node1 "$MQTT1" "$SSH1" "$REG1" "$RMI1" "$CORE1"
printf '%-7s %6s %6s %8s %8s %8s\n' node2 "$MQTT2" "$SSH2" "$REG2" "$RMI2" "$CORE2"

# ---------------------------------------------------------------- start / stop
node_pid() { # the node's Karaf PID, only if that process really runs from this copy
  local dir=$1 pid
  [ -f "$dir/karaf.pid" ] || return 1
  pid=$(tr -dc '0-9' < "$dir/karaf.pid")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$dir/" || return 1
  echo "$pid"
}

stop_node() {
  local dir=$1 pid i
  pid=$(node_pid "$dir") || { log "$(basename "$dir"): not running"; return 0; }
  log "stopping $(basename "$dir") (pid $pid)"
  (cd "$dir" && env -u KARAF_HOME -u KARAF_BASE -u KARAF_DATA -u KARAF_ETC bin/stop >/dev/null 2>&1)
  for i in $(seq 1 60); do [ -d "/proc/$pid" ] || return 0; sleep 1; done
  if node_pid "$dir" >/dev/null; then
    log "$(basename "$dir") still running after 60 s: kill $pid"; kill "$pid" 2>/dev/null
    for i in $(seq 1 20); do [ -d "/proc/$pid" ] || return 0; sleep 1; done
    node_pid "$dir" >/dev/null && { log "kill -9 $pid"; kill -9 "$pid" 2>/dev/null; }
  fi
}

SUB_PIDS=()
cleanup() {
  local p
  for p in "${SUB_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  if ! $KEEP; then stop_node "$N1"; stop_node "$N2"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_node() {
  log "starting $(basename "$1")"
  (cd "$1" && env -u KARAF_HOME -u KARAF_BASE -u KARAF_DATA -u KARAF_ETC bin/start) || die "bin/start failed in $1"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # description timeout command...: polls every second
  local what=$1 timeout=$2 i; shift 2
  for ((i = 0; i < timeout; i++)); do
    "$@" && { log "$what (${i} s)"; return 0; }
    sleep 1
  done
  log "TIMEOUT after $timeout s: $what"; return 1
}

in_log() { grep -q -- "$2" "$1/data/log/karaf.log" 2>/dev/null; }
bridge_up() { grep -q 'AMQ221027: Bridge ClusterConnectionBridge' "$1/data/log/karaf.log" 2>/dev/null; }
node_alive() { node_pid "$1" >/dev/null || { log "$(basename "$1") is not running"; return 1; }; }

await_node() { # dir mqttPort
  local dir=$1 port=$2 n; n=$(basename "$dir")
  wait_for "$n: Artemis server active" "$START_TIMEOUT" in_log "$dir" 'AMQ221007: Server is now active' || return 1
  wait_for "$n: MQTT transport on the artemis bridge" "$START_TIMEOUT" in_log "$dir" 'MQTT transport starting with the artemis bridge' || return 1
  wait_for "$n: MQTT port $port accepts connections" 60 port_open "$port" || return 1
}

start_node "$N1"
start_node "$N2"
await_node "$N1" "$MQTT1" && await_node "$N2" "$MQTT2" || { node_alive "$N1"; node_alive "$N2"; die "a node did not start; see data/log/karaf.log under $BASE"; }
wait_for "node1: cluster bridge to node2 connected" 120 bridge_up "$N1" || die "no cluster bridge on node1"
wait_for "node2: cluster bridge to node1 connected" 120 bridge_up "$N2" || die "no cluster bridge on node2"
grep -h 'AMQ221027' "$N1/data/log/karaf.log" "$N2/data/log/karaf.log" | sed 's/^/    /' | cut -c1-220

# ---------------------------------------------------------------- checks
WORK="$BASE/checks"; mkdir -p "$WORK"
FAILED=0
result() { # PASS|FAIL|INFO text
  echo "$1: $2"
  [ "$1" = FAIL ] && FAILED=1
  return 0
}

# A clean-session subscriber on node $1 (port $2), a publisher on node $3 (port $4). The subscriber's
# binding reaches the other node asynchronously (cluster notification), so the publisher repeats its
# message (new payload each time) every 2 s until the subscriber has one, for at most 30 s.
cross_check() {
  local sn=$1 sp=$2 pn=$3 pp=$4 topic="cluster/test" out="$WORK/sub-$1.out" dbg="$WORK/sub-$1.dbg" i got
  stdbuf -oL mosquitto_sub -h 127.0.0.1 -p "$sp" -t "$topic" -q 1 -C 1 -W 40 -i "check-sub-$sn" -d > "$dbg" 2>&1 &
  local spid=$!; SUB_PIDS+=("$spid")
  wait_for "subscriber on $sn: SUBACK" 20 grep -qis 'received SUBACK' "$dbg" || { result FAIL "$pn -> $sn: subscriber could not subscribe"; return; }
  for i in $(seq 1 15); do
    mosquitto_pub -h 127.0.0.1 -p "$pp" -t "$topic" -q 1 -m "hello from $pn #$i" -i "check-pub-$pn" || true
    for _ in 1 2 3 4; do
      kill -0 "$spid" 2>/dev/null || break
      sleep 0.5
    done
    kill -0 "$spid" 2>/dev/null || break
  done
  wait "$spid" 2>/dev/null
  got=$(grep -E '^hello from' "$dbg" | head -1)
  if [ -n "$got" ]; then
    result PASS "subscriber on $sn (port $sp) received '$got' published on $pn (port $pp); publications sent: $i"
  else
    result FAIL "subscriber on $sn (port $sp) received nothing published on $pn (port $pp) in $i attempts"
  fi
}

echo
log "check 1: publish on node2, subscribe on node1"
cross_check node1 "$MQTT1" node2 "$MQTT2"
log "check 2: publish on node1, subscribe on node2"
cross_check node2 "$MQTT2" node1 "$MQTT1"

# Persistent session, away while messages arrive on the other node.
echo
log "check 3: persistent subscriber (clean session off) on node1, away; 5 QoS 1 messages published on node2"
mosquitto_sub -h 127.0.0.1 -p "$MQTT1" -c -i persist-1 -q 1 -t cluster/persist -E >/dev/null 2>&1 \
  || result FAIL "persistent subscribe on node1"
# the new queue's binding travels to node2 as a cluster notification: give it a moment (the crossing
# checks above show how long it takes: normally the first publication gets through)
sleep 2
for i in 1 2 3 4 5; do mosquitto_pub -h 127.0.0.1 -p "$MQTT2" -t cluster/persist -q 1 -m "persist-$i"; done
mosquitto_sub -h 127.0.0.1 -p "$MQTT1" -c -i persist-1 -q 1 -t cluster/persist -C 5 -W 15 > "$WORK/persist.out" 2>&1
n=$(grep -c '^persist-' "$WORK/persist.out")
if [ "$n" -eq 5 ]; then
  result PASS "persistent subscriber reconnected to node1 received all 5: $(grep '^persist-' "$WORK/persist.out" | tr '\n' ' ')"
else
  result FAIL "persistent subscriber reconnected to node1 received $n of 5: $(tr '\n' ' ' < "$WORK/persist.out")"
fi
mosquitto_sub -h 127.0.0.1 -p "$MQTT1" -i persist-1 -t cluster/persist -E >/dev/null 2>&1 # clean session: ends it

echo
log "check 4: a retained message published on node2 reaches a new subscriber on node1 (retained messages are shared)"
mosquitto_pub -h 127.0.0.1 -p "$MQTT2" -t cluster/retained -q 1 -r -m retained-on-node2
got=""
for attempt in $(seq 1 10); do # the announcement crosses the cluster bridge asynchronously
  mosquitto_sub -h 127.0.0.1 -p "$MQTT1" -t cluster/retained -q 1 -C 1 -W 2 > "$WORK/retained1.out" 2>&1
  if grep -q retained-on-node2 "$WORK/retained1.out"; then got=yes; break; fi
done
if [ -n "$got" ]; then
  result PASS "retained: a new subscriber on node1 got node2's retained message (attempt $attempt)"
else
  result FAIL "retained: a new subscriber on node1 did not get node2's retained message"
fi
mosquitto_sub -h 127.0.0.1 -p "$MQTT2" -t cluster/retained -q 1 -C 1 -W 5 > "$WORK/retained2.out" 2>&1
grep -q retained-on-node2 "$WORK/retained2.out" && result PASS "retained: a subscriber on node2 gets it too" \
  || result FAIL "retained: a subscriber on node2 did not get it"

# Informational: not required, documents what is and isn't shared.
mosquitto_pub -h 127.0.0.1 -p "$MQTT2" -t cluster/retained -q 1 -r -n # clear it

echo
log "check 5 (informational): persistent subscriber moves: subscribed on node1, away, 3 messages published on node1, reconnects to node2"
mosquitto_sub -h 127.0.0.1 -p "$MQTT1" -c -i roamer -q 1 -t cluster/roam -E >/dev/null 2>&1
sleep 2
for i in 1 2 3; do mosquitto_pub -h 127.0.0.1 -p "$MQTT1" -t cluster/roam -q 1 -m "roam-$i"; done
mosquitto_sub -h 127.0.0.1 -p "$MQTT2" -c -i roamer -q 1 -t cluster/roam -C 3 -W 15 > "$WORK/roam.out" 2>&1
n=$(grep -c '^roam-' "$WORK/roam.out")
result INFO "roaming: reconnected to node2, the persistent subscriber received $n of 3 messages queued on node1 (redistribution)"
mosquitto_sub -h 127.0.0.1 -p "$MQTT2" -i roamer -t cluster/roam -E >/dev/null 2>&1
mosquitto_sub -h 127.0.0.1 -p "$MQTT1" -i roamer -t cluster/roam -E >/dev/null 2>&1

echo
log "check 6 (informational): wildcard subscriber cluster/+/w on node1, publication to cluster/x/w on node2"
stdbuf -oL mosquitto_sub -h 127.0.0.1 -p "$MQTT1" -t 'cluster/+/w' -q 1 -C 1 -W 20 -d > "$WORK/wild.dbg" 2>&1 &
wpid=$!; SUB_PIDS+=("$wpid")
wait_for "wildcard subscriber: SUBACK" 20 grep -qis 'received SUBACK' "$WORK/wild.dbg"
for i in $(seq 1 8); do
  mosquitto_pub -h 127.0.0.1 -p "$MQTT2" -t cluster/x/w -q 1 -m "wild-$i"
  sleep 1; kill -0 "$wpid" 2>/dev/null || break
done
wait "$wpid" 2>/dev/null
got=$(grep -E '^wild-' "$WORK/wild.dbg" | head -1)
[ -n "$got" ] && result INFO "wildcard: received '$got' ($i publications)" || result INFO "wildcard: nothing received"

# ---------------------------------------------------------------- end
echo
if [ "$FAILED" -eq 0 ]; then echo "RESULT: PASS"; else echo "RESULT: FAIL"; fi
for d in "$N1" "$N2"; do
  c=$(grep -c ' ERROR ' "$d/data/log/karaf.log" 2>/dev/null); echo "$(basename "$d"): $c ERROR lines in data/log/karaf.log"
done
if $KEEP; then
  cat <<EOF

Both nodes keep running:
  node1: MQTT 127.0.0.1:$MQTT1, ssh -p $SSH1 karaf@127.0.0.1 (karaf/karaf), Core tcp://127.0.0.1:$CORE1, pid $(node_pid "$N1")
  node2: MQTT 127.0.0.1:$MQTT2, ssh -p $SSH2 karaf@127.0.0.1 (karaf/karaf), Core tcp://127.0.0.1:$CORE2, pid $(node_pid "$N2")
Stop them with:
  $N1/bin/stop; $N2/bin/stop
and remove $BASE afterwards.
EOF
else
  echo "Node copies and logs stay in $BASE (remove it when done)."
fi
exit "$FAILED"
