/**
 * The language features without a connection: diagnostics, hovers and completions of
 * {@link FlowWorkspace}, checked against what the compiler says about the same text.
 */
import { readFileSync } from "node:fs";
import { DiagnosticSeverity, type CompletionItem, type MarkupContent } from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import { describe, expect, it } from "vitest";
import { registry } from "../../components/declarations.js";
import { deviceSetting } from "../../compiler/settings.js";
import { stdlibFunctions } from "../../compiler/stdlib.js";
import { FlowWorkspace } from "./workspace.js";

let version = 0;

/** A workspace with the given documents open; `|` in a text marks the cursor (removed). */
function open(files: Record<string, string>) {
  const workspace = new FlowWorkspace();
  const cursors = new Map<string, number>();
  for (const [name, marked] of Object.entries(files)) {
    const uri = `file:///work/${name}`;
    const cursor = marked.indexOf("|");
    if (cursor >= 0) cursors.set(uri, cursor);
    workspace.set(TextDocument.create(uri, "flowc", ++version, marked.replace("|", "")));
  }
  const at = (uri: string) => workspace.get(uri)!.positionAt(cursors.get(uri)!);
  return {
    workspace,
    uri: (name: string) => `file:///work/${name}`,
    hover: (name: string) => {
      const uri = `file:///work/${name}`;
      const hover = workspace.hover(uri, at(uri));
      return hover ? (hover.contents as MarkupContent).value : undefined;
    },
    labels: (name: string) => workspace.completion(`file:///work/${name}`, at(`file:///work/${name}`)).map(label),
  };
}

const label = (item: CompletionItem) => item.label;

describe("diagnostics", () => {
  it("reports the compiler's code, severity and span, with the hint in the message", () => {
    const { workspace, uri } = open({ "a.flow": "tsl2591 every 2 -> print" });
    expect(workspace.diagnostics().get(uri("a.flow"))).toEqual([
      {
        range: { start: { line: 0, character: 14 }, end: { line: 0, character: 15 } },
        severity: DiagnosticSeverity.Error,
        code: "E402",
        source: "flowc",
        message: expect.stringMatching(/\nhint: .*2s/),
      },
    ]);
  });

  it("maps spans on later lines and reports warnings as warnings", () => {
    const { workspace, uri } = open({ "a.flow": "# lux\n\nlet lux = tsl2591 every 2s\n" });
    const [unused] = workspace.diagnostics().get(uri("a.flow"))!;
    expect(unused).toMatchObject({
      code: "W701",
      severity: DiagnosticSeverity.Warning,
      range: { start: { line: 2, character: 4 }, end: { line: 2, character: 7 } },
    });
  });

  it("gives every open document a list, empty when it is clean", () => {
    const { workspace, uri } = open({ "a.flow": "sim every 1s -> print", "b.flow": "sim every 1 -> print" });
    const diagnostics = workspace.diagnostics();
    expect(diagnostics.get(uri("a.flow"))).toEqual([]);
    expect(diagnostics.get(uri("b.flow"))?.map((d) => d.code)).toEqual(["E402"]);
  });

  it("checks open documents together, so a topic mismatch shows in the subscriber, pointing at the publisher", () => {
    const { workspace, uri } = open({
      "client.flow": 'adxl345 "a" every 1s -> mqtt "sensors/accel"',
      "server.flow": 'mqtt "sensors/+" -> json as SensorEvent -> print',
    });
    const [mismatch] = workspace.diagnostics().get(uri("server.flow"))!;
    expect(mismatch).toMatchObject({ code: "E601", severity: DiagnosticSeverity.Error });
    expect(mismatch!.relatedInformation?.[0]?.location.uri).toBe(uri("client.flow"));

    workspace.delete(uri("client.flow"));
    expect(workspace.diagnostics().get(uri("server.flow"))).toEqual([]);
  });

  it("agrees with the compiler on the tutorial's two files", () => {
    const { workspace } = open({
      "client.flow": readFileSync("examples/tutorial/client.flow", "utf8"),
      "server.flow": readFileSync("examples/tutorial/server.flow", "utf8"),
    });
    expect([...workspace.diagnostics().values()].flat()).toEqual([]);
  });
});

