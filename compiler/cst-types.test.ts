import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cstTypesPath, cstTypesSource } from "../scripts/generate-grammar.js";

describe("compiler/cst.generated.ts", () => {
  it("matches the grammar in compiler/parser.ts (regenerate with `npm run grammar:generate`)", async () => {
    expect(readFileSync(cstTypesPath, "utf8")).toBe(await cstTypesSource());
  });

  it("types every rule the parser has, with its labels", async () => {
    const source = await cstTypesSource();
    expect(source).toContain("export type ItemCstChildren = {");
    expect(source).toMatch(/export type FieldDeclarationCstChildren = \{\n {2}name: IToken\[\];/);
    expect(source).toContain("export interface CstVisitor<IN, OUT> extends ICstVisitor<IN, OUT> {");
  });
});
