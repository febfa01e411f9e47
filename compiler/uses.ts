/**
 * `use "schemas.flow"`: which files a file uses, in an order where every file comes after the
 * files it uses, with a diagnostic for each file that cannot be found and each `use` that would
 * close a cycle. Files come from the compiler's inputs first, then from the caller's loader: the
 * compiler itself reads nothing.
 */
import { dirname, isAbsolute, join, normalize } from "node:path";
import type { Program, UseStatement } from "./ast.js";
import { diagnostic, DiagnosticCodes, type Diagnostic } from "./diagnostics.js";
import type { CompileInput } from "./input.js";

/**
 * Reads a file that a `use` statement names; undefined when there is no such file. The CLI reads
 * the disk, the language server its open editors first, tests a map.
 *
 * @example
 * const load: SourceLoader = (path) => (existsSync(path) ? readFileSync(path) : undefined);
 */
export type SourceLoader = (path: string) => string | Uint8Array | undefined;

/** The path a `use` in `from` names, relative to the folder of `from`. */
export function resolveUse(from: string, target: string): string {
  return normalize(isAbsolute(target) ? target : join(dirname(from), target));
}

/** A file to compile: an input, or a file loaded because something uses it. */
export interface ModuleFile {
  readonly path: string;
  readonly program: Program;
}

export interface UseGraph {
  /** Every file, each after the files it uses (cycles broken where they were reported). */
  readonly order: readonly string[];
  /** The files each file uses directly, in the order written, without the broken edges. */
  readonly uses: ReadonlyMap<string, readonly { path: string; statement: UseStatement }[]>;
  readonly diagnostics: Diagnostic[];
}

/**
 * Follows `use` statements from the inputs, parsing what the loader returns with `parse`.
 *
 * @example
 * const graph = followUses(parsedInputs, (input) => parseSource(...).program, load);
 */
export function followUses(
  inputs: readonly ModuleFile[],
  parse: (input: CompileInput) => Program,
  load: SourceLoader | undefined,
): UseGraph {
  const files = new Map<string, Program>(inputs.map((file) => [file.path, file.program]));
  // Inputs keep the paths they were given under (`./a.flow`); a `use` may spell them otherwise.
  const known = new Map<string, string>(inputs.map((file) => [normalize(file.path), file.path]));
  const diagnostics: Diagnostic[] = [];
  const edges = new Map<string, { path: string; statement: UseStatement }[]>();
  const pending = [...files.keys()];
  while (pending.length > 0) {
    const path = pending.pop()!;
    const list: { path: string; statement: UseStatement }[] = [];
    for (const statement of files.get(path)!.statements) {
      if (statement.kind !== "use") continue;
      const resolved = resolveUse(path, statement.path.value);
      const target = known.get(resolved) ?? resolved;
      if (!files.has(target)) {
        const loaded = load?.(target);
        if (loaded === undefined) {
          diagnostics.push(
            diagnostic(
              DiagnosticCodes.UseNotFound,
              statement.path.span,
              `cannot find ${JSON.stringify(statement.path.value)} (looked for ${target})`,
              "the path is relative to the folder of this file",
            ),
          );
          continue;
        }
        const input = typeof loaded === "string" ? { path: target, text: loaded } : { path: target, bytes: loaded };
        files.set(target, parse(input));
        known.set(target, target);
        pending.push(target);
      }
      list.push({ path: target, statement });
    }
    edges.set(path, list);
  }

  // Depth first: a file is placed once everything it uses is; a use back into the path being
  // followed closes a cycle and is reported there.
  const order: string[] = [];
  const state = new Map<string, "open" | "done">();
  const uses = new Map<string, { path: string; statement: UseStatement }[]>();
  for (const root of files.keys()) {
    if (state.has(root)) continue;
    const stack: { path: string; next: number; chain: string[] }[] = [{ path: root, next: 0, chain: [root] }];
    state.set(root, "open");
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const list = edges.get(top.path) ?? [];
      if (top.next >= list.length) {
        state.set(top.path, "done");
        order.push(top.path);
        stack.pop();
        continue;
      }
      const edge = list[top.next++]!;
      const kept = uses.get(top.path) ?? [];
      uses.set(top.path, kept);
      const seen = state.get(edge.path);
      if (seen === "open") {
        const cycle = [...top.chain.slice(top.chain.indexOf(edge.path)), edge.path];
        diagnostics.push(
          diagnostic(
            DiagnosticCodes.UseCycle,
            edge.statement.path.span,
            `\`use\` goes round in a circle: ${cycle.join(" → ")}`,
            "move the shared schemas into a file that uses nothing",
          ),
        );
        continue;
      }
      kept.push(edge);
      if (seen === undefined) {
        state.set(edge.path, "open");
        stack.push({ path: edge.path, next: 0, chain: [...top.chain, edge.path] });
      }
    }
  }
  return { order, uses, diagnostics };
}
