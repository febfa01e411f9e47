import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderComponentDocs } from "./component-docs.js";
import { compile, registry } from "../test/support/catalogue.js";

const path = new URL("../docs/components.md", import.meta.url).pathname;

describe("docs/components.md", () => {
  it("matches the registry", () => {
    const rendered = renderComponentDocs(registry());
    if (process.env["UPDATE_GOLDEN"]) writeFileSync(path, rendered);
    expect(readFileSync(path, "utf8")).toBe(rendered);
  });

  it("shows examples that check clean (sources are completed with a sink)", () => {
    for (const declaration of registry().all()) {
      const pipelineNeedsStream =
        /\b(lux|temp)\b/.test(declaration.example) && !declaration.example.startsWith("tsl2591");
      const prelude = pipelineNeedsStream ? "let lux = tsl2591 every 2s\nlet temp = mcp9808 every 2s\n" : "";
      const result = compile([
        { path: `${declaration.kind}-${declaration.name}.flow`, text: prelude + declaration.example },
      ]);
      expect(
        result.diagnostics
          .filter((d) => d.severity === "error")
          .map((d) => `${declaration.name}: ${d.code} ${d.message}`),
      ).toEqual([]);
    }
  });
});
