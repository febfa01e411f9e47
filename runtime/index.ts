/**
 * flowc's Node runtime (`import ... from "flowc/runtime"`): run compiled programs, write
 * component implementations, and reuse the I/O machinery.
 *
 * @example
 * import { compile } from "flowc";
 * import { handleSignals, runProgram } from "flowc/runtime";
 * const { programs } = compile([{ path: "server.flow", text }]);
 * const flow = await runProgram(programs, { broker: "mqtt://127.0.0.1:1883" });
 * handleSignals(flow);
 * await flow.done;
 */
export { handleSignals, runProgram, type RunningFlow, type RunOptions, type SignalOptions } from "./run.js";
export {
  componentKey,
  implementationLookup,
  type FusedFragment,
  type FuseContext,
  type ImplementationLookup,
  type NodeImplementation,
  type Observer,
  type RunningSource,
  type RuntimeContext,
  type Sink,
  type TextOutput,
} from "./component.js";
export { buildGraph, type Graph, type RuntimeServices } from "./executor.js";
export { startEmbeddedBroker, type EmbeddedBroker, type EmbeddedBrokerOptions } from "./broker.js";
export { ConfigResolver, loadSecretsFile, MissingConfigError, secretVariable, type ConfigValue } from "./config.js";
export { compileExpression, type ExpressionNames } from "./compile-expression.js";
export { csvField, FileError, LineWriter, type LineWriterOptions } from "./files.js";
export { createLogger, silentLogger, type Logger, type LogLevel } from "./log.js";
export { ManualClock } from "./manual-clock.js";
export {
  brokerOptions,
  MqttConnection,
  MqttConnectionError,
  MqttConnections,
  parseBrokerUrl,
  type BrokerOptions,
  type QoS,
} from "./mqtt.js";
export { Backpressure } from "./pressure.js";
export { Scheduler, systemClock, type Clock } from "./scheduler.js";
export { Random } from "./simulated-sensors.js";
export { formatStatsTable, NodeStats, startStatsPrinter } from "./stats.js";
export { createStdlib, type RuntimeStdlib } from "./stdlib-js.js";
export { parseTopicFilter, TopicRouter } from "./subscriptions.js";
export { decoderFor, encoderFor, utf8Text, type Decoder } from "./wire.js";
