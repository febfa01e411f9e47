/**
 * What a target has to say about checked programs before anything is built: `flowc check` and
 * the language server report it, so they tell everything `flowc build` would (heap budget,
 * features that work differently on the board), apart from the secrets, which only a build is
 * given.
 */
import { DiagnosticCodes, type Diagnostic } from "../compiler/diagnostics.js";
import type { IRProgram } from "../compiler/ir.js";
import type { Target } from "../compiler/registry.js";
import type { SourceFile } from "../compiler/source.js";
import { buildEsp8266Bundle } from "./esp8266/build.js";
import type { MicroPythonImplementation } from "./esp8266/component.js";

/** The components' target sides, which a target's analysis builds with (the CLI hands them over). */
export interface TargetImplementations {
  readonly micropython: Iterable<MicroPythonImplementation>;
}

/** Each target's analysis of one program; a target without one has nothing to add. */
const analyses: Readonly<
  Partial<
    Record<
      Target,
      (
        program: IRProgram,
        sources: ReadonlyMap<string, SourceFile>,
        implementations: TargetImplementations,
      ) => readonly Diagnostic[]
    >
  >
> = {
  esp8266: (program, sources, implementations) =>
    // The bundle is generated and thrown away: the diagnostics come from the same code as the build's.
    buildEsp8266Bundle(program, { implementations: implementations.micropython, sources, env: {} }).diagnostics.filter(
      (d) => d.code !== DiagnosticCodes.MissingSecret,
    ),
};

/**
 * The target diagnostics of every program that has a target.
 *
 * @example
 * const { programs, sources } = compile(inputs);
 * const diagnostics = targetDiagnostics(programs, sources, { micropython: micropythonImplementations }); // W704 for `avg` under `deep_sleep`, E503 past the heap
 */
export function targetDiagnostics(
  programs: readonly IRProgram[],
  sources: ReadonlyMap<string, SourceFile>,
  implementations: TargetImplementations,
): Diagnostic[] {
  return programs.flatMap((program) =>
    program.target ? (analyses[program.target]?.(program, sources, implementations) ?? []) : [],
  );
}
