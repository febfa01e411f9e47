import { describe, expect, it } from "vitest";
import { createLogger } from "./log.js";

describe("createLogger", () => {
  it("prefixes lines with flowc and the scope, and filters by level", () => {
    const lines: string[] = [];
    const log = createLogger({ write: (line) => lines.push(line), level: "warn" });
    log.info("hidden");
    log.warn("careful");
    log.child('csv "test.csv"').error("disk full");
    log.child("a").child("b").warn("nested");
    expect(lines).toEqual([
      "flowc: warning: careful\n",
      'flowc: [csv "test.csv"] error: disk full\n',
      "flowc: [a] [b] warning: nested\n",
    ]);
  });
});
