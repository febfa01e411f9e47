import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CommandStreams } from "../io.js";
import { fmtCommand } from "./fmt.js";

// A pipeline of more than two stages is written one stage per line (issue 12 §8).
const canonical = 'mqtt "sensor-data"\n  -> json as SensorEvent\n  -> print\n';
const messy = 'mqtt   "sensor-data"->json as SensorEvent\n  -> print\n';

function capture(): CommandStreams & { out: string; err: string } {
  const streams = {
    out: "",
    err: "",
    stdout: { write: (text: string) => (streams.out += text) },
    stderr: { write: (text: string) => (streams.err += text) },
  };
  return streams;
}

describe("flowc fmt", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowc-fmt-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  }

  it("prints the formatted text by default and changes nothing", async () => {
    const path = await file("a.flow", messy);
    const streams = capture();
    expect(await fmtCommand([path], {}, streams)).toBe(0);
    expect(streams.out).toBe(canonical);
    expect(await readFile(path, "utf8")).toBe(messy);
  });

  it("--check lists the files that would change and exits 1", async () => {
    const good = await file("good.flow", canonical);
    const bad = await file("bad.flow", messy);
    const streams = capture();
    expect(await fmtCommand([good, bad], { check: true }, streams)).toBe(1);
    expect(streams.out).toBe(`${bad}\n`);
    expect(await readFile(bad, "utf8")).toBe(messy);
  });

  it("--check exits 0 when every file is formatted", async () => {
    const streams = capture();
    expect(await fmtCommand([await file("good.flow", canonical)], { check: true }, streams)).toBe(0);
    expect(streams.out).toBe("");
  });

  it("--write rewrites the files that change and lists them", async () => {
    const good = await file("good.flow", canonical);
    const bad = await file("bad.flow", messy);
    const streams = capture();
    expect(await fmtCommand([good, bad], { write: true }, streams)).toBe(0);
    expect(streams.out).toBe(`${bad}\n`);
    expect(await readFile(bad, "utf8")).toBe(canonical);
  });

  it("reports syntax errors with the compiler's diagnostics, exits 1 and still formats the rest", async () => {
    const broken = await file("broken.flow", "sim every 1s ->\n");
    const bad = await file("bad.flow", messy);
    const streams = capture();
    expect(await fmtCommand([broken, bad], { write: true }, streams)).toBe(1);
    expect(streams.err).toContain("error[E2");
    expect(streams.err).toContain(`${broken} has syntax errors`);
    expect(await readFile(broken, "utf8")).toBe("sim every 1s ->\n");
    expect(await readFile(bad, "utf8")).toBe(canonical);
  });

  it("reads nothing when a file is missing, and exits 2", async () => {
    const bad = await file("bad.flow", messy);
    const streams = capture();
    expect(await fmtCommand([bad, join(dir, "missing.flow")], { write: true }, streams)).toBe(2);
    expect(streams.err).toContain("cannot read");
    expect(await readFile(bad, "utf8")).toBe(messy);
  });

  it("follows the project's Prettier configuration", async () => {
    await file(".prettierrc.json", JSON.stringify({ printWidth: 30, overrides: [] }));
    const path = await file("a.flow", canonical);
    const streams = capture();
    expect(await fmtCommand([path], {}, streams)).toBe(0);
    expect(streams.out).toBe('mqtt "sensor-data"\n  -> json as SensorEvent\n  -> print\n');
  });
});