describe("hover", () => {
  it("shows the event type a stage emits and its component's documentation", () => {
    const { hover } = open({ "a.flow": 'mqtt "sensor-data" -> js|on as SensorEvent -> print' });
    const text = hover("a.flow")!;
    expect(text).toContain("**json** (operator) — emits `SensorEvent`");
    expect(text).toContain(registry().get("operator", "json")!.summary);
    expect(text).toContain("sensor_id: string");
    expect(text).toContain("`as` schema");
  });

  it("shows what a sink receives and what a source emits", () => {
    expect(open({ "a.flow": 'mqtt "t" -> pr|int' }).hover("a.flow")).toContain("receives `string`");
    expect(open({ "a.flow": "ts|l2591 every 2s -> print" }).hover("a.flow")).toContain("emits `SensorEvent`");
  });

  it("documents an option under the cursor", () => {
    const text = open({ "a.flow": "tsl2591 every 2s ga|in high -> print" }).hover("a.flow")!;
    expect(text).toContain("**tsl2591** option");
    expect(text).toContain("`gain` low | medium | high | max, default `medium`");
  });

  it("types streams where they are defined and used", () => {
    const files = { "a.flow": "let lux = tsl2591 every 2s -> moving_avg 5\nl|ux -> print" };
    expect(open(files).hover("a.flow")).toContain("**stream lux**: `SensorEvent`");
  });

  it("types fields and the event inside expressions", () => {
    const source = 'mqtt "t" -> json as SensorEvent -> filter va|l > 3 -> print';
    expect(open({ "a.flow": source }).hover("a.flow")).toBe("**field val**: `number`");
    const event = 'mqtt "t" -> json as SensorEvent -> map i|t.val -> print';
    expect(open({ "a.flow": event }).hover("a.flow")).toContain("`SensorEvent`");
  });

  it("shows a stdlib function's signature", () => {
    const text = open({ "a.flow": "sim every 1s -> set ts = n|ow() -> print" }).hover("a.flow")!;
    expect(text).toContain(stdlibFunctions.find((fn) => fn.name === "now")!.signature);
  });

  it("documents settings, nested settings and their options", () => {
    const device = "device esp8266 {\n  i2|c scl 5\n}\nsim every 1s -> print";
    expect(open({ "a.flow": device }).hover("a.flow")).toContain("**i2c** (setting)");
    const broker = 'broker "h" po|rt 1883\nsim every 1s -> print';
    expect(open({ "a.flow": broker }).hover("a.flow")).toContain("`port` int (1–65535)");
  });

  it("shows schemas", () => {
    const source = 'schema Alert { level: string }\nsim every 1s -> map Al|ert { level: "x" } -> print';
    expect(open({ "a.flow": source }).hover("a.flow")).toContain("Alert {\n  level: string\n}");
  });

  it("has nothing to say about comments and literals", () => {
    expect(open({ "a.flow": "# a com|ment\nsim every 1s -> print" }).hover("a.flow")).toBeUndefined();
    expect(open({ "a.flow": 'sim "i|d" every 1s -> print' }).hover("a.flow")).toBeUndefined();
  });
});

