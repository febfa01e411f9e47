/**
 * The syntax corpus. Every file under invalid/ starts with the diagnostics it must produce, one
 * `# expect:` line each (code, line:column, message); the rest of the file is the source. Every
 * file under valid/ and every example must check clean. UPDATE_GOLDEN=1 rewrites the expectations
 * (review the diff before committing).
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../support/catalogue.js";

const here = new URL(".", import.meta.url).pathname;
const root = join(here, "../..");
const expectPrefix = "# expect: ";

function flowFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? flowFiles(join(dir, entry.name))
      : entry.name.endsWith(".flow")
        ? [join(dir, entry.name)]
        : [],
  );
}

function describeDiagnostics(path: string, text: string): string[] {
  const result = compile([{ path, text }]);
  return result.diagnostics.map((d) => {
    const at = result.sources.get(d.span.file)!.position(d.span.start);
    return `${d.code} ${at.line}:${at.column} ${d.message}`;
  });
}

describe("invalid corpus", () => {
  const files = flowFiles(join(here, "invalid"));

  it("has at least 30 cases", () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  for (const file of files) {
    it(relative(here, file), () => {
      const text = readFileSync(file, "utf8");
      const lines = text.split("\n");
      const expected = lines
        .filter((line) => line.startsWith(expectPrefix))
        .map((line) => line.slice(expectPrefix.length));
      const actual = describeDiagnostics(relative(root, file), text);
      if (process.env["UPDATE_GOLDEN"]) {
        const source = lines.filter((line) => !line.startsWith(expectPrefix));
        const header = describeDiagnostics(relative(root, file), [...actual.map(() => "#"), ...source].join("\n"));
        writeFileSync(file, [...header.map((line) => expectPrefix + line), ...source].join("\n"));
        return;
      }
      expect(actual.length).toBeGreaterThan(0);
      expect(actual).toEqual(expected);
    });
  }
});

describe("valid corpus and examples", () => {
  const files = [...flowFiles(join(here, "valid")), ...flowFiles(join(root, "examples"))];
  for (const file of files) {
    it(relative(root, file), () => {
      expect(describeDiagnostics(relative(root, file), readFileSync(file, "utf8"))).toEqual([]);
    });
  }
});
