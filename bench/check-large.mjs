// Parse and check time for a 10,000-line .flow file: through the compiler API in-process (target:
// under 0.5 s) and through `flowc check` as a user runs it. The file is generated into a temporary
// folder from realistic blocks (schemas, constants, named streams, pipelines with windows,
// fan-outs and expressions), each block with its own names so the whole file checks clean.
//
//   node bench/check-large.mjs [lines=10000] [runs=5]
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build as esbuild } from "esbuild";
import { cataloguePlugin } from "../scripts/catalogue.mjs";
import { ensureBuilt, median, ms, root, timeInTurns } from "./bench-support.mjs";

const targetLines = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 5);

/** One greenhouse zone: about a dozen lines, every name suffixed with the zone number. */
function zone(n) {
  return `# zone ${n}: light, temperature and door
schema Reading${n} { sensor_id: string, ts: number, val: number, zone: int }
let limit${n} = ${n % 40} * 25 + 500
let lux${n} = sim "lux-${n}" every ${(n % 9) + 1}s shape random_walk value 300 step 5
  -> calibrate scale 1.02 offset -${n % 7}
  -> moving_avg 5
lux${n} -> filter val > limit${n} and sensor_id != "test" -> throttle 1min -> to_json -> mqtt "alerts/${n}" qos 1
lux${n} -> avg over 10 -> set ts = now(), val = round(val, 2) -> [print "avg-${n}", csv "zone-${n}.csv"]
sim "temp-${n}" every 30s value 21 amplitude 3 -> mqtt "zones/${n}/temp"
mqtt "zones/${n}/temp"
  -> json as SensorEvent
  -> delta 0.5 by sensor_id
  -> map Reading${n} { sensor_id: sensor_id, ts: ts, val: val * 1.8 + 32, zone: ${n} }
  -> [jsonl "zone-${n}.jsonl", filter val > 90 or val < 40 -> print "out-of-range-${n}"]
interval ${(n % 50) + 1}s -> take 3 -> map { tick: it, zone: ${n}, label: "z" + str(${n}) } -> print
`;
}

function generate(lines) {
  const blocks = [];
  let count = 0;
  for (let n = 1; count < lines; n++) {
    const block = zone(n);
    blocks.push(block);
    count += block.split("\n").length - 1;
  }
  return { text: blocks.join(""), lines: count };
}

await ensureBuilt();
const { compile: compileWith, parseSource, registry, SourceFile } = await import("../dist/index.js");
const components = registry();
const compile = (inputs) => compileWith(inputs, { registry: components });

const { text, lines } = generate(targetLines);
const folder = await mkdtemp(join(tmpdir(), "flowc-bench-"));
const file = join(folder, "large.flow");
await writeFile(file, text);

try {
  const result = compile([{ path: file, text }]);
  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  console.log(
    `${lines} lines, ${(text.length / 1024).toFixed(0)} kB, ${result.asts[0].statements.length} statements; ` +
      `${errors} errors, ${result.diagnostics.length - errors} warnings`,
  );
  if (errors > 0) console.log(`  first: ${result.diagnostics.find((d) => d.severity === "error").message}`);

  const parseTimes = [];
  const compileTimes = [];
  for (let run = 0; run < runs; run++) {
    let started = performance.now();
    parseSource(new SourceFile(file, text));
    parseTimes.push(performance.now() - started);
    started = performance.now();
    compile([{ path: file, text }]);
    compileTimes.push(performance.now() - started);
  }
  const inProcess = median(compileTimes);
  console.log(`in-process, median of ${runs} (after one warm-up):`);
  console.log(`  parse                    ${ms(median(parseTimes)).padStart(10)}`);
  console.log(
    `  compile (parse+check+IR) ${ms(inProcess).padStart(10)}  (target < 500 ms: ${inProcess < 500 ? "met" : "not met"})`,
  );

  const stagesBundle = join(folder, "compile-stages.mjs");
  await esbuild({
    entryPoints: [join(root, "bench", "compile-stages.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: stagesBundle,
    plugins: [cataloguePlugin],
    logLevel: "warning",
  });
  const { timeStages } = await import(stagesBundle);
  const stageRuns = Array.from({ length: runs }, () => timeStages(file, text));
  console.log(
    `  by stage: ${Object.keys(stageRuns[0])
      .map((stage) => `${stage} ${ms(median(stageRuns.map((r) => r[stage])))}`)
      .join(", ")}`,
  );

  const [cli] = timeInTurns([["node", join(root, "bin", "flowc.js"), "check", file]], { runs, warmup: 1 });
  console.log(`flowc check large.flow, wall, median of ${runs}: ${ms(median(cli)).padStart(10)}`);
} finally {
  await rm(folder, { recursive: true, force: true });
}
