import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { topicMatches } from "../compiler/topic-check.js";
import { parseTopicFilter, TopicRouter } from "./subscriptions.js";

const matches = (filter: string, topic: string) => parseTopicFilter(filter).matches(topic);

describe("parseTopicFilter", () => {
  it.each([
    ["sensor-data", "sensor-data", true],
    ["sensor-data", "sensor-data/x", false],
    ["sensors/+/lux", "sensors/kitchen/lux", true],
    ["sensors/+/lux", "sensors/kitchen/temp", false],
    ["sensors/+/lux", "sensors/lux", false],
    ["sensors/+", "sensors/", true],
    ["sensors/#", "sensors", true],
    ["sensors/#", "sensors/a/b/c", true],
    ["sensors/#", "sensorsX", false],
    ["#", "anything/at/all", true],
    ["+/+", "a/b", true],
    ["+/+", "a/b/c", false],
    ["+", "/", false],
    ["+/+", "/", true],
    ["#", "$SYS/broker/uptime", false],
    ["+/broker/uptime", "$SYS/broker/uptime", false],
    ["$SYS/#", "$SYS/broker/uptime", true],
    ["$share/workers/sensors/+", "sensors/kitchen", true],
  ])("%s matches %s: %s", (filter, topic, expected) => {
    expect(matches(filter, topic)).toBe(expected);
  });

  it("strips the shared-subscription prefix", () => {
    const filter = parseTopicFilter("$share/workers/sensors/#");
    expect(filter.group).toBe("workers");
    expect(filter.pattern).toBe("sensors/#");
  });

  it.each(["a/#/b", "a/b#", "a+/b", "$share//x", "$share/group", ""])("rejects %j", (filter) => {
    expect(() => parseTopicFilter(filter)).toThrow(/invalid/);
  });

  it("agrees with the compiler's reference matcher", () => {
    const level = fc.constantFrom("a", "b", "", "$x", "ab");
    const filterLevel = fc.constantFrom("a", "b", "", "+", "ab", "$x");
    fc.assert(
      fc.property(
        fc.array(level, { minLength: 1, maxLength: 4 }),
        fc.array(filterLevel, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (topicLevels, filterLevels, hash) => {
          const topic = topicLevels.join("/");
          const filter = [...filterLevels, ...(hash ? ["#"] : [])].join("/");
          fc.pre(filter !== "");
          expect(matches(filter, topic)).toBe(topicMatches(filter, topic));
        },
      ),
    );
  });
});

describe("TopicRouter", () => {
  it("routes each topic to every matching subscriber, in order", () => {
    const router = new TopicRouter<string>();
    router.add(parseTopicFilter("sensors/#"), "all");
    const removeKitchen = router.add(parseTopicFilter("sensors/kitchen/+"), "kitchen");
    router.add(parseTopicFilter("other"), "other");
    expect(router.match("sensors/kitchen/lux")).toEqual(["all", "kitchen"]);
    expect(router.match("sensors/hall/lux")).toEqual(["all"]);
    expect(router.match("nothing")).toEqual([]);
    removeKitchen();
    expect(router.match("sensors/kitchen/lux")).toEqual(["all"]);
    expect(router.size).toBe(2);
  });

  it("answers repeated topics from its cache", () => {
    const router = new TopicRouter<string>();
    router.add(parseTopicFilter("a/+"), "x");
    expect(router.match("a/b")).toBe(router.match("a/b"));
  });
});
