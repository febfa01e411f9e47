import { describe, expect, it } from "vitest";
import { formatType } from "./types.js";
import { compile } from "../test/support/catalogue.js";

function check(text: string, target?: "node" | "esp8266") {
  const result = compile([{ path: "t.flow", text }], target ? { target } : {});
  return {
    ...result,
    codes: result.diagnostics.map((d) => d.code),
    nodes: result.programs[0]?.nodes ?? [],
  };
}

describe("checker", () => {
  it("infers every stage's event type through the tutorial's server", () => {
    const { nodes, codes } = check(
      'mqtt "sensor-data" -> json as SensorEvent -> set ts = now() -> [print, csv "test.csv"]',
    );
    expect(codes).toEqual([]);
    expect(
      nodes.map((n) => `${n.name}: ${n.input ? formatType(n.input) : "-"} => ${n.output ? formatType(n.output) : "-"}`),
    ).toEqual([
      "mqtt: - => string",
      "json: string => SensorEvent",
      "set: SensorEvent => SensorEvent",
      "print: SensorEvent => -",
      "csv: SensorEvent => -",
    ]);
  });

  it("fills defaults and resolves field parameters to their index", () => {
    const { nodes } = check("tsl2591 every 2s -> avg over 10 -> print");
    expect(nodes[0]!.params).toMatchObject({
      id: { kind: "string", value: "tsl2591" },
      every: { kind: "duration", ms: 2000 },
      address: { kind: "number", value: 0x29 },
      gain: { kind: "enum", value: "medium" },
    });
    expect(nodes[1]!.params).toMatchObject({
      over: { kind: "count", value: 10 },
      of: { kind: "field", name: "val", index: 2 },
    });
  });

  it("reads `map val` and `sample lux` as arguments, not options", () => {
    const { nodes, codes } = check("let lux = sim every 1s\ninterval 5s -> sample lux -> map val -> print");
    expect(codes).toEqual([]);
    expect(nodes.find((n) => n.name === "map")!.output).toMatchObject({ kind: "scalar", name: "number" });
    expect(nodes.find((n) => n.name === "sample")!.params["stream"]).toEqual({ kind: "streams", ids: ["n0"] });
  });

  // Found by compiler/fuzz-programs.test.ts: `tls` took `will_retain` as its value (E305).
  it("reads two flags at the end of a line as flags, and a flag valued by a constant as that value", () => {
    const { programs, codes } = check('broker "h" client_id "c" tls will_retain\nsim every 1s -> print');
    expect(codes).toEqual([]);
    expect(programs[0]!.broker!.values).toMatchObject({
      tls: { kind: "bool", value: true },
      will_retain: { kind: "bool", value: true },
    });
    const withConstant = check('let secure = false\nbroker "h" tls secure\nsim every 1s -> print');
    expect(withConstant.codes).toEqual([]);
    expect(withConstant.programs[0]!.broker!.values["tls"]).toEqual({ kind: "bool", value: false });
    const unknown = check('broker "h" tls nonsense\nsim every 1s -> print');
    expect(unknown.diagnostics.map((d) => [d.code, d.message, d.span.start])).toEqual([
      ["E305", "unknown name `nonsense`", 15],
    ]);
  });

  // Found by compiler/fuzz-programs.test.ts: a constant first parsed as an option name, so
  // `print title` was E307 and `csv out rotate daily` E404 + E307 + W702.
  it("reads a constant written first as the positional argument, options after it", () => {
    const { nodes, codes } = check(
      'let title = "lux"\nlet out = "lux.csv"\nsim every 1s -> [print title, csv out rotate daily header]',
    );
    expect(codes).toEqual([]);
    expect(nodes.find((n) => n.name === "print")!.params["label"]).toEqual({ kind: "string", value: "lux" });
    expect(nodes.find((n) => n.name === "csv")!.params).toMatchObject({
      file: { kind: "string", value: "lux.csv" },
      rotate: { kind: "enum", value: "daily" },
      header: { kind: "bool", value: true },
    });
    const unknown = check("sim every 1s -> print nope");
    expect(unknown.diagnostics.map((d) => [d.code, d.message, d.span.start])).toEqual([
      ["E307", "`print` has no option `nope`", 22],
    ]);
  });

  // Found by targets/esp8266/fuzz-bundle.test.ts: `i2c sda 6` checked clean, and the bundle died at
  // boot with `ValueError: invalid pin`; `adc pin 2` likewise.
  it("refuses the ESP8266's flash pins for I2C and ADC channels it does not have", () => {
    const text = "device esp8266 {\n  i2c scl 5 sda 6\n}\nadc every 1s pin 2 -> print";
    const { diagnostics } = check(text);
    expect(diagnostics.map((d) => [d.code, d.message, text.slice(d.span.start, d.span.end), d.hint])).toEqual([
      ["E405", "`sda` of `i2c` cannot be 6", "6", "GPIO 6 to 11 are wired to the flash chip; use 0 to 5 or 12 to 16"],
      ["E405", "`pin` of `adc` must be between 0 and 1, but is 2", "2", undefined],
    ]);
  });

  it("widens records with `set` of a new field, and keeps the schema when only replacing", () => {
    const { nodes } = check("sim every 1s -> set ts = now() -> set level = val > 3 -> print");
    expect(formatType(nodes[1]!.output!)).toBe("SensorEvent");
    expect(formatType(nodes[2]!.output!)).toBe("{ sensor_id: string, ts: number, val: number, level: bool }");
  });

  it("folds let constants and keeps secrets and env as references", () => {
    const { nodes, programs } = check(
      'let limit = 2 * 250\nbroker secret("mqtt_host") port env("MQTT_PORT", 1883)\nsim every 1s -> filter val > limit -> print',
    );
    expect(programs[0]!.broker!.values).toMatchObject({
      host: { kind: "secret", key: "mqtt_host" },
      port: { kind: "env", name: "MQTT_PORT", fallback: 1883 },
    });
    expect(nodes[1]!.params["condition"]).toMatchObject({
      expr: { kind: "binary", right: { kind: "literal", value: 500 } },
    });
  });

  it("checks a file with a device block against the esp8266 target", () => {
    const { diagnostics } = check('device esp8266 { wifi "a", "b" }\nsim every 1s -> dedupe -> print');
    expect(diagnostics.map((d) => [d.code, d.message, d.hint])).toEqual([
      [
        "E501",
        "`dedupe` is not available on esp8266",
        "the device has no memory to spare for a history of keys: dedupe on the host",
      ],
    ]);
  });

  it("reports a parameter the target does not support, at the parameter", () => {
    const text = 'mqtt "in" -> json as SensorEvent errors "in/rejected" -> print';
    const { diagnostics } = check(text, "esp8266");
    expect(diagnostics.map((d) => [d.code, d.message, text.slice(d.span.start, d.span.end)])).toEqual([
      ["E501", "`json` cannot take `errors` on esp8266", 'errors "in/rejected"'],
    ]);
    expect(check(text, "node").codes).toEqual([]);
  });

  it("checks any file against an explicit target", () => {
    expect(check('mqtt "a" -> jsonl "x.jsonl"', "esp8266").codes).toEqual(["E501"]);
    expect(check('mqtt "a" -> jsonl "x.jsonl"', "node").codes).toEqual([]);
  });

  it("reports every error of a file, not just the first", () => {
    expect(
      check("tsl2591 every 2 -> print\nsim every 1s -> filtr x -> print\nsim every 1s -> take 1.5 -> print").codes,
    ).toEqual(["E402", "E301", "E401"]);
  });

  it("records the inferred type of streams and stages for hovers", () => {
    const { checked } = check("let lux = tsl2591 every 2s\nlux -> print");
    expect(checked[0]!.annotations.map((a) => `${a.description}: ${formatType(a.type)}`)).toContain(
      "stream lux: SensorEvent",
    );
  });

  it("lowers named streams, fan-outs and merges into one graph", () => {
    const { nodes } = check("let a = sim every 1s\nlet b = sim every 2s\nmerge a, b -> [print, take 1 -> print]");
    expect(nodes.map((n) => `${n.id} ${n.name} <- [${n.previous.join(",")}] -> [${n.next.join(",")}]`)).toEqual([
      "n0 sim <- [] -> [n2]",
      "n1 sim <- [] -> [n2]",
      "n2 merge <- [n0,n1] -> [n3,n4]",
      "n3 print <- [n2] -> []",
      "n4 take <- [n2] -> [n5]",
      "n5 print <- [n4] -> []",
    ]);
  });

  it("labels nodes as they were written, without secret values", () => {
    const { nodes } = check('sim "s" every 1s -> set ts = now() -> mqtt "out" qos 1 retain');
    expect(nodes.map((n) => n.label)).toEqual(['sim "s" every 1s', "set ts = now()", 'mqtt "out" qos 1 retain']);
  });

  // Issue 11 §5: labels were printed by a second printer that dropped parentheses
  // (`map val + 1 * 2`); they now come from the formatter's printer.
  it("labels stages with the formatter's printer: parentheses kept, secrets redacted", () => {
    const { nodes } = check(
      'broker "h" password secret("pw")\nsim every 1s -> map (val + 1) * 2 -> filter not (it > 3 and it < 9) -> mqtt "x"',
    );
    expect(nodes.map((n) => n.label)).toEqual([
      "sim every 1s",
      "map (val + 1) * 2",
      "filter not (it > 3 and it < 9)",
      'mqtt "x"',
    ]);
    const secret = check('sim every 1s -> map { k: secret("token"), v: val } -> print');
    expect(secret.nodes.map((n) => n.label)).toContain("map { k: secret(…), v: val }");
  });
});
