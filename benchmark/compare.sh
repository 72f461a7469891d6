#!/usr/bin/env bash
# Paired, alternating benchmark passes against two running MQTT brokers, A and B: for every
# scenario spec and every pair i = 1..N it runs the benchmark against A and against B back to back
# (A first in odd pairs, B first in even ones), and reports per scenario each pass's received
# msg/s, the ratio A/B of each pair, the median of those ratios, and the lost / duplicate totals.
# The brokers must be running already (see benchmark/peers/README.md). Pure bash + awk.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

default_specs=(
  "one-to-one qos0"
  "one-to-one qos1"
  "one-to-one qos2"
  "fan-in qos1 clients=100"
  "fan-out qos0 clients=100"
  "one-to-one qos1 persistent inflight=16"
)

usage() {
  cat <<'EOF'
Usage: compare.sh --a NAME=HOST:PORT --b NAME=HOST:PORT [options] [-- BENCHMARK_ARGS...]

Runs the benchmark against two running brokers in paired, alternating passes and reports, per
scenario, each pass's received msg/s, the ratio A/B of each pair and the median of the ratios,
with lost and duplicate totals.

  --a NAME=HOST:PORT    broker A (NAME labels it, e.g. courier=127.0.0.1:1883)
  --b NAME=HOST:PORT    broker B (e.g. hivemq=127.0.0.1:1885)
  --a-user U, --a-password P, --b-user U, --b-password P
                        MQTT credentials for that broker's clients (default: none)
  --pairs N             pairs of passes per scenario (default 3)
  --duration T          measuring time of each pass, passed as --duration (default 10s)
  --scenario SPEC       a scenario to run; repeat for several; replaces the default list.
                        SPEC: a benchmark scenario, then words: qosN -> --qos N, KEY=VALUE ->
                        --KEY VALUE, any other word -> --WORD. E.g. "fan-in qos1 clients=100",
                        "one-to-one qos1 persistent inflight=16", "one-to-one qos1 mqtt=5"
  --prime T             before the first scenario, one unrecorded one-to-one qos1 pass of T
                        against each broker, so that neither meets the first scenario JIT-cold
  --pause S             seconds to wait between passes (default 2)
  --out DIR             keep every pass's CSV and log there (default: a new folder in /tmp)
  --jar PATH            the benchmark jar (default: benchmark/target/courier-mqtt-benchmark.jar;
                        $BENCH_JAVA_OPTS is passed to its JVM)
  -- ARGS...            passed to every benchmark run (e.g. -- --warmup 3s --payload 256)
  --help                this text

Default scenarios:
  "one-to-one qos0", "one-to-one qos1", "one-to-one qos2", "fan-in qos1 clients=100",
  "fan-out qos0 clients=100", "one-to-one qos1 persistent inflight=16"

Exit code: 0 when every pass ran and lost no QoS 1/2 message; 1 otherwise; 2 on bad usage.
EOF
}

die() {
  echo "compare.sh: $*" >&2
  exit 2
}

a_spec="" b_spec="" a_user="" a_password="" b_user="" b_password=""
pairs=3 duration=10s pause=2 out="" jar="${script_dir}/target/courier-mqtt-benchmark.jar" prime=""
specs=()
extra=()
while (($#)); do
  case "$1" in
    --help|-h) usage; exit 0 ;;
    --a) a_spec="${2:?--a needs NAME=HOST:PORT}"; shift 2 ;;
    --b) b_spec="${2:?--b needs NAME=HOST:PORT}"; shift 2 ;;
    --a-user) a_user="${2?}"; shift 2 ;;
    --a-password) a_password="${2?}"; shift 2 ;;
    --b-user) b_user="${2?}"; shift 2 ;;
    --b-password) b_password="${2?}"; shift 2 ;;
    --pairs) pairs="${2:?}"; shift 2 ;;
    --duration) duration="${2:?}"; shift 2 ;;
    --scenario) specs+=("${2:?--scenario needs a spec}"); shift 2 ;;
    --prime) prime="${2:?--prime needs a time}"; shift 2 ;;
    --pause) pause="${2:?}"; shift 2 ;;
    --out) out="${2:?}"; shift 2 ;;
    --jar) jar="${2:?}"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) usage >&2; die "unknown argument $1" ;;
  esac
