/**
 * A parse as plain data, for tests that compare two ways of building the parser (precomputed
 * lookahead, a recorded grammar) with Chevrotain's own: equal data means the same tree and the same
 * syntax errors, recovery included.
 */
import fc from "fast-check";
import type { CstElement, CstNode, IToken } from "chevrotain";
import { lex } from "../../compiler/layout.js";
import type { FlowParser } from "../../compiler/parser.js";
import { SourceFile } from "../../compiler/source.js";
import { arbitraryProgram } from "./arbitrary-program.js";

/**
 * The CST as nested plain data, and the syntax errors, of `text` parsed by `parser`.
 *
 * @example
 * expect(parsedBy(bundled, text)).toEqual(parsedBy(chevrotains, text));
 */
export function parsedBy(parser: FlowParser, text: string) {
  parser.input = lex(new SourceFile("test.flow", text)).tokens;
  const cst = parser.program();
  const errors = parser.errors.map((error) => `${error.name} at ${error.token.startOffset}: ${error.message}`);
  return { cst: plain(cst), errors };
}

function plain(element: CstElement): unknown {
  if (!("children" in element)) return `${(element as IToken).tokenType.name}@${element.startOffset}`;
  const node = element as CstNode;
  return [node.name, Object.entries(node.children).map(([name, children]) => [name, children.map(plain)])];
}

const soupTokens = [
  "let", "x", "=", "->", "[", "]", "{", "}", "(", ")", ",", ":", ".", "-", "- ", "+", "*", "==", ">", "not", "and",
  "1", "-2", "5s", "\"s\"", "true", "tsl2591", "every", "map", "val", "print", "schema", "use", "broker", "device",
  "\n", " ", "# note\n",
]; // prettier-ignore

/** Texts to parse: generated programs, valid by construction, and random token soup, which is not. */
export function programsAndSoup(): fc.Arbitrary<string> {
  const soup = fc.array(fc.constantFrom(...soupTokens), { maxLength: 60 }).map((tokens) => tokens.join(" "));
  return fc.oneof(
    arbitraryProgram().map((program) => program.text),
    soup,
  );
}
