// Every function of compiler/stdlib.ts runs on the board as its table entry says, and gives what
// the Node runtime gives for the same arguments.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stdlibFunctions } from "../../compiler/stdlib.js";
import type { TypedExpression } from "../../compiler/typed.js";
import { IntType, NumberType } from "../../compiler/types.js";
import { compileExpression as compileJavaScript } from "../../runtime/compile-expression.js";
import { ManualClock } from "../../runtime/manual-clock.js";
import { createStdlib } from "../../runtime/stdlib-js.js";
import { clockSection } from "./firmware/clock.js";
import { compileExpression as compilePython } from "./python.js";
import { MicroPythonDevice } from "./simulator/board.js";

/** Arguments every function accepts, exact in the board's 30-bit floats. */
const argumentPool: readonly TypedExpression[] = [
  { kind: "literal", value: -2.5, type: NumberType },
  { kind: "literal", value: 2, type: IntType },
  { kind: "literal", value: 10, type: IntType },
];

const called = stdlibFunctions.filter((fn) => fn.targets !== undefined);

function callOf(name: string, arity: number): TypedExpression {
  return { kind: "call", fn: name, args: argumentPool.slice(0, arity), type: NumberType };
}

function onHost(expression: TypedExpression, nowMs: number): unknown {
  const code = compileJavaScript(expression, {
    event: "e",
    std: "std",
    config: () => {
      throw new Error("no config here");
    },
  });
  return new Function("std", `return ${code};`)(createStdlib(new ManualClock(nowMs))) as unknown;
}

let device: MicroPythonDevice;
beforeAll(async () => {
  device = await MicroPythonDevice.create({});
  // The firmware's clock, which the `library` call `now` names.
  await device.run(`import time\n${clockSection(undefined)}\n`);
});
afterAll(() => device.close());

async function onBoard(expression: TypedExpression): Promise<unknown> {
  const definitions = new Map<string, string>();
  const code = compilePython(expression, {
    event: "e",
    config: () => {
      throw new Error("no config here");
    },
    helper: (name, definition) => {
      definitions.set(name, definition);
      return name;
    },
  });
  for (const definition of definitions.values()) await device.run(`${definition}\n`);
  return device.evaluate(code);
}

describe.each(called)("$name", (fn) => {
  it.each([...new Set([fn.minArgs, Math.min(fn.maxArgs, argumentPool.length)])])(
    "with %i arguments gives on the board what it gives on the host",
    async (arity) => {
      const expression = callOf(fn.name, arity);
      const board = await onBoard(expression);
      if (fn.name === "now") {
        // The clocks differ; both read unix-style seconds from the same kind of source.
        expect(board).toBeTypeOf("number");
        expect(onHost(expression, 1_500)).toBe(1.5);
        return;
      }
      expect(board).toEqual(onHost(expression, 0));
    },
  );
});
