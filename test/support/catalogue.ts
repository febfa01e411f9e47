/**
 * The compiler, the runtime and the bundle builder with every component in components/, as the
 * CLI hands them over: tests that are not about the catalogue itself use these.
 *
 * @example
 * const { programs } = compile([{ path: "a.flow", text: "sim every 1s -> print" }]);
 * const flow = await runProgram(programs, { stdout });
 */
import {
  compile as compileWith,
  type CompileInput,
  type CompileOptions,
  type CompileResult,
} from "../../compiler/index.js";
import { registry } from "../../components/declarations.js";
import { micropythonImplementations } from "../../components/micropython.js";
import { nodeImplementations } from "../../components/node.js";
import type { IRProgram } from "../../compiler/ir.js";
import { runProgram as runWith, type RunningFlow, type RunOptions } from "../../runtime/run.js";
import {
  buildBundle as buildWith,
  type Bundle,
  type BundleOptions,
  type TextBundleFile,
} from "../../targets/esp8266/bundle.js";
import { buildEsp8266Bundle as buildEsp8266With, type Esp8266BundleOptions } from "../../targets/esp8266/build.js";

export { micropythonImplementations, nodeImplementations, registry };

/** {@link compileWith compile} with every component's declaration. */
export function compile(inputs: readonly CompileInput[], options: Partial<CompileOptions> = {}): CompileResult {
  return compileWith(inputs, { registry: registry(), ...options });
}

/**
 * The diagnostics of one file `t.flow` holding `text`, each as its code, message, line and column:
 * what a declaration's tests assert.
 *
 * @example
 * locatedDiagnostics('sim every 1s -> print', { target: "node" }); // []
 */
export function locatedDiagnostics(text: string, options: Partial<CompileOptions> = {}) {
  const result = compile([{ path: "t.flow", text }], options);
  return result.diagnostics.map((d) => ({
    code: d.code,
    message: d.message,
    ...result.sources.get("t.flow")!.position(d.span.start),
  }));
}

/** {@link runWith runProgram} with every component's Node implementation. */
export function runProgram(programs: readonly IRProgram[], options: Partial<RunOptions> = {}): Promise<RunningFlow> {
  return runWith(programs, { implementations: nodeImplementations, ...options });
}

/** {@link buildWith buildBundle} with every component's MicroPython implementation. */
export function buildBundle(program: IRProgram, options: Partial<BundleOptions> = {}): Bundle<TextBundleFile> {
  return buildWith(program, { implementations: micropythonImplementations, ...options });
}

/** {@link buildEsp8266With buildEsp8266Bundle} with every component's MicroPython implementation. */
export function buildEsp8266Bundle(
  program: IRProgram,
  options: Partial<Esp8266BundleOptions> = {},
): Bundle<TextBundleFile> {
  return buildEsp8266With(program, { implementations: micropythonImplementations, ...options });
}
