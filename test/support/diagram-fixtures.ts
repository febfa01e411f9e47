/**
 * Shared by the graph tests: the example systems (every folder of examples/, its `.flow` files
 * compiled together, with paths relative to the repository so golden files do not depend on the
 * checkout) and readers for the SVG Graphviz writes.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { hasErrors, renderDiagnostic } from "../../compiler/diagnostics.js";
import { compile, type CompileResult } from "../../compiler/index.js";
import { registry } from "../../components/declarations.js";

export const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface ExampleSystem {
  /** The folder name under examples/, e.g. `tutorial`. */
  readonly name: string;
  readonly result: CompileResult;
}

/** Compiles `.flow` files given relative to the repository root; throws on errors. */
export function compileFiles(paths: readonly string[]): CompileResult {
  const result = compile(
    paths.map((path) => ({ path, text: readFileSync(repositoryRoot + path, "utf8") })),
    {
      registry: registry(),
    },
  );
  if (hasErrors(result.diagnostics)) {
    throw new Error(result.diagnostics.map((d) => renderDiagnostic(d, result.sources)).join("\n"));
  }
  return result;
}

export function exampleSystems(): ExampleSystem[] {
  return readdirSync(repositoryRoot + "examples", { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const files = readdirSync(`${repositoryRoot}examples/${name}`)
        .filter((file) => file.endsWith(".flow"))
        .sort()
        .map((file) => `examples/${name}/${file}`);
      return { name, result: compileFiles(files) };
    })
    .filter((system) => system.result.programs.length > 0);
}

/**
 * The text of every `<text>` element of an SVG document, entities decoded, in document order.
 * Graphviz writes one element per label line.
 */
export function svgTexts(svg: string): string[] {
  const parser = new XMLParser({
    processEntities: true,
    htmlEntities: true,
    trimValues: false,
    preserveOrder: true,
    // Text as written: "-0" or "1e3" would otherwise come back as the numbers 0 and 1000.
    parseTagValue: false,
  });
  const texts: string[] = [];
  const walk = (elements: readonly Record<string, unknown>[]) => {
    for (const element of elements) {
      for (const [name, children] of Object.entries(element)) {
        if (!Array.isArray(children)) continue;
        if (name === "text")
          texts.push(children.map((child: { "#text"?: unknown }) => String(child["#text"] ?? "")).join(""));
        else walk(children);
      }
    }
  };
  walk(parser.parse(svg));
  return texts;
}

/** True when `text` is a well-formed XML document, else the parser's complaint. */
export function xmlWellFormed(text: string): true | string {
  const result = XMLValidator.validate(text);
  return result === true ? true : `${result.err.msg} (line ${result.err.line})`;
}
