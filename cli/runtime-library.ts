/**
 * What `import ... from "flowc/runtime"` gives: the Node runtime ({@link ../runtime/index.ts}) and
 * the Node implementations of every component in components/ to hand it. `flowc build --target
 * node` output imports this.
 *
 * @example
 * import { handleSignals, nodeImplementations, runProgram } from "flowc/runtime";
 * const flow = await runProgram(programs, { implementations: nodeImplementations });
 * handleSignals(flow);
 */
export * from "../runtime/index.js";
export { nodeImplementations } from "../components/node.js";
