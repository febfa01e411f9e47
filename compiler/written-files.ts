/**
 * One shape per written file (E411): rows that do not match a CSV file's header would corrupt it.
 * Within a file the checker keeps the first shape each sink writes into a resource; across the
 * files compiled together ({@link writtenAcrossFiles}) each resource is resolved against its
 * file's folder, as the runtime opens it, so `out.csv` in two folders is two files and
 * `../logs/out.csv` beside `out.csv` one level down is the same one.
 */
import type { CheckedProgram, WrittenResource } from "./checked.js";
import { diagnostic, DiagnosticCodes, type Diagnostic } from "./diagnostics.js";
import { resolveUse } from "./uses.js";

/**
 * The first shape written into each resource; a later one that differs is an E411 at the later
 * sink, with the first as its related location.
 *
 * @example
 * const resources = new WrittenResources(diagnostics);
 * resources.add({ resource: "out.csv", shape: "ts,val", span, what: "csv out.csv" });
 */
export class WrittenResources {
  private readonly first = new Map<string, WrittenResource>();

  constructor(private readonly diagnostics: Diagnostic[]) {}

  /** Records `written` under `key` (its resource unless given) and reports a shape unlike the first's. */
  add(written: WrittenResource, key = written.resource): void {
    const first = this.first.get(key);
    if (!first) {
      this.first.set(key, written);
      return;
    }
    if (first.shape === written.shape) return;
    const where = first.span.file === written.span.file ? "by another pipeline" : `in ${first.span.file}`;
    this.diagnostics.push({
      ...diagnostic(
        DiagnosticCodes.FileShapeConflict,
        written.span,
        `\`${written.what}\` is written with columns \`${written.shape}\` here but \`${first.shape}\` ${where}`,
        "write each shape to a file of its own, or make the records alike with `map` first",
      ),
      related: [{ span: first.span, message: `\`${first.what}\` is written with columns \`${first.shape}\` here` }],
    });
  }

  /** The first sink writing each resource, in the order they were added. */
  firsts(): WrittenResource[] {
    return [...this.first.values()];
  }
}

/**
 * E411 for files compiled together that write one file in different shapes (the tutorial's two
 * flows run by one `flowc run`, say), each resource resolved against its own file's folder.
 *
 * @example
 * writtenAcrossFiles([client, server]); // [E411 "`csv test.csv` is written with columns ... in client.flow"]
 */
export function writtenAcrossFiles(programs: readonly CheckedProgram[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const resources = new WrittenResources(diagnostics);
  for (const program of programs) {
    for (const written of program.written) resources.add(written, resolveUse(program.file, written.resource));
  }
  return diagnostics;
}
