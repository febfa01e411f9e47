/**
 * `postgres` on the host, on node-postgres (`pg`). Each batch is one statement whatever its size:
 * `INSERT INTO t (cols) SELECT ... FROM unnest($1::text[], $2::float8[], ...)`, one array
 * parameter per column, so the server parses and plans it once and no parameter limit applies.
 * With `key`, `ON CONFLICT (key) DO NOTHING` makes a redelivered message add nothing.
 *
 * At start (and at each reconnect) the table is looked up: missing, it is created (`create`) or
 * the flow ends saying so; its columns are checked against the schema, each mismatch named; `key`
 * needs a unique index on exactly those columns. A batch the server refuses for a value (too long
 * for the column, out of range, a CHECK) is split until the rows at fault are found: those are
 * reported and counted, the rest inserted.
 */
import type { Client, DatabaseError } from "pg";
import type { IRNode } from "../../compiler/ir.js";
import type { FlowType, RecordType } from "../../compiler/types.js";
import { componentKey, type NodeImplementation, type RuntimeContext, type Sink } from "../../runtime/component.js";
import { ProblemReporter } from "../../runtime/bad-input.js";
import { RowStoreError, RowWriter, type RejectedRow, type RowStore } from "../../runtime/rows.js";
import { fieldNames } from "../field-list.js";

type Row = Readonly<Record<string, unknown>>;

/** `"name"`, with quotes doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `iot.readings` → `"iot"."readings"`. */
function quoteTable(table: string): string {
  return table.split(".").map(quoteIdentifier).join(".");
}

/** How a field travels: the array type of its parameter and the column types that can take it. */
interface FieldMapping {
  readonly arrayType: string;
  /** The type `create` gives its column. */
  readonly createType: string;
  /** `format_type` results (without length or precision) the column may have. */
  readonly columnTypes: readonly string[];
}

const textTypes = ["text", "character varying", "character", "name", "citext"];
const numberTypes = ["double precision", "real", "numeric"];
const timeTypes = ["timestamp with time zone", "timestamp without time zone"];
const integerTypes = ["bigint", "integer", "smallint"];
const jsonTypes = ["jsonb", "json"];

function mappingOf(type: FlowType): FieldMapping {
  if (type.kind === "scalar") {
    switch (type.name) {
      case "string":
        return { arrayType: "text[]", createType: "text", columnTypes: [...textTypes, "uuid"] };
      case "int":
        return { arrayType: "int8[]", createType: "bigint", columnTypes: [...integerTypes, ...numberTypes] };
      case "bool":
        return { arrayType: "bool[]", createType: "boolean", columnTypes: ["boolean"] };
      default:
        // Unix seconds (a `ts`) go into a timestamp column through to_timestamp.
        return { arrayType: "float8[]", createType: "double precision", columnTypes: [...numberTypes, ...timeTypes] };
    }
  }
  return { arrayType: "text[]", createType: "jsonb", columnTypes: [...jsonTypes, ...textTypes] };
}

interface Column {
  readonly name: string;
  /** `format_type` without its modifier: `character varying`, `numeric`. */
  readonly type: string;
  readonly fullType: string;
  /** NOT NULL with no default: every row must give it. */
  readonly required: boolean;
}

/** The columns' base type: `character varying(10)` → `character varying`. */
const baseType = (formatted: string) => formatted.replace(/\(.*\)/, "").replace(/\[\]$/, "[]");

const typeWords = (type: FlowType) => (type.kind === "scalar" ? `a ${type.name}` : "a record");

/**
 * What is wrong between the table's columns and the schema, one message per problem; empty when
 * the table fits.
 */
export function tableMismatches(
  table: string,
  schema: RecordType,
  columns: readonly Column[],
  key: readonly string[],
  uniqueIndexes: readonly (readonly string[])[],
): string[] {
  const problems: string[] = [];
  const byName = new Map(columns.map((column) => [column.name, column]));
  for (const field of schema.fields) {
    const column = byName.get(field.name);
    if (!column) {
      const folded = columns.find((candidate) => candidate.name.toLowerCase() === field.name.toLowerCase());
      problems.push(
        `it has no column "${field.name}" for field \`${field.name}\`${folded ? ` (there is "${folded.name}": column names are case-sensitive when quoted)` : ""}`,
      );
      continue;
    }
    const mapping = mappingOf(field.type);
    if (!mapping.columnTypes.includes(column.type))
      problems.push(
        `column "${column.name}" is ${column.fullType}, which cannot take field \`${field.name}\` (${typeWords(field.type)}; use ${mapping.columnTypes.slice(0, 3).join(", ")})`,
      );
  }
  const fields = new Set(schema.fields.map((field) => field.name));
  for (const column of columns) {
    if (column.required && !fields.has(column.name))
      problems.push(`column "${column.name}" is NOT NULL without a default, and no field fills it`);
  }
  if (key.length > 0) {
    const wanted = [...key].sort().join(",");
    if (!uniqueIndexes.some((index) => [...index].sort().join(",") === wanted))
      problems.push(
        `it has no unique index on (${key.join(", ")}) for \`key\`: CREATE UNIQUE INDEX ON ${table} (${key.map(quoteIdentifier).join(", ")})`,
      );
  }
  return problems;
}

