/**
 * Generates `syntaxes/flowc.tmLanguage.json`, the TextMate grammar VS Code (and GitHub, and most
 * other editors) use to colour `.flow` files.
 *
 * The grammar is derived from the compiler instead of being written by hand, so it cannot drift:
 * keywords, operators and number/string shapes come from the lexer's token definitions, duration
 * units from the lexer's unit table, component names and their option names from the component
 * registry, setting names from compiler/settings.ts and function names from compiler/stdlib.ts.
 * `editors/vscode/test/grammar.test.ts` regenerates the grammar in memory and fails when the
 * committed file differs.
 *
 * Run: `npm run editors:grammar` from the repository root (`npm run grammar` in editors/vscode).
 */
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { TokenType } from "chevrotain";
import * as prettier from "prettier";
import { registry } from "../../../components/declarations.js";
import * as T from "../../../compiler/lexer.js";
import type { ComponentDeclaration, ComponentKind, ParamSpec } from "../../../compiler/registry.js";
import { topLevelSettings, type SettingDeclaration } from "../../../compiler/settings.js";
import { EventName, stdlibFunctions } from "../../../compiler/stdlib.js";

/** One TextMate rule, as VS Code reads it from JSON. */
export interface GrammarRule {
  name?: string;
  match?: string;
  begin?: string;
  end?: string;
  captures?: Record<string, GrammarRule>;
  beginCaptures?: Record<string, GrammarRule>;
  endCaptures?: Record<string, GrammarRule>;
  patterns?: GrammarRule[];
  include?: string;
}

export interface Grammar {
  information_for_contributors: string[];
  name: string;
  scopeName: string;
  fileTypes: string[];
  patterns: GrammarRule[];
  repository: Record<string, GrammarRule>;
}

/** Where the generated grammar is committed. */
export const grammarPath = fileURLToPath(new URL("../syntaxes/flowc.tmLanguage.json", import.meta.url));

/**
 * The scopes the grammar assigns. Themes colour by these names; tests assert them; the list is the
 * one place to rename one.
 */
export const Scopes = {
  comment: "comment.line.number-sign.flowc",
  commentPunctuation: "punctuation.definition.comment.flowc",
  controlKeyword: "keyword.control.flowc",
  logicalOperator: "keyword.operator.logical.flowc",
  arrow: "keyword.operator.arrow.flowc",
  comparison: "keyword.operator.comparison.flowc",
  arithmetic: "keyword.operator.arithmetic.flowc",
  assignment: "keyword.operator.assignment.flowc",
  number: "constant.numeric.flowc",
  duration: "constant.numeric.duration.flowc",
  unit: "keyword.other.unit.flowc",
  badUnit: "invalid.illegal.unit.flowc",
  string: "string.quoted.double.flowc",
  stringBegin: "punctuation.definition.string.begin.flowc",
  stringEnd: "punctuation.definition.string.end.flowc",
  escape: "constant.character.escape.flowc",
  badEscape: "invalid.illegal.escape.flowc",
  topic: "string.other.topic.flowc",
  boolean: "constant.language.boolean.flowc",
  enumValue: "constant.language.enum.flowc",
  source: "entity.name.function.source.flowc",
  operator: "entity.name.function.operator.flowc",
  sink: "entity.name.function.sink.flowc",
  setting: "keyword.other.setting.flowc",
  stdlibFunction: "support.function.flowc",
  unknownFunction: "variable.function.flowc",
  type: "entity.name.type.flowc",
  field: "variable.other.field.flowc",
  option: "variable.parameter.option.flowc",
  definition: "variable.other.definition.flowc",
  stream: "variable.other.stream.flowc",
  eventName: "variable.language.flowc",
  variable: "variable.other.flowc",
  comma: "punctuation.separator.comma.flowc",
  colon: "punctuation.separator.key-value.flowc",
  accessor: "punctuation.accessor.flowc",
  parenOpen: "punctuation.section.parens.begin.flowc",
  parenClose: "punctuation.section.parens.end.flowc",
  bracketOpen: "punctuation.section.brackets.begin.flowc",
  bracketClose: "punctuation.section.brackets.end.flowc",
  braceOpen: "punctuation.section.braces.begin.flowc",
  braceClose: "punctuation.section.braces.end.flowc",
  invalid: "invalid.illegal.character.flowc",
} as const;

