#!/usr/bin/env bash
# Turns a COPY of the Courier MQTT distribution into one that also runs Apache ActiveMQ Artemis's
# own MQTT protocol, on the same embedded broker, as a peer for benchmark/compare.sh: Courier's
# MQTT listener (etc/dev.courier.mqtt.transport.cfg, 1883) and Artemis's MQTT acceptor (PORT,
# default 1884) in one JVM, one Artemis broker, one journal (etc/courier-artemis.xml).
#
#   artemis-mqtt.sh [options] KARAF_DIR [PORT]
#
# What it changes in KARAF_DIR (never started before, not running):
#   1. etc/org.apache.karaf.features.cfg: appends the Karaf feature artemis-mqtt (from Artemis's
#      features repository, which the distribution registers already) to featuresBoot. It must be
#      there before the broker first starts: the Karaf component starts the broker only once every
#      protocol named by an acceptor is present (see the comment in courier-artemis.xml). The
#      bundle artemis-mqtt-protocol is copied from the local Maven repository into system/ when
#      found there, so that the first start needs no network.
#   2. etc/courier-artemis.xml: an acceptor "mqtt" on 127.0.0.1:PORT with the Core acceptor's
#      socket settings and Courier's shipped MQTT limits (below). Persistence, journal, paging and
#      address settings stay as they are: Courier's bridge and Artemis's MQTT share them.
#   3. with the port options: the distribution's other listening ports, so that the copy can run
#      beside another Courier distribution on the same machine.
#
# Security: Artemis's security stays enabled against the Karaf JAAS realm, so Artemis's MQTT needs
# credentials: give the benchmark --username karaf --password karaf (the demo user; its role admin
# may do everything under the "#" security-setting). compare.sh: --b-user karaf --b-password karaf.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: artemis-mqtt.sh [options] KARAF_DIR [PORT]

Adds Artemis's own MQTT acceptor on 127.0.0.1:PORT (default 1884) to a copy of the Courier MQTT
distribution, beside Courier's listener, on the same broker. KARAF_DIR must never have been started.

  --copy-from DIR          first copy the distribution DIR (e.g. assembly/target/assembly) to
                           KARAF_DIR, which must not exist
  --inflight N             set Artemis MQTT's defaultMaximumInFlightPublishMessages, the QoS 1/2
                           messages in flight to a 3.1.1 subscriber (default: not set, Artemis's
                           65535). 64 would match Courier's maxInflightMessages, but with it
                           Artemis 2.43 loses QoS 2 messages (see benchmark/peers/README.md)
  --courier-port P         Courier's MQTT port (etc/dev.courier.mqtt.transport.cfg port, 1883)
  --courier-ssl-port P     Courier's TLS port (sslPort, 8883; that listener runs only when a
                           keystore is configured)
  --ssh-port P             Karaf's SSH port (etc/org.apache.karaf.shell.cfg sshPort, 8101)
  --rmi-registry-port P    JMX RMI registry (etc/org.apache.karaf.management.cfg, 1099)
  --rmi-server-port P      JMX RMI server (etc/org.apache.karaf.management.cfg, 44444)
  --core-port P            Artemis's Core acceptor (etc/courier-artemis.xml, 61616)
  --http-port P            org.osgi.service.http.port, if etc/org.ops4j.pax.web.cfg exists
  --start                  then start Karaf (bin/start) and wait until Courier's port and PORT
                           accept connections (at most --start-timeout seconds, default 180)
  --help                   this text

Stop it with KARAF_DIR/bin/stop. Connect the benchmark to PORT with --username karaf
--password karaf.
EOF
}

die() {
  echo "artemis-mqtt.sh: $*" >&2
  exit 2
}

copy_from="" inflight="" start=false start_timeout=180
courier_port="" courier_ssl_port="" ssh_port="" rmi_registry_port="" rmi_server_port=""
core_port="" http_port=""
positional=()
while (($#)); do
  case "$1" in
    --help|-h) usage; exit 0 ;;
    --copy-from) copy_from="${2:?--copy-from needs a value}"; shift 2 ;;
    --inflight) inflight="${2:?--inflight needs a value}"; shift 2 ;;
    --courier-port) courier_port="${2:?}"; shift 2 ;;
    --courier-ssl-port) courier_ssl_port="${2:?}"; shift 2 ;;
    --ssh-port) ssh_port="${2:?}"; shift 2 ;;
    --rmi-registry-port) rmi_registry_port="${2:?}"; shift 2 ;;
    --rmi-server-port) rmi_server_port="${2:?}"; shift 2 ;;
    --core-port) core_port="${2:?}"; shift 2 ;;
    --http-port) http_port="${2:?}"; shift 2 ;;
    --start) start=true; shift ;;
    --start-timeout) start_timeout="${2:?}"; shift 2 ;;
    -*) usage >&2; die "unknown option $1" ;;
    *) positional+=("$1"); shift ;;
  esac
