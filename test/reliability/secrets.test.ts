// Secrets never appear in what flowc prints: run logs and statistics (a working run and refused
// ones), error messages about malformed secrets files and broker URLs, `flowc graph` in every
// format, `flowc check` as text and JSON, and the files `flowc build --target node` writes.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { formatStatsTable } from "../../runtime/stats.js";
import { mosquittoAvailable, mosquittoMissing, startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import {
  capturedOutput,
  compileFlows,
  fileLines,
  flowc,
  killStartedProcesses,
  startFlowc,
  temporaryFolder,
  until,
} from "./support.js";
import { runProgram } from "../support/catalogue.js";

/** The broker's real password, kept in a secrets file. */
const brokerSecret = "s3cret-broker-pass-4b7e9";
/** A wrong password given through FLOWC_SECRET_BROKER_PASSWORD. */
const wrongSecret = "wr0ng-secret-pass-c41d";
/** A password written into a --broker URL. */
const urlSecret = "url-secret-pass-9a2f";
const allSecrets = [brokerSecret, wrongSecret, urlSecret];

function expectNoSecret(output: string, where: string): void {
  for (const secret of allSecrets) {
    if (output.includes(secret)) throw new Error(`${where} shows the secret "${secret}":\n${output}`);
  }
}

describe.skipIf(!mosquittoAvailable)("secrets stay out of every output", () => {
  let folder: ReturnType<typeof temporaryFolder>;
  let broker: Mosquitto;
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => flowc(args, { cwd: folder.path, env });

  beforeAll(async () => {
    folder = temporaryFolder();
    broker = await startMosquitto({ users: { alice: brokerSecret } });
    writeFileSync(
      join(folder.path, "server.flow"),
      `broker "127.0.0.1" port ${broker.port} username "alice" password secret("broker_password")\n` +
        'interval 50ms -> mqtt "secret-test/data" qos 1\n' +
        'mqtt "secret-test/data" qos 1 -> [print, csv "out.csv"]\n',
    );
    writeFileSync(join(folder.path, "secrets.json"), JSON.stringify({ broker_password: brokerSecret }));
  });
  afterAll(async () => {
    await broker?.dispose();
    folder?.dispose();
  });
  afterEach(killStartedProcesses);

  it("flowc run: not in the logs or the statistics of a working run", async () => {
    const running = startFlowc(["run", "server.flow", "--secrets", "secrets.json", "--stats", "--stats-every", "1"], {
      cwd: folder.path,
    });
    await until(() => fileLines(join(folder.path, "out.csv")).length > 3, "rows from the authenticated broker");
    await until(() => running.output().stderr.includes("dropped"), "a statistics table");
    running.child.kill("SIGINT");
    const { code, stdout, stderr } = await running.finished;
    expect(code).toBe(0);
    expectNoSecret(stdout + stderr, "flowc run");
  });

  it("flowc run: not in the errors of refused credentials, from the environment or a --broker URL", async () => {
    const fromEnvironment = await run(["run", "server.flow"], { FLOWC_SECRET_BROKER_PASSWORD: wrongSecret });
    expect(fromEnvironment.code).toBe(1);
    expect(fromEnvironment.stderr).toMatch(/refused the connection/);
    expectNoSecret(fromEnvironment.stdout + fromEnvironment.stderr, "a refused run");

    const fromUrl = await run(
      [
        "run",
        "server.flow",
        "--secrets",
        "secrets.json",
        "--broker",
        `mqtt://alice:${urlSecret}@127.0.0.1:${broker.port}`,
      ],
      {},
    );
    expect(fromUrl.code).toBe(1);
    expect(fromUrl.stderr).toMatch(/refused the connection/);
    expectNoSecret(fromUrl.stdout + fromUrl.stderr, "a run refused with a --broker URL");
  });

  it("flowc run: not in the errors about a broker URL or a secrets file it cannot use", async () => {
    const badScheme = await run(["run", "server.flow", "--broker", `mqtp://alice:${urlSecret}@127.0.0.1:1`]);
    expect(badScheme.code).toBe(1);
    expect(badScheme.stderr).toMatch(/the scheme must be mqtt:\/\/ or mqtts:\/\//);
    expectNoSecret(badScheme.stderr, "a bad --broker URL");

    // JSON.parse quotes the text around a syntax error; the message must not.
    writeFileSync(join(folder.path, "broken.json"), `{"broker_password": ${brokerSecret}}`);
    const broken = await run(["run", "server.flow", "--secrets", "broken.json"]);
    expect(broken.code).toBe(2); // a --secrets file flowc cannot use is a usage error, as the README's table says
    expect(broken.stderr).toMatch(/secrets file broken\.json is not valid JSON/);
    expectNoSecret(broken.stderr, "a malformed secrets file");

    writeFileSync(join(folder.path, "nested.json"), JSON.stringify({ broker_password: [brokerSecret] }));
    const nested = await run(["run", "server.flow", "--secrets", "nested.json"]);
    expect(nested.code).toBe(2);
    expectNoSecret(nested.stderr, "a secrets file with a value of the wrong type");
  });

  it("flowc graph, check and build --target node: not in their output, even with the secret in the environment", async () => {
    const env = { FLOWC_SECRET_BROKER_PASSWORD: brokerSecret };
    const outputs: [string, Awaited<ReturnType<typeof run>>][] = [];
    for (const format of ["mermaid", "dot", "svg"]) {
      outputs.push([`flowc graph --format ${format}`, await run(["graph", "server.flow", "--format", format], env)]);
    }
    outputs.push(["flowc check", await run(["check", "server.flow"], env)]);
    outputs.push(["flowc check --format json", await run(["check", "server.flow", "--format", "json"], env)]);
    // A file with errors: diagnostics quote the source, which holds the reference, not the value.
    writeFileSync(
      join(folder.path, "broken.flow"),
      'broker "127.0.0.1" username "alice" password secret("broker_password") port "x"\nmqtt "t" -> nothing\n',
    );
    outputs.push(["flowc check (errors)", await run(["check", "broken.flow"], env)]);
    outputs.push(["flowc check --format json (errors)", await run(["check", "broken.flow", "--format", "json"], env)]);
    const build = await run(
      ["build", "server.flow", "--target", "node", "-o", "built", "--secrets", "secrets.json"],
      env,
    );
    outputs.push(["flowc build --target node", build]);

    expect(outputs.map(([what, { code }]) => [what, code])).toEqual([
      ["flowc graph --format mermaid", 0],
      ["flowc graph --format dot", 0],
      ["flowc graph --format svg", 0],
      ["flowc check", 0],
      ["flowc check --format json", 0],
      ["flowc check (errors)", 1],
      ["flowc check --format json (errors)", 1],
      ["flowc build --target node", 0],
    ]);
    expect(outputs[0]![1].stdout).toContain("broker 127.0.0.1:");
    expect(JSON.parse(outputs[6]![1].stdout).errors).toBeGreaterThan(0);
    for (const [what, { stdout, stderr }] of outputs) expectNoSecret(stdout + stderr, what);
    const built = join(folder.path, "built");
    const files = readdirSync(built);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expectNoSecret(readFileSync(join(built, file), "utf8"), `built ${file}`);
  });

  it("in process: not in log lines, errors or the statistics", async () => {
    const io = capturedOutput();
    const programs = compileFlows(
      `broker "127.0.0.1" port ${broker.port} username "alice" password secret("broker_password")\n` +
        'mqtt "secret-test/in-process" qos 1 -> print\n',
    );
    const refused = await runProgram(programs, { ...io.options, secrets: { broker_password: wrongSecret } });
    const error = await refused.done.catch((thrown: unknown) => thrown as Error);
    expect(error).toBeInstanceOf(Error);
    const flow = await runProgram(programs, { ...io.options, secrets: { broker_password: brokerSecret } });
    await flow.ready;
    await flow.stop();
    const everything = [
      io.stderr.join(""),
      io.stdout(),
      String(error),
      (error as Error).stack ?? "",
      formatStatsTable(flow.stats, undefined, Date.now()),
      JSON.stringify(flow.stats),
    ].join("\n");
    expect(String(error)).toMatch(/refused the connection/);
    expectNoSecret(everything, "the in-process run");
  });
});

if (!mosquittoAvailable) console.warn(mosquittoMissing);