/**
 * How each operator token of the lexer is scoped. Every token the lexer defines must be accounted
 * for here or in {@link tokensCoveredElsewhere}: a new token fails generation (and so CI) until the
 * grammar learns it.
 */
const operatorScopes = new Map<TokenType, string>([
  [T.Arrow, Scopes.arrow],
  [T.EqualEqual, Scopes.comparison],
  [T.NotEqual, Scopes.comparison],
  [T.LessEqual, Scopes.comparison],
  [T.GreaterEqual, Scopes.comparison],
  [T.Less, Scopes.comparison],
  [T.Greater, Scopes.comparison],
  [T.Equals, Scopes.assignment],
  [T.Plus, Scopes.arithmetic],
  [T.Sign, Scopes.arithmetic],
  [T.Minus, Scopes.arithmetic],
  [T.Star, Scopes.arithmetic],
  [T.Slash, Scopes.arithmetic],
  [T.Percent, Scopes.arithmetic],
]);

const keywordScopes = new Map<TokenType, string>([
  [T.True, Scopes.boolean],
  [T.False, Scopes.boolean],
  [T.And, Scopes.logicalOperator],
  [T.Or, Scopes.logicalOperator],
  [T.Not, Scopes.logicalOperator],
]);

/**
 * Tokens with a dedicated rule below (brackets open regions; literals have their own shapes), and
 * BinaryOperator, a category the lexer never produces: its members have their own scopes.
 */
const tokensCoveredElsewhere = new Set<TokenType>([
  T.BinaryOperator,
  T.WhiteSpace,
  T.Newline,
  T.Comment,
  T.Duration,
  T.BadUnit,
  T.NumberLiteral,
  T.StringLiteral,
  T.UnterminatedString,
  T.LParen,
  T.RParen,
  T.LBracket,
  T.RBracket,
  T.LBrace,
  T.RBrace,
  T.Comma,
  T.Colon,
  T.Dot,
  T.Identifier,
]);

/**
 * String escapes the compiler decodes (cst-to-ast.ts). Anything else after a backslash is E103;
 * the grammar test checks both lists against the compiler.
 */
export const validEscapes = ["\\n", "\\t", "\\r", "\\0", '\\"', "\\\\", "\\u{1F4A1}"];
const escapePattern = String.raw`\\(?:[ntr0"\\]|u\{[0-9A-Fa-f]{1,6}\})`;

const patternOf = (token: TokenType): string => {
  const pattern = token.PATTERN;
  if (!(pattern instanceof RegExp)) throw new Error(`token ${token.name} has no regular expression`);
  return pattern.source;
};

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");

/** An alternation of literal words, longest first so `min` is tried before `m...` prefixes. */
const wordsPattern = (words: Iterable<string>) =>
  [...new Set(words)]
    .sort((a, b) => b.length - a.length || a.localeCompare(b))
    .map(escapeRegExp)
    .join("|");

const identifier = patternOf(T.Identifier);
const identifierPattern = new RegExp(`^${identifier}$`);
/** A string literal, closed or not (the lexer reports an unclosed one as E102 and goes on). */
const stringLiteral = `${patternOf(T.UnterminatedString)}"?`;
/** What a bare word must not be followed by to be an option rather than a call, field or key. */
const notAnExpressionWord = String.raw`(?!\s*(?:[(.{:]|=(?!=)))`;

const capture = (name: string): GrammarRule => ({ name });
const topicCapture: GrammarRule = { name: Scopes.topic, patterns: [{ include: "#string" }] };

