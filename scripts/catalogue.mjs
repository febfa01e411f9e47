// The component catalogue, discovered: every folder under components/ is a component, and each
// file of a well-known name in it adds that side of the component. Nothing lists components by
// hand; adding a folder is the whole change.
//
// `import modules from "flowc-catalogue:node"` gives the modules of every components/*/node.ts, in
// folder order. The esbuild bundle (scripts/build.mjs), vitest (vitest.config.ts) and runs from
// source (scripts/raw-text-hooks.mjs) resolve these imports with catalogueSource(); the types are
// in scripts/raw-imports.d.ts.
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const componentsDirectory = join(root, "components");

/** The prefix of the catalogue's module names. */
export const cataloguePrefix = "flowc-catalogue:";

/** Each side of a component: the file that holds it in the component's folder. */
export const facets = {
  /** The declaration the checker, the docs and the editor read. */
  declarations: "declaration.ts",
  /** The Node implementation `flowc run` runs. */
  node: "node.ts",
  /** The MicroPython emitter the ESP8266 bundle is built with. */
  micropython: "micropython.ts",
  /** The sensor's model on the simulated board (`flowc sim` and the driver tests). */
  board: "board.ts",
};

/**
 * The component folders, sorted by name: every folder under components/ with a declaration.
 *
 * @example
 * componentFolders(); // ["adc", "calibrate", ...]
 */
export function componentFolders() {
  return readdirSync(componentsDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(componentsDirectory, entry.name, facets.declarations)))
    .map((entry) => entry.name)
    .sort();
}

/** The facet a `flowc-catalogue:<facet>` module name asks for, or undefined for other names. */
export function catalogueFacet(specifier) {
  if (!specifier.startsWith(cataloguePrefix)) return undefined;
  const facet = specifier.slice(cataloguePrefix.length);
  if (!Object.hasOwn(facets, facet)) throw new Error(`unknown catalogue module ${specifier}`);
  return facet;
}

/**
 * The JavaScript of the `flowc-catalogue:<facet>` module: it imports that file of every folder
 * that has one and exports their modules as an array. `specifier` turns a file's path into what
 * the importer resolves (a file URL for Node's loader).
 *
 * @example
 * catalogueSource("node"); // 'import * as m0 from "/…/components/adc/node.ts"; …; export default [m0, …];'
 */
export function catalogueSource(facet, specifier = (file) => file) {
  const files = componentFolders()
    .map((folder) => join(componentsDirectory, folder, facets[facet]))
    .filter((file) => existsSync(file));
  const imports = files.map((file, i) => `import * as m${i} from ${JSON.stringify(specifier(file))};`);
  return `${imports.join("\n")}\nexport default [${files.map((_, i) => `m${i}`).join(", ")}];\n`;
}

/** The catalogue as an esbuild plugin. */
export const cataloguePlugin = {
  name: "flowc-catalogue",
  setup(esbuildBuild) {
    esbuildBuild.onResolve({ filter: /^flowc-catalogue:/ }, (args) => ({
      path: catalogueFacet(args.path),
      namespace: "flowc-catalogue",
    }));
    esbuildBuild.onLoad({ filter: /.*/, namespace: "flowc-catalogue" }, (args) => ({
      contents: catalogueSource(args.path),
      loader: "js",
      resolveDir: componentsDirectory,
      // A folder added or removed rebuilds the catalogue in watch mode.
      watchDirs: [componentsDirectory],
    }));
  },
};

/** The catalogue for Node's module loader (runs from source), as a file URL per import. */
export function catalogueSourceForNode(facet) {
  return catalogueSource(facet, (file) => pathToFileURL(file).href);
}

/** The catalogue as a Vite (vitest) plugin. */
export const catalogueVitePlugin = {
  name: "flowc-catalogue",
  resolveId(id) {
    return catalogueFacet(id) ? `\0${id}` : undefined;
  },
  load(id) {
    if (!id.startsWith(`\0${cataloguePrefix}`)) return undefined;
    return catalogueSource(catalogueFacet(id.slice(1)));
  },
};
