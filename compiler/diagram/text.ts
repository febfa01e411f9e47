/**
 * Text hygiene shared by the renderers: labels come from user source (and, in tests, from
 * arbitrary strings), and some characters cannot survive every output format whatever the
 * escaping. Graphviz copies control characters straight into SVG, where XML forbids them, and a
 * NUL would end Graphviz's C string early.
 */

/** C0 controls, DEL, lone surrogates and the XML-forbidden noncharacters U+FFFE and U+FFFF. */
const unprintable =
  // eslint-disable-next-line no-control-regex -- finding control characters is this pattern's job
  /[\u0000-\u001f\u007f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Makes a label printable: control characters become their Unicode "control picture"
 * (a line break shows as ␊), DEL shows as ␡, and characters no encoding can carry become U+FFFD.
 *
 * @example
 * printableText("a\tb"); // "a␉b"
 */
export function printableText(text: string): string {
  return text.replace(unprintable, (character) => {
    const code = character.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return "\u2421";
    return "\ufffd";
  });
}
