/**
 * Stage 5: checked AST → IR. Flattens pipelines, fan-outs and named streams into one graph of
 * nodes with ids and edges, and records which MQTT topics the program publishes and subscribes.
 */
import type { CheckedPipeline, CheckedProgram, CheckedStage, CheckedStep } from "./checked.js";
import type { IRNode, IRProgram, TopicUse } from "./ir.js";
import type { ParamValue } from "./registry.js";
import type { FlowType } from "./types.js";

interface MutableNode extends Omit<IRNode, "next" | "previous" | "params" | "streamName"> {
  next: string[];
  previous: string[];
  params: Record<string, ParamValue>;
  streamName?: string;
}

/**
 * Lowers one checked program to its dataflow graph.
 *
 * @example
 * const ir = lower(checked);
 * ir.nodes.filter((node) => node.kind === "source");
 */
export function lower(program: CheckedProgram): IRProgram {
  // Nodes are handled by position inside lowering (a node's id is `n` and its position): keeping
  // a map from id to node was a fifth of lowering a large file.
  const nodes: MutableNode[] = [];
  /** The checked stage of each node, by position: kept beside the nodes so they are IR as built. */
  const stages: CheckedStage[] = [];
  /** The positions of the nodes each node sends to. */
  const successors: number[][] = [];
  /** The position of the node each named stream ends at. */
  const streamTails = new Map<string, number>();

  const connect = (from: number | undefined, to: number) => {
    if (from === undefined) return;
    nodes[from]!.next.push(nodes[to]!.id);
    nodes[to]!.previous.push(nodes[from]!.id);
    successors[from]!.push(to);
  };

  // A stream bound to a pipeline that ends in sinks has no tail, and its id in the IR is
  // undefined, as it always was.
  const tailId = (stream: string) => {
    const position = streamTails.get(stream);
    return (position === undefined ? undefined : nodes[position]!.id) as string;
  };

  const addNode = (stage: CheckedStage): number => {
    // A copy made key by key: spreading parameter records, which come in as many shapes as
    // there are components, takes V8's slow path.
    const params: Record<string, ParamValue> = {};
    for (const name in stage.params) {
      const value = stage.params[name]!;
      params[name] = value.kind === "streams" ? { kind: "streams", ids: value.ids.map(tailId) } : value;
    }
    const position = nodes.length;
    // One shape for every node: an absent input or output is undefined (JSON leaves it out), as
    // spreading `{ input }` conditionally took V8's slow path for each of a file's nodes.
    nodes.push({
      id: `n${position}`,
      kind: stage.declaration.kind,
      name: stage.declaration.name,
      params,
      input: stage.input,
      output: stage.output,
      next: [],
      previous: [],
      label: stage.label,
      span: stage.span,
    });
    stages.push(stage);
    successors.push([]);
    // A source that reads named streams (`merge`) takes them as its inputs; an operator that
    // reads one (`sample`) keeps it as a side input, named in its parameters only.
    if (stage.declaration.kind === "source") {
      for (const stream of stage.streams) connect(streamTails.get(stream), position);
    }
    return position;
  };

  const lowerSteps = (steps: readonly CheckedStep[], from: number | undefined): number | undefined => {
    let current = from;
    for (const step of steps) {
      if (step.kind === "stage") {
        const position = addNode(step.stage);
        connect(current, position);
        current = position;
      } else {
        for (const branch of step.branches) lowerSteps(branch, current);
        current = undefined;
      }
    }
    return current;
  };

  for (const pipeline of program.pipelines) lowerPipeline(pipeline);

  function lowerPipeline(pipeline: CheckedPipeline): void {
    const start = pipeline.head.kind === "source" ? addNode(pipeline.head.stage) : streamTails.get(pipeline.head.name);
    const tail = lowerSteps(pipeline.steps, start);
    if (pipeline.binds && tail !== undefined) {
      streamTails.set(pipeline.binds, tail);
      nodes[tail]!.streamName ??= pipeline.binds;
    }
  }

  const topics: TopicUse[] = [];
  for (const [index, node] of nodes.entries()) {
    for (const spec of stages[index]!.declaration.params) {
      const value = node.params[spec.name];
      if (spec.type.kind !== "topic" || value?.kind !== "string") continue;
      const direction = node.kind === "source" ? "subscribe" : "publish";
      const type = direction === "publish" ? node.input : decodedType(index, nodes, successors);
      topics.push({ topic: value.value, direction, node: node.id, ...(type ? { type } : {}), span: node.span });
    }
  }

  return {
    file: program.file,
    ...(program.target ? { target: program.target } : {}),
    nodes,
    schemas: program.schemas,
    ...(program.broker ? { broker: program.broker } : {}),
    ...(program.device ? { device: program.device } : {}),
    topics,
  };
}

/** The type a subscriber turns its text payloads into: the first record type downstream. */
function decodedType(
  position: number,
  nodes: readonly MutableNode[],
  successors: readonly (readonly number[])[],
): FlowType | undefined {
  let current = position;
  while (successors[current]!.length === 1) {
    current = successors[current]![0]!;
    const output = nodes[current]!.output;
    if (!output) return undefined;
    if (output.kind === "record" || output.kind === "any") return output;
  }
  return undefined;
}
