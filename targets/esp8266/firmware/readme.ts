import { oneLine } from "../config-file.js";

/**
 * README.txt of a bundle: how to copy the files onto the board, and what to keep private; the
 * deep-sleep wiring only for a flow that sleeps, ROMFS only for a bundle of bytecode.
 *
 * @example
 * readme("client.flow", [{ path: "main.py" }, { path: "config.py" }], { deepSleep: false });
 */
export function readme(
  flow: string,
  files: readonly { readonly path: string }[],
  options: { readonly deepSleep: boolean },
): string {
  const names = files.map((file) => file.path);
  return `${oneLine(flow)} for an ESP8266 running MicroPython, built by flowc.

Copy these files to the board's file system root, then reset it; main.py runs at boot.

  mpremote:  mpremote cp ${names.join(" ")} :
  mpfshell:  mpfshell -n -c "open ttyUSB0; ${names.map((name) => `put ${name}`).join("; ")}"
  ampy:      ${names.map((name) => `ampy --port /dev/ttyUSB0 put ${name}`).join(" && ")}

${names.some((name) => name.endsWith(".mpy")) ? romfsNote(names) : ""}config.py holds the WiFi and broker settings and every secret: keep it out of version control.
${options.deepSleep ? "Deep sleep: wire GPIO16 (D0) to RST so the RTC alarm can wake the board.\n" : ""}Watch the console with \`mpremote repl\`: the node prints each fault once and keeps sampling.
`;
}

/** How the bytecode reaches a ROMFS partition, for a bundle of .mpy files (precompile.ts writes flow.romfs). */
function romfsNote(names: readonly string[]): string {
  const sources = names.filter((name) => !name.endsWith(".mpy"));
  return `On firmware with a ROMFS partition (MicroPython 1.25+, ESP8266_GENERIC FLASH_2M_ROMFS), \`flowc deploy\`
puts the .mpy files there instead, where they run from flash and leave the program more heap. By hand:

  mpremote romfs deploy flow.romfs && mpremote cp ${sources.join(" ")} :

`;
}
