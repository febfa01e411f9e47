// Sinks that fail. A file that cannot be opened stops the run at start, naming it. A disk that
// fills up mid-run (a tiny tmpfs, a file size limit set by prlimit, or /dev/full) is reported by
// file name; the rows wait in memory and are written when space returns, so nothing is lost; if
// the run is stopped first, it exits 1 saying how many rows it could not write. Never a crash, a
// restart loop or a partial line.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  capturedOutput,
  compileFlows,
  fileLines,
  flowc,
  killStartedProcesses,
  startFlowc,
  temporaryFolder,
  until,
  type FlowcProcess,
} from "./support.js";
import { runProgram } from "../support/catalogue.js";

/**
 * Mounts a tmpfs of `bytes` at `path` and returns the function that unmounts it, or `undefined`
 * where this process may not mount (not root, or a container without CAP_SYS_ADMIN).
 */
function mountTinyTmpfs(path: string, bytes: number): (() => void) | undefined {
  mkdirSync(path, { recursive: true });
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", path], { stdio: "ignore" });
  } catch {
    return undefined;
  }
  return () => execFileSync("umount", ["--lazy", path], { stdio: "ignore" });
}

const canMountTmpfs = (() => {
  const probe = temporaryFolder("flowc-tmpfs-probe-");
  try {
    const unmount = mountTinyTmpfs(probe.path, 4096);
    unmount?.();
    return unmount !== undefined;
  } finally {
    probe.dispose();
  }
})();
if (!canMountTmpfs) console.warn("sinks.test: cannot mount a tmpfs here (needs root); the full-disk test is skipped");

