/**
 * The grammar's productions as Chevrotain records them, kept in a generated file so the bundles
 * need not record them at start-up. Chevrotain learns a grammar by running every rule once with
 * recording stand-ins for `CONSUME`, `OR` and the rest; in `flowc check` that recording was the
 * costliest part of building the parser (about a tenth of the command's start-up), although its
 * result only changes when compiler/parser.ts does.
 *
 * scripts/generate-grammar.ts writes {@link ./recorded-grammar.generated.ts} with
 * {@link recordedRuleData}; the parser rebuilds the productions with {@link ruleFromData}. Outside
 * the bundles the parser still records, and refuses a table that differs from what it recorded
 * (see `FlowParser`), so an edited grammar with a stale table fails loudly.
 */
import {
  Alternation,
  Alternative,
  NonTerminal,
  Option,
  Repetition,
  RepetitionMandatory,
  RepetitionMandatoryWithSeparator,
  RepetitionWithSeparator,
  Rule,
  Terminal,
  type IProduction,
  type LookaheadProductionType,
  type TokenType,
} from "chevrotain";

/** One production, as plain data: what the recorder sets on it, tokens and rules by name. */
export type ProductionData =
  | { readonly kind: "Terminal"; readonly token: string; readonly idx: number; readonly label?: string }
  | { readonly kind: "NonTerminal"; readonly rule: string; readonly idx: number; readonly label?: string }
  | {
      readonly kind: "Option" | "Repetition" | "RepetitionMandatory";
      readonly idx: number;
      readonly maxLookahead?: number;
      readonly definition: readonly ProductionData[];
    }
  | {
      readonly kind: "RepetitionWithSeparator" | "RepetitionMandatoryWithSeparator";
      readonly idx: number;
      readonly separator: string;
      readonly maxLookahead?: number;
      readonly definition: readonly ProductionData[];
    }
  | {
      readonly kind: "Alternation";
      readonly idx: number;
      readonly ignoreAmbiguities: boolean;
      readonly hasPredicates: boolean;
      readonly maxLookahead?: number;
      readonly alternatives: readonly AlternativeData[];
    };

/** One alternative of an `OR`. */
export interface AlternativeData {
  readonly ignoreAmbiguities: boolean;
  readonly definition: readonly ProductionData[];
}

/** Each rule's productions, by rule name, in the order the parser declares its rules. */
export type RecordedRules = Readonly<Record<string, readonly ProductionData[]>>;

/**
 * The follow sets error recovery resynchronises on, by Chevrotain's key (a rule, its occurrence
 * and the rule that calls it), as token names. Chevrotain works them out from the productions
 * after recording, which cost as much again as recording itself.
 */
export type RecordedFollows = Readonly<Record<string, readonly string[]>>;

/** What the generated file holds. */
export interface RecordedGrammar {
  readonly rules: RecordedRules;
  readonly follows: RecordedFollows;
}

/** What the recorder sets on a production that Chevrotain's typings leave out. */
interface RecordedFields {
  readonly maxLookahead?: number;
  readonly ignoreAmbiguities: boolean;
  readonly hasPredicates: boolean;
}
const fields = (production: IProduction) => production as IProduction & RecordedFields;

/** The productions that repeat or may be skipped, by kind; the last two have a separator. */
const repetitions = {
  Option,
  Repetition,
  RepetitionMandatory,
  RepetitionWithSeparator,
  RepetitionMandatoryWithSeparator,
} as const;
type RepetitionKind = keyof typeof repetitions;

const repetitionKind = (production: IProduction) =>
  (Object.keys(repetitions) as RepetitionKind[]).find((kind) => production.constructor === repetitions[kind]);

/**
 * The kind of decision a production makes, as Chevrotain's lookahead names it, or undefined for
 * a terminal, a rule reference or an alternative.
 *
 * @example
 * decisionKind(rule.definition[0]); // "Repetition"
 */
export function decisionKind(production: IProduction): LookaheadProductionType | undefined {
  return production instanceof Alternation ? "Alternation" : repetitionKind(production);
}

/**
 * The recorded rules as data, for the generated file.
 *
 * @example
 * recordedRuleData(Object.values(parser.getGAstProductions()));
 * // { program: [{ kind: "Repetition", idx: 0, definition: [...] }], ... }
 */
export function recordedRuleData(rules: readonly Rule[]): RecordedRules {
  return Object.fromEntries(rules.map((rule) => [rule.name, rule.definition.map(productionData)]));
}

