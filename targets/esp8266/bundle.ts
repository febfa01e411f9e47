/**
 * `flowc build --target esp8266`: one checked program → the files to copy onto the board.
 *
 * main.py is straight-line code specialised to the flow: one function per node, each running its
 * component's statements over the event `e` and calling the next nodes' functions directly, so the
 * device runs no generic event library. Components supply their statements through
 * `components/<name>/micropython.ts` ({@link ./component.ts}), looked up by registry key.
 */
import { diagnostic, DiagnosticCodes, type Diagnostic } from "../../compiler/diagnostics.js";
import type { IRNode, IRProgram, SettingsBlock } from "../../compiler/ir.js";
import { componentKey, type ParamValue } from "../../compiler/registry.js";
import type { SourceFile, Span } from "../../compiler/source.js";
import { mayDivideByZero, type TypedExpression } from "../../compiler/typed.js";
import type { FlowType } from "../../compiler/types.js";
import type { ConfigSources } from "../../runtime/config.js";
import {
  indent,
  micropythonLookup,
  type EmitContext,
  type MicroPythonImplementation,
  type OperatorCode,
  type PythonNumberSlot,
  type PythonValue,
  type SinkCode,
  type SourceCode,
} from "./component.js";
import { ConfigFile, oneLine } from "./config-file.js";
import {
  clockRuntime,
  faultRuntime,
  mqttRuntime,
  schedulerRuntime,
  topicMatchRuntime,
  watchdogRuntime,
  wifiRuntime,
} from "./device-runtime.js";
import { minifyPython } from "./minify.js";
import {
  compileExpression,
  jsonText,
  pythonLiteral,
  pythonBytes,
  pythonNumber,
  pythonString,
  recordDecoder,
  tuple,
} from "./python.js";

/** A file of the bundle, relative to the board's file system root. */
export interface BundleFile {
  readonly path: string;
  readonly contents: string;
}

export interface BundleManifest {
  readonly flow: string;
  readonly files: readonly { path: string; bytes: number }[];
  readonly pythonBytes: number;
  readonly sources: readonly string[];
  readonly operators: readonly string[];
  readonly sinks: readonly string[];
  /** Heap the flow's state, drivers and runtime hold once running, in bytes (an estimate). */
  readonly heapEstimate: number;
}

export interface BundleOptions {
  readonly implementations: Iterable<MicroPythonImplementation>;
  /** Where secrets come from: `--secrets` and `FLOWC_SECRET_<KEY>` variables. */
  readonly config?: ConfigSources;
  readonly sources?: ReadonlyMap<string, SourceFile>;
  /** Shrink the Python (default true); tests of generated code read it unminified. */
  readonly minify?: boolean;
  readonly flowcVersion?: string;
}

export interface Bundle {
  readonly files: readonly BundleFile[];
  readonly manifest: BundleManifest;
  readonly diagnostics: readonly Diagnostic[];
}

/** The heap the ESP8266 port of MicroPython gives a program: a flow needing more can never start. */
export const heapBytes = 38 * 1024;
/** Half of the ESP8266 port's 38 KB heap: beyond it, allocations start failing under fragmentation. */
export const heapWarningBytes = heapBytes / 2;
/**
 * What a running bundle holds besides its own code and state: the interpreter's working set and
 * an event in flight. With it, {@link BundleManifest.heapEstimate} came within 1 KB below and
 * 2.5 KB above the heap measured in the MicroPython harness for every example (bundle.test.ts).
 */
const baseHeapBytes = 1536;
/** How often a board that subscribes reads its messages, at least. */
const pollMs = 200;
/** Messages kept while the broker is unreachable. */
const publishQueueLength = 8;

/**
 * Builds the bundle for one program.
 *
 * @example
 * const { programs } = compile([{ path: "client.flow", text }], { target: "esp8266" });
 * const bundle = buildBundle(programs[0], { implementations: micropythonImplementations, config: { secrets } });
 * for (const file of bundle.files) await writeFile(join(out, file.path), file.contents);
 */
export function buildBundle(program: IRProgram, options: BundleOptions): Bundle {
  return new BundleWriter(program, options).write();
}