const hasPrlimit = (() => {
  try {
    execFileSync("prlimit", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** Bytes a process started under it may write into one file: room for about 70 rows. */
const fileSizeLimit = 1024;
const rows = 2000;

let folder: ReturnType<typeof temporaryFolder>;
beforeEach(() => {
  folder = temporaryFolder();
  writeFileSync(
    join(folder.path, "in.csv"),
    "sensor_id,ts,val\n" + Array.from({ length: rows }, (_, i) => `s-1,${1_700_000_000 + i},${i}\n`).join(""),
  );
});
afterEach(() => {
  killStartedProcesses();
  folder.dispose();
});

const writeFlow = (name: string, text: string) => writeFileSync(join(folder.path, name), text);

describe("an output file that cannot be opened", () => {
  it.each([
    [
      "a regular file stands where a directory should be",
      "blocker/out.csv",
      "a part of the path is not a directory (ENOTDIR)",
    ],
    ["the path is a directory", "taken", "it is a directory (EISDIR)"],
  ])("stops the run at start with one line naming it: %s", async (_case, output, reason) => {
    writeFileSync(join(folder.path, "blocker"), "");
    mkdirSync(join(folder.path, "taken"));
    writeFlow("flow.flow", `csv "in.csv" as SensorEvent -> csv "${output}"\n`);
    const { code, stdout, stderr } = await flowc(["run", "flow.flow"], { cwd: folder.path });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(`flowc run: cannot open ${output}: ${reason}\n`);
  });
});

/** Row i of the flows below: a counter, made wide to fill the file sooner. */
const counterRow = (i: number) => String(i * 1e12);

/**
 * Waits until `flow` (writing counterRow(0), counterRow(1), … to `file` in the test's folder)
 * cannot write, calls `makeRoom`, and checks that it recovers and, stopped with SIGTERM, exits 0
 * with every row once, in order, each line whole. Returns what it logged.
 */
async function recoversOnceSpaceReturns(flow: FlowcProcess, file: string, makeRoom: () => void): Promise<string> {
  await until(() => flow.output().stderr.includes(`cannot write to ${file}`), "the write failure");
  makeRoom();
  await until(() => flow.output().stderr.includes(`writing to ${file} again`), "the recovery");
  const written = () => fileLines(join(folder.path, file));
  const rowsAtRecovery = written().length;
  await until(() => written().length > rowsAtRecovery + 100, "rows after the recovery");
  flow.child.kill("SIGTERM");
  const { code, stderr } = await flow.finished;
  expect(code).toBe(0);
  // A failed write is cut back to whole lines, and its rows written once when space returns.
  const [header, ...rows] = written();
  expect(header).toBe("value");
  expect(rows).toEqual(rows.map((_, i) => counterRow(i)));
  return stderr;
}

describe.runIf(canMountTmpfs)("a disk that fills up mid-run (a 64 KiB tmpfs)", () => {
  let disk: string;
  let unmount: (() => void) | undefined;
  beforeEach(() => {
    disk = join(folder.path, "disk");
    unmount = mountTinyTmpfs(disk, 64 * 1024);
  });
  afterEach(() => unmount?.());

  it("keeps the rows in memory, retries, and writes every one once files are removed", async () => {
    // Everything but a few rows' room goes to another file, as a log filling the disk would.
    writeFileSync(join(disk, "filler"), Buffer.alloc(60 * 1024));
    writeFlow("flow.flow", 'interval 10ms -> map it * 1000000000000 -> csv "disk/out.csv"\n');
    const flow = startFlowc(["run", "flow.flow"], { cwd: folder.path });
    const stderr = await recoversOnceSpaceReturns(flow, "disk/out.csv", () => rmSync(join(disk, "filler")));
    expect(stderr).toMatch(
      /^flowc: \[csv "disk\/out\.csv"\] error: cannot write to disk\/out\.csv: no space left on the device \(ENOSPC\); keeping \d+ row\(s\) in memory and trying again in 1s$/m,
    );
  });
});

describe.runIf(hasPrlimit)("a disk that fills up mid-run (a file size limit)", () => {
  // A live source that cannot wait, whose rows show any gap.
  const run = () => {
    writeFlow("flow.flow", 'interval 10ms -> map it * 1000000000000 -> csv "out.csv"\n');
    return startFlowc(["run", "flow.flow", "--stats", "--stats-every", "3600"], {
      cwd: folder.path,
      // Only the soft limit, which the test may raise again without privileges.
      wrapper: ["prlimit", `--fsize=${fileSizeLimit}:unlimited`, "--"],
    });
  };
  const written = () => fileLines(join(folder.path, "out.csv"));

  it("keeps the rows in memory, retries, and writes every one once space returns", async () => {
    const flow = run();
    // Space returns: the limit is lifted from the running process.
    const stderr = await recoversOnceSpaceReturns(flow, "out.csv", () =>
      execFileSync("prlimit", ["--pid", String(flow.child.pid), "--fsize=unlimited"]),
    );
    expect(stderr).toMatch(
      /^flowc: \[csv "out\.csv"\] error: cannot write to out\.csv: the file is larger than this process may write \(EFBIG\); keeping \d+ row\(s\) in memory and trying again in 1s$/m,
    );
    expect(stderr).toMatch(/^flowc: \[csv "out\.csv"\] warning: writing to out\.csv again; no row was lost$/m);
  });

  it("stopped while the disk is still full: exits 1 naming the file and how many rows it could not write", async () => {
    const flow = run();
    await until(() => flow.output().stderr.includes("cannot write to out.csv"), "the write failure");
    flow.child.kill("SIGTERM");
    const { code, stderr } = await flow.finished;
    expect(code).toBe(1);
    const unwritten = Number(
      /^flowc run: cannot write to out\.csv: the file is larger than this process may write \(EFBIG\); (\d+) row\(s\) could not be written$/m.exec(
        stderr,
      )?.[1],
    );
    expect(unwritten).toBeGreaterThan(0);
    // Whole lines only, and with the rows counted as unwritten, every row the sink received.
    const [header, ...rows] = written();
    expect(header).toBe("value");
    expect(rows).toEqual(rows.map((_, i) => counterRow(i)));
    const received = Number(/^n\d+ csv "out\.csv"\s+(\d+)/m.exec(stderr)?.[1]);
    expect(rows.length + unwritten).toBe(received);
    // Reported at the failure and at each retry (with backoff), not once per row.
    expect(stderr.split("\n").filter((line) => line.includes("cannot write to out.csv")).length).toBeLessThan(10);
  });
});

describe.runIf(existsSync("/dev/full"))("a device with no space at all (/dev/full), in process", () => {
  it("ends the run, when stopped, with the file, the reason and the count of unwritten rows", async () => {
    const io = capturedOutput();
    const flow = await runProgram(
      // A source that cannot wait, so rows reach the sink however the failure and the source race.
      compileFlows(`sim "s" every 10ms -> csv "/dev/full"\n`),
      io.options,
    );
    const sink = () => flow.stats.find((stage) => stage.label === 'csv "/dev/full"')!;
    await until(() => io.stderr.some((line) => line.includes("cannot write to /dev/full")), "the write failure");
    await until(() => sink().in > 0, "a row at the sink");
    await flow.stop();
    const error = await flow.done.catch((thrown: unknown) => thrown as Error);
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(
      /^cannot write to \/dev\/full: no space left on the device \(ENOSPC\); \d+ row\(s\) could not be written$/,
    );
    expect(sink().dropped).toBe(sink().in);
  });
});