/** Checks that every token of the lexer has a scope, so a new token cannot go unnoticed. */
function assertLexerCovered(): void {
  const known = new Set([...operatorScopes.keys(), ...keywordScopes.keys(), ...tokensCoveredElsewhere]);
  const keywordTokens = new Set(T.keywordTokens);
  const missing = T.allTokens.filter((token) => !known.has(token) && !keywordTokens.has(token));
  if (missing.length > 0) {
    throw new Error(
      `the grammar does not know the lexer tokens ${missing.map((t) => t.name).join(", ")}: ` +
        "give them a scope in editors/vscode/scripts/generate-grammar.ts",
    );
  }
}

/** The shared building blocks: comments, literals, operators and expressions. */
function expressionRepository(): Record<string, GrammarRule> {
  const units = wordsPattern(Object.keys(T.durationUnits));
  const operators = [...operatorScopes.entries()].sort(
    ([a], [b]) => patternOf(b).replace(/\\/g, "").length - patternOf(a).replace(/\\/g, "").length,
  );
  const controlKeywords = T.keywordTokens.filter((token) => !keywordScopes.has(token));
  const keywordGroups = new Map<string, string[]>();
  for (const [token, scope] of keywordScopes)
    keywordGroups.set(scope, [...(keywordGroups.get(scope) ?? []), patternOf(token)]);

  return {
    comment: {
      match: `(${escapeRegExp("#")})${patternOf(T.Comment).slice(1)}`,
      name: Scopes.comment,
      captures: { "1": capture(Scopes.commentPunctuation) },
    },
    string: {
      begin: '"',
      end: '"|$',
      name: Scopes.string,
      beginCaptures: { "0": capture(Scopes.stringBegin) },
      endCaptures: { "0": capture(Scopes.stringEnd) },
      patterns: [
        { match: escapePattern, name: Scopes.escape },
        { match: String.raw`\\.?`, name: Scopes.badEscape },
      ],
    },
    number: {
      patterns: [
        {
          match: String.raw`\b(\d+(?:\.\d+)?)(${units})(?![A-Za-z0-9_])`,
          name: Scopes.duration,
          captures: { "2": capture(Scopes.unit) },
        },
        {
          // A number glued to an unknown suffix (`5sec`): E104 in the compiler.
          match: String.raw`\b(?!0x[0-9A-Fa-f])(\d+(?:\.\d+)?)(?![eE][+-]?\d)(${identifier})`,
          name: Scopes.duration,
          captures: { "2": capture(Scopes.badUnit) },
        },
        { match: String.raw`\b(?:${patternOf(T.NumberLiteral)})\b`, name: Scopes.number },
      ],
    },
    keyword: {
      patterns: [
        ...[...keywordGroups].map(([scope, words]) => ({ match: `\\b(?:${wordsPattern(words)})\\b`, name: scope })),
        { match: `\\b(?:${wordsPattern(controlKeywords.map(patternOf))})\\b`, name: Scopes.controlKeyword },
      ],
    },
    operator: {
      match: operators.map(([token]) => `(${patternOf(token)})`).join("|"),
      captures: Object.fromEntries(operators.map(([, scope], index) => [String(index + 1), capture(scope)])),
    },
    punctuation: {
      patterns: [
        { match: patternOf(T.Comma), name: Scopes.comma },
        { match: patternOf(T.Colon), name: Scopes.colon },
      ],
    },
    call: {
      patterns: [
        {
          match: `\\b(${wordsPattern(stdlibFunctions.map((fn) => fn.name))})\\b(?=\\s*\\()`,
          captures: { "1": capture(Scopes.stdlibFunction) },
        },
        { match: `\\b(${identifier})\\b(?=\\s*\\()`, captures: { "1": capture(Scopes.unknownFunction) } },
      ],
    },
    parens: {
      begin: patternOf(T.LParen),
      end: patternOf(T.RParen),
      beginCaptures: { "0": capture(Scopes.parenOpen) },
      endCaptures: { "0": capture(Scopes.parenClose) },
      patterns: [{ include: "#expression" }],
    },
    record: {
      begin: `(?:\\b(${identifier})\\s*)?(${patternOf(T.LBrace)})`,
      end: patternOf(T.RBrace),
      beginCaptures: { "1": capture(Scopes.type), "2": capture(Scopes.braceOpen) },
      endCaptures: { "0": capture(Scopes.braceClose) },
      patterns: [
        { include: "#comment" },
        {
          match: `\\b(${identifier})\\s*(${patternOf(T.Colon)})`,
          captures: { "1": capture(Scopes.field), "2": capture(Scopes.colon) },
        },
        { include: "#expression" },
      ],
    },
    "field-access": {
      match: `(${patternOf(T.Dot)})\\s*(${identifier})?`,
      captures: { "1": capture(Scopes.accessor), "2": capture(Scopes.field) },
    },
    name: {
      patterns: [
        { match: `\\b${escapeRegExp(EventName)}\\b`, name: Scopes.eventName },
        { match: `\\b${identifier}\\b`, name: Scopes.variable },
      ],
    },
    invalid: { match: String.raw`[^\s]`, name: Scopes.invalid },
    expression: {
      patterns: [
        { include: "#comment" },
        { include: "#string" },
        { include: "#number" },
        { include: "#keyword" },
        { include: "#record" },
        { include: "#call" },
        { include: "#parens" },
        { include: "#field-access" },
        { include: "#operator" },
        { include: "#punctuation" },
        { include: "#name" },
        { include: "#invalid" },
      ],
    },
  };
}

