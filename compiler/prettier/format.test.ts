/**
 * The formatter: canonical output (golden files), no change of meaning, comments kept, stable
 * under reformatting, `printWidth` honoured, files with syntax errors refused.
 *
 * Golden files in golden/ hold an input and its expected output separated by a line
 * `=== output ===`. UPDATE_GOLDEN=1 rewrites the outputs (review the diff before committing).
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import fc from "fast-check";
import { format } from "prettier";
import { describe, expect, it } from "vitest";
import { parseSource } from "../parse.js";
import { SourceFile } from "../source.js";
import { formatFlow } from "./format.js";
import { FlowcSyntaxError } from "./parse.js";
import plugin from "./plugin.js";
import { commentTexts, programFingerprint } from "./verify.js";

const here = new URL(".", import.meta.url).pathname;
const root = join(here, "../..");
const outputSeparator = "\n=== output ===\n";

function filesIn(dir: string, suffix: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? filesIn(join(dir, entry.name), suffix)
      : entry.name.endsWith(suffix)
        ? [join(dir, entry.name)]
        : [],
  );
}

function parse(text: string) {
  const parsed = parseSource(new SourceFile("test.flow", text));
  expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return parsed.program;
}

/** Formats twice and checks everything that must hold for any input; returns the first result. */
async function formatChecked(text: string, printWidth?: number): Promise<string> {
  const once = await formatFlow(text, { printWidth });
  expect(await formatFlow(once, { printWidth })).toBe(once);
  const before = parse(text);
  const after = parse(once);
  expect(programFingerprint(after)).toBe(programFingerprint(before));
  expect(commentTexts(after)).toEqual(commentTexts(before));
  return once;
}

const examples = filesIn(join(root, "examples"), ".flow");
const validCorpus = filesIn(join(root, "test/syntax/valid"), ".flow");

describe("examples", () => {
  it("exist", () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
  });

  for (const file of examples) {
    it(`${relative(root, file)} is already canonical`, async () => {
      const text = readFileSync(file, "utf8");
      expect(await formatChecked(text)).toBe(text);
    });
  }
});

describe("syntax corpus", () => {
  for (const file of validCorpus) {
    it(`${relative(root, file)} formats without changing its meaning`, async () => {
      await formatChecked(readFileSync(file, "utf8"));
    });
  }
});

describe("golden files", () => {
  const goldens = filesIn(join(here, "golden"), ".flow.golden");

  it("exist", () => {
    expect(goldens.length).toBeGreaterThanOrEqual(3);
  });

  for (const file of goldens) {
    it(relative(here, file), async () => {
      const [input, expected] = readFileSync(file, "utf8").split(outputSeparator);
      const actual = await formatChecked(input!);
      if (process.env["UPDATE_GOLDEN"]) {
        writeFileSync(file, input + outputSeparator + actual);
        return;
      }
      expect(actual).toBe(expected);
      expect(await formatFlow(expected!)).toBe(expected);
    });
  }
});

describe("printWidth", () => {
  const pipeline = 'mqtt "sensor-data" -> json as SensorEvent -> set ts = now() -> [print, csv "test.csv"]\n';

  it("breaks a long pipeline before each `->` when it does not fit", async () => {
    expect(await formatChecked(pipeline, 40)).toBe(
      [
        'mqtt "sensor-data"',
        "  -> json as SensorEvent",
        "  -> set ts = now()",
        '  -> [print, csv "test.csv"]',
        "",
      ].join("\n"),
    );
  });

  // Issue 12 §8: the documented style is one stage per line with a leading `->`, and `fmt` joined
  // such pipelines onto one line.
  it("writes a pipeline of more than two stages, or one written on several lines, one stage per line", async () => {
    const broken = pipeline.replaceAll(" -> ", "\n  -> ");
    expect(await formatChecked(pipeline, 200)).toBe(broken);
    expect(await formatChecked(broken, 200)).toBe(broken);
    expect(await formatChecked('mqtt "x"\n  -> print\n', 200)).toBe('mqtt "x"\n  -> print\n');
    expect(await formatChecked("let s = sim every 1s\n  -> avg over 10\n\ns -> print\n")).toBe(
      "let s = sim every 1s\n  -> avg over 10\n\ns -> print\n",
    );
  });

  it("keeps a pipeline of two stages that fits on one line", async () => {
    expect(await formatChecked('mqtt "x" ->   print\n', 200)).toBe('mqtt "x" -> print\n');
    expect(await formatChecked("sim every 1s -> [print, avg over 10 -> print]\n")).toBe(
      "sim every 1s -> [print, avg over 10 -> print]\n",
    );
  });

  it("breaks a fan-out one branch per line only when the branches do not fit", async () => {
    const text = 'sim every 1s -> [print "first label", csv "second.csv" -> print]\n';
    expect(await formatChecked(text, 40)).toBe(
      ["sim every 1s", "  -> [", '    print "first label",', '    csv "second.csv" -> print', "  ]", ""].join("\n"),
    );
  });

  it("defaults to 100 columns", async () => {
    const label = "x".repeat(77);
    const fits = `interval 1s -> print "${label}"\n`;
    const tooLong = `interval 10s -> print "${label}"\n`;
    expect(fits.length - 1).toBe(100);
    expect(tooLong.length - 1).toBe(101);
    expect(await formatFlow(fits)).toBe(fits);
    expect(await formatFlow(tooLong)).not.toBe(tooLong);
  });
});

