/**
 * The files `use` statements name, read from disk for the compiler, which does no I/O itself: one
 * loader for the command line and the language server alike.
 */
import { readFileSync } from "node:fs";
import type { SourceLoader } from "../compiler/index.js";

/**
 * Reads a file a `use` statement names, for {@link compile}'s `load` option: its bytes, or
 * undefined when it cannot be read (the compiler reports that at the `use`).
 *
 * @example
 * const result = compile(inputs, { registry, load: loadUsedFile });
 */
export const loadUsedFile: SourceLoader = (path) => {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
};
