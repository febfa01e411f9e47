import { once } from "node:events";
import { createServer, type AddressInfo, type Server } from "node:net";
import { Aedes } from "aedes";
import { connectAsync, type MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  Errno,
  I2cBus,
  MicroPythonDevice,
  MicroPythonError,
  ResetCause,
  WifiStatus,
  type DeviceOptions,
  type I2cTarget,
} from "./board.js";
import { ESP8266_PROGRAM_HEAP_BYTES } from "../heap.js";
import { boardParts } from "../../../components/board.js";
import { romfsImage } from "../romfs.js";

let device: MicroPythonDevice | undefined;

async function boot(options: DeviceOptions = {}): Promise<MicroPythonDevice> {
  device = await MicroPythonDevice.create({ parts: boardParts, ...options });
  return device;
}

afterEach(async () => {
  await device?.close();
  device = undefined;
});

/** Joins the access point the way generated code does: connect, then poll while sleeping. */
const JOIN_WIFI = `
import network, time
sta = network.WLAN(network.STA_IF)
sta.active(True)
sta.connect("lab", "secret")
while not sta.isconnected():
    time.sleep_ms(100)
`;
const WIFI = { ssid: "lab", password: "secret" };

function nextMessage(client: MqttClient): Promise<[string, Buffer]> {
  return new Promise((resolve) => client.once("message", (topic, payload) => resolve([topic, payload])));
}

async function failure(promise: Promise<unknown>): Promise<MicroPythonError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(MicroPythonError);
  return error as MicroPythonError;
}

describe("MicroPythonDevice basics", () => {
  it("runs code, captures output and returns setup()/step() values", async () => {
    const d = await boot({
      files: {
        "main.py":
          "n = 0\ndef setup():\n    print('ready')\ndef step():\n    global n\n    n += 1\n    return [n, 'x']\n",
      },
    });
    expect(await d.setup()).toEqual({ kind: "returned", value: null });
    expect(await d.step()).toEqual({ kind: "returned", value: [1, "x"] });
    expect(await d.evaluate("main.n * 10")).toBe(10);
    expect(d.output).toEqual(["ready"]);
    expect(d.takeOutput()).toEqual(["ready"]);
    expect(d.output).toEqual([]);
  });

  it("rejects with the Python exception, its traceback and errno", async () => {
    const d = await boot({ files: { "main.py": "def setup():\n    raise OSError(113)\n" } });
    const error = await failure(d.setup());
    expect(error.pythonType).toBe("OSError");
    expect(error.errno).toBe(113);
    expect(error.traceback).toContain('File "main.py", line 2, in setup');
  });

  it("allows one open device per process", async () => {
    await boot();
    await expect(MicroPythonDevice.create()).rejects.toThrow(/close\(\) it first/);
  });

  it("replaces device modules through sys.modules, which a same-named file cannot", async () => {
    const d = await boot({ files: { "time.py": "SHADOW = True\n", "utime.py": "SHADOW = True\n" } });
    await d.run(
      "import sys, time, utime, machine, network, ntptime, esp, umqtt.simple\nfrom umqtt.simple import MQTTClient",
    );
    expect(await d.evaluate("[time is utime, hasattr(time, 'SHADOW'), time.__name__, machine.__name__]")).toEqual([
      true,
      false,
      "sim_time",
      "sim_machine",
    ]);
    expect(
      await d.evaluate("[umqtt.simple.MQTTClient is MQTTClient, sys.modules['network'].__name__, ntptime.host]"),
    ).toEqual([true, "sim_network", "pool.ntp.org"]);
  });

  it("keeps files the program wrote across a reboot", async () => {
    const d = await boot();
    await d.run("with open('state.txt', 'w') as f:\n    f.write('42')");
    await d.reboot();
    expect(await d.evaluate("open('state.txt').read()")).toBe("42");
    expect(d.readFile("state.txt")).toBe("42");
  });

  it("reports a failing harness function instead of letting it wedge the interpreter", async () => {
    const broken: I2cTarget = {
      address: 0x40,
      present: true,
      write: () => {},
      read: () => {
        throw new Error("model bug");
      },
    };
    const d = await boot({ i2c: { targets: [broken] } });
    await expect(
      d.run("import machine\nmachine.I2C(scl=machine.Pin(5), sda=machine.Pin(4)).readfrom(0x40, 1)"),
    ).rejects.toThrow(/_harness.i2c_read failed: model bug/);
    // A JS exception escaping into the wasm port would have stopped its garbage collector for good.
    const before = d.heap().used;
    await d.run("[bytearray(100) for _ in range(200)]");
    expect(d.heap().used).toBe(before);
  });
});

