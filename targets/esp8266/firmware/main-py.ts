/**
 * flow.py (the module main.py imports and runs), assembled from its sections: the header and imports, module state, the helpers and
 * node functions the components generated ({@link ./nodes.ts}), then the device runtime each flow
 * needs and no more (fault reporting, clock, WiFi, MQTT, message routing, scheduler, watchdog),
 * and the entry points `setup()`, `step()`, `stop()` and `run()`. Each runtime section is Python
 * in a `.py` file beside its emitter. They are written for MicroPython on an ESP8266: no exception
 * escapes to kill the node, time is compared with `ticks_diff` (safe across the `ticks_ms` wrap),
 * and nothing allocates per cycle beyond the events themselves.
 */
import { diagnostic, DiagnosticCodes, type Diagnostic } from "../../../compiler/diagnostics.js";
import type { IRProgram, SettingsBlock } from "../../../compiler/ir.js";
import type { ParamValue } from "../../../compiler/registry.js";
import type { Span } from "../../../compiler/source.js";
import { indent } from "../component.js";
import { oneLine, type ConfigFile } from "../config-file.js";
import { pythonBytes, pythonString } from "../python.js";
import { clockSection } from "./clock.js";
import { deepSleepSection, longestDeepSleepMs, rtcStateBudget } from "./deep-sleep.js";
import { faultsSection } from "./faults.js";
import { messagesSection } from "./messages.js";
import { mqttSection } from "./mqtt.js";
import type { NodeFunctions } from "./nodes.js";
import { schedulerSection } from "./scheduler.js";
import { watchdogSection } from "./watchdog.js";
import { wifiSection } from "./wifi.js";

/** How often a board that subscribes reads its messages, at least. */
const pollMs = 200;
/** Messages kept while the broker is unreachable. */
const publishQueueLength = 8;
/** Heap each queued message may hold. */
const queuedMessageBytes = 64;
/** The longest a board that stays awake waits between two looks at its schedule. */
const longestAwakeWaitMs = 60_000;

export interface MainPy {
  readonly text: string;
  /** Heap the runtime sections hold besides the nodes' state (the publish queue), in bytes. */
  readonly stateBytes: number;
  /** The board deep-sleeps between wake-ups (`deep_sleep` in the device block). */
  readonly deepSleep: boolean;
}

/**
 * Writes flow.py around the node functions; settings' secrets go through `config`, and what works
 * differently on the board than on the host is reported to `diagnostics` as W704.
 *
 * @example
 * const nodes = emitNodeFunctions(program, implementations, config, diagnostics);
 * const main = mainPy(program, nodes, config, diagnostics, "0.1.0");
 */
