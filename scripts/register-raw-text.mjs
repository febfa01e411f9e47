// `node --import ./scripts/register-raw-text.mjs`: loads `?raw` imports as text, for scripts run
// from source (bench/) the way vitest and the bundle load them.
import module from "node:module";

module.register("./raw-text-hooks.mjs", import.meta.url);
