/**
 * The TextMate grammar, tested with the engine VS Code runs (vscode-textmate + vscode-oniguruma):
 * it must match what the generator makes from the compiler today, tokenize every example cleanly,
 * match the golden scope files, and give each construct its documented scope.
 */
import { readdir, readFile } from "node:fs/promises";
import type { IGrammar } from "vscode-textmate";
import { beforeAll, describe, expect, it } from "vitest";
import { registry } from "../../../components/declarations.js";
import { durationUnits, flowLexer, keywords } from "../../../compiler/lexer.js";
import { parseSource } from "../../../compiler/parse.js";
import { topLevelSettings, type SettingDeclaration } from "../../../compiler/settings.js";
import { SourceFile } from "../../../compiler/source.js";
import { stdlibFunctions } from "../../../compiler/stdlib.js";
import { buildGrammar, formatGrammar, grammarPath, Scopes, validEscapes } from "../scripts/generate-grammar.js";
import { loadFlowGrammar, tokenizeFlow, type ScopedToken } from "../scripts/textmate.js";
import { goldenPathFor, listExamples, renderGolden } from "../scripts/update-golden.js";

let grammar: IGrammar;

beforeAll(async () => {
  grammar = await loadFlowGrammar();
});

const tokenize = (text: string) => tokenizeFlow(grammar, text).tokens;

/** The scopes of the `nth` token whose text is exactly `text` (negative: counting from the end). */
function scopesOf(source: string, text: string, nth = 0): readonly string[] {
  const matches = tokenize(source).filter((token) => token.text === text);
  const token = matches.at(nth);
  if (!token) {
    const seen = tokenize(source).map((t) => JSON.stringify(t.text));
    throw new Error(`no token ${JSON.stringify(text)} (#${nth}) in ${JSON.stringify(source)}; tokens: ${seen}`);
  }
  return token.scopes;
}

const controlKeywords = keywords.filter((word) => !["true", "false", "and", "or", "not"].includes(word));

describe("generated grammar", () => {
  it("is what the generator makes from the compiler today (run `npm run editors:grammar` if not)", async () => {
    const committed = await readFile(grammarPath, "utf8");
    expect(committed).toBe(await formatGrammar(buildGrammar()));
  });

  it("names every component, setting and stdlib function of the compiler", async () => {
    const text = await readFile(grammarPath, "utf8");
    for (const declaration of registry().all()) expect(text).toMatch(new RegExp(`[(|]${declaration.name}[|)]`));
    const settings = (setting: SettingDeclaration): string[] => [
      setting.name,
      ...(setting.block ?? []).flatMap(settings),
    ];
    for (const setting of topLevelSettings.values()) {
      for (const name of settings(setting)) expect(text).toContain(`(${name})`);
    }
    for (const fn of stdlibFunctions) expect(text).toMatch(new RegExp(`[(|]${fn.name}[|)]`));
  });

  it("has no rule of its own for any component: stages share one body per shape", () => {
    const rules = Object.keys(buildGrammar().repository);
    for (const declaration of registry().all()) {
      expect(rules.filter((rule) => rule.endsWith(`-${declaration.name}`))).toEqual([]);
    }
  });
});

/** Tokens the grammar could not classify or marks invalid, and whether every region was closed. */
function problems(text: string) {
  const { tokens, finalDepth } = tokenizeFlow(grammar, text);
  return {
    invalid: tokens.filter((token) => token.scopes.some((scope) => scope.startsWith("invalid."))),
    unclassified: tokens.filter((token) => token.scopes.length === 0 && token.text.trim() !== ""),
    finalDepth,
  };
}

const clean = { invalid: [], unclassified: [], finalDepth: 1 };

