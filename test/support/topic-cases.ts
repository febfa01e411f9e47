/**
 * Filters, topics and whether they match: the cases every implementation of the MQTT matching
 * rule is tested with (compiler/topic-filter.ts, and the device runtime's topic_match.py).
 */
export const topicCases: readonly (readonly [filter: string, topic: string, matches: boolean])[] = [
  ["sensor-data", "sensor-data", true],
  ["sensor-data", "sensor-data/x", false],
  ["sensors/+/lux", "sensors/kitchen/lux", true],
  ["sensors/+/lux", "sensors/kitchen/temp", false],
  ["sensors/+", "sensors", false],
  ["sensors/#", "sensors", true],
  ["sensors/#", "sensors/a/b/c", true],
  ["#", "anything/at/all", true],
  ["#", "$SYS/broker/load", false],
  ["+/x", "$SYS/x", false],
  ["$share/g/sensors/+", "sensors/lux", true],
  ["a//b", "a//b", true],
];
