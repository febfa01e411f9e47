// The smallest free heap in which the tutorial client boots and runs 1,000 samples, on a MicroPython
// whose garbage collector runs inside calls as a board's does, for four programs: the publish loop
// written by hand of bench/esp8266-mpy.ts (with the same precompiled driver), and the flowc bundle
// as source (--py), precompiled (.mpy, the default) and with its .mpy files in a ROMFS image (what
// `flowc deploy` puts on firmware with a ROMFS partition: bytecode then runs from flash rather than
// being copied into the heap). bench/esp8266-mpy.ts cannot find this figure: its WebAssembly
// MicroPython grows its heap on demand and collects only between calls (see its header).
//
// Each trial (bench/esp8266-heap/trial.py) fills the heap with ballast but for a given number of
// bytes, left in one piece as after a board's boot, then imports main, calls setup() and 1,000 ×
// step() against stand-ins for the board's modules (bench/esp8266-heap/board.py); a bisection finds
// the fewest bytes free in which that runs out of memory nowhere, neither in an exception that
// escapes nor in one the bundle reports and carries on from. What the stand-ins leave out (umqtt's
// socket and buffers, the WiFi stack) would cost every program the same: the differences are the
// figures to read. MicroPython's qstr pools grow by doubling, so a program's names may or may not
// take a new pool of 1 to 5 KB depending on how many names were interned before main.py, which a
// board does not tell: every program is measured from the same 20 starting states (the stand-ins
// and the trial intern about 90 names themselves; each state adds 0 to 380 more), and the median
// is the headline.
//
// Target (issue 13): booting needs no more than the bare loop + 1 KB.
//
// The MicroPython is the unix port built 32-bit with the ESP8266's object model (31-bit small
// ints, floats in the object word, single precision), so objects take the board's sizes:
//
//   git clone https://github.com/micropython/micropython && cd micropython
//   make -C mpy-cross
//   cd ports/unix && make -j2 VARIANT=standard BUILD=build-32 \
//     CFLAGS_EXTRA="-m32 -DMICROPY_OBJ_REPR=MICROPY_OBJ_REPR_C -DMICROPY_FLOAT_IMPL=MICROPY_FLOAT_IMPL_FLOAT" \
//     LDFLAGS_EXTRA=-m32 MICROPY_PY_FFI=0 MICROPY_PY_BTREE=0 MICROPY_PY_SSL=0 MICROPY_SSL_AXTLS=0 \
//     MICROPY_SSL_MBEDTLS=0 FROZEN_MANIFEST= MICROPY_PY_THREAD=0
//
// (Debian: gcc-multilib.) Then, where the kernel runs 32-bit binaries directly:
//
//   MICROPYTHON_UNIX=$PWD/build-32/micropython npm run bench:esp8266-heap
//
// and where it does not, through QEMU's user mode (Debian: qemu-user):
//
//   MICROPYTHON_UNIX=… MICROPYTHON_UNIX_RUNNER="qemu-i386 -L /" npm run bench:esp8266-heap
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { BundleFile } from "../targets/esp8266/bundle.js";
import { isBoardFile, precompileBundle } from "../targets/esp8266/precompile.js";
import { romfsImage } from "../targets/esp8266/romfs.js";
import { bareLoop, tutorialClientSource } from "./esp8266-tutorial.js";

const samples = 1000;
const qstrStates = Array.from({ length: 20 }, (_, i) => i * 20);
// Room for the stand-ins, the trial and the ceiling: the ballast takes what the trial does not let free.
const heapSize = "96k";
// More than any program here needs (more than an ESP8266 has free, too).
const ceilingBytes = 48 * 1024;
// The GC's allocation unit on a 32-bit port: no finer figure exists.
const blockBytes = 16;
const execFileAsync = promisify(execFile);
const trialScript = fileURLToPath(new URL("esp8266-heap/trial.py", import.meta.url));

const buildInstructions = `bench:esp8266-heap needs MicroPython's unix port built 32-bit with the ESP8266's object model:

  git clone https://github.com/micropython/micropython && cd micropython
  make -C mpy-cross
  cd ports/unix && make -j2 VARIANT=standard BUILD=build-32 \\
    CFLAGS_EXTRA="-m32 -DMICROPY_OBJ_REPR=MICROPY_OBJ_REPR_C -DMICROPY_FLOAT_IMPL=MICROPY_FLOAT_IMPL_FLOAT" \\
    LDFLAGS_EXTRA=-m32 MICROPY_PY_FFI=0 MICROPY_PY_BTREE=0 MICROPY_PY_SSL=0 MICROPY_SSL_AXTLS=0 \\
    MICROPY_SSL_MBEDTLS=0 FROZEN_MANIFEST= MICROPY_PY_THREAD=0

(Debian: gcc-multilib), then run it with MICROPYTHON_UNIX=/path/to/build-32/micropython, adding
MICROPYTHON_UNIX_RUNNER="qemu-i386 -L /" (Debian: qemu-user) where the kernel cannot run 32-bit binaries.`;

