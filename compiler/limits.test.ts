import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TextDocument } from "vscode-languageserver-textdocument";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fmtCommand } from "../cli/commands/fmt.js";
import { FlowWorkspace } from "../editors/lsp/workspace.js";
import { maxDiagnosticsPerFile, maxNestingDepth, renderDiagnostic } from "./index.js";
import { compile } from "../test/support/catalogue.js";
import { formatFlow } from "./prettier/format.js";
import { FlowcSyntaxError } from "./prettier/parse.js";

const sum = (terms: number) => `let x = 1\nlet y = ${Array.from({ length: terms }, () => "x").join(" + ")}\n`;
const nested = (depth: number) =>
  `tsl2591 every 2s -> map { v: ${"(".repeat(depth)}val${")".repeat(depth)} } -> print\n`;
const codes = (text: string) => compile([{ path: "a.flow", text }]).diagnostics.map((d) => d.code);

describe("the nesting limit", () => {
  it("refuses a 5,000-term sum and 1,000 nested parentheses with one E205 where the limit is passed", () => {
    const result = compile([{ path: "a.flow", text: sum(5000) }]);
    expect(
      result.diagnostics.map((d) => [d.code, d.message, result.sources.get("a.flow")!.position(d.span.start)]),
    ).toEqual([
      [
        "E205",
        `this expression nests more than ${maxNestingDepth} levels deep (brackets and operators in a row); the statement is skipped`,
        { line: 2, column: 9 + 4 * maxNestingDepth + 2 },
      ],
    ]);
    expect(codes(nested(1000))).toEqual(["E205"]);
  });

  it("accepts expressions right up to the limit, and goes on checking the statements after one past it", () => {
    expect(codes(`${sum(maxNestingDepth + 1)}tsl2591 every 2s -> map { v: y } -> print\n`)).toEqual([]);
    expect(codes(nested(maxNestingDepth - 1))).toEqual([]);
    expect(codes(`${nested(maxNestingDepth * 4)}tsl2591 every 2s -> evry\n`)).toEqual(["E205", "E301"]);
  });

  it("keeps fmt and the language server (diagnostics, hover, completion) working on such a file", async () => {
    await expect(formatFlow(sum(5000))).rejects.toBeInstanceOf(FlowcSyntaxError);
    const workspace = new FlowWorkspace();
    const uri = "file:///w/deep.flow";
    workspace.set(TextDocument.create(uri, "flowc", 1, `${nested(1000)}tsl2591 every 2s -> print\n`));
    expect(
      workspace
        .diagnostics()
        .get(uri)!
        .map((d) => d.code),
    ).toEqual(["E205"]);
    expect(workspace.hover(uri, { line: 1, character: 2 })).not.toBeNull();
    expect(workspace.completion(uri, { line: 0, character: 500 })).toBeInstanceOf(Array);
  });
});

describe("input that is not a .flow text", () => {
  it("gives binary data one E106 and no flood", () => {
    const bytes = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7919 + (i >> 3)) % 256);
    const result = compile([{ path: "a.bin", bytes }]);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["E106"]);
    const rendered = renderDiagnostic(result.diagnostics[0]!, result.sources);
    expect(rendered.length).toBeLessThan(400);
    // eslint-disable-next-line no-control-regex
    expect(rendered).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });

  it("caps the diagnostics of a text of garbage at one screenful, saying how many were left out", () => {
    const garbage = Array.from({ length: 400 }, (_, i) => `${"@$`"[i % 3]} x`).join("\n");
    const diagnostics = compile([{ path: "a.flow", text: garbage }]).diagnostics;
    expect(diagnostics).toHaveLength(maxDiagnosticsPerFile + 1);
    expect(diagnostics.at(-1)!.code).toBe("E107");
    expect(diagnostics.at(-1)!.message).toMatch(/^\d+ more problems in this file not shown \(the first 50 are\)$/);
  });

  it("accepts a UTF-8 byte-order mark in check and fmt", async () => {
    const text = "\uFEFFtsl2591 every 2s -> print\n";
    expect(compile([{ path: "a.flow", text }]).diagnostics).toEqual([]);
    expect(compile([{ path: "a.flow", bytes: Buffer.from(text) }]).diagnostics).toEqual([]);
    expect(await formatFlow(text)).toBe(text);
  });

  it("reports invalid UTF-8 as E105 at the byte, in check and in the language server", () => {
    const bytes = Buffer.concat([
      Buffer.from('tsl2591 "caf'),
      Buffer.from([0xe9]),
      Buffer.from('" every 2s -> print\n'),
    ]);
    const result = compile([{ path: "a.flow", bytes }]);
    expect(
      result.diagnostics.map((d) => [d.code, d.message, result.sources.get("a.flow")!.position(d.span.start)]),
    ).toEqual([["E105", "byte 0xE9 at byte offset 12 is not UTF-8", { line: 1, column: 13 }]]);
    const workspace = new FlowWorkspace({ readFile: (path) => (path === "/w/a.flow" ? bytes : undefined) });
    workspace.set(TextDocument.create("file:///w/a.flow", "flowc", 1, bytes.toString("utf8")));
    expect(
      workspace
        .diagnostics()
        .get("file:///w/a.flow")!
        .map((d) => d.code),
    ).toEqual(["E105"]);
  });
});

describe("flowc fmt --write and bytes that are not UTF-8", () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "flowc-limits-"));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it("leaves the file alone instead of writing U+FFFD", async () => {
    const path = join(folder, "latin1.flow");
    const bytes = Buffer.from('tsl2591   "caf\xe9" every 2s -> print\n', "latin1");
    await writeFile(path, bytes);
    let stderr = "";
    const code = await fmtCommand(
      [path],
      { write: true },
      {
        stdout: { write: () => true },
        stderr: { write: (text: string) => (stderr += text) },
      },
    );
    expect(code).toBe(1);
    expect(stderr).toContain("error[E105]: byte 0xE9 at byte offset 14 is not UTF-8");
    expect(stderr).toContain("latin1.flow is not UTF-8; not formatted");
    expect(await readFile(path)).toEqual(bytes);
  });
});

describe("constants", () => {
  it("are folded, so a chain of constants built from constants stays shallow", () => {
    const lets = Array.from(
      { length: 100 },
      (_, i) => `let c${i + 1} = ${Array.from({ length: 40 }, () => `c${i}`).join(" + ")}`,
    );
    const text = `let c0 = 1\n${lets.join("\n")}\nsim every 1s -> map { v: val + c100 / 1e300 } -> print\n`;
    const result = compile([{ path: "a.flow", text }]);
    expect(result.diagnostics).toEqual([]);
    const overflow = compile([
      { path: "a.flow", text: `${text.replace(/\nsim.*\n$/, "")}\nlet c101 = c100 * 1e300\n` },
    ]);
    expect(overflow.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["E405", "this constant is too large for any number"],
    ]);
    expect(result.checked[0]!.constants.get("c2")).toEqual({
      kind: "literal",
      value: 1600,
      type: { kind: "scalar", name: "int" },
    });
  });

  it("fold `%` as both targets compute it, with the divisor's sign", () => {
    const result = compile([{ path: "a.flow", text: "let r = -7 % 3\nsim every 1s -> map { v: val + r } -> print\n" }]);
    expect(result.checked[0]!.constants.get("r")).toMatchObject({ kind: "literal", value: 2 });
  });
});
