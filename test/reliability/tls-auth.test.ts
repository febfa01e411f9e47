// TLS and authentication against a mosquitto the test configures: a CA and a server certificate
// for 127.0.0.1 made with openssl at test time, a password file made with mosquitto_passwd, and
// flows that name the CA file and take the password from a secrets file, run as users run them.
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createTestCertificates,
  mosquittoAvailable,
  mosquittoMissing,
  opensslAvailable,
  startMosquitto,
  type Mosquitto,
} from "../support/mosquitto.js";
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

const password = "tls-test-Pa55word";

/** A broker setting for the test's mosquitto, with the given extra options. */
const brokerLine = (broker: Mosquitto, options: string) => `broker "127.0.0.1" port ${broker.port} ${options}\n`;

/** A publisher and a subscriber sharing one connection: each number published comes back as a CSV row. */
const roundTrip = 'interval 100ms -> mqtt "secure/data" qos 1\nmqtt "secure/data" qos 1 -> csv "out.csv"\n';

/** Connection attempts mosquitto refused for bad credentials so far. */
const refusals = (broker: Mosquitto) => broker.log().split("disconnected, not authorised").length - 1;

describe.skipIf(!mosquittoAvailable || !opensslAvailable)("TLS and authentication against mosquitto", () => {
  let folder: ReturnType<typeof temporaryFolder>;
  let otherCa: string;
  let broker: Mosquitto;

  beforeAll(async () => {
    folder = temporaryFolder();
    const certificates = createTestCertificates(folder.path);
    // A second, unrelated authority: its CA file is valid but did not sign the broker's certificate.
    const other = temporaryFolder();
    otherCa = join(folder.path, "other-ca.pem");
    copyFileSync(createTestCertificates(other.path).caFile, otherCa);
    other.dispose();
    broker = await startMosquitto({
      users: { alice: password },
      tls: { certfile: certificates.certFile, keyfile: certificates.keyFile },
    });
    writeFileSync(join(folder.path, "secrets.json"), JSON.stringify({ broker_password: password }));
    writeFileSync(join(folder.path, "wrong-secrets.json"), JSON.stringify({ broker_password: "not-the-password" }));
  });
  afterAll(async () => {
    await broker?.dispose();
    folder?.dispose();
  });
  afterEach(killStartedProcesses);

  const writeFlow = (name: string, text: string) => writeFileSync(join(folder.path, name), text);

  it("connects over mqtts:// with the CA file and the password from --secrets, and stops cleanly", async () => {
    writeFlow(
      "secure.flow",
      brokerLine(broker, 'tls ca "ca.pem" username "alice" password secret("broker_password")') + roundTrip,
    );
    const run = startFlowc(["run", "secure.flow", "--secrets", "secrets.json"], { cwd: folder.path });
    await until(() => fileLines(join(folder.path, "out.csv")).length > 3, "three rows over TLS");
    run.child.kill("SIGTERM");
    const { code, stderr } = await run.finished;
    expect(stderr).toMatch(/\[mqtts:\/\/127\.0\.0\.1:\d+\] connected/);
    expect(code).toBe(0);
    const [header, ...rows] = fileLines(join(folder.path, "out.csv"));
    expect(header).toBe("value");
    // The counter's first values may be published before the subscription is granted; from
    // then on each one arrives, in order.
    const first = Number(rows[0]);
    expect(rows).toEqual(rows.map((_, i) => String(first + i)));
  });

  it("ends with one clear line and exit 1 on a wrong password, after a single attempt", async () => {
    writeFlow(
      "wrong.flow",
      brokerLine(broker, 'tls ca "ca.pem" username "alice" password secret("broker_password")') + roundTrip,
    );
    const before = refusals(broker);
    const { code, stderr } = await flowc(["run", "wrong.flow", "--secrets", "wrong-secrets.json"], {
      cwd: folder.path,
    });
    expect(code).toBe(1);
    // mosquitto 2 answers a wrong password with "not authorised" (code 5); others say code 4.
    expect(stderr).toMatch(
      /^flowc run: broker mqtts:\/\/127\.0\.0\.1:\d+ refused the connection: (bad user name or password|not authorized); check `username` and `password` of the broker setting/m,
    );
    expect(stderr).not.toMatch(/\n\s+at /);
    // No retry loop: refusing credentials is final.
    await until(() => refusals(broker) > before, "mosquitto's log of the refusal");
    expect(refusals(broker) - before).toBe(1);
  });

  it("ends with exit 1 naming the certificate problem when the broker's certificate is not trusted", async () => {
    writeFlow("no-ca.flow", brokerLine(broker, 'tls username "alice" password "x"') + roundTrip);
    const withoutCa = await flowc(["run", "no-ca.flow"], { cwd: folder.path });
    expect(withoutCa.code).toBe(1);
    expect(withoutCa.stderr).toMatch(
      /^flowc run: the TLS certificate of broker mqtts:\/\/127\.0\.0\.1:\d+ is not trusted \((self[- ]signed certificate in certificate chain|unable to verify the first certificate)\); give the CA that signed it with `ca "ca\.pem"` in the broker setting$/m,
    );

    writeFlow("other-ca.flow", brokerLine(broker, 'tls ca "other-ca.pem" username "alice" password "x"') + roundTrip);
    const otherAuthority = await flowc(["run", "other-ca.flow"], { cwd: folder.path });
    expect(otherAuthority.code).toBe(1);
    expect(otherAuthority.stderr).toMatch(
      /^flowc run: the TLS certificate of broker mqtts:\/\/127\.0\.0\.1:\d+ is not trusted \(unable to verify the first certificate\)/m,
    );
    for (const { stderr } of [withoutCa, otherAuthority]) expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("names a CA file it cannot read, before connecting", async () => {
    writeFlow("missing-ca.flow", brokerLine(broker, 'tls ca "missing.pem"') + roundTrip);
    const { code, stderr } = await flowc(["run", "missing-ca.flow"], { cwd: folder.path });
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot read the CA file missing\.pem for broker mqtts:\/\/127\.0\.0\.1:\d+/);
  });

  it("rejects `ready` and `done` in process when the credentials are refused, even with messages waiting to go out", async () => {
    const io = capturedOutput();
    const programs = compileFlows(
      brokerLine(
        broker,
        `tls ca "${join(folder.path, "ca.pem")}" username "alice" password secret("broker_password")`,
      ) + roundTrip.replace('"out.csv"', JSON.stringify(join(folder.path, "refused.csv"))),
    );
    const flow = await runProgram(programs, { ...io.options, secrets: { broker_password: "wrong" } });
    await expect(flow.ready).rejects.toThrow(/refused the connection/);
    await expect(flow.done).rejects.toThrow(/refused the connection/);
  });
});

if (!mosquittoAvailable) console.warn(mosquittoMissing);
