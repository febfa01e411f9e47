// No value in a .flow file or a secret can change the Python a bundle runs: any string put into a
// topic, a sensor id, a print label, a string literal, the file name or a secret compiles in real
// MicroPython and comes out on the board exactly as written.
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { MicroPythonDevice } from "./simulator/board.js";
import { loadBundleIntoDevice } from "./testing.js";
import { flowString } from "../../test/support/flow-string.js";
import { buildEsp8266Bundle, compile } from "../../test/support/catalogue.js";

let device: MicroPythonDevice;
beforeAll(async () => {
  device = await MicroPythonDevice.create({ wifi: {} });
});
afterAll(() => device.close());

/** Strings built from what ends or escapes a Python literal, a comment or a line, and anything else. */
const hostile = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '"',
        "'",
        '"""',
        "'''",
        "\\",
        "\\n",
        "\n",
        "\r",
        "\t",
        "\0",
        "#",
        "%s",
        "%r",
        "{}",
        "${",
        "\u2028",
      ),
      fc.constantFrom("é", "µ", "日本", "😀", "\u00a0", "\x7f", "\x1b"),
      fc.string({ unit: "grapheme", maxLength: 4 }),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => parts.join(""));

/** MQTT forbids NUL in topics, and `+`/`#` are wildcards a publisher may not use. */
const topic = hostile.filter((text) => !/[\0+#]/.test(text));

it("compiles whatever the strings hold, and every value comes out unchanged", async () => {
  await fc.assert(
    fc.asyncProperty(
      topic,
      hostile,
      hostile,
      hostile,
      hostile,
      hostile,
      async (out, id, label, other, password, name) => {
        const text =
          `device esp8266 {\n  wifi "lab", secret("wifi_password")\n}\n` +
          `sim ${flowString(id)} every 1s shape constant value 1\n` +
          `  -> filter sensor_id != ${flowString(other)} or true\n` +
          `  -> [mqtt ${flowString(out)}, print ${flowString(label)}]\n` +
          `mqtt ${flowString(out)} -> print\n`;
        const result = compile([{ path: `${name}.flow`, text }], { target: "esp8266" });
        const errors = result.diagnostics.filter((d) => d.severity === "error");
        // The only string the checker may refuse is the topic (E603: empty levels and the like).
        expect(errors.filter((d) => d.code !== "E603")).toEqual([]);
        if (errors.length > 0) return;
        const bundle = buildEsp8266Bundle(result.programs[0]!, { secrets: { wifi_password: password }, env: {} });
        expect(bundle.diagnostics.filter((d) => d.severity === "error")).toEqual([]);

        await loadBundleIntoDevice(bundle.files, device);
        device.mqtt.published.length = 0;
        device.takeOutput();
        await device.setup();
        // umqtt.simple sizes packets with len(), right only for bytes: check what the firmware passes.
        await device.run(
          "from umqtt.simple import MQTTClient\n_publish = MQTTClient.publish\n" +
            "def _bytes_only(c, t, m, r=False, q=0):\n    assert type(t) is bytes and type(m) is bytes\n    _publish(c, t, m, r, q)\n" +
            "MQTTClient.publish = _bytes_only",
        );
        device.advance(1_000);
        await device.step();

        expect(await device.evaluate("__import__('config').WIFI_PASSWORD")).toBe(password);
        const [message] = device.mqtt.published;
        expect(message?.topic).toBe(out);
        expect(JSON.parse(message!.text)).toEqual([id, expect.any(Number), 1]);
        expect(device.takeOutput().join("\n")).toContain(`${label}: SensorEvent(sensor_id=`);
        // The same topic as a subscription: matched and decoded on the board.
        device.mqtt.deliver(out, `${other}\n`);
        device.advance(200);
        await device.step();
        expect(device.takeOutput().join("\n")).toContain(other);
      },
    ),
    { numRuns: 40, seed: 20261125 },
  );
});
