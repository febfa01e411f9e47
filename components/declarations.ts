/**
 * Every component's declaration: the `declaration.ts` of each folder under components/, found by
 * scripts/catalogue.mjs, so a new folder needs no edit here. Sources come first, then operators,
 * then sinks, each by name.
 */
import discovered from "flowc-catalogue:declarations";
import { compareCodeUnits } from "../compiler/diagnostics.js";
import { Registry, type ComponentDeclaration, type ComponentKind } from "../compiler/registry.js";

const kindOrder: readonly ComponentKind[] = ["source", "operator", "sink"];

export const allDeclarations: readonly ComponentDeclaration[] = discovered
  .flatMap((module) => module.declarations)
  .sort((a, b) => kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || compareCodeUnits(a.name, b.name));

let everyComponent: Registry | undefined;

/**
 * The registry of every component in components/, which the CLI hands to the compiler.
 *
 * @example
 * compile([{ path: "a.flow", text }], { registry: registry() });
 */
export function registry(): Registry {
  everyComponent ??= new Registry(allDeclarations);
  return everyComponent;
}