class BundleWriter {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly config: ConfigFile;
  private readonly lookup: (key: string) => MicroPythonImplementation | undefined;
  private readonly nodes: ReadonlyMap<string, IRNode>;
  private readonly imports = new Set<string>();
  private readonly drivers = new Map<string, { source: string; symbols: Set<string> }>();
  private readonly stateLines: string[] = [];
  private readonly helpers = new Map<string, string>();
  /** Module-level names each node's functions assign. */
  private readonly globals = new Map<string, string[]>();
  private readonly functions: string[] = [];
  private readonly setupLines: string[] = [];
  /** Periodic work; `first` delays the first run (time windows close a period after the start). */
  private readonly tasks: { periodMs: number; fn: string; first?: number }[] = [];
  private readonly subscriptions: { filter: PythonValue; qos: number; fn: string }[] = [];
  private readonly observers = new Map<string, { node: string; statements: readonly string[] }[]>();
  /** Nodes keeping state between events (not counting a source's open driver). */
  private readonly statefulNodes = new Set<string>();
  /** Heap held by state and open drivers; the estimate adds the code and {@link baseHeapBytes}. */
  private stateBytes = 0;
  private usesI2c = false;
  private usesMqtt = false;

  constructor(
    private readonly program: IRProgram,
    private readonly options: BundleOptions,
  ) {
    this.config = new ConfigFile(options.config ?? {}, program.file, options.sources, this.diagnostics);
    this.lookup = micropythonLookup(options.implementations);
    this.nodes = new Map(program.nodes.map((node) => [node.id, node]));
  }

  write(): Bundle {
    const code = new Map<string, SourceCode | OperatorCode | SinkCode>();
    for (const node of this.program.nodes) {
      const implementation = this.lookup(componentKey(node.kind, node.name));
      const generate = implementation && hookOf(implementation, node.kind);
      if (!generate) {
        this.report(
          node,
          `\`${node.name}\` has no MicroPython implementation`,
          "run this part of the flow on the host",
        );
        continue;
      }
      try {
        code.set(node.id, generate(this.context(node)));
      } catch (error) {
        this.report(node, `\`${node.label}\` cannot be built for esp8266: ${(error as Error).message}`);
      }
    }
    for (const [id, generated] of code) {
      if ("observe" in generated && generated.observe) {
        for (const watch of generated.observe) {
          const list = this.observers.get(watch.node) ?? [];
          list.push({ node: id, statements: watch.statements });
          this.observers.set(watch.node, list);
        }
      }
    }
    for (const node of this.program.nodes) {
      const generated = code.get(node.id);
      if (generated) this.emitNode(node, generated);
    }
    const main = this.mainPy();
    const pythonFiles: BundleFile[] = [
      { path: "main.py", contents: main },
      { path: "config.py", contents: this.config.text() },
      ...[...this.drivers].map(([path, driver]) => ({ path, contents: driver.source })),
    ].map((file) => (this.options.minify === false ? file : { ...file, contents: minifyPython(file.contents) }));
    const pythonBytes = pythonFiles.reduce((sum, file) => sum + Buffer.byteLength(file.contents), 0);
    // The board compiles every .py file it imports into bytecode on the heap, which takes about as
    // many bytes as the minified source (identifiers and strings included).
    const heapEstimate = baseHeapBytes + this.stateBytes + minifiedBytes(pythonFiles, this.options.minify !== false);
    const needs = `this flow needs about ${Math.round(heapEstimate / 1024)} KB of heap`;
    const where = this.program.nodes[0]?.span ?? { file: this.program.file, start: 0, end: 0 };
    const smaller = "use smaller windows, fewer streams, or move aggregation to the host";
    if (heapEstimate > heapBytes) {
      this.diagnostics.push(
        diagnostic(
          DiagnosticCodes.HeapExceeded,
          where,
          `${needs}, more than the ESP8266's 38 KB: it can never run`,
          smaller,
        ),
      );
    } else if (heapEstimate > heapWarningBytes) {
      this.diagnostics.push(
        diagnostic(DiagnosticCodes.HeapBudget, where, `${needs}, more than half of the ESP8266's 38 KB`, smaller),
      );
    }
    const byKind = (kind: IRNode["kind"]) =>
      this.program.nodes.filter((node) => node.kind === kind).map((node) => node.label);
    const manifest: BundleManifest = {
      flow: this.program.file,
      files: pythonFiles.map((file) => ({ path: file.path, bytes: Buffer.byteLength(file.contents) })),
      pythonBytes,
      sources: byKind("source"),
      operators: byKind("operator"),
      sinks: byKind("sink"),
      heapEstimate,
    };
    return {
      files: [
        ...pythonFiles,
        { path: "manifest.json", contents: `${JSON.stringify(manifest, null, 2)}\n` },
        { path: "README.txt", contents: readme(this.program.file, pythonFiles) },
      ],
      manifest,
      diagnostics: this.diagnostics,
    };
  }