/** The statement `create` runs. */
export function createTableStatement(table: string, schema: RecordType, key: readonly string[]): string {
  const columns = schema.fields.map(
    (field) =>
      `${quoteIdentifier(field.name)} ${mappingOf(field.type).createType}${key.includes(field.name) ? " NOT NULL" : ""}`,
  );
  if (key.length > 0) columns.push(`PRIMARY KEY (${key.map(quoteIdentifier).join(", ")})`);
  return `CREATE TABLE IF NOT EXISTS ${quoteTable(table)} (${columns.join(", ")})`;
}

/** The batch insert for the table's columns, one array parameter per field. */
export function insertStatement(
  table: string,
  schema: RecordType,
  columns: ReadonlyMap<string, Column>,
  key: readonly string[],
): string {
  const names = schema.fields.map((field) => quoteIdentifier(field.name));
  const values = schema.fields.map((field, i) => {
    const column = columns.get(field.name);
    const name = names[i]!;
    if (column && timeTypes.includes(column.type) && field.type.kind === "scalar") return `to_timestamp(${name})`;
    if (column && jsonTypes.includes(column.type)) return `${name}::${column.type}`;
    return name;
  });
  const arrays = schema.fields.map((field, i) => `$${i + 1}::${mappingOf(field.type).arrayType}`);
  const conflict = key.length > 0 ? ` ON CONFLICT (${key.map(quoteIdentifier).join(", ")}) DO NOTHING` : "";
  return `INSERT INTO ${quoteTable(table)} (${names.join(", ")}) SELECT ${values.join(", ")} FROM unnest(${arrays.join(", ")}) AS t(${names.join(", ")})${conflict}`;
}