describe("examples", async () => {
  const examples = await listExamples();

  it("has examples to check", () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  describe.each(examples)("%s", (example) => {
    it("tokenizes with every character classified and every region closed", async () => {
      const text = await readFile(new URL(`../../../examples/${example}`, import.meta.url), "utf8");
      expect(problems(text)).toEqual(clean);
    });

    it("matches its golden scope file (run `npm run editors:golden` after a deliberate change)", async () => {
      const golden = await readFile(goldenPathFor(example), "utf8").catch(() => undefined);
      expect(golden, `missing ${goldenPathFor(example)}`).toBeDefined();
      expect(await renderGolden(example)).toBe(golden);
    });
  });
});

describe("the valid syntax corpus", async () => {
  const corpus = new URL("../../../test/syntax/valid/", import.meta.url);
  const files = (await readdir(corpus).catch(() => [])).filter((name) => name.endsWith(".flow"));

  it.each(files)("%s tokenizes with every character classified and every region closed", async (name) => {
    expect(problems(await readFile(new URL(name, corpus), "utf8"))).toEqual(clean);
  });
});

describe("scopes", () => {
  it("marks comments, with the number sign as punctuation", () => {
    expect(scopesOf("# note", "#")).toEqual([Scopes.comment, Scopes.commentPunctuation]);
    expect(scopesOf("# note", " note")).toEqual([Scopes.comment]);
    expect(scopesOf('print "#x" # trailing', " trailing")).toEqual([Scopes.comment]);
    expect(scopesOf('print "#x" # trailing', "#x")).toEqual([Scopes.string]);
  });

  it.each(controlKeywords)("marks the keyword `%s` as control", (word) => {
    const snippets: Record<string, string> = {
      let: "let x = 1",
      schema: "schema S { a: int }",
      broker: 'broker "localhost"',
      device: "device esp8266 {\n}",
      use: 'use "schemas.flow"',
    };
    const snippet = snippets[word];
    expect(snippet, `add a snippet for the new keyword ${word}`).toBeDefined();
    expect(scopesOf(snippet!, word)).toEqual([Scopes.controlKeyword]);
  });

  it("marks booleans and logical operators", () => {
    const source = "filter not ok and flag == true or x == false";
    expect(scopesOf(source, "true")).toEqual([Scopes.boolean]);
    expect(scopesOf(source, "false")).toEqual([Scopes.boolean]);
    for (const word of ["not", "and", "or"]) expect(scopesOf(source, word)).toEqual([Scopes.logicalOperator]);
  });

  it("marks strings, their quotes and escapes; unknown escapes are invalid", () => {
    const source = String.raw`print "a\tb\q"`;
    expect(scopesOf(source, '"', 0)).toEqual([Scopes.string, Scopes.stringBegin]);
    expect(scopesOf(source, "a")).toEqual([Scopes.string]);
    expect(scopesOf(source, String.raw`\t`)).toEqual([Scopes.string, Scopes.escape]);
    expect(scopesOf(source, String.raw`\q`)).toEqual([Scopes.string, Scopes.badEscape]);
    expect(scopesOf(source, '"', 1)).toEqual([Scopes.string, Scopes.stringEnd]);
  });

  it.each(validEscapes)("agrees with the compiler that %s is an escape", (escape) => {
    expect(scopesOf(`print "${escape}"`, escape)).toEqual([Scopes.string, Scopes.escape]);
    const parsed = parseSource(new SourceFile("e.flow", `let s = "${escape}"\nprint s`));
    expect(parsed.diagnostics.filter((d) => d.code === "E103")).toEqual([]);
  });

  it("agrees with the compiler that \\q is not an escape", () => {
    const parsed = parseSource(new SourceFile("e.flow", String.raw`let s = "\q"`));
    expect(parsed.diagnostics.map((d) => d.code)).toContain("E103");
  });

  it("ends an unterminated string at the end of its line", () => {
    const tokens = tokenize('print "open\n-> csv "x.csv"');
    expect(tokens.find((t) => t.text === "csv")?.scopes).toEqual([Scopes.sink]);
  });

  it.each(["42", "2.5", "1e-3", "6.02E+23", "0x29"])("marks %s as a number", (number) => {
    expect(scopesOf(`take ${number}`, number)).toEqual([Scopes.number]);
    expect(flowLexer.tokenize(number).tokens.map((t) => t.tokenType.name)).toEqual(["NumberLiteral"]);
  });

  it.each(Object.keys(durationUnits))("marks a duration in %s, with the unit as a unit", (unit) => {
    const source = `sim every 25${unit} -> print`;
    expect(scopesOf(source, "25")).toEqual([Scopes.duration]);
    expect(scopesOf(source, unit)).toEqual([Scopes.duration, Scopes.unit]);
    expect(flowLexer.tokenize(`25${unit}`).tokens.map((t) => t.tokenType.name)).toEqual(["Duration"]);
    expect(scopesOf(`x 1.5${unit}`, "1.5")).toEqual([Scopes.duration]);
  });

  it("marks a number with an unknown unit as invalid, like the compiler (E104)", () => {
    expect(scopesOf("sim every 5sec", "sec")).toEqual([Scopes.duration, Scopes.badUnit]);
    expect(flowLexer.tokenize("5sec").tokens.map((t) => t.tokenType.name)).toEqual(["BadUnit"]);
  });

  it("marks operators", () => {
    const source = "filter a + b - c * d / e % f == g != h < i <= j > k >= l -> set m = 1";
    for (const op of ["+", "-", "*", "/", "%"]) expect(scopesOf(source, op)).toEqual([Scopes.arithmetic]);
    for (const op of ["==", "!=", "<", "<=", ">", ">="]) expect(scopesOf(source, op)).toEqual([Scopes.comparison]);
    expect(scopesOf(source, "->")).toEqual([Scopes.arrow]);
    expect(scopesOf(source, "=")).toEqual([Scopes.assignment]);
  });

  it("marks the topic after mqtt, as source, sink and named option, and not other strings", () => {
    expect(scopesOf('mqtt "a/+/b" -> print', "a/+/b")).toEqual([Scopes.topic, Scopes.string]);
    expect(scopesOf('sim -> mqtt "a/b" qos 1', "a/b")).toEqual([Scopes.topic, Scopes.string]);
    expect(scopesOf('sim -> [print, mqtt "a/b"]', "a/b")).toEqual([Scopes.topic, Scopes.string]);
    expect(scopesOf('sim -> mqtt topic "t" retain', "t")).toEqual([Scopes.topic, Scopes.string]);
    expect(scopesOf('broker "h" will_topic "gone"', "gone")).toEqual([Scopes.topic, Scopes.string]);
    expect(scopesOf('broker "h" will_topic "gone"', "h")).toEqual([Scopes.string]);
    expect(scopesOf('sim -> csv "out.csv"', "out.csv")).toEqual([Scopes.string]);
  });

  describe("component names", () => {
    const components = registry();
    it.each(components.all("source").map((d) => d.name))("marks source %s at the start of a statement", (name) => {
      expect(scopesOf(`${name} -> print`, name)).toEqual([Scopes.source]);
      expect(scopesOf(`let s = ${name}`, name)).toEqual([Scopes.source]);
    });

    const steps = [...components.all("operator"), ...components.all("sink")];
    it.each(steps.map((d) => [d.name, d.kind] as const))("marks %s as %s after `->` and in fan-outs", (name, kind) => {
      const scope = kind === "sink" ? Scopes.sink : Scopes.operator;
      expect(scopesOf(`sim -> ${name}`, name)).toEqual([scope]);
      expect(scopesOf(`sim ->\n  ${name}`, name)).toEqual([scope]);
      expect(scopesOf(`sim -> [print, ${name}]`, name)).toEqual([scope]);
      expect(scopesOf(`sim -> [${name} -> print]`, name)).toEqual([scope]);
      expect(scopesOf(`sim -> [\n  print,\n  ${name}\n]`, name)).toEqual([scope]);
    });

    it("tells operators from the stdlib functions of the same name", () => {
      expect(scopesOf("sim -> max over 10", "max")).toEqual([Scopes.operator]);
      expect(scopesOf("sim -> map max(val, 1)", "max")).toEqual([Scopes.stdlibFunction]);
    });
  });

  it.each(stdlibFunctions.map((fn) => fn.name))("marks the stdlib function %s", (name) => {
    expect(scopesOf(`sim -> map ${name}(1)`, name)).toEqual([Scopes.stdlibFunction]);
  });

  it("does not mark unknown functions as the stdlib", () => {
    expect(scopesOf("sim -> map frobnicate(1)", "frobnicate")).toEqual([Scopes.unknownFunction]);
  });

  describe("options", () => {
    const optionCases = registry()
      .all()
      .flatMap((declaration) =>
        declaration.params
          .filter((param) => !["expression", "assignment", "binding"].includes(param.type.kind))
          .map((param) => {
            const stage = declaration.kind === "source" ? declaration.name : `sim -> ${declaration.name}`;
            return [`${declaration.kind} ${declaration.name}`, param.name, `${stage} ${param.name} x`] as const;
          }),
      );

    it.each(optionCases)("marks an option of %s: %s", (_component, option, source) => {
      expect(scopesOf(source, option, -1)).toEqual([Scopes.option]);
    });

    const settingCases = [...topLevelSettings.values()].flatMap((setting) => [
      ...setting.params.map((param) => [setting.name, param.name, `${setting.name} ${param.name} x`] as const),
      ...(setting.block ?? []).flatMap((inner) =>
        inner.params.map(
          (param) => [inner.name, param.name, `${setting.name} esp8266 {\n  ${inner.name} ${param.name} x\n}`] as const,
        ),
      ),
    ]);

    it.each(settingCases)("marks an option of the setting %s: %s", (_setting, option, source) => {
      expect(scopesOf(source, option, -1)).toEqual([Scopes.option]);
    });

    it("marks the settings nested in a device block", () => {
      const source = 'device esp8266 {\n  wifi "a", "b"\n  broker "h" port 1883\n  i2c scl 5 sda 4\n  deep_sleep\n}';
      expect(scopesOf(source, "esp8266")).toEqual([Scopes.enumValue]);
      for (const name of ["wifi", "i2c", "deep_sleep"]) expect(scopesOf(source, name)).toEqual([Scopes.setting]);
      expect(scopesOf(source, "broker")).toEqual([Scopes.controlKeyword]);
    });

    it("reads a broker block as options, one per line", () => {
      const source = 'broker "h" {\n  port 1883\n  tls\n}';
      expect(scopesOf(source, "port")).toEqual([Scopes.option]);
      expect(scopesOf(source, "tls")).toEqual([Scopes.option]);
    });

    it("marks enum values, flags and values that name things", () => {
      const source = 'tsl2591 every 5s gain high -> mqtt "t" retain qos 1';
      expect(scopesOf(source, "high")).toEqual([Scopes.enumValue]);
      expect(scopesOf(source, "retain")).toEqual([Scopes.option]);
      expect(scopesOf(source, "qos")).toEqual([Scopes.option]);
      expect(scopesOf("merge a, b -> sample c", "a")).toEqual([Scopes.stream]);
      expect(scopesOf("merge a, b -> sample c", "c")).toEqual([Scopes.stream]);
    });

    it("does not take an operand that shares a name with an option for an option", () => {
      expect(scopesOf("sim -> filter every > 3", "every")).toEqual([Scopes.variable]);
      expect(scopesOf("sim -> filter val > threshold", "threshold")).toEqual([Scopes.variable]);
      expect(scopesOf("sim -> filter not retain", "retain")).toEqual([Scopes.variable]);
    });

    it("marks a word no component declares as an option when a value follows it", () => {
      expect(scopesOf("sim evrey 5s -> print", "evrey")).toEqual([Scopes.option]);
      expect(scopesOf('sim -> csv "x.csv" hedaer "a"', "hedaer")).toEqual([Scopes.option]);
      expect(scopesOf("sim -> filter val > 3", "val")).toEqual([Scopes.variable]);
    });
  });

  describe("types and fields", () => {
    it("marks schema names, field names and field types", () => {
      const source = "schema Alert {\n  level: string\n  lux: number\n}";
      expect(scopesOf(source, "Alert")).toEqual([Scopes.type]);
      expect(scopesOf(source, "level")).toEqual([Scopes.field]);
      expect(scopesOf(source, "string")).toEqual([Scopes.type]);
      expect(scopesOf(source, "number")).toEqual([Scopes.type]);
    });

    it("marks the schema after `as`, typed records and their keys", () => {
      expect(scopesOf('mqtt "t" -> json as SensorEvent', "SensorEvent")).toEqual([Scopes.type]);
      const record = 'sim -> map Alert { level: "hi", lux: val }';
      expect(scopesOf(record, "Alert")).toEqual([Scopes.type]);
      expect(scopesOf(record, "level")).toEqual([Scopes.field]);
      expect(scopesOf(record, "val")).toEqual([Scopes.variable]);
    });

    it("marks assigned fields, field parameters and field access", () => {
      expect(scopesOf("sim -> set ts = now(), val = val * 2", "ts")).toEqual([Scopes.field]);
      expect(scopesOf("sim -> set ts = now(), val = val * 2", "val", 0)).toEqual([Scopes.field]);
      expect(scopesOf("sim -> delta 5 of val by sensor_id", "sensor_id")).toEqual([Scopes.field]);
      expect(scopesOf("sim -> map it.val", "it")).toEqual([Scopes.eventName]);
      expect(scopesOf("sim -> map it.val", "val")).toEqual([Scopes.field]);
    });

    it("keeps assignments in a fan-out branch and splits branches at other commas", () => {
      const source = 'sim -> [set a = 1, b = 2 -> print, csv "x.csv"]';
      expect(scopesOf(source, "b")).toEqual([Scopes.field]);
      expect(scopesOf(source, "csv")).toEqual([Scopes.sink]);
    });
  });

  it("ends a pipeline continued after a trailing arrow with its next stage", () => {
    const source = 'sim ->\n  mqtt "a"\nmqtt "b" -> print';
    expect(scopesOf(source, "mqtt", 0)).toEqual([Scopes.sink]);
    expect(scopesOf(source, "mqtt", 1)).toEqual([Scopes.source]);
    expect(scopesOf('sim ->\n\n  [print, csv "x"]\ncsv "y"', "csv", 1)).toEqual([Scopes.source]);
  });

  it("marks let names and streams", () => {
    expect(scopesOf("let lux = tsl2591 every 2s", "lux")).toEqual([Scopes.definition]);
    expect(scopesOf("lux -> print", "lux")).toEqual([Scopes.stream]);
  });

  it("marks characters the lexer rejects as invalid", () => {
    expect(scopesOf("print 'x'", "'")).toEqual([Scopes.invalid]);
  });

  it("gives every token of a line its text back", () => {
    const line = 'tsl2591 "lux-1" every 5s -> [print, mqtt "sensor-data"]';
    const tokens: readonly ScopedToken[] = tokenize(line);
    expect(tokens.map((t) => t.text).join("")).toBe(line);
  });
});