describe("virtual clock", () => {
  it("advances when the program sleeps, without blocking", async () => {
    const d = await boot();
    await d.run("import time\nt0 = time.ticks_ms()\ntime.sleep(3600)\ntime.sleep_ms(250)\ntime.sleep_us(500)");
    // ticks_us() wraps at 2**30 µs, about every 18 minutes, as on the ESP8266.
    expect(await d.evaluate("[t0, time.ticks_ms(), time.ticks_us(), time.time()]")).toEqual([
      0,
      3_600_250,
      3_600_250_500 % 2 ** 30,
      3600,
    ]);
    d.advance(1_000);
    expect(await d.evaluate("time.ticks_diff(time.ticks_ms(), t0)")).toBe(3_601_250);
    expect(d.clock.uptimeMs).toBe(3_601_250.5);
  });

  it("wraps ticks at the configured period, where only ticks_diff/ticks_add stay right", async () => {
    const d = await boot({ clock: { ticksPeriod: 2 ** 16, ticksStartMs: 65_000 } });
    await d.run("import time\nstart = time.ticks_ms()\ndeadline = time.ticks_add(start, 1_000)\ntime.sleep_ms(800)");
    expect(await d.evaluate("[start, deadline, time.ticks_ms(), time.ticks_diff(deadline, time.ticks_ms())]")).toEqual([
      65_000, 464, 264, 200,
    ]);
    expect(await d.evaluate("time.ticks_ms() > start")).toBe(false); // why `<` on ticks is a bug
    await d.run("time.sleep_ms(300)");
    expect(await d.evaluate("time.ticks_diff(deadline, time.ticks_ms())")).toBe(-100);
  });

  it("rejects periods that are not powers of two", async () => {
    await expect(MicroPythonDevice.create({ clock: { ticksPeriod: 1000 } })).rejects.toThrow(/power of two/);
  });

  it("stops a forever loop after the run's virtual-time budget", async () => {
    const d = await boot({
      files: {
        "main.py":
          "import time\ncount = 0\ndef main():\n    global count\n    while True:\n        count += 1\n        time.sleep(2)\n",
      },
    });
    expect(await d.run("import main\nmain.main()", { forMs: 60_000 })).toEqual({ kind: "time-limit" });
    expect(await d.evaluate("main.count")).toBe(30);
    expect(d.clock.uptimeMs).toBe(60_000);
  });

  it("sets the RTC from NTP, on the ESP8266's 2000 epoch", async () => {
    const d = await boot({ wifi: WIFI, ntp: { unixTime: 1_484_535_480 } });
    await d.run(JOIN_WIFI + "import ntptime\nntptime.settime()");
    // Queried once joined, 1.5 s after boot; the RTC keeps whole seconds.
    expect(await d.evaluate("time.time()")).toBe(1_484_535_480 - 946_684_800 + 1);
    expect(await d.evaluate("time.localtime()[:6]")).toEqual([2017, 1, 16, 2, 58, 1]);
    d.ntp.fail = true;
    const error = await failure(d.run("ntptime.settime()"));
    expect(error.errno).toBe(Errno.ETIMEDOUT);
    expect(d.clock.uptimeMs).toBe(2_500); // the query's timeout passed
  });
});

