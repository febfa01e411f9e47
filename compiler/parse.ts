/**
 * The front end in one call: text → tokens → CST → AST, with every lexical and syntax problem as
 * a diagnostic. Recovery means a file with mistakes still yields an AST for the rest of it.
 */
import type { IRecognitionException, IToken } from "chevrotain";
import type { Program } from "./ast.js";
import { AstBuilder } from "./cst-to-ast.js";
import { diagnostic, DiagnosticCodes, type Diagnostic } from "./diagnostics.js";
import { lex } from "./layout.js";
import { capPerFile, withinNestingLimit } from "./limits.js";
import { parseTokens, syntaxErrorsSoFar } from "./parser.js";
import { looksLikeBinaryText, type SourceFile } from "./source.js";

export interface ParsedFile {
  readonly program: Program;
  /** Comment tokens in source order, for the formatter. */
  readonly comments: readonly IToken[];
  readonly diagnostics: Diagnostic[];
}

/** How each token kind reads in an error message. */
const tokenText: Record<string, string> = {
  Arrow: "`->`",
  EqualEqual: "`==`",
  NotEqual: "`!=`",
  LessEqual: "`<=`",
  GreaterEqual: "`>=`",
  Less: "`<`",
  Greater: "`>`",
  Equals: "`=`",
  Plus: "`+`",
  Minus: "`-`",
  Sign: "`-`",
  Star: "`*`",
  Slash: "`/`",
  Percent: "`%`",
  LParen: "`(`",
  RParen: "`)`",
  LBracket: "`[`",
  RBracket: "`]`",
  LBrace: "`{`",
  RBrace: "`}`",
  Comma: "`,`",
  Colon: "`:`",
  Dot: "`.`",
  Identifier: "a name",
  NumberLiteral: "a number",
  Duration: "a duration",
  StringLiteral: "a string",
  Newline: "end of line",
  EOF: "end of file",
};

function describe(token: IToken): string {
  if (token.tokenType.name === "EOF") return "end of file";
  if (token.tokenType.name === "Newline") return "end of line";
  return `\`${token.image}\``;
}

function expectedFrom(error: IRecognitionException): string | undefined {
  const match = /-->\s*(\w+)\s*<--/.exec(error.message);
  const name = match?.[1];
  return name ? (tokenText[name] ?? `\`${name.toLowerCase()}\``) : undefined;
}

function syntaxDiagnostic(
  error: IRecognitionException,
  source: SourceFile,
  previous: IToken | undefined,
  following: IToken | undefined,
): Diagnostic {
  const token = error.token;
  const atEnd = token.tokenType.name === "EOF" || Number.isNaN(token.startOffset);
  const start = atEnd ? Math.max(0, source.text.trimEnd().length - 1) : token.startOffset;
  const span = source.span(start, atEnd ? start + 1 : token.startOffset + token.image.length);
  const expected = error.message.includes("--> EOF <--") ? undefined : expectedFrom(error);
  const found = describe(token);
  const rule = error.context.ruleStack[error.context.ruleStack.length - 1] ?? "";

  if (error.name === "MismatchedTokenException" && expected && ["`}`", "`]`", "`)`"].includes(expected)) {
    return diagnostic(
      atEnd ? DiagnosticCodes.UnclosedBracket : DiagnosticCodes.MissingToken,
      span,
      `expected ${expected} but found ${found}`,
      atEnd ? `a bracket opened earlier is never closed: add ${expected}` : `add ${expected} before ${found}`,
    );
  }
  if (error.name === "MismatchedTokenException" && expected) {
    return diagnostic(
      DiagnosticCodes.MissingToken,
      span,
      `expected ${expected} but found ${found}`,
      hintFor(rule, token, previous, following),
    );
  }
  if (error.name === "NotAllInputParsedException" || !expected) {
    return diagnostic(
      DiagnosticCodes.UnexpectedToken,
      span,
      `unexpected ${found}${ruleContext(rule)}`,
      hintFor(rule, token, previous, following),
    );
  }
  return diagnostic(
    DiagnosticCodes.UnexpectedToken,
    span,
    `unexpected ${found}${ruleContext(rule)}`,
    hintFor(rule, token, previous, following),
  );
}

