// Option values are checked before any command starts (cli/options.ts): a bad one is a usage
// error, exit 2 with commander's one-line message, for every command that takes it, and nothing
// is started (no broker listening, no flow running, no process left hanging).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { brokerCommand } from "./commands/broker.js";
import { main } from "./main.js";
import { listenAddress, wholeNumber } from "./options.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const server = join(root, "examples/tutorial/server.flow");
const client = join(root, "examples/tutorial/client.flow");

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "flowc-options-"));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

async function flowc(args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: { write: (text) => (stdout += String(text)) },
    stderr: { write: (text) => (stderr += String(text)) },
  });
  return { code, stdout, stderr };
}

describe("option values", () => {
  it.each([
    [["run", server, "--broker", "embedded", "--port", "99999"], "--port <port>", "from 0 to 65535"],
    [["run", server, "--port", "abc"], "--port <port>", "from 0 to 65535"],
    [["run", server, "--stats-every", "0"], "--stats-every <seconds>", "from 1 to 86400"],
    [["run", server, "--seed", "1.5"], "--seed <n>", "whole number"],
    [["run", server, "--dashboard", "localhost:"], "--dashboard <[host:]port>", "PORT or HOST:PORT"],
    [["sim", client, "--samples", "-1"], "--samples <n>", "0 or more"],
    [["broker", "--port", "65536"], "--port <port>", "from 0 to 65535"],
  ])("flowc %j exits 2 naming the option", async (args, option, rule) => {
    const { code, stderr } = await flowc(args);
    expect(code).toBe(2);
    expect(stderr).toContain(`error: option '${option}' argument`);
    expect(stderr).toContain(rule);
  });

  it("refuses a secrets file that cannot be read or is malformed, for run, sim and build alike", async () => {
    const malformed = join(folder, "bad.json");
    await writeFile(malformed, "{ nope");
    for (const command of [
      ["run", server],
      ["sim", client],
      ["build", client, "--target", "esp8266", "-o", folder],
    ]) {
      const missing = await flowc([...command, "--secrets", join(folder, "missing.json")]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(`Cannot read ${join(folder, "missing.json")}: no such file.`);
      const bad = await flowc([...command, "--secrets", malformed]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(`secrets file ${malformed} is not valid JSON`);
      expect(bad.stderr).not.toContain("nope");
    }
  });

  it("reads PORT and HOST:PORT, loopback unless a host is given", () => {
    expect(listenAddress("8080")).toEqual({ host: "127.0.0.1", port: 8080 });
    expect(listenAddress("0.0.0.0:0")).toEqual({ host: "0.0.0.0", port: 0 });
    expect(listenAddress("[::1]:9000")).toEqual({ host: "::1", port: 9000 });
    expect(() => listenAddress("8080:host")).toThrow("PORT or HOST:PORT");
    expect(wholeNumber(1, 3)("3")).toBe(3);
    expect(() => wholeNumber(1, 3)(" ")).toThrow("from 1 to 3");
  });
});

describe("flowc broker's exposure", () => {
  async function broker(options: Parameters<typeof brokerCommand>[0], env: NodeJS.ProcessEnv = {}) {
    let stderr = "";
    const code = await brokerCommand(
      { port: 0, ...options },
      { stdout: { write: () => true }, stderr: { write: (text) => (stderr += String(text)) } },
      Promise.resolve(),
      env,
    );
    return { code, stderr };
  }

  it("says nothing on loopback, and warns of every gap on another address", async () => {
    expect((await broker({})).stderr).not.toContain("warning");
    const open = await broker({ host: "0.0.0.0" });
    expect(open.code).toBe(0);
    expect(open.stderr).toContain("warning: 0.0.0.0 is reachable from the network");
    expect(open.stderr).toContain("add --username");
    expect(open.stderr).toContain("add --tls-cert and --tls-key");
    const guarded = await broker({ host: "0.0.0.0", username: "board" }, { FLOWC_BROKER_PASSWORD: "pw" });
    expect(guarded.stderr).not.toContain("add --username");
    expect(guarded.stderr).toContain("add --tls-cert");
  });

  it("exits 2 for a user without a password, or a certificate without its key", async () => {
    expect(await broker({ username: "board" })).toEqual({
      code: 2,
      stderr: "flowc broker: --username needs a password: FLOWC_BROKER_PASSWORD=... or --password-file FILE\n",
    });
    expect((await broker({ tlsCert: "x.crt" })).code).toBe(2);
  });
});
