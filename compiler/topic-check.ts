/**
 * Cross-file checks: every topic one file subscribes to is matched against the topics the other
 * files publish (MQTT wildcards included), and what the subscriber decodes must be what the
 * publisher sends.
 */
import { diagnostic, DiagnosticCodes, type Diagnostic } from "./diagnostics.js";
import type { IRProgram } from "./ir.js";
import { topicMatches } from "./topic-filter.js";
import { formatType, type FlowType, type RecordType } from "./types.js";

/**
 * Why events of type `sent` do not decode as `expected` on the wire, or undefined when they do.
 * Shapes are compared, never names: a record travels as a JSON object (fields by name, extra ones
 * ignored by the reader) or, for `SensorEvent`, as an array (fields by position, so names, order
 * and count must agree). An `int` reads fine as a `number`, not the other way round.
 *
 * @example
 * wireMismatch(publishedReading, subscribersReading); // "`celsius` is number in what is sent, int here"
 */
export function wireMismatch(sent: FlowType, expected: FlowType, at = ""): string | undefined {
  if (sent.kind === "any" || expected.kind === "any" || sent.kind === "error" || expected.kind === "error") return;
  if (sent.kind === "scalar" && sent.name === "string" && at === "") return; // already-encoded text: shape unknown
  const where = at === "" ? "the payload" : `\`${at}\``;
  if (sent.kind === "scalar" && expected.kind === "scalar") {
    if (sent.name === expected.name || (sent.name === "int" && expected.name === "number")) return;
    return `${where} is ${sent.name} in what is sent, ${expected.name} here`;
  }
  if (sent.kind !== "record" || expected.kind !== "record")
    return `${where} is ${formatType(sent)} in what is sent, ${formatType(expected)} here`;
  const prefix = at === "" ? "" : `${at}.`;
  if (encodesAsArray(sent)) {
    const names = (type: RecordType) => `[${type.fields.map((field) => field.name).join(", ")}]`;
    const sameLayout =
      sent.fields.length === expected.fields.length &&
      sent.fields.every((field, i) => field.name === expected.fields[i]!.name);
    if (!sameLayout) return `${where} is sent as the array ${names(sent)}, which this reads as ${names(expected)}`;
  }
  for (const field of expected.fields) {
    const other = sent.fields.find((candidate) => candidate.name === field.name);
    if (!other) return `\`${prefix}${field.name}\` is read here but never sent`;
    const problem = wireMismatch(other.type, field.type, `${prefix}${field.name}`);
    if (problem) return problem;
  }
  return undefined;
}

/** True for records the wire carries as JSON arrays in field order (the tutorial's SensorEvent). */
function encodesAsArray(type: RecordType): boolean {
  return type.name !== undefined && arrayRecords.has(type.name);
}
const arrayRecords: ReadonlySet<string> = new Set(["SensorEvent"]);

/**
 * Matches subscribers with publishers across programs.
 *
 * @example
 * const diagnostics = checkTopics([clientIr, serverIr]);
 */
export function checkTopics(programs: readonly IRProgram[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  if (programs.length < 2) return diagnostics;
  const publishers = programs.flatMap((program) =>
    program.topics.filter((use) => use.direction === "publish").map((use) => ({ use, file: program.file })),
  );
  for (const program of programs) {
    for (const subscriber of program.topics.filter((use) => use.direction === "subscribe")) {
      const matching = publishers.filter(
        ({ use, file }) => file !== program.file && topicMatches(subscriber.topic, use.topic),
      );
      const local = publishers.some(
        ({ use, file }) => file === program.file && topicMatches(subscriber.topic, use.topic),
      );
      if (matching.length === 0 && !local) {
        diagnostics.push(
          diagnostic(
            DiagnosticCodes.NoPublisher,
            subscriber.span,
            `nothing in the checked files publishes to ${JSON.stringify(subscriber.topic)}`,
            hintForMissing(
              subscriber.topic,
              publishers.map(({ use }) => use.topic),
              "published topics",
              "no checked file publishes anything",
            ),
          ),
        );
        continue;
      }
      if (!subscriber.type) continue;
      for (const { use, file } of matching) {
        const problem = use.type && wireMismatch(use.type, subscriber.type);
        if (problem) {
          diagnostics.push(
            diagnostic(
              DiagnosticCodes.TopicSchemaMismatch,
              subscriber.span,
              `this decodes ${JSON.stringify(subscriber.topic)} as ${formatType(subscriber.type)}, but ${file} publishes ${formatType(use.type!)} there: ${problem}`,
              'declare the schema once and `use "schemas.flow"` it on both sides',
              [{ span: use.span, message: `${file} publishes ${formatType(use.type!)} here` }],
            ),
          );
        }
      }
    }
  }
  const subscribers = programs.flatMap((program) => program.topics.filter((use) => use.direction === "subscribe"));
  for (const { use } of publishers) {
    if (subscribers.some((subscriber) => topicMatches(subscriber.topic, use.topic))) continue;
    diagnostics.push(
      diagnostic(
        DiagnosticCodes.NoSubscriber,
        use.span,
        `nothing in the checked files reads ${JSON.stringify(use.topic)}`,
        hintForMissing(
          use.topic,
          subscribers.map((subscriber) => subscriber.topic),
          "the checked files subscribe to",
          "no checked file subscribes to anything: check the reading file together with this one",
        ),
      ),
    );
  }
  return diagnostics;
}

/** A near miss among `candidates` (case or `-`/`_` apart), else the list of them. */
function hintForMissing(topic: string, candidates: readonly string[], listing: string, none: string): string {
  const close = candidates.find(
    (other) => other.toLowerCase() === topic.toLowerCase() || other.replace(/[-_]/g, "") === topic.replace(/[-_]/g, ""),
  );
  if (close) return `did you mean ${JSON.stringify(close)}? topics are case- and punctuation-sensitive`;
  return candidates.length ? `${listing}: ${[...new Set(candidates)].map((t) => JSON.stringify(t)).join(", ")}` : none;
}
