import topicMatchPy from "./topic_match.py?raw";
import { pythonSection } from "./template.js";

/** A subscription of the flow: its filter as Python, and the node function its messages go to. */
export interface MessageRoute {
  readonly filter: string;
  readonly fn: string;
}

/**
 * `topic_matches` and `on_message`, which umqtt.simple calls with each received message: every
 * subscription whose filter matches gets it, and a failure is reported under the filter.
 *
 * @example
 * messagesSection([{ filter: 'b"sensors/+"', fn: "n0" }]);
 */
export function messagesSection(routes: readonly MessageRoute[]): string[] {
  const dispatch = [
    "def on_message(topic, msg):",
    "    topic = topic.decode()",
    ...routes.flatMap((route) => [
      `    if topic_matches(${route.filter}, topic):`,
      "        try:",
      `            ${route.fn}(msg)`,
      "        except Exception as x:",
      `            fault(${route.filter}, x)`,
    ]),
  ];
  return [pythonSection(topicMatchPy), dispatch.join("\n")];
}
