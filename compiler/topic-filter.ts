/**
 * The one MQTT topic-matching rule, used by the cross-file checks, the runtime's router and the
 * simulated broker; the device runtime's `topic_match.py` follows it and is tested against the
 * same cases (test/support/topic-cases.ts). `+` matches one level, `#` the rest (the parent
 * level included), a `$share/group/` prefix is not part of the filter (the broker delivers
 * under the real topic), and wildcards in the first level never match topics starting with `$`
 * such as `$SYS/…` (MQTT 3.1.1 §4.7.2).
 */

const sharePrefix = /^\$share\/[^/]+\//;
const dollar = 36;

/**
 * True when an MQTT topic filter matches a topic.
 *
 * @example
 * topicMatches("sensors/+/lux", "sensors/kitchen/lux"); // true
 * topicMatches("sensors/#", "sensors"); // true
 * topicMatches("#", "$SYS/uptime"); // false
 */
export function topicMatches(filter: string, topic: string): boolean {
  return levelsMatch(filter.replace(sharePrefix, "").split("/"), topic);
}

/**
 * {@link topicMatches} for a filter already split into levels (without `$share/group/`), reading
 * the topic in place: the runtime matches every received message with it.
 *
 * @example
 * levelsMatch(["sensors", "+"], "sensors/kitchen"); // true
 */
export function levelsMatch(levels: readonly string[], topic: string): boolean {
  const firstLevel = levels[0];
  if (topic.charCodeAt(0) === dollar && (firstLevel === "+" || firstLevel === "#")) return false;
  let start = 0;
  for (const level of levels) {
    if (level === "#") return true;
    if (start > topic.length) return false;
    let end = topic.indexOf("/", start);
    if (end < 0) end = topic.length;
    if (level !== "+" && (end - start !== level.length || !topic.startsWith(level, start))) return false;
    start = end + 1;
  }
  return start > topic.length;
}
