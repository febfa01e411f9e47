import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countOf, readSourceFiles, useColor, type CommandStreams } from "./io.js";

const terminal = { write: () => true, isTTY: true };
const pipe = { write: () => true, isTTY: false };

describe("useColor", () => {
  it("colours a terminal and not a pipe", () => {
    expect(useColor(terminal, { env: {} })).toBe(true);
    expect(useColor(pipe, { env: {} })).toBe(false);
  });

  it("lets --no-color and NO_COLOR turn colour off, even when FORCE_COLOR is set", () => {
    expect(useColor(terminal, { flag: false, env: {} })).toBe(false);
    expect(useColor(terminal, { env: { NO_COLOR: "1" } })).toBe(false);
    expect(useColor(terminal, { env: { NO_COLOR: "1", FORCE_COLOR: "1" } })).toBe(false);
  });

  it("lets FORCE_COLOR colour a pipe unless it says 0 or false", () => {
    expect(useColor(pipe, { env: { FORCE_COLOR: "1" } })).toBe(true);
    expect(useColor(pipe, { env: { FORCE_COLOR: "" } })).toBe(true);
    expect(useColor(pipe, { env: { FORCE_COLOR: "0" } })).toBe(false);
    expect(useColor(terminal, { env: { FORCE_COLOR: "false" } })).toBe(true);
  });

  it("ignores an empty NO_COLOR, as no-color.org asks", () => {
    expect(useColor(terminal, { env: { NO_COLOR: "" } })).toBe(true);
  });
});

describe("readSourceFiles", () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "flowc-io-"));
    await writeFile(join(folder, "a.flow"), "interval 1s -> print\n");
    await mkdir(join(folder, "folder.flow"));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  function capture(): CommandStreams & { errors: string[] } {
    const errors: string[] = [];
    return { errors, stdout: pipe, stderr: { write: (text: string) => errors.push(text) } };
  }

  it("returns the files' bytes in command-line order, for the compiler to decode", async () => {
    const streams = capture();
    const path = join(folder, "a.flow");
    const bytes = Buffer.from("interval 1s -> print\n");
    expect(await readSourceFiles([path, path], "check", streams)).toEqual([
      { path, bytes },
      { path, bytes },
    ]);
    expect(streams.errors).toEqual([]);
  });

  it("reports every unreadable file with the reason and returns nothing", async () => {
    const streams = capture();
    const missing = join(folder, "missing.flow");
    const directory = join(folder, "folder.flow");
    const inputs = await readSourceFiles([missing, join(folder, "a.flow"), directory], "graph", streams);
    expect(inputs).toBeUndefined();
    expect(streams.errors).toEqual([
      `flowc graph: cannot read ${missing}: no such file\n`,
      `flowc graph: cannot read ${directory}: it is a directory\n`,
    ]);
  });
});

describe("countOf", () => {
  it("puts the noun in the plural except for one", () => {
    expect([0, 1, 2].map((n) => countOf(n, "error"))).toEqual(["0 errors", "1 error", "2 errors"]);
  });
});
