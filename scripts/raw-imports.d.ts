/**
 * `import text from "./driver.py?raw"`: the file's contents as a string. vitest, the esbuild
 * bundle (scripts/build.mjs) and the from-source fallback (scripts/raw-text-hooks.mjs) all load
 * such imports this way.
 */
declare module "*?raw" {
  const text: string;
  export default text;
}
