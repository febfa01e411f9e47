/**
 * What the ESP8266 memory benches measure: the tutorial's client as flowc builds it, and the
 * publish loop a user would write by hand instead.
 */
import { readFileSync } from "node:fs";
import { buildEsp8266Bundle, compile } from "../test/support/catalogue.js";

/** The tutorial's client built for the ESP8266, as source (`--py`): precompile it for the default bundle. */
export function tutorialClientSource(): ReturnType<typeof buildEsp8266Bundle> {
  const secrets = { wifi_essid: "lab", wifi_password: "password", mqtt_host: "192.168.1.10" };
  const text = readFileSync(new URL("../examples/tutorial/client.flow", import.meta.url), "utf8");
  const { programs } = compile([{ path: "client.flow", text }], { target: "esp8266" });
  return buildEsp8266Bundle(programs[0]!, { secrets, env: {} });
}

/**
 * The publish loop a user would write by hand for the tutorial's client, the baseline of the
 * ESP8266 memory benches: WiFi connect, umqtt.simple connect, read the TSL2591, print the event,
 * publish it as JSON, and nothing else (no reconnection, no fault reports, no publish queue).
 */
export const bareLoop = `import json, machine, network, time
from umqtt.simple import MQTTClient
from tsl2591 import Tsl2591
i2c = machine.I2C(scl=machine.Pin(5), sda=machine.Pin(4), freq=100000)
sensor = None
client = None
def setup():
    global sensor, client
    wlan = network.WLAN(network.STA_IF)
    wlan.active(True)
    wlan.connect("lab", "password")
    while not wlan.isconnected():
        time.sleep_ms(100)
    sensor = Tsl2591("lux-1", i2c)
    client = MQTTClient(b"bare", "192.168.1.10", 1883)
    client.connect()
def step():
    event = ("lux-1", time.time(), sensor.sample())
    print(event)
    client.publish(b"sensor-data", json.dumps(event))
    return 5000
`;