  private report(node: IRNode, message: string, hint?: string): void {
    this.diagnostics.push(diagnostic(DiagnosticCodes.UnsupportedOnTarget, node.span, message, hint));
  }

  /** A warning about something that works differently on the board than on the host. */
  private caveat(span: Span | undefined, message: string, hint?: string): void {
    const where = span ?? this.program.nodes[0]?.span ?? { file: this.program.file, start: 0, end: 0 };
    this.diagnostics.push(diagnostic(DiagnosticCodes.DeviceCaveat, where, message, hint));
  }

  /** Deep sleep resets the board: RAM state starts afresh and nothing is received while asleep. */
  private deepSleepCaveats(span: Span): void {
    const stateful = this.program.nodes.filter((node) => this.statefulNodes.has(node.id));
    if (stateful.length > 0)
      this.caveat(
        span,
        `deep sleep restarts the board at every wake-up, so ${stateful.map((node) => `\`${oneLine(node.label)}\``).join(", ")} start${stateful.length === 1 ? "s" : ""} afresh each time`,
        "aggregate on the host, or drop `deep_sleep`",
      );
    if (this.subscriptions.length > 0)
      this.caveat(
        span,
        "a board in deep sleep receives no MQTT messages: subscriptions only see what arrives while it is awake",
      );
  }

  /** `n1(e)\nn4(e)`: hands the event to every next node. */
  private emitTo(node: IRNode): string[] {
    const watchers = (this.observers.get(node.id) ?? []).flatMap((watch) => [
      ...this.globalLine(watch.node),
      ...watch.statements,
    ]);
    return [...watchers, ...node.next.map((next) => `${next}(e)`)];
  }

  private globalLine(id: string): string[] {
    const names = this.globals.get(id);
    return names && names.length > 0 ? [`global ${names.join(", ")}`] : [];
  }

  private emitNode(node: IRNode, generated: SourceCode | OperatorCode | SinkCode): void {
    const name = node.id;
    // pythonString escapes whatever the label holds; the console shows it as `flowc graph` does.
    const where = pythonString(node.label);
    if (node.kind === "source") {
      const source = generated as SourceCode;
      if (source.kind === "inputs") {
        this.functions.push(
          `def ${name}(e):`,
          ...indent(this.emitTo(node).length > 0 ? this.emitTo(node) : ["pass"]),
          "",
        );
        return;
      }
      if (source.kind === "subscription") {
        this.usesMqtt = true;
        this.subscriptions.push({ filter: source.topic, qos: source.qos, fn: name });
        this.functions.push(
          `def ${name}(e):`,
          ...indent([...this.globalLine(node.id), ...source.statements, ...this.emitTo(node)]),
          "",
        );
        return;
      }
      const device = source.open ? this.stateName(node, "dev", "None") : undefined;
      if (source.openBytes) this.stateBytes += source.openBytes;
      const body = [
        ...this.globalLine(node.id),
        "try:",
        ...indent([
          ...(device ? [`if ${device} is None:`, `    ${device} = ${source.open}`] : []),
          ...source.sample(device ?? "None"),
        ]),
        "except Exception as x:",
        ...indent([`fault(${where}, x)`, ...(device ? [`${device} = None`] : []), "return"]),
        // So the same fault, coming back later, is reported again.
        `recovered(${where})`,
        ...this.emitTo(node),
      ];
      this.functions.push(`def ${name}():`, ...indent(body), "");
      this.tasks.push({ periodMs: source.periodMs, fn: name });
      return;
    }
    const statements = guardedAgainstFailures(node, (generated as OperatorCode | SinkCode).statements, where);
    const body =
      node.kind === "sink"
        ? [...this.globalLine(node.id), ...statements]
        : [...this.globalLine(node.id), ...statements, ...this.emitTo(node)];
    this.functions.push(`def ${name}(e):`, ...indent(body.length > 0 ? body : ["pass"]), "");
    const timer = "timer" in generated ? generated.timer : undefined;
    if (timer) {
      this.functions.push(
        `def ${name}_timer():`,
        ...indent([...this.globalLine(node.id), ...timer.statements, ...this.emitTo(node)]),
        "",
      );
      this.tasks.push({ periodMs: timer.periodMs, fn: `${name}_timer`, first: timer.periodMs });
    }
  }

  private stateName(node: IRNode, hint: string, initial: string, bytes = 16): string {
    // `acc_3`: node functions are `n3`, so state names never collide with them.
    const name = `${hint}_${node.id.slice(1)}`;
    this.stateLines.push(`${name} = ${initial}`);
    this.stateBytes += bytes;
    const list = this.globals.get(node.id) ?? [];
    list.push(name);
    this.globals.set(node.id, list);
    return name;
  }

  private context(node: IRNode): EmitContext {
    const paramValue = (name: string): ParamValue | undefined => node.params[name];
    const names = (bindings: Readonly<Record<string, string>> = {}) => ({
      event: "e",
      now: "now()",
      binding: (name: string) => {
        const python = bindings[name];
        if (python === undefined) throw new Error(`no binding \`${name}\` here`);
        return python;
      },
      config: (reference: Extract<TypedExpression, { kind: "config" }>) => this.config.reference(reference, node.span),
      helper: (name: string, code: string) => this.helper(name, code),
    });
    const constant = (name: string): string | number | boolean | undefined => {
      const value = paramValue(name);
      if (!value) return undefined;
      switch (value.kind) {
        case "number":
        case "count":
        case "string":
        case "bool":
        case "enum":
          return value.value;
        case "duration":
          return value.ms;
        case "secret":
        case "env":
          this.report(
            node,
            `\`${name}\` of \`${node.name}\` shapes the generated code, so it must be written in the source on esp8266`,
            `write the value itself instead of ${value.kind === "secret" ? "secret(...)" : "env(...)"}`,
          );
          return undefined;
        default:
          throw new Error(`\`${name}\` is a ${value.kind}, not a constant`);
      }
    };
    const inputFields = (type: FlowType | undefined) => (type?.kind === "record" ? type.fields.length : 0);
    return {
      node,
      event: "e",
      expression: (expr, bindings) => compileExpression(expr, names(bindings)),
      raw: paramValue,
      param: (name) => {
        const value = paramValue(name);
        if (!value) return undefined;
        if (value.kind === "secret" || value.kind === "env") return { code: this.config.param(value, node.span) };
        const plain = constant(name);
        if (plain === undefined) return undefined;
        return { code: typeof plain === "number" ? pythonNumber(plain) : pythonLiteral(plain), value: plain };
      },
      constant,
      number: (name) => {
        const value = constant(name);
        if (typeof value !== "number") throw new Error(`\`${name}\` must be a number written in the source`);
        return value;
      },
      field: (name) => {
        const value = paramValue(name);
        return value?.kind === "field" ? value : undefined;
      },
      numberSlot: (param = "of"): PythonNumberSlot => {
        const field = paramValue(param);
        if (field?.kind === "field" && field.index >= 0) {
          const size = inputFields(node.input);
          return {
            read: (e) => `${e}[${field.index}]`,
            replaceStatements: (e, value) => [
              `e = ${tuple(Array.from({ length: size }, (_, i) => (i === field.index ? value : `${e}[${i}]`)))}`,
            ],
          };
        }
        if (field?.kind === "field") {
          const key = pythonString(field.name);
          return {
            read: (e) => `${e}.get(${key})`,
            replaceStatements: (e, value) => [`e = dict(${e})`, `e[${key}] = ${value}`],
          };
        }
        return { read: (e) => e, replaceStatements: (_e, value) => [`e = ${value}`] };
      },
      state: (hint, initial, bytes) => {
        this.statefulNodes.add(node.id);
        return this.stateName(node, hint, initial, bytes);
      },
      module: (name) => {
        this.imports.add(name);
        return name;
      },
      helper: (name, code) => this.helper(name, code),
      driver: (file, source, symbol) => {
        const driver = this.drivers.get(file) ?? { source, symbols: new Set<string>() };
        driver.symbols.add(symbol);
        this.drivers.set(file, driver);
        return symbol;
      },
      i2c: () => {
        this.usesI2c = true;
        return "i2c";
      },
      publish: (topic, payload, qos, retain) => {
        this.usesMqtt = true;
        // A topic written in the source is a bytes literal already, so nothing is encoded per event.
        const topicCode = typeof topic.value === "string" ? pythonBytes(topic.value) : topic.code;
        return `publish(${topicCode}, ${payload}, ${retain ? "True" : "False"}, ${qos})`;
      },
      jsonText: (value, type) => {
        this.imports.add("json");
        return jsonText(value, type, "json");
      },
      decodeRecord: (value, schema) => recordDecoder(value, schema, names()),
      now: "now()",
      string: pythonString,
      numberLiteral: pythonNumber,
    };
  }

  private helper(name: string, code: string): string {
    const existing = this.helpers.get(name);
    if (existing !== undefined && existing !== code) throw new Error(`two different helpers named ${name}`);
    this.helpers.set(name, code);
    return name;
  }

  private setting(block: SettingsBlock | undefined, name: string): ParamValue | undefined {
    return block?.values[name];
  }

  /** Python for a setting: a literal, or a read of config.py for secrets and environment values. */
  private settingCode(block: SettingsBlock | undefined, name: string, configName: string, fallback: string): string {
    const value = this.setting(block, name);
    if (!value) return fallback;
    return this.config.setting(configName, value, block!.span);
  }

  private mainPy(): string {
    const device = this.program.device;
    const brokerBlock = this.program.broker ?? device?.nested.broker;
    const wifi = device?.nested.wifi;
    const ntp = device?.nested.ntp;
    const deepSleep = device?.nested.deep_sleep;
    const watchdog = device?.nested.watchdog;
    const i2c = device?.nested.i2c;
    const runtime: string[] = [faultRuntime];

    const ntpHost = ntp ? this.settingCode(ntp, "host", "NTP_HOST", pythonString("pool.ntp.org")) : undefined;
    runtime.push(clockRuntime(ntpHost));
    const needsNetwork = this.usesMqtt || ntp !== undefined;
    const watchdogMs = watchdog ? durationSetting(watchdog, "timeout", 30_000) : undefined;
    const sleeps = deepSleep && (deepSleep.values.enabled as { value?: boolean } | undefined)?.value !== false;
    /** The longest step() may ask to wait, when something besides the schedule needs it sooner. */
    let longestWaitMs: number | undefined;
    if (needsNetwork) {
      if (!wifi)
        this.caveat(
          device?.span ?? this.program.broker?.span,
          "no `wifi` setting: the board joins the network it saved last, if any",
          'add `wifi secret("wifi_essid"), secret("wifi_password")` to the `device esp8266` block',
        );
      const credentials = wifi && {
        ssid: this.settingCode(wifi, "ssid", "WIFI_ESSID", '""'),
        password: this.settingCode(wifi, "password", "WIFI_PASSWORD", '""'),
      };
      // Boot waits for WiFi, but never so long that the watchdog takes it for a stall.
      runtime.push(wifiRuntime(credentials, Math.min(15_000, Math.floor((watchdogMs ?? Infinity) / 2))));
    }
    if (this.usesMqtt) {
      const keepalive = this.setting(brokerBlock, "keepalive");
      const keepaliveSeconds = keepalive?.kind === "duration" ? Math.round(keepalive.ms / 1000) : 60;
      // Wake up in time to ping the broker before it gives up on the connection.
      longestWaitMs = keepaliveSeconds * 500;
      const willTopic = this.setting(brokerBlock, "will_topic");
      const tls = this.setting(brokerBlock, "tls");
      const ca = this.setting(brokerBlock, "ca");
      const clean = this.setting(brokerBlock, "clean");
      if (ca)
        this.caveat(
          brokerBlock!.span,
          "`ca` is not used on the board: MicroPython's TLS on the ESP8266 does not verify the broker's certificate",
          "keep the broker on a network you trust, or bridge the device through a local broker",
        );
      runtime.push(
        mqttRuntime({
          clientId: this.settingCode(
            brokerBlock,
            "client_id",
            "MQTT_CLIENT_ID",
            pythonBytes(`flowc-${this.program.file.replace(/^.*[\\/]/, "")}`),
          ),
          host: this.settingCode(brokerBlock, "host", "MQTT_HOST", pythonString("localhost")),
          port: this.settingCode(brokerBlock, "port", "MQTT_PORT", "1883"),
          user: this.settingCode(brokerBlock, "username", "MQTT_USER", "None"),
          password: this.settingCode(brokerBlock, "password", "MQTT_PASSWORD", "None"),
          keepaliveSeconds,
          ssl: (tls?.kind === "bool" && tls.value) || ca !== undefined,
          persistentSession: clean?.kind === "bool" && !clean.value,
          ...(willTopic
            ? {
                will: {
                  topic: this.settingCode(brokerBlock, "will_topic", "MQTT_WILL_TOPIC", '""'),
                  message: this.settingCode(brokerBlock, "will_message", "MQTT_WILL_MESSAGE", '""'),
                  retain: this.setting(brokerBlock, "will_retain")?.kind === "bool",
                  qos: Number((this.setting(brokerBlock, "will_qos") as { value?: number } | undefined)?.value ?? 0),
                },
              }
            : {}),
          subscriptions: this.subscriptions.map((s) => ({
            filter: typeof s.filter.value === "string" ? pythonBytes(s.filter.value) : s.filter.code,
            qos: s.qos,
          })),
          queueLength: publishQueueLength,
        }),
      );
      this.stateBytes += publishQueueLength * 64;
    }
    if (this.subscriptions.length > 0) {
      runtime.push(topicMatchRuntime);
      runtime.push(
        [
          "def on_message(topic, msg):",
          "    topic = topic.decode()",
          ...this.subscriptions.flatMap((s) => [
            `    if topic_matches(${s.filter.code}, topic):`,
            "        try:",
            `            ${s.fn}(msg)`,
            "        except Exception as x:",
            `            fault(${s.filter.code}, x)`,
          ]),
        ].join("\n"),
      );
    }
    runtime.push(schedulerRuntime);

    const setup: string[] = [];
    if (this.usesI2c) {
      const scl = this.settingCode(i2c, "scl", "I2C_SCL", "5");
      const sda = this.settingCode(i2c, "sda", "I2C_SDA", "4");
      const freq = this.settingCode(i2c, "freq", "I2C_FREQ", "100000");
      this.imports.add("machine");
      this.stateLines.push(`i2c = machine.I2C(scl=machine.Pin(${scl}), sda=machine.Pin(${sda}), freq=${freq})`);
    }
    if (needsNetwork) setup.push("wifi_setup()");
    if (ntp) setup.push("sync_clock()");
    if (this.usesMqtt) setup.push("mqtt_client()");
    for (const task of this.tasks)
      setup.push(`every(${task.periodMs}, ${task.fn}${task.first ? `, ${task.first}` : ""})`);
    if (watchdogMs !== undefined) {
      this.imports.add("machine");
      runtime.push(watchdogRuntime(watchdogMs));
      setup.push("try:", "    watch_start()", "except Exception as x:", '    fault("watchdog", x)');
    }
    if (sleeps) {
      this.imports.add("machine");
      this.deepSleepCaveats(deepSleep.span);
    }

    // Subscribed messages are read when step() runs, so it runs often enough to answer promptly
    // (unless the board sleeps, where nothing is received anyway).
    if (this.subscriptions.length > 0 && !sleeps) longestWaitMs = Math.min(longestWaitMs ?? Infinity, pollMs);
    const step = [
      ...(watchdogMs !== undefined ? ["global _alive"] : []),
      ...(ntp ? ["sync_clock()"] : []),
      "wait = run_due()",
      ...(this.usesMqtt ? ["flush()", "mqtt_poll()"] : []),
      ...(longestWaitMs !== undefined ? [`wait = min(wait, ${longestWaitMs})`] : []),
      // The next call is due in `wait` ms: only a step later than that is a stall.
      ...(watchdogMs !== undefined ? ["_alive = time.ticks_add(time.ticks_ms(), wait)"] : []),
      "gc.collect()",
      "return wait",
    ];
    const run = [
      "setup()",
      "while True:",
      ...indent([
        "wait = step()",
        ...(sleeps
          ? [
              "if wait > 1000:",
              // A clean disconnect: otherwise the broker publishes the last will at every sleep.
              "    stop()",
              "    rtc = machine.RTC()",
              "    rtc.irq(trigger=rtc.ALARM0, wake=machine.DEEPSLEEP)",
              "    rtc.alarm(rtc.ALARM0, wait)",
              "    machine.deepsleep()",
            ]
          : []),
        "time.sleep_ms(wait)",
      ]),
    ];

    const driverImports = [...this.drivers].map(
      ([path, driver]) => `from ${path.replace(/\.py$/, "")} import ${[...driver.symbols].join(", ")}`,
    );
    const lines = [
      `# ${oneLine(this.program.file)} for esp8266, built by flowc${this.options.flowcVersion ? ` ${this.options.flowcVersion}` : ""}.`,
      "# setup() once, then step() whenever it asks (it returns the ms to wait); run() does that forever.",
      "import gc",
      "import time",
      "import config",
      ...[...this.imports].sort().map((name) => `import ${name}`),
      ...driverImports,
      "",
      ...this.stateLines,
      "",
      ...[...this.helpers.values()].flatMap((code) => [code, ""]),
      ...runtime.flatMap((code) => [code, ""]),
      ...this.functions,
      "def setup():",
      ...indent(setup.length > 0 ? setup : ["pass"]),
      "",
      "def step():",
      ...indent(step),
      "",
      "# Sends what is queued and leaves the broker cleanly (before a planned reset, or a simulation's end).",
      "def stop():",
      ...indent(
        this.usesMqtt
          ? [
              "flush()",
              "if _mqtt is not None:",
              "    try:",
              "        _mqtt.disconnect()",
              "    except Exception as x:",
              '        fault("mqtt", x)',
            ]
          : ["pass"],
      ),
      "",
      "def run():",
      ...indent(run),
      "",
      'if __name__ == "__main__":',
      "    run()",
      "",
    ];
    return lines.join("\n");
  }
}