function productionData(production: IProduction): ProductionData {
  if (production instanceof Terminal) {
    return { kind: "Terminal", token: production.terminalType.name, idx: production.idx, ...label(production.label) };
  }
  if (production instanceof NonTerminal) {
    return { kind: "NonTerminal", rule: production.nonTerminalName, idx: production.idx, ...label(production.label) };
  }
  if (production instanceof Alternation) {
    return {
      kind: "Alternation",
      idx: production.idx,
      ignoreAmbiguities: fields(production).ignoreAmbiguities,
      hasPredicates: fields(production).hasPredicates,
      ...lookahead(fields(production).maxLookahead),
      alternatives: (production.definition as Alternative[]).map((alternative) => ({
        ignoreAmbiguities: fields(alternative).ignoreAmbiguities,
        definition: alternative.definition.map(productionData),
      })),
    };
  }
  const kind = repetitionKind(production);
  if (kind) {
    const repetition = production as Option & { separator?: TokenType };
    return {
      kind,
      idx: repetition.idx,
      ...(repetition.separator ? { separator: repetition.separator.name } : {}),
      ...lookahead(fields(repetition).maxLookahead),
      definition: repetition.definition.map(productionData),
    } as ProductionData;
  }
  throw new Error(`a recorded grammar holds no ${production.constructor.name}`);
}

const label = (value: string | undefined) => (value === undefined ? {} : { label: value });
const lookahead = (value: number | undefined) => (value === undefined ? {} : { maxLookahead: value });

/**
 * Chevrotain's productions for one rule, rebuilt from its data with the parser's own token types;
 * references to other rules are left for Chevrotain's resolver to link, as after recording.
 *
 * @example
 * const rule = ruleFromData("program", recordedGrammar.rules["program"]!, tokensByName(allTokens));
 */
export function ruleFromData(
  name: string,
  data: readonly ProductionData[],
  tokens: ReadonlyMap<string, TokenType>,
): Rule {
  const token = (tokenName: string) => tokenNamed(tokenName, tokens);
  const production = (entry: ProductionData): IProduction => {
    switch (entry.kind) {
      case "Terminal":
        return new Terminal({ terminalType: token(entry.token), idx: entry.idx, ...label(entry.label) });
      case "NonTerminal":
        return new NonTerminal({ nonTerminalName: entry.rule, idx: entry.idx, ...label(entry.label) });
      case "Alternation": {
        const alternatives = entry.alternatives.map((alternative) =>
          Object.assign(new Alternative({ definition: alternative.definition.map(production) }), {
            ignoreAmbiguities: alternative.ignoreAmbiguities,
          }),
        );
        return Object.assign(new Alternation({ idx: entry.idx, definition: alternatives }), {
          ignoreAmbiguities: entry.ignoreAmbiguities,
          hasPredicates: entry.hasPredicates,
          ...lookahead(entry.maxLookahead),
        });
      }
      default: {
        const Repeated = repetitions[entry.kind] as new (options: {
          idx: number;
          separator?: TokenType;
          definition: IProduction[];
        }) => IProduction;
        return Object.assign(
          new Repeated({
            idx: entry.idx,
            ...("separator" in entry ? { separator: token(entry.separator) } : {}),
            definition: entry.definition.map(production),
          }),
          lookahead(entry.maxLookahead),
        );
      }
    }
  };
  return new Rule({ name, definition: data.map(production) });
}

/**
 * Chevrotain's follow sets as names, for the generated file.
 *
 * @example
 * followData({ "item0_~IN~_invocationTail": [Comma] }); // { "item0_~IN~_invocationTail": ["Comma"] }
 */
export function followData(follows: Readonly<Record<string, readonly TokenType[]>>): RecordedFollows {
  return Object.fromEntries(Object.entries(follows).map(([key, tokens]) => [key, tokens.map((token) => token.name)]));
}

/** The follow sets with the parser's own token types, as Chevrotain keeps them. */
export function followsFromData(
  follows: RecordedFollows,
  tokens: ReadonlyMap<string, TokenType>,
): Record<string, TokenType[]> {
  return Object.fromEntries(
    Object.entries(follows).map(([key, names]) => [key, names.map((name) => tokenNamed(name, tokens))]),
  );
}

function tokenNamed(name: string, tokens: ReadonlyMap<string, TokenType>): TokenType {
  const type = tokens.get(name);
  if (!type) throw new Error(`compiler/recorded-grammar.generated.ts names an unknown token ${name}`);
  return type;
}
