/** Seconds from the Unix epoch to 2000-01-01, the ESP8266's epoch. */
export const UNIX_AT_2000 = 946_684_800;

/** Options of {@link VirtualClock}. */
export interface ClockOptions {
  /**
   * Where `ticks_ms()` and `ticks_us()` wrap: a power of two up to 2**30 (the ESP8266's period,
   * the default). Code that compares ticks with `<` instead of `ticks_diff` breaks at the wrap.
   */
  ticksPeriod?: number;
  /** The value `ticks_ms()` has at each boot (default 0); start just below the period to wrap soon. */
  ticksStartMs?: number;
  /**
   * The RTC's reading at the first boot, in seconds since 2000-01-01 (default 0, like an ESP8266
   * that has not synchronised with NTP: `time.time()` then counts seconds since power-on).
   */
  rtcStartSeconds?: number;
}

/**
 * The device's sense of time: it only moves when the program sleeps or the test calls
 * `advance`, so tests are deterministic and run hours of device time in milliseconds.
 * Internally it counts whole microseconds since the harness started ("virtual time"); uptime
 * restarts at each boot while the RTC keeps running, as on a real ESP8266.
 *
 * @example
 * const clock = new VirtualClock({ ticksPeriod: 2 ** 16, ticksStartMs: 65_000 });
 * clock.advance(1_000);
 * clock.ticksMs(); // 464: wrapped past 65_535
 */
export class VirtualClock {
  readonly ticksPeriod: number;
  readonly ticksStartMs: number;
  #nowUs = 0;
  #bootUs = 0;
  #rtcSetAtUs = 0;
  #rtcSecondsWhenSet: number;

  constructor(options: ClockOptions = {}) {
    const period = options.ticksPeriod ?? 2 ** 30;
    if (!Number.isInteger(Math.log2(period)) || period < 2 ** 8 || period > 2 ** 30) {
      throw new RangeError(`ticksPeriod must be a power of two between 2**8 and 2**30, got ${period}`);
    }
    this.ticksPeriod = period;
    this.ticksStartMs = options.ticksStartMs ?? 0;
    this.#rtcSecondsWhenSet = options.rtcStartSeconds ?? 0;
  }

  /** Virtual microseconds since the harness started (never resets). */
  get nowUs(): number {
    return this.#nowUs;
  }

  /** Milliseconds since the current boot. */
  get uptimeMs(): number {
    return (this.#nowUs - this.#bootUs) / 1000;
  }

  /** What `time.ticks_ms()` returns now. */
  ticksMs(): number {
    return (this.ticksStartMs + Math.floor((this.#nowUs - this.#bootUs) / 1000)) % this.ticksPeriod;
  }

  /** What `time.ticks_us()` returns now (same period and start as the millisecond ticks). */
  ticksUs(): number {
    return (this.ticksStartMs * 1000 + this.#nowUs - this.#bootUs) % this.ticksPeriod;
  }

  /** The RTC: seconds since 2000-01-01, with a fractional part. */
  rtcSeconds(): number {
    return this.#rtcSecondsWhenSet + (this.#nowUs - this.#rtcSetAtUs) / 1e6;
  }

  /** Sets the RTC, as `machine.RTC().datetime(...)` and `ntptime.settime()` do. */
  setRtc(secondsSince2000: number): void {
    this.#rtcSecondsWhenSet = secondsSince2000;
    this.#rtcSetAtUs = this.#nowUs;
  }

  /** Lets `ms` milliseconds (fractions allowed, rounded to whole microseconds) pass. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot advance the clock by ${ms} ms`);
    this.#nowUs += Math.round(ms * 1000);
  }

  /** Moves to a virtual time in microseconds, never backwards. */
  advanceToUs(us: number): void {
    this.#nowUs = Math.max(this.#nowUs, us);
  }

  /** Starts a new boot: uptime and ticks restart, the RTC keeps running. */
  boot(): void {
    this.#bootUs = this.#nowUs;
  }
}
