/**
 * `import text from "./driver.py?raw"`: the file's contents as a string. vitest, the esbuild
 * bundle (scripts/build.mjs) and the from-source fallback (scripts/raw-text-hooks.mjs) all load
 * such imports this way.
 */
declare module "*?raw" {
  const text: string;
  export default text;
}

/**
 * The component catalogue, discovered from the folders under components/ (scripts/catalogue.mjs):
 * the module of every `components/<name>/<facet file>`, in folder order.
 */
declare module "flowc-catalogue:declarations" {
  const modules: readonly {
    readonly declarations: readonly import("../compiler/registry.js").ComponentDeclaration[];
  }[];
  export default modules;
}
declare module "flowc-catalogue:node" {
  const modules: readonly {
    readonly nodeImplementations: readonly import("../runtime/component.js").NodeImplementation[];
  }[];
  export default modules;
}
declare module "flowc-catalogue:micropython" {
  const modules: readonly {
    readonly micropythonImplementations: readonly import("../targets/esp8266/component.js").MicroPythonImplementation[];
  }[];
  export default modules;
}
declare module "flowc-catalogue:board" {
  const modules: readonly {
    readonly boardParts: readonly import("../targets/esp8266/simulator/board.js").BoardPart[];
  }[];
  export default modules;
}