done
((${#specs[@]})) || specs=("${default_specs[@]}")
[[ -n "$a_spec" && -n "$b_spec" ]] || { usage >&2; die "--a and --b are required"; }
[[ "$pairs" =~ ^[1-9][0-9]*$ ]] || die "--pairs must be a positive number, not $pairs"
[[ "$pause" =~ ^[0-9]+$ ]] || die "--pause must be whole seconds, not $pause"
[[ -f "$jar" ]] || die "no benchmark jar at $jar (build it: mvn -B -o -q -pl benchmark -am" \
  "package -DskipTests, or run benchmark/run.sh --help once)"

# NAME=HOST:PORT -> name host port
parse_broker() {
  local spec="$1" name addr
  [[ "$spec" == *=*:* ]] || die "a broker is NAME=HOST:PORT, not $spec"
  name="${spec%%=*}" addr="${spec#*=}"
  [[ "$name" =~ ^[A-Za-z0-9._-]+$ ]] || die "broker name '$name': letters, digits, . _ - only"
  [[ "${addr##*:}" =~ ^[0-9]+$ ]] || die "bad port in $spec"
  echo "$name ${addr%:*} ${addr##*:}"
}
read -r a_name a_host a_port <<<"$(parse_broker "$a_spec")"
read -r b_name b_host b_port <<<"$(parse_broker "$b_spec")"
[[ "$a_name" != "$b_name" ]] || die "the two brokers need different names"

# a scenario spec -> benchmark arguments, one a line
spec_args() {
  local words w first=true
  read -r -a words <<<"$1"
  ((${#words[@]})) || die "empty scenario spec"
  for w in "${words[@]}"; do
    if $first; then
      printf '%s\n' --scenarios "$w"
      first=false
    elif [[ "$w" =~ ^qos([0-2](,[0-2])*)$ ]]; then
      printf '%s\n' --qos "${BASH_REMATCH[1]}"
    elif [[ "$w" == *=* ]]; then
      printf '%s\n' "--${w%%=*}" "${w#*=}"
    else
      printf '%s\n' "--$w"
    fi
  done
}

if [[ -z "$out" ]]; then
  out="$(mktemp -d "${TMPDIR:-/tmp}/compare.XXXXXX")"
else
  mkdir -p "$out"
fi
passes="$out/passes.tsv"
printf 'spec\tpair\tbroker\tposition\tcase\trecv_msgs_per_s\tlost\tdup\texit\terror\n' >"$passes"

# Reads one benchmark CSV (columns found by header name) and prints per case:
# case<TAB>recv_msgs_per_s<TAB>lost<TAB>dup<TAB>error
csv_rows() {
  awk '
    function csvsplit(s, out,    n, i, c, f, q) {
      n = 0; f = ""; q = 0
      for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (q) {
          if (c == "\"") {
            if (substr(s, i + 1, 1) == "\"") { f = f "\""; i++ } else q = 0
          } else f = f c
        } else if (c == "\"") q = 1
        else if (c == ",") { out[++n] = f; f = "" }
        else f = f c
      }
      out[++n] = f
      return n
    }
    NR == 1 {
      n = csvsplit($0, h)
      for (i = 1; i <= n; i++) col[h[i]] = i
      if (!("recv_msgs_per_s" in col) || !("scenario" in col)) { bad = 1; exit }
      next
    }
    {
      csvsplit($0, f)
      err = f[col["error"]]; gsub(/\t/, " ", err)
      printf "%s qos%s mqtt%s\t%s\t%s\t%s\t%s\n", f[col["scenario"]], f[col["qos"]],
        f[col["mqtt"]], f[col["recv_msgs_per_s"]], f[col["lost"]], f[col["dup"]], err
    }
    END { if (bad) exit 3 }
  ' "$1"
}

# one benchmark run: name host port user password spec_index pair position
bench_args=()
run_pass() {
  local name="$1" host="$2" port="$3" user="$4" password="$5" idx="$6" pair="$7" pos="$8"
  local base="$out/s${idx}-p${pair}-${name}" rc=0 cmd
  cmd=(java ${BENCH_JAVA_OPTS:-} -jar "$jar" --host "$host" --port "$port" --csv
       --duration "$duration")
  [[ -n "$user" ]] && cmd+=(--username "$user")
  [[ -n "$password" ]] && cmd+=(--password "$password")
  cmd+=("${bench_args[@]}" "${extra[@]}")
  "${cmd[@]}" >"$base.csv" 2>"$base.log" || rc=$?
  if ((rc == 2)); then
    cat "$base.log" >&2
    die "the benchmark refused its arguments (spec: ${specs[idx - 1]})"
  fi
  local rows
  if ! rows="$(csv_rows "$base.csv")" || [[ -z "$rows" ]]; then
    local why
    why="$(grep -v '^\[bench' "$base.log" | tail -n 1 | tr '\t' ' ')"
    rows="?	0	0	0	no CSV result (exit $rc): ${why:-see $base.log}"
  fi
  while IFS=$'\t' read -r case recv lost dup err; do
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$idx" "$pair" "$name" "$pos" "$case" \
      "$recv" "$lost" "$dup" "$rc" "$err" >>"$passes"
    printf '  %-10s %-8s %-28s %12s msg/s  lost %s dup %s%s\n' "$name" "$pos" "$case" "$recv" \
      "$lost" "$dup" "${err:+  ERROR: $err}" >&2
  done <<<"$rows"
}

{
  echo "compare.sh $(date -u '+%Y-%m-%dT%H:%M:%SZ'): A ${a_name}=${a_host}:${a_port}," \
    "B ${b_name}=${b_host}:${b_port}; ${pairs} pair(s), ${duration} per pass; results in $out"
  if ((${#extra[@]})); then echo "benchmark arguments for every pass: ${extra[*]}"; fi
} | tee "$out/summary.txt" >&2

if [[ -n "$prime" ]]; then
  for who in a b; do
    if [[ $who == a ]]; then set -- "$a_host" "$a_port" "$a_user" "$a_password"
    else set -- "$b_host" "$b_port" "$b_user" "$b_password"; fi
    echo "priming $( [[ $who == a ]] && echo "$a_name" || echo "$b_name") for $prime ..." >&2
    java ${BENCH_JAVA_OPTS:-} -jar "$jar" --host "$1" --port "$2" --csv --duration "$prime" \
      --scenarios one-to-one --qos 1 ${3:+--username "$3"} ${4:+--password "$4"} \
      >"$out/prime-$who.csv" 2>"$out/prime-$who.log" || true
  done
fi

idx=0
for spec in "${specs[@]}"; do
  idx=$((idx + 1))
  mapfile -t bench_args < <(spec_args "$spec")
  for ((pair = 1; pair <= pairs; pair++)); do
    echo "[$spec] pair $pair/$pairs" >&2
    if ((pair % 2 == 1)); then
      run_pass "$a_name" "$a_host" "$a_port" "$a_user" "$a_password" "$idx" "$pair" first
      sleep "$pause"
      run_pass "$b_name" "$b_host" "$b_port" "$b_user" "$b_password" "$idx" "$pair" second
    else
      run_pass "$b_name" "$b_host" "$b_port" "$b_user" "$b_password" "$idx" "$pair" first
      sleep "$pause"
      run_pass "$a_name" "$a_host" "$a_port" "$a_user" "$a_password" "$idx" "$pair" second
    fi
    sleep "$pause"
  done
done

# The report: per scenario (and case, when one spec yields several), every pair, the median ratio.
spec_list="$out/specs.txt"
printf '%s\n' "${specs[@]}" >"$spec_list"
status=0
awk -F '\t' -v A="$a_name" -v B="$b_name" -v specfile="$spec_list" '
  function median(v, n,    i, j, t) {
    for (i = 2; i <= n; i++) {
      t = v[i]
      for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]
      v[j + 1] = t
    }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  BEGIN {
    while ((getline line < specfile) > 0) spec[++nspec] = line
  }
  NR == 1 { next }
  {
    k = $1 SUBSEP $5
    if (!(k in seen)) { seen[k] = 1; order[++ncase] = k; cspec[k] = $1; cname[k] = $5 }
    if ($2 > npairs) npairs = $2
    recv[k, $2, $3] = $6; pos[k, $2, $3] = $4
    lost[k, $3] += $7; dup[k, $3] += $8
    if ($10 != "" || ($9 != 0 && $9 != 1)) { err[k, $2, $3] = $10; nerr[k]++; failed = 1 }
    if ($9 != 0) failed = 1
  }
  function width(s, min) { return length(s) > min ? length(s) : min }
  END {
    for (c = 1; c <= ncase; c++) { k = order[c]; percount[cspec[k]]++ }
    # a spec that yields several cases (qos0,1 or mqtt=3.1.1,5) gets a line per case
    tw = 8
    for (c = 1; c <= ncase; c++) {
      k = order[c]
      title[k] = spec[cspec[k]]
      if (percount[cspec[k]] > 1) {
        split(cname[k], w, " ")
        title[k] = title[k] " [" w[2] " " w[3] "]"
      }
      tw = width(title[k], tw)
    }
    # column widths fit the broker names and the titles
    row = "  %-14s %" width(A " msg/s", 12) "s %" width(B " msg/s", 12) "s %" \
      width(A "/" B, 8) "s\n"
    sum = "%-" tw "s %7s %13s %" width("lost " A "/" B, 9) "s %" width("dup " A "/" B, 9) "s\n"
    for (c = 1; c <= ncase; c++) {
      k = order[c]
      printf "\n%s\n", title[k]
      printf row, "pair (first)", A " msg/s", B " msg/s", A "/" B
      n = 0
      for (p = 1; p <= npairs; p++) {
        if (!((k, p, A) in recv) && !((k, p, B) in recv)) continue
        first = pos[k, p, A] == "first" ? A : B
        ra = recv[k, p, A]; rb = recv[k, p, B]
        ratio = "n/a"
        if (((k, p, A) in recv) && ((k, p, B) in recv) && rb + 0 > 0 \
            && !((k, p, A) in err) && !((k, p, B) in err)) {
          r[++n] = ra / rb; ratio = sprintf("%.3f", ra / rb)
        }
        printf row, p " (" first ")", \
          ((k, p, A) in err ? "ERROR" : ra), ((k, p, B) in err ? "ERROR" : rb), ratio
      }
      med[k] = n ? sprintf("%.3f", median(r, n)) : "n/a"
      lo = hi = ""
      for (i = 1; i <= n; i++) {
        if (lo == "" || r[i] < lo) lo = r[i]
        if (hi == "" || r[i] > hi) hi = r[i]
      }
      rng[k] = n ? sprintf("%.3f..%.3f", lo, hi) : "-"
      printf "  median %s/%s %s (%d pair(s), range %s); lost %s %d, %s %d; dup %s %d, %s %d\n", \
        A, B, med[k], n, rng[k], A, lost[k, A], B, lost[k, B], A, dup[k, A], B, dup[k, B]
      for (p = 1; p <= npairs; p++) {
        if ((k, p, A) in err) printf "  pair %d %s: %s\n", p, A, err[k, p, A]
        if ((k, p, B) in err) printf "  pair %d %s: %s\n", p, B, err[k, p, B]
      }
    }
    printf "\n" sum, "scenario", "median", "range", "lost " A "/" B, "dup " A "/" B
    for (c = 1; c <= ncase; c++) {
      k = order[c]
      printf sum, title[k], med[k], rng[k], lost[k, A] "/" lost[k, B], dup[k, A] "/" dup[k, B]
    }
    printf "(median of the per-pair ratios %s recv msg/s / %s recv msg/s; > 1: %s faster)\n", \
      A, B, A
    exit failed ? 1 : 0
  }
' "$passes" | tee -a "$out/summary.txt" || status=$?
echo "raw results: $out (passes.tsv, one CSV and log per pass)" >&2
exit "$status"
