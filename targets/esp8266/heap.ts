/**
 * The ESP8266's heap, as the bundle builder judges a flow and the simulated board enforces it:
 * one set of figures, so a flow the build accepts is one the simulator can run.
 */

/** Free heap of an ESP8266 running MicroPython after boot, before WiFi is up. */
export const ESP8266_HEAP_BYTES = 38 * 1024;

/**
 * What an ESP8266 leaves a program once WiFi and a socket are up: the budget a bundle must fit in
 * (past it, E503: the flow can never run), and the default heap of the simulated board, so a
 * bundle that would run out of memory on the board does so in `flowc sim` and in tests.
 */
export const ESP8266_PROGRAM_HEAP_BYTES = 30 * 1024;

/** Half of the heap after boot: beyond it, allocations start failing under fragmentation (W703). */
export const ESP8266_HEAP_WARNING_BYTES = ESP8266_HEAP_BYTES / 2;
