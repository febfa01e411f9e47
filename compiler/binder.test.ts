/**
 * The binder: how a stage's items read against its declaration (positional, option, flag), and
 * the diagnostics of the values users write (issue 11 §1, issue 12 §5).
 */
import { describe, expect, it } from "vitest";
import { compile } from "../test/support/catalogue.js";
import { formatFlow } from "./prettier/format.js";

function check(text: string) {
  const result = compile([{ path: "t.flow", text }]);
  return {
    result,
    found: result.diagnostics.map((d) => [d.code, d.message, text.slice(d.span.start, d.span.end), d.hint]),
  };
}

const stageParams = (text: string, name: string) =>
  check(text).result.programs[0]!.nodes.find((node) => node.name === name)!.params;

describe("binder", () => {
  it("reads items by the declaration, wherever the line breaks fall", async () => {
    const oneLine =
      'let out = "lux.csv"\nsim every 1s -> calibrate offset -0.4 scale 2 -> csv out rotate daily header\n';
    expect(check(oneLine).found).toEqual([]);
    expect(stageParams(oneLine, "calibrate")).toMatchObject({
      offset: { kind: "number", value: -0.4 },
      scale: { kind: "number", value: 2 },
    });
    expect(stageParams(oneLine, "csv")).toMatchObject({
      file: { kind: "string", value: "lux.csv" },
      rotate: { kind: "enum", value: "daily" },
      header: { kind: "bool", value: true },
    });
    const formatted = await formatFlow(oneLine.replace(" -> calibrate", "\n  -> calibrate"));
    expect(stageParams(formatted, "csv")).toEqual(stageParams(oneLine, "csv"));
  });

  it("reads a minus against what follows as a sign, and a spaced or unspaced one as a subtraction", () => {
    const text = "sim every 1s -> map val - 1 -> filter it-1 > 0 -> scan acc = 0 step -acc + it -> print";
    expect(check(text).found).toEqual([]);
    const { found } = check("let x = 2 -1\nsim every 1s -> print");
    expect(found).toEqual([
      [
        "E201",
        "unexpected `-`",
        "-",
        "a `-` written against what follows is a sign (`offset -0.4`); to subtract, write `a - b` or `a-b`",
      ],
    ]);
  });

  // Issue 12 §5: `broker host port 1883` said "option `host` needs a value".
  it("does not let a constant named like an option change how a line reads", () => {
    const { result, found } = check('let host = "localhost"\nbroker host port 1883\nsim every 1s -> print');
    expect(found).toEqual([]);
    expect(result.programs[0]!.broker!.values).toMatchObject({
      host: { kind: "string", value: "localhost" },
      port: { kind: "number", value: 1883 },
    });
  });

  // Found by the fuzz suite with a random seed: a field named like an option (`set over = 1`).
  it("reads a parameter's name as the value of the option before it where it cannot stand alone", () => {
    expect(check("sim every 1s -> set over = 1 -> avg over 1 of over -> print").found).toEqual([]);
    expect(check("sim every 1s -> set state = 1 -> dedupe by state within 10 -> print").found).toEqual([]);
    expect(check("sim every 1s -> set state = 1 -> dedupe by it.state within 10 -> print").found).toEqual([]);
  });

  it("warns (W205) where a constant named like an option stands where a value could", () => {
    expect(check('let tls = "x"\nbroker "h" client_id tls\nsim every 1s -> print').found).toEqual([
      [
        "E404",
        "option `client_id` needs a value",
        "client_id",
        'as in `broker "localhost" port 1883 client_id "server-1"`',
      ],
      [
        "W205",
        "the constant `tls` is named like an option of this stage, so it is read as that option, not as the value of `client_id`",
        "client_id tls",
        "rename the constant to give it as the value of `client_id`",
      ],
    ]);
  });

  // Issue 12 §5: `evry 5s` gave E307 and E404.
  it("reports a misspelt option once, with the option it was meant to be", () => {
    expect(check('tsl2591 "a" evry 5s -> print').found).toEqual([
      ["E307", "`tsl2591` has no option `evry`", "evry", "did you mean `every`?"],
    ]);
  });

  // Issue 12 §5: `every -5s` said "`-` needs a number, but this is duration".
  it("says durations must be positive", () => {
    expect(check('tsl2591 "a" every -5s -> print').found).toEqual([
      ["E405", "`every` of `tsl2591` must be longer than zero", "-5s", "durations must be positive: write `5s`"],
    ]);
  });

  // Issue 12 §5: `range 8g` failed with "unknown unit `g`"; only the undocumented `range "8g"` worked.
  it("takes listed values with units as the docs and messages write them", () => {
    const text = 'adxl345 "a" every 1s range 8g -> print';
    expect(check(text).found).toEqual([]);
    expect(stageParams(text, "adxl345")["range"]).toEqual({ kind: "enum", value: "8g" });
    expect(check('adxl345 "a" every 1s range "8g" -> print').found).toEqual([]);
    expect(check('adxl345 "a" every 1s range 8 -> print').found).toEqual([
      ["E405", "`range` of `adxl345` must be one of `2g`, `4g`, `8g`, `16g`", "8", "did you mean `8g`?"],
    ]);
    expect(check('tsl2591 "a" every 5sec -> print').found).toEqual([
      ["E104", "unknown unit `sec`", "sec", "write `5s` (units: ms, s, min, h, d)"],
    ]);
  });

  // Issue 12 §5: a top-level `wifi` said "unknown source `wifi`".
  it("says where a board setting written at the top level belongs", () => {
    expect(check('wifi "s", "p"\nsim every 1s -> print').found).toEqual([
      [
        "E301",
        "`wifi` is a setting of the board, not a source",
        "wifi",
        'put it in a `device` block: `device esp8266 { wifi secret("wifi_essid"), secret("wifi_password") }`',
      ],
    ]);
  });

  it("reports an unknown field (E302) and a missing token (E202) at their place", () => {
    expect(check("sim every 1s -> avg over 10 of nosuch -> print").found).toEqual([
      ["E302", "SensorEvent has no field `nosuch`", "nosuch", "its fields are `sensor_id`, `ts`, `val`"],
    ]);
    expect(check("schema A { a number }\nsim every 1s -> print").found).toEqual([
      [
        "E202",
        "expected `:` but found `number`",
        "number",
        "schema fields are written `name: type`, as in `val: number`",
      ],
    ]);
  });
});
