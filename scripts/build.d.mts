// Types for scripts/build.mjs, which stays JavaScript so `npm ci` can run it with plain Node.
import type { Plugin } from "esbuild";

/** An output in dist/ and the source it is bundled from. */
export interface BuildEntry {
  readonly output: string;
  readonly source: string;
}

export declare const entries: readonly BuildEntry[];
/** One-file CommonJS scripts; `output` is the file name in dist/. */
export declare const scripts: readonly BuildEntry[];
export declare const rawTextPlugin: Plugin;
export declare function build(options?: { log?: (line: string) => void }): Promise<BuildEntry[]>;
export declare function isStale(): boolean;