export function mainPy(
  program: IRProgram,
  nodes: NodeFunctions,
  config: ConfigFile,
  diagnostics: Diagnostic[],
  flowcVersion?: string,
): MainPy {
  const device = program.device;
  const brokerBlock = program.broker ?? device?.nested.broker;
  const { wifi, ntp, deep_sleep: deepSleep, watchdog, i2c } = device?.nested ?? {};
  const imports = new Set(nodes.imports);
  const stateLines = [...nodes.stateLines];
  const subscribes = nodes.subscriptions.length > 0;
  let stateBytes = 0;
  const caveat = (span: Span | undefined, message: string, hint?: string) => {
    const where = span ?? program.nodes[0]?.span ?? { file: program.file, start: 0, end: 0 };
    diagnostics.push(diagnostic(DiagnosticCodes.DeviceCaveat, where, message, hint));
  };
  /** Python for a setting: a literal, or a read of config.py for secrets and environment values. */
  const settingCode = (block: SettingsBlock | undefined, name: string, configName: string, fallback: string) => {
    const value = block?.values[name];
    return value ? config.setting(configName, value, block!.span) : fallback;
  };

  const runtime: string[] = [faultsSection];
  runtime.push(clockSection(ntp ? settingCode(ntp, "host", "NTP_HOST", pythonString("pool.ntp.org")) : undefined));
  const needsNetwork = nodes.usesMqtt || ntp !== undefined;
  const watchdogMs = watchdog ? durationSetting(watchdog, "timeout", 30_000) : undefined;
  const enabled = deepSleep?.values.enabled;
  const sleeps = deepSleep !== undefined && !(enabled?.kind === "bool" && !enabled.value);
  /** The longest step() may ask to wait, when something besides the schedule needs it sooner. */
  let longestWaitMs: number | undefined;
  const setup: string[] = [];
  /** What step() does after the scheduler and the publish queue, and the globals it assigns. */
  const step: string[] = [];
  const stepGlobals: string[] = [];
  if (needsNetwork) {
    if (!wifi)
      caveat(
        device?.span ?? program.broker?.span,
        "no `wifi` setting: the board joins the network it saved last, if any",
        'add `wifi secret("wifi_essid"), secret("wifi_password")` to the `device esp8266` block',
      );
    const credentials = wifi && {
      ssid: settingCode(wifi, "ssid", "WIFI_ESSID", '""'),
      password: settingCode(wifi, "password", "WIFI_PASSWORD", '""'),
    };
    // Boot waits for WiFi, but never so long that the watchdog takes it for a stall.
    const wifiRuntime = wifiSection(credentials, Math.min(15_000, Math.floor((watchdogMs ?? Infinity) / 2)));
    runtime.push(wifiRuntime.code);
    setup.push(...wifiRuntime.setup);
  }
  if (nodes.usesMqtt) {
    const setting = (name: string): ParamValue | undefined => brokerBlock?.values[name];
    const keepalive = setting("keepalive");
    const keepaliveSeconds = keepalive?.kind === "duration" ? Math.round(keepalive.ms / 1000) : 60;
    // Wake up in time to ping the broker before it gives up on the connection; a board that
    // deep-sleeps leaves the broker before it sleeps, so it has no connection to keep.
    if (!sleeps) longestWaitMs = keepaliveSeconds * 500;
    const tls = setting("tls");
    const ca = setting("ca");
    const clean = setting("clean");
    const willRetain = setting("will_retain");
    const willQos = setting("will_qos");
    if (ca)
      caveat(
        brokerBlock!.span,
        "`ca` is not used on the board: MicroPython's TLS on the ESP8266 does not verify the broker's certificate",
        "keep the broker on a network you trust, or bridge the device through a local broker",
      );
    const mqtt = mqttSection({
      clientId: settingCode(brokerBlock, "client_id", "MQTT_CLIENT_ID", boardIdCode(imports)),
      host: settingCode(brokerBlock, "host", "MQTT_HOST", pythonString("localhost")),
      port: settingCode(brokerBlock, "port", "MQTT_PORT", "1883"),
      user: settingCode(brokerBlock, "username", "MQTT_USER", "None"),
      password: settingCode(brokerBlock, "password", "MQTT_PASSWORD", "None"),
      keepaliveSeconds,
      ssl: (tls?.kind === "bool" && tls.value) || ca !== undefined,
      persistentSession: clean?.kind === "bool" && !clean.value,
      ...(setting("will_topic")
        ? {
            will: {
              topic: settingCode(brokerBlock, "will_topic", "MQTT_WILL_TOPIC", '""'),
              message: settingCode(brokerBlock, "will_message", "MQTT_WILL_MESSAGE", '""'),
              retain: willRetain?.kind === "bool" && willRetain.value,
              qos: willQos?.kind === "number" ? willQos.value : 0,
            },
          }
        : {}),
      subscriptions: nodes.subscriptions.map((s) => ({
        filter: typeof s.filter.value === "string" ? pythonBytes(s.filter.value) : s.filter.code,
        qos: s.qos,
      })),
      queueLength: publishQueueLength,
    });
    runtime.push(mqtt.code);
    step.push(...mqtt.step);
    stepGlobals.push(...mqtt.stepGlobals);
    stateBytes += publishQueueLength * queuedMessageBytes;
  }
  if (subscribes)
    runtime.push(...messagesSection(nodes.subscriptions.map((s) => ({ filter: s.filter.code, fn: s.fn }))));
  runtime.push(schedulerSection(sleeps ? longestDeepSleepMs : longestAwakeWaitMs));

  if (nodes.usesI2c) {
    const scl = settingCode(i2c, "scl", "I2C_SCL", "5");
    const sda = settingCode(i2c, "sda", "I2C_SDA", "4");
    const freq = settingCode(i2c, "freq", "I2C_FREQ", "100000");
    imports.add("machine");
    stateLines.push(`i2c = machine.I2C(scl=machine.Pin(${scl}), sda=machine.Pin(${sda}), freq=${freq})`);
  }
  if (ntp) setup.push("sync_clock()");
  if (nodes.usesMqtt) setup.push("mqtt_client()");
  // Registered in place rather than by a helper function, which would stay in the heap after setup.
  const tasks = nodes.tasks.map(
    (task) =>
      `_tasks.append([${task.periodMs}, ${task.first ? `time.ticks_add(time.ticks_ms(), ${task.first})` : "time.ticks_ms()"}, ${task.fn}])`,
  );
  setup.push(...tasks);
  if (watchdogMs !== undefined) {
    imports.add("machine");
    const watchdogRuntime = watchdogSection(watchdogMs);
    runtime.push(watchdogRuntime.code);
    setup.push(...watchdogRuntime.setup);
  }
  if (sleeps) {
    imports.add("machine");
    const sleep = deepSleepSection(
      tasks,
      nodes.state,
      program.nodes.map((node) => node.label),
    );
    runtime.push(sleep.code);
    setup.push(...sleep.setup);
    checkRtcState(program, nodes, tasks.length, deepSleep.span, diagnostics);
    if (nodes.subscriptions.length > 0)
      caveat(
        deepSleep.span,
        "a board in deep sleep receives no MQTT messages: subscriptions only see what arrives while it is awake",
      );
  }
  // Subscribed messages are read when step() runs, so it runs often enough to answer promptly
  // (unless the board sleeps, where nothing is received anyway).
  if (subscribes && !sleeps) longestWaitMs = Math.min(longestWaitMs ?? Infinity, pollMs);

  const driverImports = [...nodes.drivers].map(
    ([path, driver]) => `from ${path.replace(/\.py$/, "")} import ${[...driver.symbols].join(", ")}`,
  );
  const lines = [
    `# ${oneLine(program.file)} for esp8266, built by flowc${flowcVersion ? ` ${flowcVersion}` : ""}.`,
    "# setup() once, then step() whenever it asks (it returns the ms to wait); run() does that forever.",
    "import gc",
    "import time",
    "import config",
    ...[...imports].sort().map((name) => `import ${name}`),
    ...driverImports,
    "",
    ...stateLines,
    "",
    ...[...nodes.helpers.values()].flatMap((code) => [code, ""]),
    ...runtime.flatMap((code) => [code, ""]),
    ...nodes.functions,
    ...entryPoints({
      setup,
      step,
      stepGlobals,
      usesMqtt: nodes.usesMqtt,
      ntp: ntp !== undefined,
      watchdogMs,
      longestWaitMs,
      sleeps,
    }),
  ];
  return { text: lines.join("\n"), stateBytes, deepSleep: sleeps };
}

