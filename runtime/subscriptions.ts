/**
 * MQTT topic filters for routing received messages to the sources that asked for them: `+`
 * matches one level, `#` the rest (including the parent level), `$share/group/` prefixes are
 * stripped (the broker delivers shared-subscription messages under their real topic), and
 * wildcards in the first level never match `$SYS`-style topics (MQTT 3.1.1 §4.7.2).
 */

/** A parsed topic filter. */
export interface TopicFilter {
  /** The filter as written, `$share/workers/sensors/+`. */
  readonly filter: string;
  /** The part matched against topics, `sensors/+`. */
  readonly pattern: string;
  /** The shared-subscription group, if any. */
  readonly group?: string;
  /** True when `topic` is one the filter subscribes to. Allocation-free. */
  matches(topic: string): boolean;
}

const sharePrefix = "$share/";

/**
 * @example
 * const filter = parseTopicFilter("$share/workers/sensors/+/lux");
 * filter.matches("sensors/kitchen/lux"); // true
 * filter.group; // "workers"
 */
export function parseTopicFilter(filter: string): TopicFilter {
  let pattern = filter;
  let group: string | undefined;
  if (filter.startsWith(sharePrefix)) {
    const slash = filter.indexOf("/", sharePrefix.length);
    if (slash < 0 || slash === sharePrefix.length)
      throw new Error(`invalid shared subscription "${filter}": expected $share/GROUP/TOPIC`);
    group = filter.slice(sharePrefix.length, slash);
    pattern = filter.slice(slash + 1);
  }
  if (pattern.length === 0) throw new Error(`invalid topic filter "${filter}": empty`);
  const levels = pattern.split("/");
  levels.forEach((level, i) => {
    if (level === "#" && i !== levels.length - 1)
      throw new Error(`invalid topic filter "${filter}": # must be the last level`);
    if (level.length > 1 && (level.includes("#") || level.includes("+"))) {
      throw new Error(`invalid topic filter "${filter}": a wildcard must fill a whole level`);
    }
  });
  const wildcard = levels.some((level) => level === "+" || level === "#");
  const matches = wildcard ? (topic: string) => matchLevels(levels, topic) : (topic: string) => topic === pattern;
  return { filter, pattern, ...(group !== undefined ? { group } : {}), matches };
}

const dollar = 36;

function matchLevels(levels: readonly string[], topic: string): boolean {
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

/** More distinct topics than this and the match cache starts over (a flood of unique topics must not grow memory). */
const cacheLimit = 10_000;

/**
 * Routes topics to the values (subscribers) whose filters match, caching the result per topic so
 * a steady stream of messages costs one map lookup each.
 *
 * @example
 * const router = new TopicRouter<(payload: string) => void>();
 * const remove = router.add(parseTopicFilter("sensors/#"), handler);
 * for (const handler of router.match("sensors/kitchen/lux")) handler(payload);
 * remove();
 */
export class TopicRouter<T> {
  private readonly routes: { readonly filter: TopicFilter; readonly value: T }[] = [];
  private readonly cache = new Map<string, readonly T[]>();

  get size(): number {
    return this.routes.length;
  }

  add(filter: TopicFilter, value: T): () => void {
    const route = { filter, value };
    this.routes.push(route);
    this.cache.clear();
    return () => {
      const index = this.routes.indexOf(route);
      if (index >= 0) this.routes.splice(index, 1);
      this.cache.clear();
    };
  }

  /** The values whose filters match `topic`, in the order they were added. Do not modify the result. */
  match(topic: string): readonly T[] {
    let matched = this.cache.get(topic);
    if (matched === undefined) {
      matched = this.routes.filter((route) => route.filter.matches(topic)).map((route) => route.value);
      if (this.cache.size >= cacheLimit) this.cache.clear();
      this.cache.set(topic, matched);
    }
    return matched;
  }
}
