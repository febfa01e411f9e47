import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderCliReference, withReference } from "./reference.js";
import { commands } from "./main.js";

const readmePath = new URL("../README.md", import.meta.url);

describe("README.md's command-line reference", () => {
  it("matches the registered commands (UPDATE_GOLDEN=1 rewrites it)", async () => {
    const expected = withReference(readFileSync(readmePath, "utf8"), await renderCliReference());
    if (process.env["UPDATE_GOLDEN"]) writeFileSync(readmePath, expected);
    expect(readFileSync(readmePath, "utf8")).toBe(expected);
  });

  it("describes every command, with a link from the summary table", async () => {
    const reference = await renderCliReference();
    for (const name of Object.keys(commands)) {
      expect(reference).toContain(`| [\`${name}\`](#flowc-${name}) |`);
      expect(reference).toContain(`\n### flowc ${name}\n`);
    }
  });
});