/** `setup()`, `step()`, `stop()`, `idle()` and `run()`, closing flow.py (main.py calls run()). */
function entryPoints(flow: {
  readonly setup: readonly string[];
  readonly step: readonly string[];
  readonly stepGlobals: readonly string[];
  readonly usesMqtt: boolean;
  readonly ntp: boolean;
  readonly watchdogMs: number | undefined;
  readonly longestWaitMs: number | undefined;
  readonly sleeps: boolean;
}): string[] {
  const watched = flow.watchdogMs !== undefined;
  const globals = [...flow.stepGlobals, ...(watched ? ["_alive"] : [])];
  const step = [
    ...(globals.length > 0 ? [`global ${globals.join(", ")}`] : []),
    ...(flow.ntp ? ["sync_clock()"] : []),
    "wait = run_due()",
    ...(flow.usesMqtt ? ["flush()"] : []),
    ...flow.step,
    ...(flow.longestWaitMs !== undefined ? [`wait = min(wait, ${flow.longestWaitMs})`] : []),
    // The next call is due in `wait` ms: only a step later than that is a stall.
    ...(watched ? ["_alive = time.ticks_add(time.ticks_ms(), wait)"] : []),
    "gc.collect()",
    "return wait",
  ];
  const stop = flow.usesMqtt
    ? [
        "flush()",
        // Deep sleep's reset loses what is still queued: say how much, as an outage does.
        ...(flow.sleeps
          ? ["if _queue or _dropped:", '    print("flowc: mqtt not sent before sleeping:", len(_queue) + _dropped)']
          : []),
        "if _mqtt is not None:",
        "    try:",
        "        _mqtt.disconnect()",
        "    except Exception as x:",
        '        fault("mqtt", x)',
      ]
    : ["pass"];
  // Short waits are slept awake: a reset and a reconnection cost more than a second. A board that
  // stays awake only sleeps, so idle is time.sleep_ms itself rather than a function around it.
  const idle = flow.sleeps
    ? ["def idle(wait):", ...indent(["if wait > 1000:", "    deep_sleep(wait)", "time.sleep_ms(wait)"])]
    : ["idle = time.sleep_ms"];
  return [
    "def setup():",
    // What importing and connecting left behind goes before the first sample.
    ...indent([...flow.setup, "gc.collect()"]),
    "",
    "def step():",
    ...indent(step),
    "",
    "# Sends what is queued and leaves the broker cleanly (before a planned reset, or a simulation's end).",
    "def stop():",
    ...indent(stop),
    "",
    "# Waits `wait` ms for the next step (a board that deep-sleeps resets, and main.py starts again).",
    ...idle,
    "",
    "def run():",
    ...indent(["setup()", "while True:", "    idle(step())"]),
    "",
  ];
}

