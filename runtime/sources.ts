/**
 * Building blocks for source implementations.
 */
import type { Observer, RunningSource, RuntimeContext } from "./component.js";
import type { ScalarModel } from "./simulated-sensors.js";

/**
 * A source that runs `tick` on the scheduler's aligned deadlines (see {@link ./scheduler.ts})
 * until stopped.
 *
 * @example
 * let count = 0;
 * return periodicSource(ctx, ctx.params.durationMs("period"), () => out.next(count++));
 */
export function periodicSource(ctx: RuntimeContext, periodMs: number, tick: () => void): RunningSource {
  const task = ctx.scheduler.schedulePeriodic(periodMs, tick);
  return {
    stop: async () => task.cancel(),
  };
}

/**
 * A sensor source emitting `SensorEvent`s `{ sensor_id, ts, val }` with host time in unix
 * seconds, from a reading model (real hardware is the device's business; on the host sensors are
 * simulated, reproducibly with `--seed`).
 *
 * @example
 * return sensorSource(ctx, out, luxModel(ctx.random, ctx.params.enumValue("gain")));
 */
export function sensorSource(ctx: RuntimeContext, out: Observer, read: ScalarModel): RunningSource {
  const sensorId = ctx.params.string("id");
  return periodicSource(ctx, ctx.params.durationMs("every"), () => {
    const now = ctx.clock.now();
    out.next({ sensor_id: sensorId, ts: now / 1000, val: read(now) });
  });
}

/** Says once, at start, that a hardware sensor's readings are made up on this machine. */
export function noteSimulated(ctx: RuntimeContext): void {
  ctx.log.info("no sensor on this machine: readings are simulated (reproducible with --seed)");
}