function ruleContext(rule: string): string {
  const contexts: Record<string, string> = {
    operand: " where a value was expected",
    nameOrCall: " where a value was expected",
    step: " after `->`",
    statement: " at the start of a statement",
    fieldDeclaration: " in a schema field",
    recordField: " in a record field",
  };
  return contexts[rule] ?? "";
}

function hintFor(rule: string, token: IToken, previous: IToken | undefined, following: IToken | undefined): string {
  const name = token.tokenType.name;
  if (name === "Equals" && following?.tokenType.name === "Greater") return "pipelines connect stages with `->`";
  if (name === "Greater" && previous?.tokenType.name === "Equals") return "pipelines connect stages with `->`";
  if (name === "Greater" && previous?.tokenType.name === "Minus") return "write `->` without a space inside it";
  if (name === "Sign") {
    return "a `-` written against what follows is a sign (`offset -0.4`); to subtract, write `a - b` or `a-b`";
  }
  if (name === "Equals" && rule !== "letStatement") return "compare with `==`; `=` only assigns in `let` and `set`";
  if (rule === "step" || name === "Arrow") return "after `->` comes an operator, a sink or a fan-out `[a, b]`";
  if (rule === "fieldDeclaration") return "schema fields are written `name: type`, as in `val: number`";
  if (rule === "recordField") return "record fields are written `name: value`";
  if (name === "EOF") return "the file ended in the middle of a statement";
  return "a statement is `let`, `schema`, `broker`, `device` or a pipeline `source -> step -> sink`";
}

/**
 * Parses one source file.
 *
 * @example
 * const { program, diagnostics } = parseSource(new SourceFile("server.flow", text));
 */
export function parseSource(source: SourceFile): ParsedFile {
  if (looksLikeBinaryText(source.text)) return notText(source);
  const lexed = lex(source);
  const limited = withinNestingLimit(lexed.tokens, source);
  // The parser keeps its errors until the next parse, so this holds while building and finishing.
  const builder = new AstBuilder(source, () => syntaxErrorsSoFar().map((error) => error.token.startOffset));
  // Each statement's AST is built as soon as the statement is parsed, so its CST is short-lived.
  const { cst, errors } = parseTokens(limited.tokens, (statement) => builder.addStatement(statement));
  const diagnostics = [...lexed.diagnostics, ...limited.diagnostics];
  const seen = new Set<number>();
  for (const error of errors) {
    const offset = error.token.startOffset;
    // Recovery can report the same spot more than once; one message per place is enough.
    if (seen.has(offset)) continue;
    seen.add(offset);
    const index = lexed.tokens.indexOf(error.token);
    diagnostics.push(
      syntaxDiagnostic(error, source, index > 0 ? lexed.tokens[index - 1] : undefined, lexed.tokens[index + 1]),
    );
  }
  const built = builder.finish(cst);
  diagnostics.push(...built.diagnostics);
  const comments = lexed.comments.map((token) => ({
    text: token.image,
    span: source.span(token.startOffset, token.startOffset + token.image.length),
  }));
  return { program: { ...built.program, comments }, comments: lexed.comments, diagnostics: capPerFile(diagnostics) };
}

/** A file of binary data gets one diagnostic rather than one per stray byte. */
function notText(source: SourceFile): ParsedFile {
  const nul = source.text.indexOf("\0");
  const at = nul >= 0 ? nul : 0;
  return {
    program: { file: source.path, statements: [], comments: [], span: source.span(0, source.text.length) },
    comments: [],
    diagnostics: [
      diagnostic(
        DiagnosticCodes.NotText,
        source.span(at, at + 1),
        nul >= 0
          ? "this is not a text file: it holds a NUL byte"
          : "this is not a text file: it is mostly control characters and bytes that are not UTF-8",
        "flowc reads .flow source text in UTF-8; is this the file you meant?",
      ),
    ],
  };
}
