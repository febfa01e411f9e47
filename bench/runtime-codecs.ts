// The per-message choices of the Node runtime against their alternatives, in ns per operation:
// how a CSV row is quoted, how payload bytes become text (with non-UTF-8 detected), and how a
// payload is decoded and checked against SensorEvent. Each pair runs in alternating rounds, so a
// burst of load on the machine slows both alike; the medians are printed.
//
//   npx tsx bench/runtime-codecs.ts [rounds=15]
import { stringify } from "csv-stringify/sync";
import { stringify as streamStringify } from "csv-stringify";
import { SensorEvent } from "../compiler/types.js";
import { csvField } from "../runtime/files.js";
import { decoderFor, utf8Text } from "../runtime/wire.js";

const rounds = Number(process.argv[2] ?? 15);
const perRound = 200_000;

const rows = Array.from(
  { length: 1000 },
  (_, i) => [1795588433.916 + i / 1000, "2026-11-25T06:33:53.916000", `lux-${i % 10}`, 284.1312 + (i % 100)] as const,
);
const payloads = rows.map(([, , id, val], i) => Buffer.from(JSON.stringify([id, i, val])));
const texts = payloads.map((payload) => payload.toString());

let sink = 0;

/** Median ns per call of each candidate, measured in alternating rounds. */
function compare(candidates: Record<string, (i: number) => void>): void {
  const times = new Map(Object.keys(candidates).map((name) => [name, [] as number[]]));
  for (let round = 0; round < rounds + 2; round++) {
    for (const [name, run] of Object.entries(candidates)) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < perRound; i++) run(i);
      const elapsed = Number(process.hrtime.bigint() - started) / perRound;
      if (round >= 2) times.get(name)!.push(elapsed);
    }
  }
  for (const [name, values] of times) {
    const sorted = [...values].sort((a, b) => a - b);
    console.log(`  ${name.padEnd(52)} ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0).padStart(6)} ns`);
  }
}

console.log(`median of ${rounds} rounds of ${perRound} operations, node ${process.version}`);

console.log("one CSV row of the tutorial's columns");
const streamed: string[] = [];
const stream = streamStringify();
stream.on("data", (chunk: Buffer | string) => streamed.push(String(chunk)));
compare({
  "csvField fast path (csv-stringify only when needed)": (i) => {
    const [ts, iso, id, val] = rows[i % 1000]!;
    sink += `${ts},${iso},${csvField(id)},${val}`.length;
  },
  "csv-stringify/sync per row": (i) => {
    sink += stringify([rows[i % 1000]!]).length;
  },
  "csv-stringify stream, write per row": (i) => {
    stream.write(rows[i % 1000]!);
    if (streamed.length > 1000) streamed.length = 0;
  },
});

console.log("payload bytes to text, refusing non-UTF-8");
const fatal = new TextDecoder("utf-8", { fatal: true });
compare({
  "utf8Text (native decode, strict check only on U+FFFD)": (i) => {
    sink += utf8Text(payloads[i % 1000]!)!.length;
  },
  "TextDecoder fatal": (i) => {
    sink += fatal.decode(payloads[i % 1000]!).length;
  },
});

console.log("payload text to a checked SensorEvent");
const decoder = decoderFor(SensorEvent);
compare({
  "decoderFor(SensorEvent) (generated checks)": (i) => {
    sink += decoder.decode(texts[i % 1000]!) === undefined ? 0 : 1;
  },
  "JSON.parse alone (no checks, the hand-written baseline)": (i) => {
    sink += (JSON.parse(texts[i % 1000]!) as unknown[]).length;
  },
});

if (sink === 0) console.log("(nothing measured)");
