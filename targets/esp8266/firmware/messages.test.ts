import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { topicCases } from "../../../test/support/topic-cases.js";
import { topicMatches } from "../../../compiler/topic-filter.js";
import { MicroPythonDevice } from "../simulator/board.js";
import { messagesSection } from "./messages.js";

describe("the device's topic_matches", () => {
  let device: MicroPythonDevice;
  beforeAll(async () => {
    device = await MicroPythonDevice.create({ files: { "topics.py": messagesSection([])[0]! } });
    await device.run("from topics import topic_matches");
  });
  afterAll(() => device.close());

  it.each(topicCases)("%s matches %s: %s, as on the host", async (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
    expect(await device.evaluate(`topic_matches(${JSON.stringify(filter)}, ${JSON.stringify(topic)})`)).toBe(expected);
  });
});
