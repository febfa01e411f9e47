import { describe, expect, it } from "vitest";
import { stdlibFunctions } from "../compiler/stdlib.js";
import { ManualClock } from "./manual-clock.js";
import { createStdlib, formatPythonNumber, pythonMod, pythonRound, pythonStringRepr } from "./stdlib-js.js";

describe("Python semantics", () => {
  it("round: halves to even, on the exact value of the double", () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 3.7].map((x) => pythonRound(x))).toEqual([0, 2, 2, 0, -2, 4]);
    expect(pythonRound(2.675, 2)).toBe(2.67); // 2.675 is 2.67499999... in binary
    expect(pythonRound(0.125, 2)).toBe(0.12); // an exact tie: to even
    expect(pythonRound(0.375, 2)).toBe(0.38);
    expect(pythonRound(-0.125, 2)).toBe(-0.12);
    expect(pythonRound(284.1312, 1)).toBe(284.1);
    expect(pythonRound(1250, -2)).toBe(1200);
    expect(pythonRound(Number.POSITIVE_INFINITY, 2)).toBe(Number.POSITIVE_INFINITY);
  });

  it("%: the result takes the divisor's sign", () => {
    expect(pythonMod(7, 3)).toBe(1);
    expect(pythonMod(-7, 3)).toBe(2);
    expect(pythonMod(7, -3)).toBe(-2);
    expect(pythonMod(-7, -3)).toBe(-1);
    expect(pythonMod(5.5, 2)).toBe(1.5);
    expect(() => pythonMod(1, 0)).toThrow(/modulo by zero/);
  });

  it("int, float and str convert like Python's", () => {
    const std = createStdlib(new ManualClock());
    expect([std.int(3.9), std.int(-3.9), std.int(true), std.int(" 12 ")]).toEqual([3, -3, 1, 12]);
    expect(() => std.int("3.5")).toThrow(/int\(\) cannot convert "3.5"/);
    expect(() => std.int(Number.NaN)).toThrow(RangeError);
    expect([std.float("2.5"), std.float("1e3"), std.float(false), std.float(" -inf ")]).toEqual([
      2.5,
      1000,
      0,
      -Infinity,
    ]);
    expect(std.float("nan")).toBeNaN();
    expect(() => std.float("abc")).toThrow(/float\(\) cannot convert/);
    expect(() => std.float("")).toThrow(TypeError);
    expect([std.str(611), std.str(284.5), std.str(false), std.str(null), std.str("x")]).toEqual([
      "611",
      "284.5",
      "False",
      "None",
      "x",
    ]);
  });

  it("now() reads the clock as unix seconds", () => {
    expect(createStdlib(new ManualClock(1500)).now()).toBe(1.5);
  });

  it("clamp and field", () => {
    const std = createStdlib(new ManualClock());
    expect([std.clamp(-1, 0, 10), std.clamp(5, 0, 10), std.clamp(11, 0, 10)]).toEqual([0, 5, 10]);
    expect(std.field({ a: 1 }, "a")).toBe(1);
    expect(std.field({ a: 1 }, "b")).toBeNull();
    expect(std.field([1, 2], "length")).toBeNull();
    expect(std.field({}, "toString")).toBeNull();
  });
});

describe("formatPythonNumber", () => {
  it.each([
    [611, "611"],
    [284.1312, "284.1312"],
    [1484535480.613611, "1484535480.613611"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [1.5e-7, "1.5e-07"],
    [1e16, "1e+16"],
    [1.5e16, "1.5e+16"],
    [1234567890123456.8, "1234567890123456.8"],
    [-2.5, "-2.5"],
    [Number.NaN, "nan"],
    [Number.NEGATIVE_INFINITY, "-inf"],
  ])("%s → %s", (value, text) => {
    expect(formatPythonNumber(value)).toBe(text);
  });
});

describe("pythonStringRepr", () => {
  it("quotes like Python's repr", () => {
    expect(pythonStringRepr("lux-1")).toBe("'lux-1'");
    expect(pythonStringRepr("it's")).toBe(`"it's"`);
    expect(pythonStringRepr(`it's "x"`)).toBe(`'it\\'s "x"'`);
    expect(pythonStringRepr("a\nb\t\\\u0001")).toBe("'a\\nb\\t\\\\\\x01'");
    expect(pythonStringRepr("héllo")).toBe("'héllo'");
  });
});

describe("the Node realisation of compiler/stdlib.ts", () => {
  const std = createStdlib(new ManualClock()) as unknown as Record<string, unknown>;
  const called = stdlibFunctions.flatMap((fn) => (fn.targets ? [[fn.name, fn.targets.node] as const] : []));

  it("covers every function but the config references", () => {
    expect(called.map(([name]) => name)).toEqual(
      stdlibFunctions.filter((fn) => fn.config === undefined).map((fn) => fn.name),
    );
  });

  it.each(called)("%s: calls a function that exists", (_name, realisation) => {
    const callee =
      realisation.from === "library"
        ? std[realisation.call]
        : realisation.call
            .split(".")
            .reduce<unknown>((scope, key) => (scope as Record<string, unknown>)[key], globalThis);
    expect(callee).toBeTypeOf("function");
  });
});
