#!/usr/bin/env bash
# flowc's tutorial server against the hand-written mqtt.js + csv-stringify baseline, in one run,
# with ../shared/bench/e2e.sh (mosquitto on a private loopback port, N events at QoS 0, server CPU
# time per row). Prints both results and the CPU ratio (target: flowc ≤ 0.65× the baseline).
# usage: bench/server-e2e.sh [N]   (default 100000; needs mosquitto and a built dist/)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
n=${1:-100000}
harness=${E2E_HARNESS:-$repo/../shared/bench/e2e.sh}
[ -x "$harness" ] || [ -f "$harness" ] || { echo "missing $harness" >&2; exit 2; }
[ -f dist/cli.js ] || npm run build >/dev/null

run() { bash "$harness" "$n" "$1" | tail -1; }
# The tutorial's server writes test.csv in its working directory; run it where the harness looks.
flowc_cmd="cd \"\$(dirname \"\$OUT\")\" && exec node $repo/bin/flowc.js run $repo/examples/tutorial/server.flow --broker mqtt://127.0.0.1:\$MQTT_PORT > /dev/null"
base_cmd="exec node $repo/bench/handwritten-server.mjs"

echo "events: $n"
base=$(run "$base_cmd"); echo "handwritten mqtt.js+csv-stringify: $base"
flowc=$(OUTNAME=test.csv run "$flowc_cmd"); echo "flowc run server.flow:             $flowc"
python3 - "$base" "$flowc" <<'PY'
import sys, re
def cpu(line): return float(re.search(r"cpu_us_per_row=([\d.]+)", line).group(1))
def lost(line): return int(re.search(r"lost=(-?\d+)", line).group(1))
b, f = cpu(sys.argv[1]), cpu(sys.argv[2])
print(f"cpu per row: flowc {f:.1f} µs vs handwritten {b:.1f} µs -> ratio {f / b:.2f} (target <= 0.65); lost: flowc {lost(sys.argv[2])}, handwritten {lost(sys.argv[1])}")
PY
