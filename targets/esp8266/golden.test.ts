/**
 * One golden file per device example: the example's source, then every file of its bundle
 * (unminified, with fixed stand-in secrets) and what the build said about it, so a change to the
 * generated firmware shows up as a reviewable diff. UPDATE_GOLDEN=1 rewrites them.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { micropythonImplementations } from "../../components/micropython.js";
import { buildBundle, compile } from "../../test/support/catalogue.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const examples = [
  "examples/tutorial/client.flow",
  "examples/pull/device.flow",
  "examples/multi-sensor/node.flow",
  "examples/report-on-change/node.flow",
  "examples/calibration/node.flow",
  // No device block, but nothing in it is host-only: it builds for the board too.
  "examples/threshold-alerts/alerts.flow",
];
const secrets = { wifi_essid: "example-ssid", wifi_password: "example-password", mqtt_host: "192.168.1.10" };

function golden(example: string): string {
  const text = readFileSync(root + example, "utf8");
  const result = compile([{ path: example, text }], { target: "esp8266" });
  const bundle = buildBundle(result.programs[0]!, {
    implementations: micropythonImplementations,
    config: { secrets, env: {} },
    minify: false,
  });
  const isDriver = (path: string) => path.endsWith(".py") && path !== "main.py" && path !== "config.py";
  return [
    `==> ${example} <==`,
    text.trimEnd(),
    ...bundle.files
      .filter((file) => !isDriver(file.path))
      .map((file) => `==> ${file.path} <==\n${file.contents.trimEnd()}`),
    `==> diagnostics <==\n${bundle.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n") || "(none)"}`,
    // Drivers are our own files, tested on their own: the golden only records which ship.
    `==> drivers <==\n${
      bundle.files
        .map((file) => file.path)
        .filter(isDriver)
        .join("\n") || "(none)"
    }`,
    "",
  ].join("\n");
}

describe("device bundles of the examples", () => {
  for (const example of examples) {
    it(example, () => {
      const path = `${dirname(fileURLToPath(import.meta.url))}/golden/${basename(dirname(example))}-${basename(example, ".flow")}.golden`;
      const actual = golden(example);
      if (process.env.UPDATE_GOLDEN) writeFileSync(path, actual);
      expect(actual).toBe(readFileSync(path, "utf8"));
    });
  }
});
