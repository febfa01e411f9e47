/**
 * Deep sleep that keeps the flow's schedule and state. A deep sleep resets the ESP8266: main.py
 * runs again from the top with an empty heap, and only the RTC's user memory (492 bytes) survives.
 * Before sleeping, `keep()` writes there each task's due time, relative to the coming wake-up
 * (`ticks_ms` restarts at 0 then, so the time the board takes to boot is counted too), and the
 * values of the nodes' state; statements at the end of setup(), after the tasks are registered, put
 * them back after a DEEPSLEEP_RESET (statements rather than a function, whose bytecode would stay
 * in the heap after its one call). So a source `every 10min` beside one `every 1min` runs once
 * in ten wake-ups, and `scan`, windows and counters go on where they were.
 *
 * The memory starts with a tag derived from the flow's steps, tasks and state names, so a board flashed
 * with another bundle never reads the last one's memory as its own. State is written with `repr`
 * and read with `eval`, which gives back tuples, lists and dicts as they were (JSON would turn
 * tuples into lists); what does not fit at run time is reported and starts afresh, and what
 * cannot fit is refused at build time ({@link rtcStateBudget}).
 */
import deepSleepPy from "./deep_sleep.py?raw";
import deepSleepSetupPy from "./deep_sleep_setup.py?raw";
import { fillTemplate, pythonSection, type FirmwareSection } from "./template.js";
import type { StateVariable } from "./nodes.js";
import { pythonBytes } from "../python.js";

/** Bytes of user memory the ESP8266's RTC keeps through deep sleep (`machine.RTC().memory()`). */
export const rtcMemoryBytes = 492;
/**
 * The longest deep sleep the ESP8266 can do: its RTC alarm counts microseconds in 32 bits scaled
 * by the RTC clock's calibration, which comes to about 3.5 hours (`ESP.deepSleepMax()` in the
 * Arduino core reports 3.5–3.8 h depending on the chip).
 */
export const longestDeepSleepMs = 3.5 * 3600 * 1000;
/** Bytes `keep()` writes besides the state: the tag, and `([d0, d1], ` around the due times. */
const tagBytes = 4;
const bytesPerTask = 9;

/**
 * RTC memory left for the nodes' state once the tag and `tasks` due times are in.
 *
 * @example
 * rtcStateBudget(2); // 492 - 4 - 2 * 9 - 8
 */
export function rtcStateBudget(tasks: number): number {
  return rtcMemoryBytes - tagBytes - tasks * bytesPerTask - 8;
}

/**
 * The section for a flow that sleeps: `code` defines `keep(wait)` and `deep_sleep(wait)`; `setup`
 * are the statements that end setup() and restore the schedule and state after a wake-up.
 *
 * @example
 * const sleep = deepSleepSection(["_tasks.append([60000, time.ticks_ms(), n0])"], [{ node: "n2", name: "acc_2", bytes: 24 }], ["sim \"s\" every 1min", "scan n = 0, n + 1"]);
 * runtime.push(sleep.code);
 * setup.push(...sleep.setup);
 */
export function deepSleepSection(
  tasks: readonly string[],
  state: readonly StateVariable[],
  steps: readonly string[],
): FirmwareSection {
  const names = state.map((variable) => variable.name);
  const tag = flowTag([...steps, ...tasks, ...names].join("\n"));
  return {
    code: fillTemplate(pythonSection(deepSleepPy), {
      TAG: pythonBytes(tag),
      STATE: names.length === 0 ? "()" : `(${names.join(", ")},)`,
    }),
    setup: fillTemplate(pythonSection(deepSleepSetupPy), {
      TAG: pythonBytes(tag),
      TAG_LENGTH: tag.length,
      GLOBALS: names.length === 0 ? "" : `global ${names.join(", ")}`,
      RESTORE: names.length === 0 ? "pass" : `${names.join(", ")}, = s`,
    }).split("\n"),
  };
}

/** Four characters that change when the flow's tasks or state do (FNV-1a, in base 36). */
function flowTag(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(36).padStart(7, "0").slice(-tagBytes);
}
