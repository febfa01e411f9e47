/**
 * ThingFlow's scheduler: every task keeps its own due time, advanced by whole periods from one
 * start, so tasks whose periods divide each other wake up together and nothing drifts. A task
 * that fell more than a period behind (the board was busy) skips the missed runs.
 */
import schedulerPy from "./scheduler.py?raw";
import { pythonSection } from "./template.js";

export const schedulerSection = pythonSection(schedulerPy);