describe("machine", () => {
  it("deep-sleeps until the RTC alarm and wakes with DEEPSLEEP_RESET, RTC time and memory kept", async () => {
    const d = await boot();
    const outcome = await d.run(`
import machine, time
rtc = machine.RTC()
rtc.memory(b"boot-1")
rtc.irq(trigger=rtc.ALARM0, wake=machine.DEEPSLEEP)
rtc.alarm(rtc.ALARM0, 10_000)
time.sleep_ms(500)
try:
    machine.deepsleep()
except Exception:
    print("a reset cannot be caught")
`);
    expect(outcome).toEqual({ kind: "halted", halt: { reason: "deepsleep", atMs: 500, sleepMs: 9_500 } });
    await expect(d.step()).rejects.toThrow(/halted \(deepsleep/);
    await d.reboot();
    expect(d.resetCause).toBe(ResetCause.DEEPSLEEP_RESET);
    await d.run("import machine, time");
    expect(
      await d.evaluate(
        "[machine.reset_cause() == machine.DEEPSLEEP_RESET, time.ticks_ms(), time.time(), list(machine.RTC().memory())]",
      ),
    ).toEqual([true, 0, 10, [...Buffer.from("boot-1")]]);
    expect(d.output).not.toContain("a reset cannot be caught");
  });

  it("resets the device when the watchdog is not fed in virtual time", async () => {
    const d = await boot();
    await d.run(
      "import machine, time\nwdt = machine.WDT(timeout=2000)\nfor i in range(5):\n    time.sleep_ms(1500)\n    wdt.feed()",
    );
    expect(d.halt).toBeNull();
    expect(d.watchdog).toEqual({ timeoutMs: 2_000, feeds: 5 });
    d.advance(1_999);
    expect(d.halt).toBeNull();
    expect(await d.run("time.sleep_ms(5000)")).toEqual({ kind: "halted", halt: { reason: "watchdog", atMs: 9_500 } });
    await d.reboot();
    await d.run("import machine");
    expect(await d.evaluate("machine.reset_cause()")).toBe(ResetCause.WDT_RESET);
    d.advance(60_000); // no watchdog after the reset until the program starts one
    expect(d.halt).toBeNull();
  });

  it("fires the watchdog when the test lets time pass between steps", async () => {
    const d = await boot();
    await d.run("import machine\nwdt = machine.WDT(timeout=1000)");
    d.advance(1_000);
    expect(d.halt).toEqual({ reason: "watchdog", atMs: 1_000 });
  });

  it("records machine.reset() and reboots with SOFT_RESET", async () => {
    const d = await boot();
    expect(await d.run("import machine\nmachine.reset()")).toMatchObject({ kind: "halted", halt: { reason: "reset" } });
    await d.reboot();
    expect(d.resetCause).toBe(ResetCause.SOFT_RESET);
    expect(d.halts.map((halt) => halt.reason)).toEqual(["reset"]);
  });

  it("models pins, the ADC and the chip's identity", async () => {
    const d = await boot({ sensors: { adc: { raw: 512 } }, uniqueId: Buffer.from("a1b2c3d4", "hex") });
    d.pins.set(0, 1);
    await d.run(
      "import machine\nled = machine.Pin(2, machine.Pin.OUT)\nled.off()\nbutton = machine.Pin(0, machine.Pin.IN, machine.Pin.PULL_UP)\nadc = machine.ADC(0)",
    );
    expect(
      await d.evaluate(
        "[button.value(), adc.read(), adc.read_u16(), machine.ADC(1).read(), machine.unique_id().hex()]",
      ),
    ).toEqual([1, 512, 32767, 3300, "a1b2c3d4"]);
    expect(d.pins.get(2)).toBe(0);
    d.sensors.adc.raw = 2000;
    expect(await d.evaluate("adc.read()")).toBe(1024);
    expect((await failure(d.run("machine.ADC(2)"))).pythonType).toBe("ValueError");
    expect((await failure(d.run("machine.freq(100_000_000)"))).pythonType).toBe("ValueError");
  });

  it("fails I2C transactions nothing acknowledges with ENODEV", async () => {
    const d = await boot({ sensors: { mcp9808: { celsius: 20 } } });
    await d.run(
      "import machine\ni2c = machine.I2C(scl=machine.Pin(5), sda=machine.Pin(4))\nwrong = machine.I2C(scl=machine.Pin(12), sda=machine.Pin(13))",
    );
    expect(await d.evaluate("[i2c.scan(), wrong.scan(), list(i2c.readfrom_mem(0x18, 6, 2))]")).toEqual([
      [0x18],
      [],
      [0x00, 0x54],
    ]);
    expect((await failure(d.run("wrong.readfrom_mem(0x18, 6, 2)"))).errno).toBe(Errno.ENODEV);
    d.sensors.mcp9808!.present = false;
    expect((await failure(d.run("i2c.readfrom_mem(0x18, 6, 2)"))).errno).toBe(Errno.ENODEV);
  });
});

describe("ROMFS partition", () => {
  const image = romfsImage([
    { path: "hello.py", contents: Buffer.from("GREETING = 'hello from flash'\n") },
    { path: "lib/helper.py", contents: Buffer.from("def twice(x):\n    return 2 * x\n") },
  ]);
  const write = (offset: number, bytes: Uint8Array) =>
    `__import__('vfs').rom_ioctl(4, 0, ${offset}, bytes(${JSON.stringify([...bytes])}))`;

  it("has none unless the firmware was built with one", async () => {
    const d = await boot();
    expect(await d.evaluate("hasattr(__import__('vfs'), 'rom_ioctl')")).toBe(false);
    expect(await d.evaluate("__import__('sys').path")).toEqual(["", ".frozen", "/lib"]);
  });

  it("erases and writes it as the ESP8266 port does, and mounts a valid image at /rom on the next boot", async () => {
    const d = await boot({ romfsBytes: 16 * 1024 });
    expect(await d.evaluate("[__import__('vfs').rom_ioctl(1), len(__import__('vfs').rom_ioctl(2, 0))]")).toEqual([
      1, 16384,
    ]);
    // Erasing answers the write unit; flash only clears bits, so writing over data ANDs it.
    await d.run("import vfs");
    expect(await d.evaluate(`vfs.rom_ioctl(3, 0, ${image.length})`)).toBe(4);
    expect(await d.evaluate(write(0, image))).toBe(0);
    expect(await d.evaluate("bytes(vfs.rom_ioctl(2, 0)[0:3]).hex()")).toBe("d2cd31");
    expect(await d.evaluate("vfs.rom_ioctl(4, 0, 2, b'x')")).toBe(-Errno.EIO);
    expect(await d.evaluate(`vfs.rom_ioctl(3, 0, ${16 * 1024 + 1})`)).toBe(-Errno.EINVAL);
    await d.reboot();
    expect(await d.evaluate("__import__('sys').path")).toEqual(["", ".frozen", "/rom", "/rom/lib", "/lib"]);
    await d.run("import os, hello, helper");
    expect(await d.evaluate("[sorted(os.listdir('/rom')), hello.GREETING, helper.twice(21)]")).toEqual([
      ["hello.py", "lib"],
      "hello from flash",
      42,
    ]);
    expect((await failure(d.run("open('/rom/new.txt', 'w')"))).errno).toBe(30);
    // Written over without erasing, the image is damaged and no longer mounts.
    await d.run(write(0, Buffer.from("ab")));
    await d.reboot();
    expect(await d.evaluate("__import__('sys').path")).toEqual(["", ".frozen", "/lib"]);
    expect([...d.romfs!.subarray(0, 4)]).toEqual([0xd2 & 0x61, 0xcd & 0x62, 0x31 & 0, image[3]! & 0]);
  });
});

describe("network", () => {
  it("associates after the connect delay, like the ESP8266 (connect() does not block)", async () => {
    const d = await boot({ wifi: { ...WIFI, connectDelayMs: 2_000, ip: "10.0.0.7" } });
    await d.run("import network\nsta = network.WLAN(network.STA_IF)\nsta.active(True)\nsta.connect('lab', 'secret')");
    expect(await d.evaluate("[sta.status(), sta.isconnected(), sta.ifconfig()[0]]")).toEqual([
      WifiStatus.CONNECTING,
      false,
      "0.0.0.0",
    ]);
    d.advance(2_000);
    expect(await d.evaluate("[sta.status() == network.STAT_GOT_IP, sta.isconnected(), sta.ifconfig()]")).toEqual([
      true,
      true,
      ["10.0.0.7", "255.255.255.0", "10.0.0.1", "10.0.0.1"],
    ]);
  });

  it("fails the first connects, rejects a wrong password and drops the link on demand", async () => {
    const d = await boot({ wifi: { ...WIFI, failFirstConnects: 2 } });
    await d.run(
      "import network, time\nsta = network.WLAN(network.STA_IF)\nsta.active(True)\nstatuses = []\nfor i in range(3):\n    sta.connect('lab', 'secret')\n    time.sleep(2)\n    statuses.append(sta.status())",
    );
    expect(await d.evaluate("statuses")).toEqual([WifiStatus.CONNECT_FAIL, WifiStatus.CONNECT_FAIL, WifiStatus.GOT_IP]);
    d.wifi.dropLink();
    expect(await d.evaluate("[sta.isconnected(), sta.status()]")).toEqual([false, WifiStatus.IDLE]);
    await d.run("sta.connect('lab', 'wrong')\ntime.sleep(2)");
    expect(await d.evaluate("sta.status()")).toBe(WifiStatus.WRONG_PASSWORD);
    await d.run("sta.connect('elsewhere', 'secret')\ntime.sleep(2)");
    expect(await d.evaluate("sta.status()")).toBe(WifiStatus.NO_AP_FOUND);
    expect(d.wifi.connectAttempts).toBe(5);
  });

  it("drops the link at a scheduled uptime", async () => {
    const d = await boot({ wifi: { ...WIFI, dropLinkAtMs: 30_000 } });
    await d.run(JOIN_WIFI + "time.sleep(28)\nup_before = sta.isconnected()\ntime.sleep(2)");
    expect(await d.evaluate("[up_before, sta.isconnected()]")).toEqual([true, false]);
  });
});

describe("umqtt.simple stand-in, recording", () => {
  const CONNECT = `
from umqtt.simple import MQTTClient
received = []
client = MQTTClient("esp8266", "192.168.1.10", keepalive=60)
client.set_callback(lambda topic, msg: received.append([topic, msg]))
client.set_last_will("status/esp8266", "offline", retain=True, qos=1)
client.connect()
`;

  it("records publishes with their options and the session's parameters", async () => {
    const seen: string[] = [];
    const d = await boot({ wifi: WIFI, mqtt: { onPublish: (message) => seen.push(message.topic) } });
    d.advance(700); // then 1500 ms to associate
    await d.run(
      JOIN_WIFI +
        CONNECT +
        "client.publish('sensor-data', '[\"lux-1\", 611, 284.1312]')\nclient.publish(b'raw', b'\\xff\\x00', retain=True, qos=1)",
    );
    const [text, binary] = d.mqtt.published;
    expect(text).toMatchObject({
      clientId: "esp8266",
      topic: "sensor-data",
      text: '["lux-1", 611, 284.1312]',
      qos: 0,
      retain: false,
      atMs: 2_200,
    });
    expect(binary).toMatchObject({ topic: "raw", payload: Buffer.from([0xff, 0x00]), qos: 1, retain: true });
    expect(seen).toEqual(["sensor-data", "raw"]);
    expect(d.mqtt.sessions[0]).toMatchObject({
      server: "192.168.1.10",
      port: 1883,
      keepaliveS: 60,
      cleanSession: true,
      state: "open",
    });
    expect(d.mqtt.sessions[0]!.will).toEqual({
      topic: "status/esp8266",
      payload: Buffer.from("offline"),
      qos: 1,
      retain: true,
    });
  });

  it("hands delivered messages to the callback on check_msg()", async () => {
    const d = await boot({ wifi: WIFI });
    await d.run(JOIN_WIFI + CONNECT + "client.subscribe('cmd/+/set')");
    expect(d.mqtt.deliver("cmd/led/set", "on")).toBe(1);
    expect(d.mqtt.deliver("other", "ignored")).toBe(0);
    d.mqtt.deliver("cmd/fan/set", Buffer.from([0x80]));
    await d.run("client.check_msg()\nclient.check_msg()\nclient.check_msg()");
    expect(await d.evaluate("[[t.decode(), list(m)] for t, m in received]")).toEqual([
      ["cmd/led/set", [...Buffer.from("on")]],
      ["cmd/fan/set", [0x80]],
    ]);
    expect((await failure(d.run("client.wait_msg()"))).errno).toBe(Errno.ETIMEDOUT);
  });

  it("fails like umqtt.simple: no socket before connect, no QoS 2, refused credentials", async () => {
    const d = await boot({ wifi: WIFI, mqtt: { credentials: { user: "device", password: "pw" } } });
    await d.run(
      JOIN_WIFI +
        "from umqtt.simple import MQTTClient, MQTTException\nc = MQTTClient('x', 'broker', user='device', password='nope')",
    );
    expect((await failure(d.run("c.publish('t', 'm')"))).pythonType).toBe("AttributeError");
    expect((await failure(d.run("c.connect()"))).traceback).toMatch(/MQTTException: 4/);
    await d.run("c = MQTTClient('x', 'broker', user='device', password='pw')\nc.connect()");
    expect((await failure(d.run("c.publish('t', 'm', qos=2)"))).pythonType).toBe("AssertionError");
    await d.run("c.disconnect()");
    expect(d.mqtt.sessions.at(-1)!.state).toBe("closed");
    expect((await failure(d.run("c.publish('t', 'm')"))).errno).toBe(Errno.EBADF);
  });

  it("injects broker and network faults as OSError", async () => {
    const d = await boot({ wifi: WIFI });
    await d.run("from umqtt.simple import MQTTClient\nclient = MQTTClient('esp8266', 'broker', keepalive=10)");
    expect((await failure(d.run("client.connect()"))).errno).toBe(Errno.EHOSTUNREACH); // no Wi-Fi yet
    await d.run(JOIN_WIFI);
    d.mqtt.brokerDown = true;
    expect((await failure(d.run("client.connect()"))).errno).toBe(Errno.ECONNREFUSED);
    d.mqtt.brokerDown = false;
    await d.run("client.connect()\nclient.publish('t', '1')");

    d.mqtt.dropConnections();
    expect((await failure(d.run("client.publish('t', '2')"))).errno).toBe(Errno.ECONNRESET);
    await d.run("client.connect()\nclient.publish('t', '3')");

    d.wifi.dropLink();
    expect((await failure(d.run("client.publish('t', '4')"))).errno).toBe(Errno.ECONNRESET);
    await d.run(JOIN_WIFI + "client.connect()");

    d.advance(15_001); // more than 1.5 × keepalive without a packet
    expect((await failure(d.run("client.ping()"))).errno).toBe(Errno.ECONNRESET);
    expect(d.mqtt.sessions.map((session) => session.lostReason)).toEqual([
      "connection lost",
      "Wi-Fi link dropped",
      "keepalive expired",
    ]);
    expect(d.mqtt.published.map((message) => message.text)).toEqual(["1", "3"]);
  });
});

describe("umqtt.simple stand-in, forwarding to a real broker", () => {
  let broker: Aedes;
  let server: Server;
  let url: string;
  let host: MqttClient;

  beforeAll(async () => {
    broker = await Aedes.createBroker();
    server = createServer(broker.handle);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
    host = await connectAsync(url, { clientId: "host" });
  });

  afterAll(async () => {
    await host.endAsync();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("carries publishes both ways and makes the broker send the will when the device dies", async () => {
    await host.subscribeAsync(["sensor-data", "status/#"]);
    const d = await boot({ wifi: WIFI, mqtt: { forwardTo: url } });
    await d.run(
      JOIN_WIFI +
        `
from umqtt.simple import MQTTClient
inbox = []
client = MQTTClient("esp8266", "192.168.1.10")
client.set_callback(lambda topic, msg: inbox.append(msg.decode()))
client.set_last_will("status/esp8266", "offline")
client.connect()
client.subscribe("cmd")
`,
    );
    const delivered = nextMessage(host);
    await d.run('client.publish("sensor-data", \'["lux-1", 611, 284.1312]\')');
    const [topic, payload] = await delivered;
    expect([topic, payload.toString()]).toEqual(["sensor-data", '["lux-1", 611, 284.1312]']);

    await host.publishAsync("cmd", "blink");
    while ((await d.evaluate("client.check_msg() or len(inbox)")) === 0)
      await new Promise((resolve) => setImmediate(resolve));
    expect(await d.evaluate("inbox")).toEqual(["blink"]);

    const will = nextMessage(host);
    await d.run("import machine\nmachine.deepsleep(1000)");
    const [willTopic, willPayload] = await will;
    expect([willTopic, willPayload.toString()]).toEqual(["status/esp8266", "offline"]);
    expect(d.mqtt.errors).toEqual([]);
  });

  it("surfaces a connection the broker refuses on the program's next call", async () => {
    const d = await boot({ wifi: WIFI, mqtt: { forwardTo: "mqtt://127.0.0.1:1" } });
    await d.run(
      JOIN_WIFI + "from umqtt.simple import MQTTClient\nclient = MQTTClient('esp8266', 'broker')\nclient.connect()",
    );
    expect((await failure(d.run("client.publish('t', 'x')"))).errno).toBe(Errno.ECONNRESET);
    expect(d.mqtt.errors.length).toBeGreaterThan(0);
  });
});

describe("heap measurement", () => {
  it("needs a call boundary: gc.collect() cannot reclaim during the call that asks for it", async () => {
    const d = await boot();
    await d.run(
      "import gc\ngarbage = [bytearray(100) for i in range(100)]\ndel garbage\ngc.collect()\nin_call = gc.mem_alloc()",
    );
    const between = d.heap().alloc;
    expect(await d.evaluate("in_call")).toBeGreaterThan(between + 10_000);
  });

  it("is stable across 1000 no-op steps", async () => {
    const d = await boot({
      files: { "main.py": "import time\ndef setup():\n    pass\ndef step():\n    time.sleep_ms(10)\n" },
    });
    await d.setup();
    await d.step();
    const before = d.heap();
    for (let i = 0; i < 1000; i++) await d.step();
    const after = d.heap();
    expect(after).toEqual(before);
    expect(before.used).toBeGreaterThan(0);
    expect(before.free).toBe(d.heapBudget - before.used);
  });

  it("gives the program the 30 KB an ESP8266 leaves it, whatever the harness's own modules take", async () => {
    const d = await boot();
    expect(d.heapBudget).toBe(ESP8266_PROGRAM_HEAP_BYTES);
    await d.run("fits = bytearray(28 * 1024)");
    await d.run("del fits");
    const error = await failure(d.run("too_big = [bytearray(1024) for i in range(31)]"));
    expect(error.pythonType).toBe("MemoryError");
    expect(error.message).toMatch(/the program holds \d+ bytes, more than the 30720 an ESP8266 leaves it/);
  });

  it("counts only what the program holds, not the harness's modules", async () => {
    const d = await boot();
    const empty = d.heap().used;
    await d.run("keep = bytearray(4000)");
    expect(d.heap().used - empty).toBeGreaterThanOrEqual(4000);
  });
});

describe("I2cBus", () => {
  it("addresses only targets on its own pins", () => {
    const target: I2cTarget = {
      address: 0x10,
      present: true,
      write: () => {},
      read: (count) => Array<number>(count).fill(7),
    };
    const bus = new I2cBus({ scl: 5, sda: 4 }, [target]);
    expect(bus.readRegisters(5, 4, 0x10, 0, 2)).toEqual([7, 7]);
    expect(bus.readRegisters(4, 5, 0x10, 0, 2)).toBe(Errno.ENODEV);
    expect(bus.writeRegisters(5, 4, 0x11, 0, [1])).toBe(Errno.ENODEV);
  });
});
