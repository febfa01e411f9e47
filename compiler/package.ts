/**
 * What `import ... from "flowc"` gives: the compiler API ({@link ./index.ts}) and, beside it, the
 * Prettier plugin's parts, because Prettier loads a plugin named by package (`prettier --plugin
 * flowc`) from the package's main entry. The CLI imports ./index.ts directly, so `flowc check`
 * never loads Prettier.
 *
 * @example
 * import { compile } from "flowc";
 * const { diagnostics } = compile([{ path: "server.flow", text: 'mqtt "sensor-data" -> print' }]);
 */
export * from "./index.js";
export { languages, parsers, printers, defaultOptions } from "./prettier/plugin.js";
