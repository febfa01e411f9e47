// The compiler's stages one by one, for bench/check-large.mjs: which of them a large file's time
// goes to. The bench bundles this file with esbuild the way dist/ is built, so the figures are
// those of the shipped code.
import { checkProgram } from "../compiler/checker.js";
import { AstBuilder } from "../compiler/cst-to-ast.js";
import { registry } from "../components/declarations.js";
import { lex } from "../compiler/layout.js";
import { lower } from "../compiler/lower.js";
import { parseTokens } from "../compiler/parser.js";
import { SourceFile } from "../compiler/source.js";

export type StageTimes = Record<"lex" | "parse" | "ast" | "check" | "lower", number>;

/** Runs each stage on `text` once and returns how long each took, in ms. */
export function timeStages(path: string, text: string): StageTimes {
  let started = performance.now();
  const lap = () => {
    const now = performance.now();
    const elapsed = now - started;
    started = now;
    return elapsed;
  };
  const source = new SourceFile(path, text);
  const lexed = lex(source);
  const lexMs = lap();
  // As parseSource does it: each statement's AST is built as soon as it is parsed; the time spent
  // building is counted apart.
  const builder = new AstBuilder(source, () => []);
  let astMs = 0;
  const { cst } = parseTokens(lexed.tokens, (statement) => {
    const building = performance.now();
    builder.addStatement(statement);
    astMs += performance.now() - building;
  });
  const { program } = builder.finish(cst);
  const parseMs = lap() - astMs;
  const checked = checkProgram(program, registry(), {});
  const checkMs = lap();
  lower(checked.program);
  return { lex: lexMs, parse: parseMs, ast: astMs, check: checkMs, lower: lap() };
}
