/**
 * Every sensor chip the simulated board can carry: the `board.ts` of each folder under
 * components/, found by scripts/catalogue.mjs. `flowc sim` wires them all; tests pass them to
 * `MicroPythonDevice.create({ parts })`.
 */
import discovered from "flowc-catalogue:board";
import type { BoardPart } from "../targets/esp8266/simulator/board.js";

export const boardParts: readonly BoardPart[] = discovered.flatMap((module) => module.boardParts);