/** The kinds of parameter that are written as expressions, not as `name value` options. */
const expressionKinds = new Set<ParamSpec["type"]["kind"]>(["expression", "assignment", "binding"]);

/**
 * How a stage's own values read, which decides how its bare words are coloured: a leading topic
 * (`mqtt "a/b"`), stream names (`merge a, b`), a `let`-like binding (`scan acc = 0 ...`) or plain
 * expressions and options. The grammar has one body per shape, never one per component.
 */
type BodyShape = "topic" | "streams" | "binding" | "plain";

function bodyShape(params: readonly ParamSpec[]): BodyShape {
  const positional = params.filter((param) => param.positional);
  if (positional[0]?.type.kind === "topic") return "topic";
  if (positional.some((param) => param.type.kind === "binding")) return "binding";
  const onlyStreams = positional.length > 0 && positional.every((param) => param.type.kind === "stream");
  return onlyStreams && !params.some((param) => expressionKinds.has(param.type.kind)) ? "streams" : "plain";
}

/** The value scope an option of each kind gives the identifier after it (`as Reading`, `by room`). */
const namingValueScopes = { schema: Scopes.type, field: Scopes.field, stream: Scopes.stream } as const;

/**
 * Where a known option name stands in option position: not an operand of an operator before or
 * after it (`filter val > threshold`, `filter every > 3` use fields that share an option's name).
 */
const optionPosition = {
  before: String.raw`(?<![-+*/%<>=!(]\s)(?<![-+*/%<>=!(])(?<!\b(?:and|or|not)\s)`,
  after: String.raw`(?!\s*(?:[(.{:]|=(?!=)|(?:[-+*/%<>]|[<>=!]=)(?!>)|(?:and|or)\b))`,
};

/** A literal value ahead: the word before it can only be an option's name. */
const literalValueAhead = String.raw`(?=\s+(?:"|-?\d))`;

/**
 * The items every stage and setting shares: option names, and values whose kind the option before
 * them makes visible. Option names come from the whole catalogue as one alternation; a word no
 * component declares still reads as an option when a literal value follows it (`evrey 5s`), so a
 * misspelt option looks like an option and the checker names it.
 */
