// Types for scripts/catalogue.mjs, which stays JavaScript so the build and vitest can load it with plain Node.
import type { Plugin } from "esbuild";
import type { Plugin as VitePlugin } from "vite";

export declare const componentsDirectory: string;
export declare const cataloguePrefix: string;
export declare const facets: Readonly<Record<"declarations" | "node" | "micropython" | "board", string>>;
export declare function componentFolders(): string[];
export declare function catalogueFacet(specifier: string): keyof typeof facets | undefined;
export declare function catalogueSource(facet: keyof typeof facets, specifier?: (file: string) => string): string;
export declare function catalogueSourceForNode(facet: keyof typeof facets): string;
export declare const cataloguePlugin: Plugin;
export declare const catalogueVitePlugin: VitePlugin;