describe("comments", () => {
  it("line up trailing comments of consecutive lines on a tab stop", async () => {
    const text = ['mqtt "x"', "  -> json # parse", "  -> set ts = now() # host time", "  -> print", ""].join("\n");
    expect(await formatChecked(text)).toBe(
      // The longer line is 19 columns; two spaces more is 21; the next multiple of 8 is 24.
      [
        'mqtt "x"',
        "  -> json".padEnd(24) + "# parse",
        "  -> set ts = now()".padEnd(24) + "# host time",
        "  -> print",
        "",
      ].join("\n"),
    );
  });

  it("`# prettier-ignore` keeps the next statement as written", async () => {
    const table = ["device esp8266 {", "  i2c   scl 5   sda 4", '  ntp   "pool.ntp.org"', "}"].join("\n");
    const text = `# prettier-ignore\n${table}\nsim every 1s->print\n`;
    expect(await formatChecked(text)).toBe(`# prettier-ignore\n${table}\nsim every 1s -> print\n`);
  });

  it("are found and aligned even when the source uses private-use characters itself", async () => {
    const text = 'let a = "\u{E000}\u{E001}" # one\nlet bb = 2 # two \u{E000}\n';
    const aligned = ['let a = "\u{E000}\u{E001}"'.padEnd(16) + "# one", "let bb = 2".padEnd(16) + "# two \u{E000}", ""];
    expect(await formatChecked(text)).toBe(aligned.join("\n"));
  });

  it("keep a file of comments alone", async () => {
    expect(await formatChecked("# one\n\n\n# two   \n")).toBe("# one\n\n# two\n");
  });

  // Found by the fuzz test: as a trailing comment of an operand, a comment broke the pipeline
  // onto several lines, and formatting that again, with the comment now after the statement,
  // joined them back.
  it("inside an expression end the line of their stage, idempotently", async () => {
    const source = "sim every 1s -> moving_avg 3 - # why\n  0 -> filter val > # limit\n  3 -> print\n";
    const formatted = await formatFlow(source);
    expect(formatted).toBe(
      "sim every 1s\n  -> moving_avg 3 - 0   # why\n  -> filter val > 3     # limit\n  -> print\n",
    );
    expect(await formatFlow(formatted)).toBe(formatted);
  });

  // Found by compiler/fuzz-mutations.test.ts: printed before the value, the comment moved behind
  // it when formatted again.
  it("on a line of their own between `let x =` and the value stay on a line of their own, idempotently", async () => {
    const formatted = await formatFlow("let lux =\n# the kitchen sensor\ntsl2591 every 2s -> print\n");
    expect(formatted).toBe("let lux = tsl2591 every 2s\n  # the kitchen sensor\n  -> print\n");
    expect(await formatFlow(formatted)).toBe(formatted);
  });

  it("survive at the end of every line of every example", async () => {
    for (const file of examples) {
      const text = readFileSync(file, "utf8")
        .split("\n")
        .map((line, i) => (line.trim() === "" || line.includes("#") ? line : `${line} # note ${i}`))
        .join("\n");
      await formatChecked(text);
    }
  });

  it("survive anywhere a line can be added, at any width", async () => {
    const corpus = [...examples, ...validCorpus].map((file) => readFileSync(file, "utf8"));
    const commentedLine = fc.record({
      indent: fc.nat(4),
      commentBefore: fc.boolean(),
      blankBefore: fc.boolean(),
      commentAfter: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...corpus),
        fc.array(commentedLine, { minLength: 40, maxLength: 40 }),
        fc.integer({ min: 20, max: 140 }),
        async (text, choices, printWidth) => {
          const lines = text.split("\n").flatMap((line, i) => {
            const choice = choices[i % choices.length]!;
            const pad = " ".repeat(choice.indent);
            return [
              ...(choice.blankBefore ? [""] : []),
              ...(choice.commentBefore ? [`${pad}# before ${i}`] : []),
              pad + line + (choice.commentAfter && !line.includes("#") ? ` # after ${i}` : ""),
            ];
          });
          await formatChecked(lines.join("\n"), printWidth);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("literals", () => {
  it("re-escapes strings canonically", async () => {
    const text = 'let s = "\\u{48}i \\u{1F4A1} \\u{1} \\u{202E} \\t\\"\\\\"\n';
    expect(await formatChecked(text)).toBe('let s = "Hi 💡 \\u{1} \\u{202E} \\t\\"\\\\"\n');
  });

  it("keeps numbers and durations as written", async () => {
    const text = "let a = 0x29 + 2.5e-1 + 1.50 + - 7\nlet b = 1500ms\n";
    expect(await formatChecked(text)).toBe("let a = 0x29 + 2.5e-1 + 1.50 + -7\nlet b = 1500ms\n");
  });
});

describe("files with errors", () => {
  it("are refused with the position of the first error", async () => {
    const error = await formatFlow("sim every 1s -> print\nsim every 1s ->\nlet = 3\n").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowcSyntaxError);
    const syntaxError = error as FlowcSyntaxError;
    expect(syntaxError.loc.start).toEqual({ line: 3, column: 1 });
    expect(syntaxError.message).toMatch(/^E2\d\d .* \(3:1\)/);
    expect(syntaxError.diagnostics.length).toBeGreaterThan(0);
  });

  // Found by the fuzz test: split over two lines, `scl` would read as a flag instead of an
  // argument, so formatting used to fail its own same-meaning check.
  it("are refused when two settings share a line, rather than reformatted into another meaning", async () => {
    const error = await formatFlow("device esp8266 {\n  i2c scl device sda 4\n}\n").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowcSyntaxError);
    expect((error as FlowcSyntaxError).loc.start).toEqual({ line: 2, column: 11 });
    expect((error as Error).message).toMatch(/^E204 `device` starts another setting on the same line/);
  });

  it("are refused for lexical errors too", async () => {
    await expect(formatFlow('let s = "open\n')).rejects.toThrow(/E102/);
  });
});

describe("the plugin through Prettier", () => {
  it("is found by file name and formats with Prettier's own options", async () => {
    const text = "tsl2591 every 2s->print\n";
    expect(await format(text, { filepath: "a/b/c.flow", plugins: [plugin] })).toBe("tsl2591 every 2s -> print\n");
  });

  it("loads by package name, as `prettier --plugin flowc` and `flowc/prettier` (from the built dist/)", async () => {
    const text = "tsl2591 every 2s->print\n";
    for (const name of ["flowc", "flowc/prettier"]) {
      expect(await format(text, { filepath: "c.flow", plugins: [name] })).toBe("tsl2591 every 2s -> print\n");
    }
  });

  it("honours tabs and CRLF line endings", async () => {
    const text = 'device esp8266 {\r\n  ntp "pool.ntp.org" # sync\r\n}\r\n';
    const formatted = await formatFlow(text, { useTabs: true, tabWidth: 4, endOfLine: "crlf" });
    expect(formatted).toBe('device esp8266 {\r\n\tntp "pool.ntp.org"  # sync\r\n}\r\n');
  });

  it("formats an empty file to nothing", async () => {
    expect(await formatFlow("\n\n  \n")).toBe("");
  });
});
