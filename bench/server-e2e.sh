#!/usr/bin/env bash
# flowc's tutorial server against the hand-written mqtt.js + csv-stringify baseline, in one run,
# with ../shared/bench/e2e.sh's method: mosquitto on a private loopback port, N events published
# at QoS 0, the rows each server writes counted, and the CPU time of the server's process tree
# divided by the rows (start-up included). The two servers take turns, ROUNDS times; the medians
# are compared. Targets: no row lost, flowc's CPU per row at most 0.65x the baseline's.
#
# usage: bench/server-e2e.sh [N]   (default 100000; ROUNDS=3; needs mosquitto, mosquitto_pub, python3)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
n=${1:-100000}
rounds=${ROUNDS:-3}
harness=${E2E_HARNESS:-$repo/../shared/bench/e2e.sh}
[ -f "$harness" ] || { echo "missing $harness (set E2E_HARNESS)" >&2; exit 2; }
# The figures are for the bundle users run: rebuild dist/ if a source changed.
node --input-type=module -e "
  const { build, isStale } = await import('$repo/scripts/build.mjs');
  if (isStale()) await build({ log: (line) => process.stderr.write(line + '\n') });"

# The tutorial's server writes test.csv beside the .flow file (paths in a flow are relative to
# its folder): run a copy of it in the folder where the harness looks for the rows.
flowc_cmd="cd \"\$(dirname \"\$OUT\")\" && cp $repo/examples/tutorial/server.flow server.flow && exec node $repo/bin/flowc.js run server.flow --broker mqtt://127.0.0.1:\$MQTT_PORT > /dev/null"
base_cmd="exec node $repo/bench/handwritten-server.mjs"

echo "server end to end: $n events at QoS 0 through mosquitto, $rounds rounds, node $(node --version)"
results=()
for round in $(seq 1 "$rounds"); do
  base=$(bash "$harness" "$n" "$base_cmd" | tail -1)
  flowc=$(OUTNAME=test.csv bash "$harness" "$n" "$flowc_cmd" | tail -1)
  echo "  round $round  handwritten: $base"
  echo "  round $round  flowc run:   $flowc"
  results+=("$base" "$flowc")
done

python3 - "$n" "${results[@]}" <<'PY'
import re, statistics, sys
n, lines = int(sys.argv[1]), sys.argv[2:]
def field(line, name): return float(re.search(name + r"=(-?[\d.]+)", line).group(1))
def summary(lines):
    return {k: statistics.median(field(l, k) for l in lines) for k in ("cpu_us_per_row", "rate")} | {
        "lost": max(int(field(l, "lost")) for l in lines)}
base, flowc = summary(lines[0::2]), summary(lines[1::2])
ratio = flowc["cpu_us_per_row"] / base["cpu_us_per_row"]
print(f"handwritten mqtt.js+csv-stringify: {base['cpu_us_per_row']:.1f} µs CPU/row, {base['rate']:.0f} rows/s, most lost {base['lost']}")
print(f"flowc run server.flow:             {flowc['cpu_us_per_row']:.1f} µs CPU/row, {flowc['rate']:.0f} rows/s, most lost {flowc['lost']}")
met = ratio <= 0.65 and flowc["lost"] == 0
print(f"CPU per row, flowc / handwritten (medians): {ratio:.2f} (target <= 0.65 and 0 lost: {'met' if met else 'not met'})")
PY
