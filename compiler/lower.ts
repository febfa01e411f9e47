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
  const nodes: MutableNode[] = [];
  /** The checked stage of each node, by position: kept beside the nodes so they are IR as built. */
  const stages: CheckedStage[] = [];
  const byId = new Map<string, MutableNode>();
  const streamTails = new Map<string, string>();

  const connect = (from: string | undefined, to: MutableNode) => {
    if (from === undefined) return;
    byId.get(from)!.next.push(to.id);
    to.previous.push(from);
  };

  const addNode = (stage: CheckedStage): MutableNode => {
    // A copy made key by key: spreading parameter records, which come in as many shapes as
    // there are components, takes V8's slow path.
    const params: Record<string, ParamValue> = {};
    for (const name in stage.params) {
      const value = stage.params[name]!;
      params[name] =
        value.kind === "streams"
          ? { kind: "streams", ids: value.ids.map((stream) => streamTails.get(stream)!) }
          : value;
    }
    const node: MutableNode = {
      id: `n${nodes.length}`,
      kind: stage.declaration.kind,
      name: stage.declaration.name,
      params,
      ...(stage.input ? { input: stage.input } : {}),
      ...(stage.output ? { output: stage.output } : {}),
      next: [],
      previous: [],
      label: stage.label,
      span: stage.span,
    };
    nodes.push(node);
    stages.push(stage);
    byId.set(node.id, node);
    // A source that reads named streams (`merge`) takes them as its inputs; an operator that
    // reads one (`sample`) keeps it as a side input, named in its parameters only.
    if (node.kind === "source") for (const stream of stage.streams) connect(streamTails.get(stream), node);
    return node;
  };

  const lowerSteps = (steps: readonly CheckedStep[], from: string | undefined): string | undefined => {
    let current = from;
    for (const step of steps) {
      if (step.kind === "stage") {
        const node = addNode(step.stage);
        connect(current, node);
        current = node.id;
      } else {
        for (const branch of step.branches) lowerSteps(branch, current);
        current = undefined;
      }
    }
    return current;
  };

  for (const pipeline of program.pipelines) lowerPipeline(pipeline);

  function lowerPipeline(pipeline: CheckedPipeline): void {
    const start =
      pipeline.head.kind === "source" ? addNode(pipeline.head.stage).id : streamTails.get(pipeline.head.name);
    const tail = lowerSteps(pipeline.steps, start);
    if (pipeline.binds && tail !== undefined) {
      streamTails.set(pipeline.binds, tail);
      byId.get(tail)!.streamName ??= pipeline.binds;
    }
  }

  const topics: TopicUse[] = [];
  for (const [index, node] of nodes.entries()) {
    for (const spec of stages[index]!.declaration.params) {
      const value = node.params[spec.name];
      if (spec.type.kind !== "topic" || value?.kind !== "string") continue;
      const direction = node.kind === "source" ? "subscribe" : "publish";
      const type = direction === "publish" ? node.input : decodedType(node, byId);
      topics.push({ topic: value.value, direction, node: node.id, ...(type ? { type } : {}), span: node.span });
    }
  }

  return {
    file: program.file,
    nodes,
    schemas: program.schemas,
    ...(program.broker ? { broker: program.broker } : {}),
    ...(program.device ? { device: program.device } : {}),
    topics,
  };
}

/** The type a subscriber turns its text payloads into: the first record type downstream. */
function decodedType(node: MutableNode, byId: ReadonlyMap<string, MutableNode>): FlowType | undefined {
  let current: MutableNode | undefined = node;
  while (current && current.next.length === 1) {
    const next = byId.get(current.next[0]!);
    if (!next?.output) return undefined;
    if (next.output.kind === "record" || next.output.kind === "any") return next.output;
    current = next;
  }
  return undefined;
}
