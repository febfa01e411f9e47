import { describe, expect, it } from "vitest";
import { componentKey, implementationLookup } from "../runtime/component.js";
import { allDeclarations } from "./declarations.js";
import { nodeImplementations } from "./node.js";

describe("the index of Node implementations", () => {
  const lookup = implementationLookup(nodeImplementations);

  it.each(
    allDeclarations
      .filter((declaration) => declaration.targets.includes("node"))
      .map((d) => [componentKey(d.kind, d.name), d] as const),
  )("has %s, with the hook its kind needs", (key, declaration) => {
    const implementation = lookup(key);
    expect(implementation).toBeDefined();
    if (declaration.kind === "sink") expect(implementation!.sink).toBeDefined();
    else if (declaration.kind === "operator" || declaration.name === "merge")
      expect(implementation!.operator ?? implementation!.fuse).toBeDefined();
    else expect(implementation!.source).toBeDefined();
  });

  it.each(["map", "filter", "set", "json", "to_json", "calibrate"])("fuses the stateless operator %s", (name) => {
    const implementation = lookup(componentKey("operator", name))!;
    expect(implementation.fuse).toBeDefined();
    expect(implementation.operator).toBeUndefined();
  });
});
