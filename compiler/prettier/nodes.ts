/**
 * The formatter's view of the compiler AST: which objects are nodes, what their children are,
 * and which of them can carry comments. The AST has no common `type` field (branches, record
 * fields and schema fields have no `kind`), so the shapes are told apart here, in one place.
 */
import type * as A from "../ast.js";

/** A comment as the formatter handles it; Prettier reads `value` in its own error messages. */
export interface FormatComment extends A.Comment {
  readonly value: string;
}

/** The root handed to Prettier: the program plus what the printer needs about the whole file. */
export interface FormatRoot extends A.Program {
  /** Prettier takes these off the root when it attaches them to nodes. */
  readonly comments: FormatComment[];
  /** The comments' texts in source order, kept to check the output against. */
  readonly commentTexts: readonly string[];
  /**
   * A character that does not occur in the source. Printed comments start with it so the last
   * pass can find them in the laid-out text and line up trailing ones (see `alignComments`).
   */
  readonly commentMarker: string;
}

/** Every object the printer visits. */
export type FormatNode =
  | FormatRoot
  | A.Statement
  | A.Pipeline
  | A.Step
  | A.Branch
  | A.Item
  | A.SchemaFieldDeclaration
  | A.RecordFieldValue
  | A.Expression;

export const isRoot = (node: object): node is FormatRoot => "statements" in node;
/** The pipeline itself, as opposed to the statement that holds it (both have kind `pipeline`). */
export const isPipeline = (node: object): node is A.Pipeline => "source" in node && "steps" in node;
export const isBranch = (node: object): node is A.Branch => !("kind" in node) && "steps" in node;
export const isSchemaField = (node: object): node is A.SchemaFieldDeclaration => "type" in node && !("kind" in node);

/**
 * The nodes directly under `node`, in source order, that comments may attach to or be found in.
 * Names (identifiers) are left out: a comment never belongs to a bare name.
 */
export function childNodes(node: FormatNode): readonly FormatNode[] {
  if (isRoot(node)) return node.statements;
  if (isPipeline(node)) return [node.source, ...node.steps];
  if (isBranch(node)) return node.steps;
  if (isSchemaField(node)) return [];
  if (!("kind" in node)) {
    // A record field.
    return [node.value];
  }
  switch (node.kind) {
    case "let":
      return [node.value];
    case "use":
      return [node.path];
    case "schema":
      return node.fields;
    case "settings":
      return [node.invocation];
    case "pipeline":
      return [node.pipeline];
    case "invocation":
      return [...node.items, ...(node.block ?? [])];
    case "fanout":
      return node.branches;
    case "value":
    case "assignment":
      return [node.value];
    case "word":
      return [];
    case "field":
      return [node.object];
    case "binary":
      return [node.left, node.right];
    case "unary":
      return [node.operand];
    case "call":
      return node.args;
    case "record":
      return node.fields;
    default:
      return [];
  }
}

/**
 * Comments attach to every node but the pipeline itself: a pipeline's source and steps are
 * looked at directly, so a comment between two stages sits between those stages.
 */
export function canAttachComment(node: FormatNode): boolean {
  return !isPipeline(node) && !isRoot(node);
}

/**
 * The property names under which {@link childNodes} finds its children, for Prettier's generic
 * traversals (cursor tracking, `--debug-check`).
 */
export function childKeys(node: FormatNode): string[] {
  if (isRoot(node)) return ["statements"];
  if (isPipeline(node)) return ["source", "steps"];
  if (isBranch(node)) return ["steps"];
  if (isSchemaField(node)) return [];
  if (!("kind" in node)) return ["value"];
  switch (node.kind) {
    case "let":
    case "value":
    case "assignment":
      return ["value"];
    case "use":
      return ["path"];
    case "schema":
    case "record":
      return ["fields"];
    case "settings":
      return ["invocation"];
    case "pipeline":
      return ["pipeline"];
    case "invocation":
      return node.block ? ["items", "block"] : ["items"];
    case "fanout":
      return ["branches"];
    case "field":
      return ["object"];
    case "binary":
      return ["left", "right"];
    case "unary":
      return ["operand"];
    case "call":
      return ["args"];
    default:
      return [];
  }
}