function stageItemRules(params: readonly ParamSpec[]): GrammarRule[] {
  const options = params.filter((param) => !expressionKinds.has(param.type.kind));
  const namesOf = (kinds: readonly ParamSpec["type"]["kind"][]) =>
    wordsPattern(options.filter((param) => kinds.includes(param.type.kind)).map((param) => param.name));
  const enumWords = (positional: boolean) =>
    wordsPattern(
      options.flatMap((param) =>
        param.type.kind === "enum" && Boolean(param.positional) === positional
          ? param.type.values.filter((value) => identifierPattern.test(value))
          : [],
      ),
    );
  const keywords = wordsPattern(T.keywordTokens.map(patternOf));
  const option = { "1": capture(Scopes.option) };
  return [
    { match: `\\b(${namesOf(["topic"])})\\b\\s+(${stringLiteral})`, captures: { ...option, "2": topicCapture } },
    ...Object.entries(namingValueScopes).map(([kind, scope]) => ({
      match: `\\b(${namesOf([kind as keyof typeof namingValueScopes])})\\s+(${identifier})\\b${notAnExpressionWord}`,
      captures: { ...option, "2": capture(scope) },
    })),
    {
      match: `\\b(${namesOf(["enum"])})\\s+(${enumWords(false)})\\b`,
      captures: { ...option, "2": capture(Scopes.enumValue) },
    },
    {
      match: `${optionPosition.before}\\b(?:${namesOf([...new Set(options.map((param) => param.type.kind))])})\\b${optionPosition.after}`,
      name: Scopes.option,
    },
    { match: `\\b(?!(?:${keywords})\\b)${identifier}\\b${literalValueAhead}`, name: Scopes.option },
    { match: `\\b(?:${enumWords(true)})\\b(?!\\s*(?:[(.:]|=(?!=)))`, name: Scopes.enumValue },
  ];
}

/** The body of a stage of one shape: its leading values, the shared items, then expressions. */
function stageBody(shape: BodyShape): GrammarRule[] {
  const assignment = (scope: string): GrammarRule => ({
    match: `\\b(${identifier})\\s*(${patternOf(T.Equals)})(?!=)`,
    captures: { "1": capture(scope), "2": capture(Scopes.assignment) },
  });
  const items: GrammarRule[] = [{ include: "#comment" }, { include: "#stage-items" }];
  switch (shape) {
    case "topic":
      return [
        { match: `\\G\\s*(${stringLiteral})`, captures: { "1": topicCapture } },
        ...items,
        assignment(Scopes.field),
        { include: "#expression" },
      ];
    case "streams":
      return [
        ...items,
        { match: `\\b${identifier}\\b${notAnExpressionWord}`, name: Scopes.stream },
        { include: "#punctuation" },
        { include: "#invalid" },
      ];
    case "binding":
      return [...items, assignment(Scopes.definition), { include: "#expression" }];
    case "plain":
      return [...items, assignment(Scopes.field), { include: "#expression" }];
  }
}

type StagePosition = "source" | "step" | "branch";

const stageScope: Record<ComponentKind, string> = {
  source: Scopes.source,
  operator: Scopes.operator,
  sink: Scopes.sink,
};

/**
 * Where a stage name may stand, as a regular expression prefix. Sources start a statement (or the
 * value of `let x =`); operators and sinks follow `->`, or start a line continuing a pipeline; in a
 * fan-out, `[` and the comma between branches also start a stage.
 */
const stageStart: Record<StagePosition, string> = {
  source: String.raw`(?:^|(?<=[^=!<>]=))\s*`,
  step: String.raw`(?:^|(?<=->))\s*`,
  branch: String.raw`(?:^|(?<=->|[\[,]))\s*`,
};

/**
 * Where a stage ends. In a fan-out a comma separates branches, except before another assignment
 * (`[set a = 1, b = 2 -> print, csv "x.csv"]`), the same rule the parser applies.
 */
const stageEnd: Record<StagePosition, string> = {
  source: String.raw`(?=->)|$`,
  step: String.raw`(?=->)|$`,
  branch: String.raw`(?=->|\])|(?=,(?!\s*${identifier}\s*=(?!=)))|$`,
};

const ruleKey = (kind: string, name: string) => `${kind}-${name}`;

/**
 * The stage rules for one position: one per kind and body shape, each naming its components as one
 * alternation, so a new component changes a word list, never the grammar's rules.
 */