interface Program {
  readonly label: string;
  /** The board's file system. */
  readonly files: readonly BundleFile[];
  /** Files in a ROMFS image, when there is one. */
  readonly romfs?: readonly BundleFile[];
  /** Held to issue 13's target. */
  readonly judged?: boolean;
}

interface PlacedProgram extends Program {
  readonly folder: string;
  readonly image?: string;
  readonly flashBytes: number;
}

interface Trial {
  readonly outOfMemory: boolean;
  /** gc.mem_free() once the ballast is placed: the heap the program booted in. */
  readonly freeAtBoot: number;
}

const micropython = process.env.MICROPYTHON_UNIX;
if (!micropython) {
  console.log(buildInstructions);
} else {
  const runner = (process.env.MICROPYTHON_UNIX_RUNNER ?? "").split(/\s+/).filter(Boolean);
  await bench([...runner, micropython]);
}

async function bench(command: readonly string[]): Promise<void> {
  const started = performance.now();
  const programs = await tutorialPrograms();
  const scratch = await mkdtemp(join(tmpdir(), "flowc-esp8266-heap-"));
  try {
    const placed = await Promise.all(programs.map((program, i) => place(program, join(scratch, `program-${i}`))));
    const version = await micropythonVersion(command);
    let trials = 0;
    const runTrial = async (program: PlacedProgram, bytesFree: number, qstrs: number): Promise<Trial> => {
      trials++;
      return trial(command, program, bytesFree, qstrs);
    };
    const jobs = qstrStates.flatMap((qstrs) =>
      placed.map((program) => () => smallestFreeHeap(program, qstrs, runTrial)),
    );
    const figures = await inParallel(jobs, availableParallelism());
    const byProgram = placed.map((program, i) => ({
      program,
      stats: statistics(figures.filter((_, job) => job % placed.length === i)),
    }));
    report(byProgram, version);
    console.log(`  ${trials} trials in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function tutorialPrograms(): Promise<Program[]> {
  const source = tutorialClientSource();
  const precompiled = await precompileBundle(source);
  const onBoard = (files: readonly BundleFile[]) => files.filter((file) => isBoardFile(file.path));
  const mpy = onBoard(precompiled.files);
  // The same driver file the .mpy bundle ships, so the comparison is of everything around it.
  const driver = mpy.find((file) => file.path === "tsl2591.mpy")!;
  const bytecode = (file: BundleFile) => file.path.endsWith(".mpy");
  return [
    { label: "bare publish loop", files: [{ path: "main.py", contents: bareLoop }, driver] },
    { label: "flowc bundle, --py", files: onBoard(source.files) },
    { label: "flowc bundle, .mpy", files: mpy, judged: true },
    {
      label: "flowc bundle, ROMFS",
      files: mpy.filter((file) => !bytecode(file)),
      romfs: mpy.filter(bytecode),
      judged: true,
    },
  ];
}

async function place(program: Program, folder: string): Promise<PlacedProgram> {
  await mkdir(folder);
  await Promise.all(program.files.map((file) => writeFile(join(folder, file.path), file.contents)));
  let flashBytes = program.files.reduce((sum, file) => sum + bytes(file.contents).byteLength, 0);
  if (!program.romfs) return { ...program, folder, flashBytes };
  // Beside the folder rather than in it: on the board it is a partition of its own.
  const image = `${folder}.romfs`;
  const contents = romfsImage(program.romfs.map((file) => ({ path: file.path, contents: bytes(file.contents) })));
  await writeFile(image, contents);
  flashBytes += contents.byteLength;
  return { ...program, folder, image, flashBytes };
}

function bytes(contents: string | Uint8Array): Uint8Array {
  return typeof contents === "string" ? Buffer.from(contents) : contents;
}

/**
 * Bisects the bytes free between nothing and `ceilingBytes` to one GC block, and returns the heap
 * the smallest trial that ran booted in. Whether a program runs need not be monotonic in the bytes
 * free (where its long-lived blocks land decides the pieces left), so this is an edge the bisection
 * meets rather than a proven minimum.
 */
async function smallestFreeHeap(
  program: PlacedProgram,
  qstrs: number,
  runTrial: (program: PlacedProgram, bytesFree: number, qstrs: number) => Promise<Trial>,
): Promise<number> {
  const ceiling = await runTrial(program, ceilingBytes, qstrs);
  if (ceiling.outOfMemory) throw new Error(`${program.label} ran out of memory with ${kb(ceilingBytes)} free`);
  let failing = 0;
  let running = ceilingBytes;
  let smallest = ceiling.freeAtBoot;
  while (running - failing > blockBytes) {
    const middle = failing + Math.floor((running - failing) / 2 / blockBytes) * blockBytes;
    const result = await runTrial(program, middle, qstrs);
    if (result.outOfMemory) {
      failing = middle;
    } else {
      running = middle;
      smallest = result.freeAtBoot;
    }
  }
  return smallest;
}

async function trial(
  command: readonly string[],
  program: PlacedProgram,
  bytesFree: number,
  qstrs: number,
): Promise<Trial> {
  const [file, ...args] = [
    ...command,
    "-X",
    `heapsize=${heapSize}`,
    trialScript,
    program.folder,
    String(bytesFree),
    String(qstrs),
    ...(program.image ? [program.image] : []),
  ];
  const described = `${program.label}, ${bytesFree} bytes free, ${qstrs} qstrs`;
  let output: string;
  try {
    const { stdout, stderr } = await execFileAsync(file!, args, { maxBuffer: 64 * 1024 * 1024 });
    output = stdout + stderr;
  } catch (error) {
    // A stand-in's bug or an error of the program: no heap figure can come of it.
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`trial failed (${described}): ${[file, ...args].join(" ")}\n${tail(stdout + stderr)}`);
  }
  const result = /^trial (ok|out-of-memory) free=(\d+) published=(\d+)$/m.exec(output);
  if (!result) throw new Error(`trial gave no result (${described}):\n${tail(output)}`);
  const outOfMemory = result[1] === "out-of-memory";
  const published = Number(result[3]);
  if (!outOfMemory && published !== samples) {
    throw new Error(
      `trial published ${published} of ${samples} without running out of memory (${described}):\n${tail(output)}`,
    );
  }
  return { outOfMemory, freeAtBoot: Number(result[2]) };
}

function tail(output: string): string {
  return output.trimEnd().split("\n").slice(-30).join("\n");
}

async function micropythonVersion(command: readonly string[]): Promise<string> {
  const [file, ...args] = [...command, "-c", "import sys; print(sys.version.split('MicroPython ')[1].split(' ')[0])"];
  const { stdout } = await execFileAsync(file!, args);
  return stdout.trim();
}

/** Runs the jobs, at most `workers` at a time, and returns their results in order. */
async function inParallel<T>(jobs: readonly (() => Promise<T>)[], workers: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  let failed = false;
  const worker = async () => {
    // After a failure the rest would only add noise to its report.
    while (next < jobs.length && !failed) {
      const index = next++;
      try {
        results[index] = await jobs[index]!();
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, worker));
  return results;
}

interface Statistics {
  readonly median: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

function statistics(values: readonly number[]): Statistics {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return {
    median: sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2,
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    min: sorted[0]!,
    max: sorted.at(-1)!,
  };
}

function kb(bytes: number): string {
  // A difference that rounds to nothing is still one side of a target.
  return bytes > 0 && bytes < 0.05 * 1024 ? "< 0.1 KB" : `${(bytes / 1024).toFixed(1)} KB`;
}

function signedKb(bytes: number): string {
  return `${bytes >= 0 ? "+" : "−"}${kb(Math.abs(bytes))}`;
}

function report(rows: readonly { program: PlacedProgram; stats: Statistics }[], version: string): void {
  const states = `${qstrStates.length} qstr states: ${qstrStates[0]} to ${qstrStates.at(-1)} more names interned before main.py`;
  console.log(
    `tutorial client, smallest free heap to boot and run ${samples.toLocaleString("en")} samples ` +
      `(MicroPython ${version}, unix port with the ESP8266's object model; ${states}):`,
  );
  const columns = ["flash", "median", "mean", "min", "max"];
  console.log(`  ${"".padEnd(22)} ${columns.map((column) => column.padStart(8)).join(" ")}`);
  for (const { program, stats } of rows) {
    const cells = [program.flashBytes, stats.median, stats.mean, stats.min, stats.max];
    console.log(`  ${program.label.padEnd(22)} ${cells.map((value) => kb(value).padStart(8)).join(" ")}`);
  }
  const bare = rows[0]!.stats;
  const averages = ["median", "mean"] as const;
  console.log("  against the bare loop:");
  for (const { program, stats } of rows.slice(1)) {
    const against = averages.map(
      (name) => `${name} ${signedKb(stats[name] - bare[name])} (${(stats[name] / bare[name]).toFixed(2)}×)`,
    );
    console.log(`    ${program.label.padEnd(20)} ${against.join(", ")}`);
  }
  console.log("  target (issue 13): boot in no more than the bare loop + 1 KB");
  for (const { program, stats } of rows.filter(({ program }) => program.judged)) {
    for (const name of averages) {
      const limit = bare[name] + 1024;
      const verdict =
        stats[name] <= limit ? `met, ${kb(limit - stats[name])} to spare` : `not met by ${kb(stats[name] - limit)}`;
      console.log(`    ${`${program.label}, ${name}:`.padEnd(28)} ${kb(stats[name])} against ${kb(limit)}: ${verdict}`);
    }
  }
}