done
((${#positional[@]} >= 1 && ${#positional[@]} <= 2)) || { usage >&2; exit 2; }
karaf="${positional[0]}"
port="${positional[1]:-1884}"

is_port() { [[ "$1" =~ ^[0-9]+$ ]] && (($1 >= 1 && $1 <= 65535)); }
for p in "$port" $courier_port $courier_ssl_port $ssh_port $rmi_registry_port $rmi_server_port \
         $core_port $http_port; do
  is_port "$p" || die "not a port: $p"
done
if [[ -n "$inflight" ]]; then
  [[ "$inflight" =~ ^[0-9]+$ ]] && ((inflight >= 1 && inflight <= 65535)) \
    || die "--inflight must be in 1..65535, not $inflight"
fi

if [[ -n "$copy_from" ]]; then
  [[ -e "$karaf" ]] && die "$karaf exists; --copy-from needs a new folder"
  [[ -f "$copy_from/etc/courier-artemis.xml" ]] || die "$copy_from is not a Courier distribution"
  cp -a "$copy_from" "$karaf"
fi

etc="$karaf/etc"
xml="$etc/courier-artemis.xml"
features_cfg="$etc/org.apache.karaf.features.cfg"
[[ -x "$karaf/bin/karaf" && -f "$xml" && -f "$features_cfg" ]] \
  || die "$karaf is not a Courier MQTT distribution (bin/karaf, etc/courier-artemis.xml)"
if [[ -f "$karaf/karaf.pid" ]] && kill -0 "$(cat "$karaf/karaf.pid")" 2>/dev/null; then
  die "Karaf in $karaf is running (pid $(cat "$karaf/karaf.pid")); stop it first"
fi
# A started copy has resolved its features already: a new acceptor could then meet a broker without
# the protocol. Only a fresh copy is changed.
[[ -d "$karaf/data/cache" ]] \
  && die "$karaf has been started before (data/cache exists); use a fresh copy (--copy-from)"

# 1. the feature, and its bundle in system/ for an offline first start
artemis_version="$(ls "$karaf/system/org/apache/activemq/artemis-server-osgi" | sort -V \
  | tail -n 1)"
[[ -n "$artemis_version" ]] || die "no Artemis in $karaf/system"
if ! grep -Eq '^featuresBoot *=.*\bartemis-mqtt\b' "$features_cfg"; then
  grep -Eq '^featuresBoot *=.*\\$' "$features_cfg" \
    && die "featuresBoot in $features_cfg spans lines; add artemis-mqtt/${artemis_version} by hand"
  # appended: a leading "(...)" group is a boot stage of its own, installed before the rest
  sed -i -E "s#^(featuresBoot *=.*[^ ]) *\$#\\1, artemis-mqtt/${artemis_version}#" "$features_cfg"
fi
grep -Eq '^featuresBoot *=.*\bartemis-mqtt\b' "$features_cfg" \
  || die "could not add artemis-mqtt to featuresBoot in $features_cfg"
m2="${MAVEN_REPO:-$HOME/.m2/repository}"
rel="org/apache/activemq/artemis-mqtt-protocol/${artemis_version}"
jar="artemis-mqtt-protocol-${artemis_version}.jar"
if [[ ! -f "$karaf/system/$rel/$jar" ]]; then
  if [[ -f "$m2/$rel/$jar" ]]; then
    mkdir -p "$karaf/system/$rel"
    cp "$m2/$rel/$jar" "$m2/$rel/artemis-mqtt-protocol-${artemis_version}.pom" "$karaf/system/$rel/"
  else
    echo "artemis-mqtt.sh: $jar is not in $m2; Karaf will download it at the first start" >&2
  fi
fi

# 2. the acceptor: the Core acceptor's socket settings; Courier's topicAliasMaximum 16 and
# maxPacketSize 1 MiB. The outbound window to 3.1.1 subscribers
# (defaultMaximumInFlightPublishMessages; a 5.0 subscriber's own Receive Maximum applies as it is)
# stays Artemis's 65535 unless --inflight: at 64, Courier's value, Artemis 2.43 loses QoS 2
# messages in one-to-one runs. No receiveMaximum: Artemis 2.43 parses it but neither announces nor
# enforces it.
acceptor="<acceptor name=\"mqtt\">tcp://127.0.0.1:${port}?protocols=MQTT;tcpSendBufferSize=1048576;"
acceptor+="tcpReceiveBufferSize=1048576;useEpoll=true;"
[[ -z "$inflight" ]] || acceptor+="defaultMaximumInFlightPublishMessages=${inflight};"
acceptor+="topicAliasMaximum=16;"
acceptor+="maximumPacketSize=1048576</acceptor>"
if grep -q '<acceptor name="mqtt">' "$xml"; then
  sed -i "s#^\\( *\\)<acceptor name=\"mqtt\">.*</acceptor>#\\1${acceptor}#" "$xml"
else
  sed -i "s#^\\( *\\)\\(<acceptor name=\"core\">.*</acceptor>\\)#\\1\\2\\n\\1${acceptor}#" "$xml"
fi
grep -qF "$acceptor" "$xml" || die "could not add the MQTT acceptor to $xml"

# 3. other ports
set_key() { # file key value: replaces "key = ..." / "key=..." and fails when the key is absent
  grep -Eq "^$2 *=" "$1" || die "no $2 in $1"
  sed -i -E "s#^($2 *= *).*#\\1$3#" "$1"
}
transport_cfg="$etc/dev.courier.mqtt.transport.cfg"
management_cfg="$etc/org.apache.karaf.management.cfg"
[[ -n "$courier_port" ]] && set_key "$transport_cfg" port "$courier_port"
[[ -n "$courier_ssl_port" ]] && set_key "$transport_cfg" sslPort "$courier_ssl_port"
[[ -n "$ssh_port" ]] && set_key "$etc/org.apache.karaf.shell.cfg" sshPort "$ssh_port"
[[ -n "$rmi_registry_port" ]] && set_key "$management_cfg" rmiRegistryPort "$rmi_registry_port"
[[ -n "$rmi_server_port" ]] && set_key "$management_cfg" rmiServerPort "$rmi_server_port"
if [[ -n "$core_port" ]]; then
  sed -i -E "/<acceptor name=\"core\">/s#(tcp://[^:]+:)[0-9]+#\\1${core_port}#" "$xml"
  grep -q "<acceptor name=\"core\">tcp://[^:]*:${core_port}?" "$xml" \
    || die "could not set the Core port"
fi
if [[ -n "$http_port" ]]; then
  if [[ -f "$etc/org.ops4j.pax.web.cfg" ]]; then
    set_key "$etc/org.ops4j.pax.web.cfg" org.osgi.service.http.port "$http_port"
  else
    echo "artemis-mqtt.sh: no etc/org.ops4j.pax.web.cfg (no HTTP service): --http-port ignored" >&2
  fi
fi

cfg_value() { sed -n -E "s/^$2 *= *([^ ]*).*/\\1/p" "$1" | tail -n 1; }
courier_now="$(cfg_value "$transport_cfg" port)"
ssh_now="$(cfg_value "$etc/org.apache.karaf.shell.cfg" sshPort)"
registry_now="$(cfg_value "$management_cfg" rmiRegistryPort)"
rmi_now="$(cfg_value "$management_cfg" rmiServerPort)"
core_now="$(sed -n -E 's#.*<acceptor name="core">tcp://[^:]+:([0-9]+).*#\1#p' "$xml")"
echo "$karaf: Courier MQTT on ${courier_now}, Artemis MQTT" \
  "(artemis-mqtt/${artemis_version}) on 127.0.0.1:${port}, inflight ${inflight:-65535};" \
  "ssh ${ssh_now}, rmi ${registry_now}/${rmi_now}, core ${core_now}"

$start || exit 0

# Start (after checking that none of its ports is taken) and wait until both MQTT ports accept.
accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$courier_now" "$port" "$ssh_now" "$registry_now" "$rmi_now" "$core_now"; do
  [[ -z "$p" ]] || ! accepts "$p" || die "port $p is in use already"
done
"$karaf/bin/start"
deadline=$((SECONDS + start_timeout))
for p in "$courier_now" "$port"; do
  until accepts "$p"; do
    ((SECONDS < deadline)) \
      || die "port $p not accepting after ${start_timeout}s; see $karaf/data/log"
    sleep 1
  done
done
echo "started: pid $(cat "$karaf/karaf.pid" 2>/dev/null || echo '?'); stop with $karaf/bin/stop"
