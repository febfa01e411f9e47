/**
 * What `import ... from "flowc"` gives: the compiler API ({@link ../compiler/index.ts}), the
 * registry of every component in components/ to hand it, and, beside them, the Prettier plugin's
 * parts, because Prettier loads a plugin named by package (`prettier --plugin flowc`) from the
 * package's main entry. The CLI imports the compiler directly, so `flowc check` never loads Prettier.
 *
 * @example
 * import { compile, registry } from "flowc";
 * const { diagnostics } = compile([{ path: "server.flow", text: 'mqtt "sensor-data" -> print' }], { registry: registry() });
 */
export * from "../compiler/index.js";
export { registry } from "../components/declarations.js";
export { languages, parsers, printers, defaultOptions } from "../compiler/prettier/plugin.js";