describe("completion", () => {
  const operatorsAndSinks = [...registry().names("operator"), ...registry().names("sink")];

  it("offers operators and sinks after `->`, in fan-outs and on continued lines", () => {
    for (const text of [
      "sim every 1s -> |",
      "sim every 1s -> [print, |",
      "sim every 1s\n  -> |",
      "sim every 1s -> fi|",
    ]) {
      expect(open({ "a.flow": text }).labels("a.flow")).toEqual(operatorsAndSinks);
    }
  });

  it("offers sources, streams and keywords at the start of a statement", () => {
    const labels = open({ "a.flow": "let lux = tsl2591 every 2s\n|" }).labels("a.flow");
    expect(labels).toEqual([...registry().names("source"), "lux", "let", "schema", "broker", "device"]);
  });

  it("offers the options of the component being written, without those already given", () => {
    expect(open({ "a.flow": 'tsl2591 "a" every 5s |' }).labels("a.flow")).toEqual(["address", "gain", "integration"]);
    expect(open({ "a.flow": 'sim -> mqtt "t" |' }).labels("a.flow")).toEqual(["qos", "retain"]);
  });

  it("offers the values an option takes", () => {
    expect(open({ "a.flow": "tsl2591 every 5s gain |" }).labels("a.flow")).toEqual(["low", "medium", "high", "max"]);
    expect(open({ "a.flow": 'schema A { x: int }\nmqtt "t" -> json as |' }).labels("a.flow")).toEqual([
      "SensorEvent",
      "AccelEvent",
      "A",
    ]);
    expect(open({ "a.flow": 'mqtt "t" -> json as SensorEvent -> avg over 10 of |' }).labels("a.flow")).toEqual([
      "ts",
      "val",
    ]);
  });

  it("offers the event's fields, constants and functions inside expressions", () => {
    const labels = open({ "a.flow": 'let limit = 5\nmqtt "t" -> json as SensorEvent -> filter val > |' }).labels(
      "a.flow",
    );
    expect(labels).toEqual(["sensor_id", "ts", "val", "it", "limit", ...stdlibFunctions.map((fn) => fn.name)]);
  });

  it("knows the input of a fan-out branch and of a stage after a stream", () => {
    const branch = 'mqtt "t" -> json as SensorEvent -> [print, set ts = round(|';
    expect(open({ "a.flow": branch }).labels("a.flow").slice(0, 3)).toEqual(["sensor_id", "ts", "val"]);
    const stream = "let a = adxl345 every 1s\na -> filter |";
    expect(open({ "a.flow": stream }).labels("a.flow").slice(0, 5)).toEqual(["sensor_id", "ts", "x", "y", "z"]);
  });

  it("offers streams where a stage takes one", () => {
    const text = "let a = sim every 1s\nlet b = sim every 2s\nmerge a, |";
    expect(open({ "a.flow": text }).labels("a.flow")).toEqual(["a", "b"]);
  });

  it("offers settings in a device block and their options", () => {
    const settings = deviceSetting.block!.map((setting) => setting.name);
    expect(open({ "a.flow": "device esp8266 {\n  |\n}" }).labels("a.flow")).toEqual(settings);
    expect(open({ "a.flow": "device esp8266 {\n  i2c |\n}" }).labels("a.flow")).toEqual(["scl", "sda", "freq"]);
  });

  it("offers field types in a schema", () => {
    expect(open({ "a.flow": "schema A { a: |" }).labels("a.flow")).toEqual([
      "number",
      "int",
      "string",
      "bool",
      "SensorEvent",
      "AccelEvent",
    ]);
  });

  it("offers nothing inside comments, strings and numbers", () => {
    for (const text of ["# sim -> |", 'print "fi|', "take 1|"])
      expect(open({ "a.flow": text }).labels("a.flow")).toEqual([]);
  });
});

describe("secrets", () => {
  it("never echo a value written in the source in any hover or completion", () => {
    const text = 'broker "h" password "hunter2" username "admin"\nsim every 1s -> mqtt "t"';
    const { workspace, uri } = open({ "a.flow": text });
    const document = workspace.get(uri("a.flow"))!;
    for (let offset = 0; offset <= text.length; offset++) {
      const position = document.positionAt(offset);
      const hover = workspace.hover(uri("a.flow"), position);
      expect(JSON.stringify(hover)).not.toContain("hunter2");
      expect(JSON.stringify(workspace.completion(uri("a.flow"), position))).not.toContain("hunter2");
    }
    expect(JSON.stringify([...workspace.diagnostics()])).not.toContain("hunter2");
  });
});
