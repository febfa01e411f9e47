/**
 * `scan acc = init, step`: a running fold. The step expression is compiled once into a function
 * of the accumulator and the event; after each event the new accumulator is emitted. A step that
 * throws (a modulo by zero) leaves the accumulator as it was, and the graph counts the event as
 * failed.
 */
import type { TypedExpression } from "../../compiler/typed.js";
import { componentKey, type NodeImplementation, type Observer, type RuntimeContext } from "../../runtime/component.js";
import { compileExpression } from "../../runtime/compile-expression.js";

/**
 * Compiles `expr` into a function of the accumulator and the event, with `secret`/`env` values
 * resolved once, now.
 */
function compileStep(
  expr: TypedExpression,
  accumulator: string,
  ctx: RuntimeContext,
): (acc: unknown, event: unknown) => unknown {
  const names = ["std"];
  const values: unknown[] = [ctx.std];
  const code = compileExpression(expr, {
    event: "e",
    std: "std",
    binding: (name) => {
      if (name !== accumulator) throw new Error(`\`${name}\` is not in scope in \`scan\`'s step`);
      return "acc";
    },
    config: (reference) => {
      names.push(`config${names.length}`);
      values.push(ctx.config.reference(reference.source, reference.key, reference.fallback));
      return names[names.length - 1]!;
    },
  });
  return new Function(...names, `"use strict"; return function step(acc, e) { return ${code}; };`)(...values) as (
    acc: unknown,
    event: unknown,
  ) => unknown;
}

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("operator", "scan"),
    operator(_node, ctx, out): Observer {
      const init = ctx.params.required("init", "binding");
      // The initial value is a constant (the checker insists), so it has no event to read.
      let acc = compileStep(init.init, init.name, ctx)(undefined, undefined);
      const step = compileStep(ctx.params.expression("step"), init.name, ctx);
      return {
        next(event) {
          acc = step(acc, event);
          out.next(acc);
        },
        completed: () => out.completed(),
        error: (error) => out.error(error),
      };
    },
  },
];
