#!/usr/bin/env bash
# Runs the Courier MQTT benchmark against a running broker; all arguments are passed through
# (see --help). Builds the shaded jar first if it is missing.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"
jar="${script_dir}/target/courier-mqtt-benchmark.jar"

if [[ ! -f "${jar}" ]]; then
  echo "building ${jar} ..." >&2
  if ! (cd "${repo_root}" && mvn -B -q -pl benchmark -am package -DskipTests) >&2; then
    # the reactor may be broken by another module: build this module alone (parent resolved via relativePath)
    echo "reactor build failed; building the benchmark module alone ..." >&2
    (cd "${repo_root}" && mvn -B -q -f benchmark/pom.xml package -DskipTests) >&2
  fi
fi

exec java ${BENCH_JAVA_OPTS:-} -jar "${jar}" "$@"