function stageRules(declarations: readonly ComponentDeclaration[], position: StagePosition): GrammarRule[] {
  const groups = new Map<string, { kind: ComponentKind; shape: BodyShape; names: string[] }>();
  for (const declaration of declarations) {
    const shape = bodyShape(declaration.params);
    const key = `${declaration.kind}/${shape}`;
    const group = groups.get(key) ?? { kind: declaration.kind, shape, names: [] };
    group.names.push(declaration.name);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ kind, shape, names }) => ({
    begin: `${stageStart[position]}\\b(${wordsPattern(names)})\\b`,
    beginCaptures: { "1": capture(stageScope[kind]) },
    end: stageEnd[position],
    patterns: [{ include: `#${ruleKey("stage-body", shape)}` }],
  }));
}

/** Rules for `broker` and `device` and the settings nested in their `{ ... }` blocks. */
function settingRules(repository: Record<string, GrammarRule>): { topLevel: GrammarRule[] } {
  const keywords = new Set(T.keywordTokens.map(patternOf));
  const bodyKey = (setting: SettingDeclaration) => ruleKey("setting-body", setting.name);

  const define = (setting: SettingDeclaration): void => {
    if (repository[bodyKey(setting)]) return;
    const blockKey = ruleKey("setting-block", setting.name);
    // A block of a setting without nested settings lists its options, one per line.
    const blockPatterns: GrammarRule[] = setting.block
      ? [
          { include: "#comment" },
          ...setting.block.map((inner) => ({
            begin: String.raw`(?:^|(?<=[{,]))\s*\b(${escapeRegExp(inner.name)})\b`,
            beginCaptures: { "1": capture(keywords.has(inner.name) ? Scopes.controlKeyword : Scopes.setting) },
            end: String.raw`(?=\})|$`,
            patterns: [{ include: `#${bodyKey(inner)}` }],
          })),
          { include: "#punctuation" },
          { include: "#invalid" },
        ]
      : [{ include: `#${bodyKey(setting)}` }];
    repository[blockKey] = {
      begin: patternOf(T.LBrace),
      end: patternOf(T.RBrace),
      beginCaptures: { "0": capture(Scopes.braceOpen) },
      endCaptures: { "0": capture(Scopes.braceClose) },
      patterns: blockPatterns,
    };
    repository[bodyKey(setting)] = {
      patterns: [{ include: `#${blockKey}` }, { include: `#${ruleKey("stage-body", bodyShape(setting.params))}` }],
    };
    for (const inner of setting.block ?? []) define(inner);
  };

  const topLevel: GrammarRule[] = [];
  for (const setting of topLevelSettings.values()) {
    define(setting);
    topLevel.push({
      begin: `\\b(${escapeRegExp(setting.name)})\\b`,
      beginCaptures: { "1": capture(Scopes.controlKeyword) },
      end: "$",
      patterns: [{ include: `#${bodyKey(setting)}` }],
    });
  }
  return { topLevel };
}

/**
 * Builds the grammar from the compiler's lexer, settings, stdlib and component registry.
 *
 * @example
 * const grammar = buildGrammar();
 * grammar.scopeName; // "source.flowc"
 */