/** The server and database of a connection URL, without the password, for messages. */
function describeServer(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || "localhost"}:${parsed.port || "5432"}${parsed.pathname.length > 1 ? parsed.pathname : ""}`;
  } catch {
    return "the server in the connection URL";
  }
}

/** SQLSTATE classes and codes that mean a row's value, not the statement or the server. */
const isRowProblem = (code: string) => code.startsWith("22") || code.startsWith("23");

/** Codes after which the server may take the statement later: it is starting, stopping or overloaded. */
const serverAwayCodes = new Set([
  "57P01",
  "57P02",
  "57P03",
  "53300",
  "53400",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
]);

const fatalHints: Readonly<Record<string, string>> = {
  "28P01": "check the user name and password in the connection URL",
  "28000": "check the user name in the connection URL and the server's pg_hba.conf",
  "3D000": "create the database, or fix its name in the connection URL",
  "42501": "grant the user INSERT on the table (and CREATE for `create`)",
  "42P01": "create the table, or add `create` to the sink",
};

class PostgresStore implements RowStore<Row> {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private insert = "";
  private readonly columnsOf: ((rows: readonly Row[]) => unknown[])[];
  private readonly server: string;

  constructor(
    private readonly url: string,
    private readonly table: string,
    private readonly schema: RecordType,
    private readonly key: readonly string[],
    private readonly create: boolean,
  ) {
    this.server = describeServer(url);
    this.columnsOf = schema.fields.map((field) => {
      const name = field.name;
      if (field.type.kind === "scalar") return (rows) => rows.map((row) => row[name] ?? null);
      return (rows) => rows.map((row) => (row[name] === undefined ? null : JSON.stringify(row[name])));
    });
  }

  get name(): string {
    return `postgres table "${this.table}" at ${this.server}`;
  }

  /** Connects and checks the table, once per connection. */
  connect(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<Client> {
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 10_000 });
    // A connection lost between statements: the next write reconnects.
    client.on("error", () => {
      if (this.client === client) this.client = undefined;
    });
    try {
      await client.connect();
      await this.prepare(client);
    } catch (error) {
      void client.end().catch(() => {});
      throw this.classify(error);
    }
    this.client = client;
    return client;
  }

  private async prepare(client: Client): Promise<void> {
    const table = quoteTable(this.table);
    const describe = () =>
      client.query<{ name: string; type: string; required: boolean }>(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
                a.attnotnull AND NOT a.atthasdef AND a.attidentity = '' AND a.attgenerated = '' AS required
           FROM pg_attribute a
          WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
          ORDER BY a.attnum`,
        [table],
      );
    let found = await describe();
    if (found.rows.length === 0) {
      const exists = await client.query<{ oid: string | null }>("SELECT to_regclass($1)::oid AS oid", [table]);
      if (exists.rows[0]?.oid == null) {
        if (!this.create)
          throw new RowStoreError(
            `${this.name}: the table does not exist; create it, or add \`create\` to the sink (${createTableStatement(this.table, this.schema, this.key)})`,
            false,
          );
        await client.query(createTableStatement(this.table, this.schema, this.key));
        found = await describe();
      }
    }
    const columns = found.rows.map((row) => ({
      name: row.name,
      type: baseType(row.type),
      fullType: row.type,
      required: row.required,
    }));
    const indexes = await client.query<{ columns: string[] }>(
      `SELECT array_agg(a.attname::text ORDER BY k.position) AS columns
         FROM pg_index i
         CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = to_regclass($1) AND i.indisunique
        GROUP BY i.indexrelid`,
      [table],
    );
    const problems = tableMismatches(
      table,
      this.schema,
      columns,
      this.key,
      indexes.rows.map((row) => row.columns),
    );
    if (problems.length > 0)
      throw new RowStoreError(
        `${this.name} does not fit ${this.schema.name ?? "the records"}: ${problems.join("; ")}`,
        false,
      );
    this.insert = insertStatement(
      this.table,
      this.schema,
      new Map(columns.map((column) => [column.name, column])),
      this.key,
    );
  }

  async write(rows: readonly Row[]): Promise<readonly RejectedRow<Row>[]> {
    const client = await this.connect();
    const rejected: RejectedRow<Row>[] = [];
    await this.insertFinding(client, rows, rejected);
    return rejected;
  }

  /** Inserts `rows`; when the server refuses a value, halves the batch until the rows at fault are found. */
  private async insertFinding(client: Client, rows: readonly Row[], rejected: RejectedRow<Row>[]): Promise<void> {
    try {
      await client.query(
        this.insert,
        this.columnsOf.map((column) => column(rows)),
      );
    } catch (error) {
      const code = (error as DatabaseError).code;
      if (typeof code !== "string" || !isRowProblem(code)) {
        if (this.client === client) this.client = undefined;
        void client.end().catch(() => {});
        throw this.classify(error);
      }
      if (rows.length === 1) {
        rejected.push({ row: rows[0]!, reason: (error as Error).message });
        return;
      }
      const half = Math.ceil(rows.length / 2);
      await this.insertFinding(client, rows.slice(0, half), rejected);
      await this.insertFinding(client, rows.slice(half), rejected);
    }
  }

  /** A {@link RowStoreError} that says whether waiting helps, naming the server. */
  private classify(error: unknown): RowStoreError {
    if (error instanceof RowStoreError) return error;
    const { code, message } = error as { code?: string; message: string };
    const hint = code ? fatalHints[code] : undefined;
    if (hint) return new RowStoreError(`${this.name}: ${message}; ${hint}`, false, { cause: error });
    const sqlState = typeof code === "string" && /^[0-9A-Z]{5}$/.test(code);
    if (sqlState && !serverAwayCodes.has(code))
      return new RowStoreError(`${this.name}: ${message}`, false, { cause: error });
    const reason = code === "ECONNREFUSED" ? "connection refused" : message;
    return new RowStoreError(`cannot reach ${this.name} (${reason})`, true, { cause: error });
  }

  async close(): Promise<void> {
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    await client?.end();
  }
}

function postgresSink(node: IRNode, ctx: RuntimeContext): Sink {
  const schema = node.input as RecordType;
  const key = fieldNames(ctx.params.optionalString("key") ?? "");
  const store = new PostgresStore(
    ctx.params.string("url"),
    ctx.params.string("table"),
    schema,
    key,
    ctx.params.bool("create"),
  );
  const rejectedRows = new ProblemReporter({
    log: ctx.log,
    clock: ctx.clock,
    noun: ["a row the database refused", "rows the database refused"],
    onProblem: () => ctx.stats.dropped++,
  });
  const writer = new RowWriter<Row>({
    store,
    name: store.name,
    log: ctx.log,
    pressure: ctx.pressure,
    clock: ctx.clock,
    batchRows: ctx.params.number("batch"),
    lingerMs: ctx.params.durationMs("linger"),
    onRejected: ({ row, reason }) => rejectedRows.report(row, reason),
    onDropped: (rows) => (ctx.stats.dropped += rows),
    onFatal: (error) => ctx.fail(error),
  });
  // Credentials and the table are checked at start, not at the first event.
  writer.probe(() => store.connect());
  return {
    next: (event) => writer.add(event as Row),
    completed() {},
    error() {},
    close: () => writer.close().finally(() => rejectedRows.flush()),
  };
}

export const nodeImplementations: NodeImplementation[] = [
  { key: componentKey("sink", "postgres"), sink: postgresSink },
];
