/**
 * The device runtime's Python lives in `.py` files beside this one, so it can be read and linted
 * as Python. What differs between flows is written in them as `FLOWC_NAME` placeholders, which are
 * valid Python names, and filled here: a placeholder alone on its line stands for statements
 * (indented like it, or the line dropped when there are none), anywhere else for an expression.
 */

const placeholder = /\bFLOWC_[A-Z0-9_]+\b/g;

/**
 * Fills every `FLOWC_NAME` of `template` from `values` (keyed without the prefix). A placeholder
 * with no value, or a value no placeholder uses, is a bug in flowc and throws.
 *
 * @example
 * fillTemplate("    FLOWC_BODY\nx = FLOWC_LIMIT", { BODY: "a()\nb()", LIMIT: "8" });
 * // "    a()\n    b()\nx = 8"
 */
export function fillTemplate(template: string, values: Readonly<Record<string, string | number>>): string {
  const unused = new Set(Object.keys(values));
  const valueOf = (name: string): string => {
    const key = name.slice("FLOWC_".length);
    const value = values[key];
    if (value === undefined) throw new Error(`no value for ${name} in a device runtime template`);
    unused.delete(key);
    return String(value);
  };
  const lines: string[] = [];
  for (const line of template.split("\n")) {
    const statement = /^(\s*)(FLOWC_[A-Z0-9_]+)$/.exec(line);
    if (statement) {
      const code = valueOf(statement[2]!);
      if (code !== "") lines.push(...code.split("\n").map((codeLine) => statement[1] + codeLine));
    } else {
      lines.push(line.replace(placeholder, valueOf));
    }
  }
  if (unused.size > 0) throw new Error(`the template has no place for ${[...unused].join(", ")}`);
  return lines.join("\n");
}

/** A `.py` file's text without the newline that ends the file, as it is spliced into main.py. */
export function pythonSection(text: string): string {
  return text.replace(/\n$/, "");
}

/**
 * A firmware section with work to do once at boot: `code` goes at module level, `setup` are
 * statements spliced into setup(), where they leave no function's bytecode behind in the heap.
 */
export interface FirmwareSection {
  readonly code: string;
  readonly setup: string[];
}