export function buildGrammar(): Grammar {
  assertLexerCovered();
  const components = registry();
  const repository: Record<string, GrammarRule> = expressionRepository();

  const allSettings = (setting: SettingDeclaration): SettingDeclaration[] => [
    setting,
    ...(setting.block ?? []).flatMap(allSettings),
  ];
  const settingParams = [...topLevelSettings.values()].flatMap(allSettings).flatMap((setting) => setting.params);
  repository["stage-items"] = {
    patterns: stageItemRules([...components.all().flatMap((declaration) => declaration.params), ...settingParams]),
  };
  for (const shape of ["topic", "streams", "binding", "plain"] as const) {
    repository[ruleKey("stage-body", shape)] = { patterns: stageBody(shape) };
  }
  const operatorsAndSinks = [...components.all("operator"), ...components.all("sink")];
  const clash = components.names("operator").find((name) => components.get("sink", name));
  if (clash) throw new Error(`\`${clash}\` is both an operator and a sink; the grammar cannot tell them apart`);

  repository["source-stage"] = { patterns: stageRules(components.all("source"), "source") };
  repository["step-stage"] = { patterns: stageRules(operatorsAndSinks, "step") };
  repository["branch-stage"] = { patterns: stageRules(operatorsAndSinks, "branch") };
  repository["fan-out"] = {
    begin: patternOf(T.LBracket),
    end: patternOf(T.RBracket),
    beginCaptures: { "0": capture(Scopes.bracketOpen) },
    endCaptures: { "0": capture(Scopes.bracketClose) },
    patterns: [
      { include: "#comment" },
      { include: "#branch-stage" },
      { include: "#fan-out" },
      { include: "#expression" },
    ],
  };
  // `source ->` at the end of a line: the next line starts with an operator or sink, even one
  // that shares its name with a source (`mqtt`, `csv`). The region ends with that stage.
  repository["continued-pipeline"] = {
    begin: String.raw`(->)(?=\s*$)`,
    beginCaptures: { "1": capture(Scopes.arrow) },
    end: String.raw`(?=->)|(?<=[^\s>])(?=\s*(?:#.*)?$)`,
    patterns: [
      { include: "#comment" },
      { include: "#step-stage" },
      { include: "#fan-out" },
      { include: "#expression" },
    ],
  };
  repository["stream-head"] = {
    match: `${stageStart.source}\\b(${identifier})\\b(?=\\s*->)`,
    captures: { "1": capture(Scopes.stream) },
  };
  repository["let"] = {
    match: `\\b(${patternOf(T.Let)})\\b(?:\\s+(${identifier}))?(?:\\s*(${patternOf(T.Equals)})(?!=))?`,
    captures: {
      "1": capture(Scopes.controlKeyword),
      "2": capture(Scopes.definition),
      "3": capture(Scopes.assignment),
    },
  };
  repository["schema"] = {
    begin: `\\b(${patternOf(T.Schema)})\\b(?:\\s+(${identifier}))?`,
    beginCaptures: { "1": capture(Scopes.controlKeyword), "2": capture(Scopes.type) },
    end: String.raw`(?<=\})|$`,
    patterns: [
      { include: "#comment" },
      {
        begin: patternOf(T.LBrace),
        end: patternOf(T.RBrace),
        beginCaptures: { "0": capture(Scopes.braceOpen) },
        endCaptures: { "0": capture(Scopes.braceClose) },
        patterns: [
          { include: "#comment" },
          {
            match: `\\b(${identifier})\\s*(${patternOf(T.Colon)})\\s*(?:\\b(${identifier})\\b)?`,
            captures: { "1": capture(Scopes.field), "2": capture(Scopes.colon), "3": capture(Scopes.type) },
          },
          { include: "#punctuation" },
          { include: "#invalid" },
        ],
      },
    ],
  };

  const { topLevel } = settingRules(repository);
  repository["settings"] = { patterns: topLevel };

  return {
    information_for_contributors: [
      "Generated by editors/vscode/scripts/generate-grammar.ts from the compiler's lexer, settings,",
      "stdlib and component registry. Do not edit: change the compiler and run `npm run editors:grammar`.",
    ],
    name: "flowc",
    scopeName: "source.flowc",
    fileTypes: ["flow"],
    patterns: [
      { include: "#comment" },
      { include: "#schema" },
      { include: "#let" },
      { include: "#settings" },
      { include: "#continued-pipeline" },
      { include: "#source-stage" },
      { include: "#stream-head" },
      { include: "#step-stage" },
      { include: "#fan-out" },
      { include: "#expression" },
    ],
    repository: sortedKeys(repository),
  };
}

const sortedKeys = <V>(record: Record<string, V>): Record<string, V> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

/**
 * The grammar as committed: JSON formatted with the repository's Prettier settings, so
 * `prettier --check` and the drift test agree on every byte.
 *
 * @example
 * await writeFile(grammarPath, await formatGrammar(buildGrammar()));
 */
export async function formatGrammar(grammar: Grammar): Promise<string> {
  const config = (await prettier.resolveConfig(grammarPath)) ?? {};
  return prettier.format(JSON.stringify(grammar), { ...config, parser: "json", filepath: grammarPath });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(grammarPath, await formatGrammar(buildGrammar()));
  console.log(`wrote ${grammarPath}`);
}
