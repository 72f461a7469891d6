#!/usr/bin/env bash
# Starts the HiveMQ CE peer (in memory) in the foreground; all arguments go to the jar (see
# --help), e.g. run.sh 1885. Builds the jar first (offline) if it is missing. Heap: $PEER_MAX_HEAP
# (default 1g, as the Courier distribution's bin/setenv gives Karaf).
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="${dir}/target/hivemq-peer.jar"
if [[ ! -f "${jar}" ]]; then
  echo "building ${jar} ..." >&2
  mvn -B -q -o -f "${dir}/pom.xml" package >&2
fi
exec java "-Xmx${PEER_MAX_HEAP:-1g}" ${PEER_JAVA_OPTS:-} -jar "${jar}" "$@"