/**
 * Deep sleep keeps the nodes' state in RTC memory ({@link ./deep-sleep.ts}); state that cannot fit
 * there is an error at the node keeping the most of it, since it would start afresh at every wake-up.
 */
function checkRtcState(
  program: IRProgram,
  nodes: NodeFunctions,
  tasks: number,
  deepSleepSpan: Span,
  diagnostics: Diagnostic[],
): void {
  const budget = rtcStateBudget(tasks);
  const byNode = new Map<string, number>();
  for (const variable of nodes.state) byNode.set(variable.node, (byNode.get(variable.node) ?? 0) + variable.bytes);
  const total = [...byNode.values()].reduce((sum, bytes) => sum + bytes, 0);
  if (total <= budget) return;
  const [largest, bytes] = [...byNode].sort((a, b) => b[1] - a[1])[0]!;
  const node = program.nodes.find((candidate) => candidate.id === largest)!;
  diagnostics.push(
    diagnostic(
      DiagnosticCodes.DeepSleepState,
      node.span,
      `\`${oneLine(node.label)}\` keeps about ${bytes} bytes of state${total > bytes ? ` (the flow ${total})` : ""}, ` +
        `more than the ${budget} bytes of RTC memory that survive deep sleep`,
      "keep fewer values (a smaller window or count), aggregate on the host, or drop `deep_sleep`",
      [{ span: deepSleepSpan, message: "deep sleep resets the board here at every wake-up" }],
    ),
  );
}

/**
 * The board's own id in hex (`machine.unique_id()`, the ESP8266's chip id): a default MQTT client
 * id that differs on every board built from the same flow, so two of them do not throw each other
 * off the broker. `binascii.hexlify` writes it as bytes in one allocation, where formatting each
 * byte would leave a generator, a list and a string per byte behind at boot.
 */
function boardIdCode(imports: Set<string>): string {
  imports.add("binascii");
  imports.add("machine");
  return "binascii.hexlify(machine.unique_id())";
}

/** A duration setting in ms, or `fallback` when absent. */
function durationSetting(block: SettingsBlock, name: string, fallback: number): number {
  const value = block.values[name];
  return value?.kind === "duration" ? value.ms : fallback;
}