/** Bytes of the files once minified, as the board would load them. */
/**
 * A step's statements, inside a `try` that reports a failure under the step's name and drops the
 * event when its input holds values of unknown shape (`json` without `as`). A typed step cannot
 * fail, so it costs nothing; an untyped one could otherwise raise into the step before it and
 * take the event from the fan-out branches after it, which the host would still have served.
 */
function guardedAgainstFailures(node: IRNode, statements: readonly string[], where: string): readonly string[] {
  if (statements.length === 0) return statements;
  const mayFail = (node.input && holdsUntypedValues(node.input)) || Object.values(node.params).some(mayDivideBy0);
  if (!mayFail) return statements;
  // A division by zero drops the event with the stage named, as on the host.
  return ["try:", ...indent(statements), "except Exception as x:", ...indent([`fault(${where}, x)`, "return"])];
}

function mayDivideBy0(param: ParamValue): boolean {
  if (param.kind === "expression") return mayDivideByZero(param.expr);
  if (param.kind === "binding") return mayDivideByZero(param.init);
  if (param.kind === "assignments") return param.items.some((item) => mayDivideByZero(item.expr));
  return false;
}

function holdsUntypedValues(type: FlowType): boolean {
  return type.kind === "any" || (type.kind === "record" && type.fields.some((field) => holdsUntypedValues(field.type)));
}

