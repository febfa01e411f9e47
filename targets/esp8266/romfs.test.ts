import { describe, expect, it } from "vitest";
import { FLOWC_ROMFS_MARKER, flowRomfsImage, readRomfs, romfsImage } from "./romfs.js";

const bytes = (text: string) => Buffer.from(text, "utf8");

describe("ROMFS images", () => {
  it("encodes a file as MicroPython's format says: header, then a file record holding a verbatim data record", () => {
    // d2 cd 31: the file system record; 08: its payload's length. 05 06: a file record of 6 bytes,
    // 01 61: the name "a"; 02 02 78 79: verbatim data "xy".
    expect(Buffer.from(romfsImage([{ path: "a", contents: bytes("xy") }])).toString("hex")).toBe(
      "d2cd3108" + "0506" + "0161" + "02027879",
    );
  });

  it("writes lengths of 128 and more in several bytes, high bits set on all but the last", () => {
    const image = romfsImage([{ path: "big.mpy", contents: new Uint8Array(300) }]);
    // 300 = 2·128 + 44: 82 2c.
    expect(Buffer.from(image).toString("hex")).toContain("02822c");
    expect(readRomfs(image)!.get("big.mpy")).toHaveLength(300);
  });

  it("reads back what it wrote, directories included, in name order whatever the input order", () => {
    const files = [
      { path: "tsl2591.mpy", contents: bytes("driver") },
      { path: "lib/umqtt/simple.mpy", contents: bytes("client") },
      { path: "flow.mpy", contents: new Uint8Array(0) },
      { path: "lib/a.mpy", contents: bytes("a") },
    ];
    const image = romfsImage(files);
    const read = readRomfs(image)!;
    expect([...read.keys()]).toEqual(["flow.mpy", "lib/a.mpy", "lib/umqtt/simple.mpy", "tsl2591.mpy"]);
    for (const file of files) expect(Buffer.from(read.get(file.path)!)).toEqual(Buffer.from(file.contents));
    expect(romfsImage([...files].reverse())).toEqual(image);
  });

  it("ignores what follows the image in a partition, and knows no image in erased flash or a cut one", () => {
    const image = romfsImage([{ path: "flow.mpy", contents: bytes("bytecode") }]);
    const partition = Buffer.alloc(4096, 0xff);
    partition.set(image);
    expect([...readRomfs(partition)!.keys()]).toEqual(["flow.mpy"]);
    expect(readRomfs(Buffer.alloc(4096, 0xff))).toBeUndefined();
    expect(readRomfs(image.subarray(0, image.length - 1))).toBeUndefined();
    expect(readRomfs(new Uint8Array(0))).toBeUndefined();
  });

  it("refuses paths that are not relative, and a name that is both a file and a directory", () => {
    for (const path of ["/flow.mpy", "lib//a.mpy", "../a.mpy", ""])
      expect(() => romfsImage([{ path, contents: bytes("") }])).toThrow("paths are relative");
    expect(() =>
      romfsImage([
        { path: "lib", contents: bytes("") },
        { path: "lib/a.mpy", contents: bytes("") },
      ]),
    ).toThrow("lib is a file in the ROMFS image");
    expect(() =>
      romfsImage([
        { path: "a.mpy", contents: bytes("") },
        { path: "a.mpy", contents: bytes("") },
      ]),
    ).toThrow("a.mpy is in the ROMFS image twice");
  });

  it("builds a flow's image with a marker naming it, the same wherever the flow is built from", () => {
    const bytecode = [{ path: "flow.mpy", contents: bytes("M\x06") }];
    const image = flowRomfsImage(bytecode, "examples/tutorial/client.flow");
    expect(flowRomfsImage(bytecode, "/home/me/flows/client.flow")).toEqual(image);
    expect(flowRomfsImage(bytecode, "C:\\flows\\client.flow")).toEqual(image);
    const marker = JSON.parse(Buffer.from(readRomfs(image)!.get(FLOWC_ROMFS_MARKER)!).toString()) as unknown;
    expect(marker).toEqual({ flow: "client.flow", files: ["flow.mpy"] });
  });
});
