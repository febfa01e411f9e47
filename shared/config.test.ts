import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigResolver, loadSecretsFile, missingConfig, MissingConfigError, secretVariable } from "./config.js";

describe("ConfigResolver", () => {
  it("reads secrets from FLOWC_SECRET_<KEY>, then from the secrets object", () => {
    const config = new ConfigResolver({
      secrets: { "mqtt-password": "from-file", site: "lab" },
      env: { FLOWC_SECRET_MQTT_PASSWORD: "from-env" },
    });
    expect(secretVariable("mqtt-password")).toBe("FLOWC_SECRET_MQTT_PASSWORD");
    expect(config.secret("mqtt-password")).toBe("from-env");
    expect(config.secret("site")).toBe("lab");
  });

  it("says how to provide a missing secret", () => {
    const config = new ConfigResolver({ env: {} });
    expect(() => config.secret("wifi_password")).toThrow(MissingConfigError);
    expect(() => config.secret("wifi_password")).toThrow(
      /export FLOWC_SECRET_WIFI_PASSWORD=\.\.\. or pass --secrets FILE/,
    );
  });

  it("reads environment variables typed like their default", () => {
    const config = new ConfigResolver({ env: { PORT: "1884", VERBOSE: "yes", SITE: "lab", BAD: "x" } });
    expect(config.env("PORT", 1883)).toBe(1884);
    expect(config.env("VERBOSE", false)).toBe(true);
    expect(config.env("SITE")).toBe("lab");
    expect(config.env("MISSING", "default")).toBe("default");
    expect(() => config.env("MISSING")).toThrow(/MISSING is not set/);
    expect(() => config.env("BAD", 1)).toThrow(/must be a number/);
    expect(() => config.env("BAD", true)).toThrow(/must be true or false/);
  });

  it("resolves secret and env parameter values", () => {
    const config = new ConfigResolver({ secrets: { host: "broker.lan" }, env: { PORT: "8883" } });
    expect(config.param({ kind: "secret", key: "host" })).toEqual({ kind: "string", value: "broker.lan" });
    expect(config.param({ kind: "env", name: "PORT", fallback: 1883 })).toEqual({ kind: "number", value: 8883 });
    expect(config.param({ kind: "env", name: "TLS", fallback: false })).toEqual({ kind: "bool", value: false });
    expect(config.param({ kind: "number", value: 1 })).toEqual({ kind: "number", value: 1 });
  });
});

describe("loadSecretsFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "flowc-secrets-"));

  it("reads a JSON object", () => {
    const path = join(dir, "secrets.json");
    writeFileSync(path, '{"wifi_password": "p", "port": 1883}');
    expect(loadSecretsFile(path)).toEqual({ wifi_password: "p", port: 1883 });
  });

  it("reads key=value lines", () => {
    const path = join(dir, "secrets.env");
    writeFileSync(path, "# comment\nwifi_password = p=q\n\nmqtt_host=broker.lan\n");
    expect(loadSecretsFile(path)).toEqual({ wifi_password: "p=q", mqtt_host: "broker.lan" });
  });

  it("explains malformed files", () => {
    const json = join(dir, "bad.json");
    writeFileSync(json, '{"a": ');
    expect(() => loadSecretsFile(json)).toThrow(/is not valid JSON/);
    const nested = join(dir, "nested.json");
    writeFileSync(nested, '{"a": {"b": 1}}');
    expect(() => loadSecretsFile(nested)).toThrow(/"a" must be a string, number or boolean/);
    const lines = join(dir, "bad.env");
    writeFileSync(lines, "no equals sign\n");
    expect(() => loadSecretsFile(lines)).toThrow(/bad\.env:1: expected key=value/);
  });

  it("never quotes the file's text when it is not JSON: that text is secrets", () => {
    const unquoted = join(dir, "unquoted.json");
    writeFileSync(unquoted, '{"a": hunter2}');
    expect(() => loadSecretsFile(unquoted)).toThrow(new Error(`secrets file ${unquoted} is not valid JSON`));
    const missingComma = join(dir, "comma.json");
    writeFileSync(missingComma, '{\n  "a": "hunter2"\n  "b": "x"}');
    expect(() => loadSecretsFile(missingComma)).toThrow(
      new Error(`secrets file ${missingComma} is not valid JSON (line 3, column 3)`),
    );
  });
});

describe("missingConfig", () => {
  const config = new ConfigResolver({ secrets: { present: "x" }, env: { SITE: "lab" } });

  it("reports every missing secret and variable once, wherever it is referenced", () => {
    const values = {
      params: { topic: { kind: "secret", key: "topic_key" }, qos: { kind: "number", value: 1 } },
      expression: { kind: "binary", left: { kind: "config", source: "secret", key: "topic_key", type: {} } },
      settings: new Map([["password", { kind: "secret", key: "mqtt_password" }]]),
      list: [
        { kind: "env", name: "REGION" },
        { kind: "secret", key: "present" },
        { kind: "env", name: "SITE" },
      ],
    };
    const problems = missingConfig(values, config);
    expect(problems).toHaveLength(3);
    expect(problems.join("\n")).toMatch(/topic_key[\s\S]*mqtt_password[\s\S]*REGION/);
  });

  it("accepts variables with a default and finds nothing to report in plain values", () => {
    expect(
      missingConfig(
        [
          { kind: "env", name: "UNSET", fallback: 3 },
          { kind: "string", value: "a" },
        ],
        config,
      ),
    ).toEqual([]);
  });
});
