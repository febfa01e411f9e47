/**
 * Tokenizes `.flow` text with the committed TextMate grammar through vscode-textmate and
 * vscode-oniguruma, the engine and regular-expression library VS Code itself uses, so what the
 * tests and golden files show is what the editor shows.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import oniguruma from "vscode-oniguruma";
import textmate from "vscode-textmate";
import type { IGrammar, IRawGrammar, StateStack } from "vscode-textmate";
import { grammarPath } from "./generate-grammar.js";

/** One token of one line and the scopes VS Code would give it, outermost first. */
export interface ScopedToken {
  /** 1-based. */
  readonly line: number;
  readonly text: string;
  /** Without the root `source.flowc`. */
  readonly scopes: readonly string[];
}

export interface TokenizedText {
  readonly tokens: readonly ScopedToken[];
  /** The rule stack after the last line: depth 1 when every region the grammar opened was closed. */
  readonly finalDepth: number;
}

let onigLibrary: Promise<textmate.IOnigLib> | undefined;

/** Oniguruma's WebAssembly build can be loaded once per process. */
function loadOniguruma(): Promise<textmate.IOnigLib> {
  onigLibrary ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasm = await readFile(require.resolve("vscode-oniguruma/release/onig.wasm"));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    return {
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    };
  })();
  return onigLibrary;
}

/**
 * Loads the flowc grammar: the committed file, or `rawGrammar` (an in-memory one under test).
 *
 * @example
 * const grammar = await loadFlowGrammar();
 * tokenizeFlow(grammar, "tsl2591 every 5s -> print").tokens[0]; // { line: 1, text: "tsl2591", scopes: [...] }
 */
export async function loadFlowGrammar(rawGrammar?: object): Promise<IGrammar> {
  const registry = new textmate.Registry({
    onigLib: loadOniguruma(),
    loadGrammar: async (scopeName) => {
      if (scopeName !== "source.flowc") return null;
      if (rawGrammar) return rawGrammar as IRawGrammar;
      return textmate.parseRawGrammar(await readFile(grammarPath, "utf8"), grammarPath);
    },
  });
  const grammar = await registry.loadGrammar("source.flowc");
  if (!grammar) throw new Error(`could not load the grammar ${grammarPath}`);
  return grammar;
}

/** Tokenizes a whole text line by line, carrying the rule stack across lines as the editor does. */
export function tokenizeFlow(grammar: IGrammar, text: string): TokenizedText {
  const tokens: ScopedToken[] = [];
  let state: StateStack = textmate.INITIAL;
  const lines = text.split(/\r?\n/);
  lines.forEach((lineText, index) => {
    const result = grammar.tokenizeLine(lineText, state);
    for (const token of result.tokens) {
      const tokenText = lineText.slice(token.startIndex, token.endIndex);
      if (tokenText.length === 0) continue;
      tokens.push({ line: index + 1, text: tokenText, scopes: token.scopes.slice(1) });
    }
    state = result.ruleStack;
  });
  return { tokens, finalDepth: state.depth };
}

/**
 * The golden-file form of a tokenization: one line per token that is not bare whitespace,
 * `text<TAB>scopes`, and an empty line between source lines.
 *
 * @example
 * scopeListing(tokenizeFlow(grammar, "# hi").tokens);
 * // "#\tcomment.line.number-sign.flowc punctuation.definition.comment.flowc\n hi\tcomment.line.number-sign.flowc\n"
 */
export function scopeListing(tokens: readonly ScopedToken[]): string {
  const out: string[] = [];
  let line = tokens[0]?.line ?? 1;
  for (const token of tokens) {
    if (token.scopes.length === 0 && token.text.trim() === "") continue;
    if (token.line !== line) {
      out.push("");
      line = token.line;
    }
    out.push(`${token.text}\t${token.scopes.join(" ")}`);
  }
  return out.join("\n") + "\n";
}
