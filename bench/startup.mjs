// Cold start of `flowc check` on the tutorial's server.flow against a bare `node -e 0`, measured in
// the same run so the machine's speed cancels out. Target: at most 1.5 times node's own start.
// `flowc --version` shows what the CLI shell costs before the compiler is loaded.
//
//   node bench/startup.mjs [runs=15]
import { ensureBuilt, median, ms, timeInTurns } from "./bench-support.mjs";

const runs = Number(process.argv[2] ?? 15);
await ensureBuilt();

const commands = {
  "node -e 0": ["node", "-e", "0"],
  "flowc --version": ["node", "bin/flowc.js", "--version"],
  "flowc check server.flow": ["node", "bin/flowc.js", "check", "examples/tutorial/server.flow"],
};
const times = timeInTurns(Object.values(commands), { runs, warmup: 3 });
const medians = times.map(median);
const node = medians[0];

console.log(`start-up, median of ${runs} runs each (after 3 warm-up runs), node ${process.version}`);
Object.keys(commands).forEach((name, index) => {
  console.log(`  ${name.padEnd(26)} ${ms(medians[index]).padStart(10)}  ${(medians[index] / node).toFixed(2)}x node`);
});
const ratio = medians[2] / node;
console.log(`flowc check / node -e 0: ${ratio.toFixed(2)}x (target <= 1.5x: ${ratio <= 1.5 ? "met" : "not met"})`);
