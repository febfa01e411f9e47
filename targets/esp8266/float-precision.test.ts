// W705: a device expression that loses precision on the ESP8266's 30-bit floats, which the host's
// 64-bit floats keep, is flagged at build time at its step.
import { describe, expect, it } from "vitest";
import { buildEsp8266Bundle, compile } from "../../test/support/catalogue.js";
import { floatPrecisionWarnings } from "./float-precision.js";

function warnings(text: string) {
  const { programs, diagnostics } = compile([{ path: "f.flow", text }], { target: "esp8266" });
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return floatPrecisionWarnings(programs[0]!).map((d) => ({
    code: d.code,
    severity: d.severity,
    at: text.slice(d.span.start, d.span.end),
    message: d.message,
  }));
}

describe("W705: precision the board loses", () => {
  it("flags a unix timestamp turned into a float, at its step", () => {
    const text = "sim every 1s -> map ts / 60 -> print\n";
    expect(warnings(text)).toEqual([
      {
        code: "W705",
        severity: "warning",
        at: "map ts / 60",
        message: expect.stringContaining("turns a unix timestamp into a float"),
      },
    ]);
    expect(warnings("sim every 1s -> map now() + 0.5 -> print\n")).toHaveLength(1);
    expect(warnings("sim every 1s -> map { t: ts * 0.001 } -> print\n")).toHaveLength(1);
  });

  it("leaves whole-number timestamp arithmetic alone: it is exact on the board", () => {
    expect(warnings("sim every 1s -> map ts * 1000 -> print\n")).toEqual([]);
    expect(warnings("sim every 1s -> map ts - 60 -> print\n")).toEqual([]);
    expect(warnings("sim every 1s -> map val / 60 -> print\n")).toEqual([]);
  });

  it("flags a running float sum, not a counter", () => {
    expect(warnings("sim every 1s -> scan total = 0.0, total + val -> print\n")).toEqual([
      expect.objectContaining({
        code: "W705",
        at: "scan total = 0.0, total + val",
        message: expect.stringContaining("running sum in a float"),
      }),
    ]);
    expect(warnings("sim every 1s -> scan n = 0, n + 1 -> print\n")).toEqual([]);
    expect(warnings("sim every 1s -> scan hi = 0.0, max(hi, val) -> print\n")).toEqual([]);
  });

  it("is part of the bundle's diagnostics", async () => {
    const { programs } = compile([{ path: "f.flow", text: "sim every 1s -> map ts / 60 -> print\n" }], {
      target: "esp8266",
    });
    expect(buildEsp8266Bundle(programs[0]!, { env: {} }).diagnostics.map((d) => d.code)).toEqual(["W705"]);
  });
});
