import { describe, expect, it } from "vitest";
import { MicroPythonDevice } from "../simulator/board.js";
import { deployableFiles, minimumVersionOf } from "./deploy.js";
import { bytesLiteral, compareVersions, fileEncoding } from "./file-sync.js";

describe("what a deploy puts on the board", () => {
  it("takes the Python modules of a bundle, compiled or not, and leaves the host's files", () => {
    const files = deployableFiles([
      { path: "main.py", contents: "import flow\n" },
      { path: "flow.mpy", contents: "M\x06" },
      { path: "manifest.json", contents: "{}" },
      { path: "flowmap.json", contents: "{}" },
      { path: "flow.romfs", contents: "\xd2\xcd\x31\x00" },
      { path: "README.txt", contents: "" },
    ]);
    expect(files.map((file) => file.path)).toEqual(["main.py", "flow.mpy"]);
    expect(Buffer.from(files[0]!.contents).toString()).toBe("import flow\n");
  });

  it("needs the MicroPython the manifest names, else 1.19 for .mpy files, else none", () => {
    const manifest = (value: unknown) => ({ path: "manifest.json", contents: JSON.stringify({ micropython: value }) });
    expect(minimumVersionOf([manifest("1.22.2"), { path: "main.py", contents: "" }])).toEqual([1, 22, 2]);
    expect(minimumVersionOf([{ path: "flow.mpy", contents: "" }])).toEqual([1, 19]);
    expect(minimumVersionOf([manifest("latest"), { path: "flow.mpy", contents: "" }])).toEqual([1, 19]);
    expect(minimumVersionOf([{ path: "manifest.json", contents: "not json" }])).toBeUndefined();
    expect(minimumVersionOf([{ path: "main.py", contents: "" }])).toBeUndefined();
  });

  it("compares versions part by part", () => {
    expect(compareVersions([1, 19, 1], [1, 19])).toBeGreaterThan(0);
    expect(compareVersions([1, 19], [1, 19, 0])).toBe(0);
    expect(compareVersions([1, 9, 4], [1, 19])).toBeLessThan(0);
    expect(compareVersions([2], [1, 99])).toBeGreaterThan(0);
  });
});

describe("file contents as Python bytes literals", () => {
  it("carries every byte value through MicroPython unchanged, in 7-bit code", async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const text = Buffer.from('it\'s a \\path\\ with "quotes"\r\nand é\n', "utf8");
    const device = await MicroPythonDevice.create();
    try {
      for (const bytes of [all, text, Buffer.alloc(0)]) {
        const literal = bytesLiteral(bytes);
        expect(literal).toMatch(/^b'[\x20-\x7e]*'$/);
        expect(await device.evaluate(`list(${literal})`)).toEqual([...bytes]);
      }
    } finally {
      await device.close();
    }
  });
});

describe("how a file's bytes travel", () => {
  it("sends a binary file as base64, a third of its escaped size, and the board decodes it unchanged", async () => {
    const binary = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 37) % 256));
    const encoding = fileEncoding(binary);
    expect(encoding.setup).toEqual(["from binascii import a2b_base64 as a"]);
    const sent = encoding.chunk(binary);
    expect(sent).toMatch(/^a\(b'[A-Za-z0-9+/=]*'\)$/);
    expect(sent.length).toBeLessThan(bytesLiteral(binary).length / 2);
    const device = await MicroPythonDevice.create();
    try {
      await device.run(encoding.setup.join("\n"));
      expect(await device.evaluate(`list(${sent})`)).toEqual([...binary]);
    } finally {
      await device.close();
    }
  });

  it("sends text as a bytes literal, which is as short", () => {
    const text = Buffer.from("import flow\nflow.main()\n");
    const encoding = fileEncoding(text);
    expect(encoding.setup).toEqual([]);
    expect(encoding.chunk(text)).toBe(bytesLiteral(text));
  });
});
