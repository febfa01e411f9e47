import { describe, expect, it } from "vitest";
import { fillTemplate } from "./template.js";

describe("fillTemplate", () => {
  it("fills expressions in place and statements at their line's indentation", () => {
    const template = "def f():\n    FLOWC_BODY\n    return FLOWC_LIMIT * 2";
    expect(fillTemplate(template, { BODY: "a()\nif b:\n    c()", LIMIT: 8 })).toBe(
      "def f():\n    a()\n    if b:\n        c()\n    return 8 * 2",
    );
  });

  it("drops a statement placeholder's line when there are no statements", () => {
    expect(fillTemplate("x = 1\n    FLOWC_EXTRA\ny = 2", { EXTRA: "" })).toBe("x = 1\ny = 2");
  });

  it("fills placeholders inside strings too", () => {
    expect(fillTemplate('print("after FLOWC_SECONDS s")', { SECONDS: 30 })).toBe('print("after 30 s")');
  });

  it("refuses a placeholder without a value, and a value without a placeholder", () => {
    expect(() => fillTemplate("x = FLOWC_MISSING", {})).toThrow(/no value for FLOWC_MISSING/);
    expect(() => fillTemplate("x = 1", { EXTRA: "2" })).toThrow(/no place for EXTRA/);
  });
});
