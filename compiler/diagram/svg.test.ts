import { describe, expect, it } from "vitest";
import { compileFiles, exampleSystems, svgTexts, xmlWellFormed } from "../../test/support/diagram-fixtures.js";
import { buildSystemGraph, dotToSvg, toSvg } from "./index.js";

describe("SVG of every example", () => {
  for (const { name, result } of exampleSystems()) {
    it(`${name}: well-formed XML naming every node, topic and file`, async () => {
      const svg = await toSvg(result.programs);
      expect(xmlWellFormed(svg)).toBe(true);
      expect(svg).toMatch(/^<\?xml [^>]*\?>\s*<!DOCTYPE svg/);
      const shown = svgTexts(svg);
      const graph = buildSystemGraph(result.programs);
      for (const cluster of graph.clusters) {
        expect(shown).toEqual(expect.arrayContaining([...cluster.title]));
        for (const node of cluster.nodes) expect(shown).toEqual(expect.arrayContaining([...node.lines]));
      }
      for (const topic of graph.topics) expect(shown).toContain(topic.lines[0]);
    });
  }

  it("draws the tutorial's sensor-data topic between the client's sink and the server's source", async () => {
    const { programs } = compileFiles(["examples/tutorial/client.flow", "examples/tutorial/server.flow"]);
    const svg = await toSvg(programs);
    // Graphviz titles each edge `from->to` with the node ids, escaped for XML.
    const edges = [...svg.matchAll(/<title>(\w+)&#45;&gt;(\w+)<\/title>/g)].map((match) => `${match[1]}->${match[2]}`);
    const topic = buildSystemGraph(programs).topics[0]!;
    expect(topic.lines).toEqual(["sensor-data"]);
    expect(edges).toEqual(expect.arrayContaining([`f0_2->${topic.id}`, `${topic.id}->f1_0`]));
  });
});

describe("dotToSvg", () => {
  it("rejects DOT that does not parse, with Graphviz's message", async () => {
    await expect(dotToSvg('digraph { a [label="unterminated]; }')).rejects.toThrow(/syntax error/);
  });

  it("keeps working after a rejected graph", async () => {
    await expect(dotToSvg("digraph { a -> }")).rejects.toThrow();
    expect(xmlWellFormed(await dotToSvg("digraph { a -> b }"))).toBe(true);
  });
});