function minifiedBytes(files: readonly BundleFile[], minified: boolean): number {
  return files.reduce(
    (sum, file) => sum + Buffer.byteLength(minified ? file.contents : minifyPython(file.contents)),
    0,
  );
}

/** A duration setting in ms, or `fallback` when absent. */
function durationSetting(block: SettingsBlock, name: string, fallback: number): number {
  const value = block.values[name];
  return value?.kind === "duration" ? value.ms : fallback;
}

/** The implementation's hook for a node of `kind`, bound to it. */
function hookOf(
  implementation: MicroPythonImplementation,
  kind: IRNode["kind"],
): ((py: EmitContext) => SourceCode | OperatorCode | SinkCode) | undefined {
  if (kind === "source") return implementation.source?.bind(implementation);
  if (kind === "operator") return implementation.operator?.bind(implementation);
  return implementation.sink?.bind(implementation);
}

function readme(flow: string, files: readonly BundleFile[]): string {
  const names = files.map((file) => file.path);
  return `${oneLine(flow)} for an ESP8266 running MicroPython, built by flowc.

Copy these files to the board's file system root, then reset it; main.py runs at boot.

  mpremote:  mpremote cp ${names.join(" ")} :
  mpfshell:  mpfshell -n -c "open ttyUSB0; ${names.map((name) => `put ${name}`).join("; ")}"
  ampy:      ${names.map((name) => `ampy --port /dev/ttyUSB0 put ${name}`).join(" && ")}

config.py holds the WiFi and broker settings and every secret: keep it out of version control.
Deep sleep: wire GPIO16 (D0) to RST so the RTC alarm can wake the board.
Watch the console with \`mpremote repl\`: the node prints each fault once and keeps sampling.
`;
}
