/**
 * Cross-file checks: every topic one file subscribes to is matched against the topics the other
 * files publish (MQTT wildcards included), and what the subscriber decodes must be what the
 * publisher sends.
 */
import { diagnostic, DiagnosticCodes, type Diagnostic } from "./diagnostics.js";
import type { IRProgram, TopicUse } from "./ir.js";
import { formatType, type FlowType } from "./types.js";

/**
 * True when an MQTT topic filter (with `+` and `#`, optionally `$share/group/`) matches a topic.
 *
 * @example
 * topicMatches("sensors/+/lux", "sensors/kitchen/lux"); // true
 * topicMatches("sensors/#", "sensors"); // true
 */
export function topicMatches(filter: string, topic: string): boolean {
  const shared = /^\$share\/[^/]+\/(.*)$/.exec(filter);
  const levels = (shared ? shared[1]! : filter).split("/");
  const topicLevels = topic.split("/");
  // Wildcards at the first level do not match topics starting with `$` (MQTT 3.1.1 §4.7.2).
  if (topic.startsWith("$") && (levels[0] === "+" || levels[0] === "#")) return false;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level === "#") return true;
    if (i >= topicLevels.length) return false;
    if (level !== "+" && level !== topicLevels[i]) return false;
  }
  return levels.length === topicLevels.length;
}

/** Whether events of type `sent` decode as `expected` on the wire. */
function wireCompatible(sent: FlowType, expected: FlowType): boolean {
  if (sent.kind === "any" || expected.kind === "any" || sent.kind === "error" || expected.kind === "error") return true;
  if (sent.kind === "scalar" && sent.name === "string") return true; // already-encoded text: shape unknown
  if (sent.kind !== "record" || expected.kind !== "record") return false;
  if (sent.name && sent.name === expected.name) return true;
  return (
    sent.fields.length === expected.fields.length &&
    expected.fields.every((field, i) => {
      const other = sent.fields[i];
      return other?.name === field.name && formatType(other.type) === formatType(field.type);
    })
  );
}

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
              subscriber,
              publishers.map(({ use }) => use.topic),
            ),
          ),
        );
        continue;
      }
      if (!subscriber.type) continue;
      for (const { use, file } of matching) {
        if (use.type && !wireCompatible(use.type, subscriber.type)) {
          diagnostics.push(
            diagnostic(
              DiagnosticCodes.TopicSchemaMismatch,
              subscriber.span,
              `this decodes ${JSON.stringify(subscriber.topic)} as ${formatType(subscriber.type)}, but ${file} publishes ${formatType(use.type)} there`,
              "make both sides use the same schema",
              [{ span: use.span, message: `${file} publishes ${formatType(use.type)} here` }],
            ),
          );
        }
      }
    }
  }
  return diagnostics;
}

function hintForMissing(subscriber: TopicUse, published: string[]): string {
  const close = published.find(
    (topic) =>
      topic.toLowerCase() === subscriber.topic.toLowerCase() ||
      topic.replace(/[-_]/g, "") === subscriber.topic.replace(/[-_]/g, ""),
  );
  if (close) return `did you mean ${JSON.stringify(close)}? topics are case- and punctuation-sensitive`;
  return published.length
    ? `published topics: ${[...new Set(published)].map((t) => JSON.stringify(t)).join(", ")}`
    : "no checked file publishes anything";
}
