#!/usr/bin/env bash
# Records a short JFR CPU profile of a running broker while a benchmark case runs, and prints where
# its CPU went (benchmark/profile-breakdown.py). Keep recordings short: JFR slows the broker.
#
#   benchmark/profile.sh <broker-pid> [seconds-before-recording] [recording-seconds] -- <benchmark args>
#   benchmark/profile.sh 12345 4 5 -- --port 1883 --qos 1 --scenarios fan-in --duration 10s
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
pid="$1"; delay="${2:-4}"; seconds="${3:-5}"
shift 3 || true
[ "${1:-}" = "--" ] && shift
jar="$here/target/courier-mqtt-benchmark.jar"
[ -f "$jar" ] || { echo "build it first: mvn -B -pl benchmark package" >&2; exit 2; }
out="$(mktemp -d)/broker.jfr"
java -jar "$jar" "$@" &
bench=$!
sleep "$delay" # the case's warm-up and first seconds, so the recording sees the steady state
jcmd "$pid" JFR.start name=courier-profile settings=profile duration="${seconds}s" filename="$out" >/dev/null
wait "$bench"
# JFR writes the file when the recording ends, which the case outlasts
while ! jfr summary "$out" >/dev/null 2>&1; do sleep 1; done
python3 "$here/profile-breakdown.py" "$out" --top 4
echo "recording: $out" >&2
