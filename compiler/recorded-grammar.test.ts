/**
 * The recorded grammar ({@link ./recorded-grammar.ts}): the committed table is the grammar's, a
 * stale or missing rule is refused, the productions rebuilt from it are the ones Chevrotain records,
 * and a parser built on them parses exactly as one that records, on examples, generated programs
 * and random token soup alike.
 */
import { readFileSync } from "node:fs";
import { createToken, CstParser, Lexer, type Rule } from "chevrotain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { recordedGrammarPath, recordedGrammarSource } from "../scripts/generate-grammar.js";
import { exampleTexts } from "../test/support/examples.js";
import { parsedBy, programsAndSoup } from "../test/support/parse-trees.js";
import { breathing, propertyTimeout } from "../test/support/property.js";
import { FlowParser, type GrammarSource } from "./parser.js";
import { recordedGrammar } from "./recorded-grammar.generated.js";
import { tokensByName } from "./lexer.js";
import { recordedRuleData, ruleFromData, type RecordedGrammar } from "./recorded-grammar.js";

const runs = Number(process.env["FUZZ_RUNS"] ?? 500);

const parserOn = (grammar: GrammarSource) => new FlowParser({ grammar });
/** As the bundles run it: the committed table, not checked against the grammar. */
const bundled = parserOn({ table: recordedGrammar, verify: false });
const recording = parserOn("record");
const rules = (parser: FlowParser): Rule[] => Object.values(parser.getGAstProductions());

describe("compiler/recorded-grammar.generated.ts", () => {
  it("matches the grammar in compiler/parser.ts (regenerate with `npm run grammar:generate`)", async () => {
    expect(readFileSync(recordedGrammarPath, "utf8")).toBe(await recordedGrammarSource());
  });

  it("rebuilds the productions Chevrotain records, classes, labels, gates and rule links alike", () => {
    expect(rules(bundled)).toStrictEqual(rules(recording));
    const field = rules(bundled).find((rule) => rule.name === "fieldDeclaration")!;
    expect(recordedRuleData([field])["fieldDeclaration"]).toContainEqual({
      kind: "Terminal",
      token: "Identifier",
      idx: 0,
      label: "name",
    });
    expect(JSON.stringify(recordedGrammar.rules)).toContain('"hasPredicates":true');
  });

  it("holds the follow sets Chevrotain works out for error recovery", () => {
    const follows = (parser: FlowParser) => (parser as unknown as { resyncFollows: object }).resyncFollows;
    expect(follows(bundled)).toStrictEqual(follows(recording));
    expect(Object.keys(follows(bundled)).length).toBeGreaterThan(20);
  });
});

describe("FlowParser on a recorded grammar", () => {
  it("refuses a table the grammar has moved away from, naming the rule and the fix", () => {
    const stale: RecordedGrammar = { ...recordedGrammar, rules: { ...recordedGrammar.rules, statement: [] } };
    expect(() => parserOn({ table: stale, verify: true })).toThrow(
      "compiler/recorded-grammar.generated.ts is stale at rule statement (the grammar changed): run `npm run grammar:generate`",
    );
    const [someFollow] = Object.keys(recordedGrammar.follows);
    const staleFollows: RecordedGrammar = {
      ...recordedGrammar,
      follows: { ...recordedGrammar.follows, [someFollow!]: [] },
    };
    expect(() => parserOn({ table: staleFollows, verify: true })).toThrow(
      "compiler/recorded-grammar.generated.ts is stale in its follow sets (the grammar changed): run `npm run grammar:generate`",
    );
  });

  it("refuses a rule the table lacks, unchecked as in the bundles", () => {
    expect(() => parserOn({ table: { rules: {}, follows: {} }, verify: false })).toThrow(
      "compiler/recorded-grammar.generated.ts has no rule program: run `npm run grammar:generate`",
    );
  });

  it("parses every example as a recording parser does", () => {
    const texts = exampleTexts();
    expect(texts.length).toBeGreaterThan(5);
    for (const text of texts) expect(parsedBy(bundled, text)).toEqual(parsedBy(recording, text));
  });

  it(
    "parses generated programs and random token soup as a recording parser does, errors and recovery included",
    async () => {
      await fc.assert(
        fc.asyncProperty(programsAndSoup(), async (text) => {
          expect(parsedBy(bundled, text)).toEqual(parsedBy(recording, text));
        }),
        { numRuns: runs, plugins: [breathing] },
      );
    },
    propertyTimeout(runs, 20),
  );
});

describe("recordedRuleData and ruleFromData", () => {
  // Every kind of production and option the recorder knows, flowc's grammar using some of them.
  const Word = createToken({ name: "Word", pattern: /[a-z]+/ });
  const Comma = createToken({ name: "Comma", pattern: /,/ });
  const Space = createToken({ name: "Space", pattern: / +/, group: Lexer.SKIPPED });
  const tokens = [Word, Comma, Space];

  class EveryProduction extends CstParser {
    constructor() {
      super(tokens, { skipValidations: true });
      this.performSelfAnalysis();
    }
    public top = this.RULE("top", () => {
      this.MANY_SEP({ SEP: Comma, DEF: () => this.SUBRULE(this.word, { LABEL: "listed" }) });
      this.AT_LEAST_ONE_SEP2({ SEP: Comma, DEF: () => this.CONSUME(Word) });
      this.OPTION3({ MAX_LOOKAHEAD: 2, DEF: () => this.CONSUME2(Word, { LABEL: "extra" }) });
      this.AT_LEAST_ONE(() => this.CONSUME3(Word));
      this.OR({
        IGNORE_AMBIGUITIES: true,
        MAX_LOOKAHEAD: 1,
        DEF: [
          { GATE: () => true, ALT: () => this.CONSUME4(Word) },
          { IGNORE_AMBIGUITIES: false, ALT: () => this.CONSUME(Comma) },
          { ALT: () => this.MANY(() => this.CONSUME2(Comma)) },
        ],
      });
    });
    public word = this.RULE("word", () => this.CONSUME(Word));
  }

  it("round-trip every production kind to the same classes and fields", () => {
    const recorded = Object.values(new EveryProduction().getGAstProductions());
    const data = recordedRuleData(recorded);
    const kinds = JSON.stringify(data).match(/"kind":"\w+"/g)!;
    expect(new Set(kinds).size).toBe(8);
    const rebuilt = Object.entries(data).map(([name, productions]) =>
      ruleFromData(name, productions, tokensByName(tokens)),
    );
    // The recorder's rules are linked to each other by then; the rebuilt ones wait for the resolver.
    for (const rule of recorded) unlink(rule);
    expect(rebuilt).toStrictEqual(recorded);
  });

  it("names the token a table holds but the parser lacks", () => {
    expect(() => ruleFromData("word", [{ kind: "Terminal", token: "Number", idx: 0 }], tokensByName(tokens))).toThrow(
      "compiler/recorded-grammar.generated.ts names an unknown token Number",
    );
  });
});

/** Undoes Chevrotain's resolver: a rule reference holds the rule's name only, as recorded. */
function unlink(production: { definition?: unknown[]; referencedRule?: unknown }): void {
  if ("referencedRule" in production) {
    delete production.referencedRule;
    return;
  }
  for (const child of production.definition ?? []) unlink(child as typeof production);
}
