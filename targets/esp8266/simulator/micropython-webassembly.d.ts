/**
 * Types for the parts of `@micropython/micropython-webassembly-pyscript` (MicroPython 1.27
 * compiled to WebAssembly) that the device harness uses. The package ships none.
 */
declare module "@micropython/micropython-webassembly-pyscript" {
  /** Options of {@link loadMicroPython}. */
  export interface LoadOptions {
    /** Bytes of the first GC heap area. This build grows the heap on demand, so it is no ceiling. */
    heapsize?: number;
    /** Words of the Python stack. */
    pystack?: number;
    /** Receives output; a line at a time (without the newline) when `linebuffer` is true. */
    stdout?: (line: string) => void;
    stderr?: (line: string) => void;
    linebuffer?: boolean;
  }

  /** A Python exception that escaped into JavaScript. */
  export interface PythonError extends Error {
    name: "PythonError";
    /** The exception's class name, e.g. `OSError`. */
    type: string;
  }

  /** A JavaScript handle on a Python object. */
  export interface PyProxyConstructor {
    /** Converts Python lists, tuples and dicts (recursively) to arrays and objects. */
    toJs(value: unknown): unknown;
  }

  export interface MicroPythonFS {
    writeFile(path: string, data: string | Uint8Array): void;
    readFile(path: string, options: { encoding: "utf8" }): string;
    readFile(path: string): Uint8Array;
    mkdir(path: string): void;
    readdir(path: string): string[];
    stat(path: string): { mode: number };
    isDir(mode: number): boolean;
    analyzePath(path: string): { exists: boolean };
  }

  export interface MicroPython {
    FS: MicroPythonFS;
    PyProxy: PyProxyConstructor;
    globals: { get(name: string): unknown; set(name: string, value: unknown): void; delete(name: string): void };
    /** Executes statements in `__main__`; always returns null (use `globals` for values). */
    runPython(code: string): unknown;
    /** Imports a module and returns a proxy whose attributes are the module's. */
    pyimport(name: string): Record<string, unknown>;
    /** Makes a JavaScript object importable from Python under `name`. */
    registerJsModule(name: string, module: object): void;
  }

  export function loadMicroPython(options?: LoadOptions): Promise<MicroPython>;
}
