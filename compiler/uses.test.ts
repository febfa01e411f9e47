import { describe, expect, it } from "vitest";
import type { CompileInput } from "./index.js";
import { compile } from "../test/support/catalogue.js";

const files = (contents: Record<string, string>) => (path: string) => contents[path];
const summary = (result: ReturnType<typeof compile>) =>
  result.diagnostics.map((d) => [
    d.code,
    d.message,
    d.span.file,
    result.sources.get(d.span.file)!.position(d.span.start),
  ]);

describe("cross-file types compare shapes", () => {
  const publisher = (schema: string, record: string): CompileInput => ({
    path: "client.flow",
    text: `${schema}\ninterval 1s -> map ${record} -> mqtt "rooms"\n`,
  });
  const subscriber = (schema: string): CompileInput => ({
    path: "server.flow",
    text: `${schema}\nmqtt "rooms" -> json as Reading -> print\n`,
  });
  const sent = "schema Reading { room: string, celsius: number }";
  const record = 'Reading { room: "k", celsius: 21.5 }';

  it("errors when the subscriber's schema of the same name has a field the publisher never sends", () => {
    const result = compile([
      publisher(sent, record),
      subscriber("schema Reading { room: string, celsius: number, humid: bool }"),
    ]);
    expect(summary(result)).toEqual([
      [
        "E601",
        'this decodes "rooms" as Reading, but client.flow publishes Reading there: `humid` is read here but never sent',
        "server.flow",
        { line: 2, column: 1 },
      ],
    ]);
  });

  it("accepts int where number is read, never number where int is read", () => {
    const ints = publisher("schema Reading { room: string, celsius: int }", 'Reading { room: "k", celsius: 21 }');
    expect(compile([ints, subscriber(sent)]).diagnostics).toEqual([]);
    const result = compile([publisher(sent, record), subscriber("schema Reading { room: string, celsius: int }")]);
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      [
        "E601",
        'this decodes "rooms" as Reading, but client.flow publishes Reading there: `celsius` is number in what is sent, int here',
      ],
    ]);
  });

  it("ignores extra fields sent as an object, and field order there", () => {
    const wide = publisher(
      "schema Reading { celsius: number, room: string, humid: bool }",
      'Reading { celsius: 21.5, room: "k", humid: true }',
    );
    expect(compile([wide, subscriber(sent)]).diagnostics).toEqual([]);
  });

  it("compares anonymous records and nested schemas field by field", () => {
    const nested = publisher("", '{ room: "k", at: { x: 1, y: "2" } }');
    const result = compile([
      nested,
      subscriber("schema Place { x: number, y: number }\nschema Reading { room: string, at: Place }"),
    ]);
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      'this decodes "rooms" as Reading, but client.flow publishes { room: string, at: { x: int, y: string } } there: `at.y` is string in what is sent, number here',
    ]);
  });

  it("needs names, order and count to agree for records sent as arrays", () => {
    const result = compile([
      { path: "client.flow", text: 'sim every 1s -> mqtt "rooms"\n' },
      subscriber("schema Reading { sensor_id: string, val: number, ts: number }"),
    ]);
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      'this decodes "rooms" as Reading, but client.flow publishes SensorEvent there: the payload is sent as the array [sensor_id, ts, val], which this reads as [sensor_id, val, ts]',
    ]);
  });

  it("warns about a publisher nobody reads only when several files are checked", () => {
    const client = { path: "client.flow", text: 'sim every 1s -> mqtt "rooms"\nsim every 1s -> mqtt "unread"\n' };
    expect(compile([client]).diagnostics).toEqual([]);
    const result = compile([client, { path: "server.flow", text: 'mqtt "rooms" -> json as SensorEvent -> print\n' }]);
    expect(summary(result)).toEqual([
      ["W604", 'nothing in the checked files reads "unread"', "client.flow", { line: 2, column: 17 }],
    ]);
  });
});

describe("use", () => {
  const schemas = "schema Reading { room: string, celsius: number }\n";
  const client = 'use "shared/schemas.flow"\ninterval 1s -> map Reading { room: "k", celsius: 21.5 } -> mqtt "rooms"\n';
  const server = 'use "shared/schemas.flow"\nmqtt "rooms" -> json as Reading -> print\n';

  it("shares one declaration of a schema between files, read through the loader", () => {
    const requested: string[] = [];
    const load = (path: string) => {
      requested.push(path);
      return path === "shared/schemas.flow" ? schemas : undefined;
    };
    const result = compile(
      [
        { path: "client.flow", text: client },
        { path: "server.flow", text: server },
      ],
      { load },
    );
    expect(result.diagnostics).toEqual([]);
    expect(requested).toEqual(["shared/schemas.flow"]);
    expect(result.programs.map((program) => program.file)).toEqual(["client.flow", "server.flow"]);
  });

  it("takes a used file from the inputs before asking the loader, however its path is spelt", () => {
    const result = compile(
      [
        { path: "./shared/schemas.flow", text: schemas },
        { path: "server.flow", text: server },
      ],
      { load: () => undefined },
    );
    // Two files are checked, so the subscription nobody publishes to is worth a warning.
    expect(result.diagnostics.map((d) => d.code)).toEqual(["W602"]);
  });

  it("resolves paths against the using file's folder, and follows uses of uses", () => {
    const result = compile(
      [{ path: "app/server.flow", text: 'use "../lib/all.flow"\nmqtt "x" -> json as Reading -> print\n' }],
      {
        load: files({ "lib/all.flow": 'use "base.flow"\n', "lib/base.flow": schemas }),
      },
    );
    expect(result.diagnostics).toEqual([]);
  });

  it("reports a file that cannot be found at its use", () => {
    const result = compile([{ path: "server.flow", text: server }], { load: () => undefined });
    expect(summary(result)).toEqual([
      [
        "E310",
        'cannot find "shared/schemas.flow" (looked for shared/schemas.flow)',
        "server.flow",
        { line: 1, column: 5 },
      ],
      ["E303", "unknown schema `Reading`", "server.flow", { line: 2, column: 25 }],
    ]);
  });

  it("reports a cycle at the use that closes it", () => {
    const result = compile([{ path: "a.flow", text: 'use "b.flow"\nschema A { x: int }\n' }], {
      load: files({ "b.flow": 'use "a.flow"\n' }),
    });
    expect(summary(result)).toEqual([
      ["E311", "`use` goes round in a circle: a.flow → b.flow → a.flow", "b.flow", { line: 1, column: 5 }],
    ]);
  });

  it("refuses a second declaration of a used schema, and a used file that does more than declare schemas", () => {
    const result = compile(
      [{ path: "server.flow", text: `use "lib.flow"\n${schemas}mqtt "x" -> json as Reading -> print\n` }],
      { load: files({ "lib.flow": `${schemas}sim every 1s -> print\n` }) },
    );
    expect(summary(result)).toEqual([
      [
        "E312",
        "a file brought in with `use` may declare only schemas (and `use` others)",
        "lib.flow",
        { line: 2, column: 1 },
      ],
      [
        "E304",
        "`Reading` is already declared in lib.flow, which this file uses",
        "server.flow",
        { line: 2, column: 8 },
      ],
    ]);
  });

  it("formats as written", async () => {
    const { formatFlow } = await import("./prettier/format.js");
    expect(await formatFlow('use   "schemas.flow"\nmqtt "x" -> print\n', { filepath: "a.flow" })).toBe(
      'use "schemas.flow"\nmqtt "x" -> print\n',
    );
  });
});
