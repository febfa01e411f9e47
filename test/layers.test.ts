/**
 * The tree's imports form layers (docs/architecture.md): the compiler at the ground, shared
 * helpers on it, the runtime and the targets above, the components above those, and the command
 * line, the package entries and the editor support on top. No module imports one of a higher
 * layer, and no modules import each other in a loop. Tests and their support may import anything.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../", import.meta.url));

/** Folders by layer, lowest first. */
const layers: readonly (readonly string[])[] = [
  ["compiler/"],
  ["shared/"],
  ["runtime/", "targets/"],
  ["components/"],
  ["cli/", "editors/lsp/"],
];

const isTest = (file: string) => /\.test\.ts$|(^|\/)testing(\.ts|\/)|^test\//.test(file);

const modules = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts"], {
  cwd: root,
  encoding: "utf8",
})
  .split("\n")
  .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts") && !isTest(file) && layerOf(file) !== undefined);

function layerOf(file: string): number | undefined {
  const index = layers.findIndex((folders) => folders.some((folder) => file.startsWith(folder)));
  return index === -1 ? undefined : index;
}

/** The repository files a module imports, statically or with import(). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  return [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^"';]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g),
  ]
    .map((match) => match[1] ?? match[2]!)
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => normalize(join(dirname(file), specifier.replace(/\?raw$/, ""))).replace(/\.js$/, ".ts"))
    .filter((target) => existsSync(join(root, target)));
}

const graph = new Map(modules.map((file) => [file, importsOf(file)]));
describe("the layers of the tree", () => {
  it("sees the modules of every layer", () => {
    for (let layer = 0; layer < layers.length; layer++) {
      expect(modules.filter((file) => layerOf(file) === layer).length, layers[layer]!.join(" ")).toBeGreaterThan(0);
    }
  });

  it("has no module importing one of a higher layer", () => {
    const upward = [...graph].flatMap(([file, targets]) =>
      targets.filter((target) => (layerOf(target) ?? -1) > layerOf(file)!).map((target) => `${file} → ${target}`),
    );
    expect(upward).toEqual([]);
  });

  it("keeps the runtime and the targets apart", () => {
    const across = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((target) => layerOf(file) === 2 && layerOf(target) === 2 && target.split("/")[0] !== file.split("/")[0])
        .map((target) => `${file} → ${target}`),
    );
    expect(across).toEqual([]);
  });

  it("has no import cycles", () => {
    // Tarjan's strongly connected components: any component of more than one module is a loop.
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const loops: string[][] = [];
    let next = 0;
    const visit = (file: string) => {
      index.set(file, next);
      low.set(file, next++);
      stack.push(file);
      onStack.add(file);
      for (const target of graph.get(file) ?? []) {
        if (!graph.has(target)) continue;
        if (!index.has(target)) {
          visit(target);
          low.set(file, Math.min(low.get(file)!, low.get(target)!));
        } else if (onStack.has(target)) {
          low.set(file, Math.min(low.get(file)!, index.get(target)!));
        }
      }
      if (low.get(file) === index.get(file)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== file);
        if (component.length > 1 || (graph.get(file) ?? []).includes(file)) loops.push(component.sort());
      }
    };
    for (const file of graph.keys()) if (!index.has(file)) visit(file);
    expect(loops).toEqual([]);
  });
});
