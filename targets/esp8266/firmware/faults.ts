/** Fault reporting: each fault printed once per distinct message, so a dead sensor does not flood the console. */
import faultsPy from "./faults.py?raw";
import { pythonSection } from "./template.js";

export const faultsSection = pythonSection(faultsPy);
