/**
 * A component is one folder: the catalogue finds it (scripts/catalogue.mjs), and nothing outside
 * the folder reaches into it or lists it by name, so adding a component is adding a folder.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import discoveredDeclarations from "flowc-catalogue:declarations";
import { describe, expect, it } from "vitest";
import { componentFolders, facets } from "../scripts/catalogue.mjs";
import { allDeclarations } from "./declarations.js";
import { nodeImplementations } from "./node.js";
import { micropythonImplementations } from "./micropython.js";
import { boardParts } from "./board.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
  cwd: root,
  encoding: "utf8",
})
  .split("\n")
  .filter((file) => file !== "" && !file.startsWith("dist/"));
const folders = componentFolders();

/** Tests, their fixtures and goldens, example flows and generated files may name any component. */
const mayNameComponents = (file: string) =>
  /\.test\.ts$|(^|\/)testing(\.ts|\/)|(^|\/)fixtures\.ts$|^test\/|(^|\/)golden\/|\.golden$|\.scopes$|^examples\//.test(
    file,
  ) ||
  // Generated from the declarations: the component reference and the TextMate grammar.
  file === "docs/components.md" ||
  file === "editors/vscode/syntaxes/flowc.tmLanguage.json" ||
  file === "package-lock.json" ||
  // The guide to adding a sensor, whose worked example is one.
  file === "docs/contributing.md";

const importSpecifiers = (text: string) =>
  [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["']([^"']+)["']/g)].map((match) => match[1]!);

describe("the component catalogue", () => {
  it("finds every folder under components/ with a declaration", () => {
    expect(folders.length).toBeGreaterThan(20);
    expect(discoveredDeclarations).toHaveLength(folders.length);
    for (const module of discoveredDeclarations) expect(module.declarations).not.toHaveLength(0);
  });

  it("holds each folder's declarations, implementations and board parts", () => {
    const byFolder = (facet: keyof typeof facets) =>
      folders.filter((folder) => files.includes(`components/${folder}/${facets[facet]}`));
    expect(allDeclarations.length).toBeGreaterThanOrEqual(byFolder("declarations").length);
    expect(nodeImplementations.length).toBeGreaterThanOrEqual(byFolder("node").length);
    expect(micropythonImplementations.length).toBeGreaterThanOrEqual(byFolder("micropython").length);
    expect(boardParts.map((part) => part.name).sort()).toEqual(byFolder("board"));
  });

  it.each(folders)("%s: no file outside its folder imports from it", (folder) => {
    const inside = `components/${folder}/`;
    const reaching = files.filter((file) => {
      if (file.startsWith(inside) || mayNameComponents(file) || !/\.(ts|mts|mjs|js)$/.test(file)) return false;
      return importSpecifiers(readFileSync(join(root, file), "utf8")).some(
        (specifier) => specifier.startsWith(".") && `${normalize(join(dirname(file), specifier))}`.startsWith(inside),
      );
    });
    expect(reaching).toEqual([]);
  });

  // A chip's part number is no English word, so any mention of it is a hand-kept list or a
  // special case. The tutorial's sensor is the language's running example, named in its docs.
  const tutorial = files
    .filter((file) => file.startsWith("examples/tutorial/") && file.endsWith(".flow"))
    .map((file) => readFileSync(join(root, file), "utf8"))
    .join("\n");
  const partNumbers = folders.filter((folder) => /\d/.test(folder) && !new RegExp(`\\b${folder}\\b`).test(tutorial));

  it("checks the part numbers of at least the MCP9808 and the ADXL345", () => {
    expect(partNumbers).toEqual(expect.arrayContaining(["mcp9808", "adxl345"]));
  });

  it.each(partNumbers)("%s is named in no file outside its folder", (folder) => {
    const name = new RegExp(`\\b${folder}\\b`, "i");
    const naming = files.filter(
      (file) =>
        !file.startsWith(`components/${folder}/`) &&
        !mayNameComponents(file) &&
        name.test(readFileSync(join(root, file), "utf8")),
    );
    expect(naming).toEqual([]);
  });
});
