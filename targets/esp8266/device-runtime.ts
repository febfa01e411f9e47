/**
 * The parts of main.py that are not a component's: WiFi, the MQTT connection with reconnect and
 * backoff, the scheduler, fault reporting, and the clock. Each is emitted only when the flow needs
 * it, so a flow without MQTT ships no MQTT code. They are written for MicroPython on an ESP8266:
 * no exception escapes to kill the node, time is compared with `ticks_diff` (safe across the
 * `ticks_ms` wrap), and nothing allocates per cycle beyond the events themselves.
 */

/** Reports a fault once per distinct message, so a dead sensor does not flood the console. */
export const faultRuntime = `_faults = {}
def fault(where, x):
    m = str(x)
    if _faults.get(where) != m:
        _faults[where] = m
        print("flowc:", where, "failed:", m)

def recovered(where):
    if where in _faults:
        del _faults[where]
        print("flowc:", where, "ok again")`;

/**
 * `now()`: seconds since the firmware's epoch (2000 on the ESP8266, so about the uptime) until NTP
 * sets the clock, then unix seconds. The sync is retried every minute until it works, then
 * hourly, because the ESP8266's RTC drifts by seconds an hour.
 */
export function clockRuntime(ntpHost: string | undefined): string {
  if (ntpHost === undefined) return "def now():\n    return time.time()";
  return `_epoch = 0
_ntp_next = None
def now():
    return time.time() + _epoch

def sync_clock():
    global _epoch, _ntp_next
    t = time.ticks_ms()
    if _ntp_next is not None and time.ticks_diff(t, _ntp_next) < 0 or not wifi_up():
        return
    try:
        import ntptime
        ntptime.host = ${ntpHost}
        ntptime.settime()
        _epoch = 946684800 if time.gmtime(0)[0] == 2000 else 0
        _ntp_next = time.ticks_add(t, 3600000)
        recovered("ntp")
    except Exception as x:
        fault("ntp", x)
        _ntp_next = time.ticks_add(t, 60000)`;
}

/**
 * WiFi in station mode with the access point off, as the tutorial sets it up; reconnects when
 * lost, at most every 10 s, and says why a connection failed. Without credentials the station
 * joins the network the board saved last (the ESP8266 keeps it in flash).
 *
 * Deadlines such as `_wifi_next` are None while nothing waits: a tick count kept for longer than
 * half the `ticks_ms` period (6 days) would compare as in the future. `_wifi_next` is None only
 * while the link is up, so finding it None with the station down means the link was lost.
 */
export function wifiRuntime(credentials: { ssid: string; password: string } | undefined, setupWaitMs: number): string {
  return `import network
_sta = network.WLAN(network.STA_IF)
_wifi_next = None
def wifi_up(wait_ms=0):
    global _wifi_next
    if _sta.isconnected():
        if _wifi_next is not None:
            _wifi_next = None
            recovered("wifi")
        return True
    t = time.ticks_ms()
    if _wifi_next is None:
        fault("wifi", "link lost")
    if _wifi_next is None or time.ticks_diff(t, _wifi_next) >= 0:
        s = _sta.status()
        if 2 <= s <= 4:
            fault("wifi", ("wrong password", "no access point", "connection failed")[s - 2])
        _wifi_next = time.ticks_add(t, 10000)
        try:
            _sta.active(True)
            _sta.connect(${credentials ? `${credentials.ssid}, ${credentials.password}` : ""})
        except Exception as x:
            fault("wifi", x)
    while wait_ms > 0 and not _sta.isconnected():
        time.sleep_ms(100)
        wait_ms -= 100
    return _sta.isconnected()

def wifi_setup():
    global _wifi_next
    # Not None: the first call connects, and is not reported as a link lost.
    _wifi_next = time.ticks_ms()
    try:
        network.WLAN(network.AP_IF).active(False)
    except Exception as x:
        fault("wifi", x)
    if wifi_up(${setupWaitMs}):
        print("flowc: wifi connected", _sta.ifconfig()[0])
    else:
        print("flowc: wifi not connected yet; sampling goes on and publishing waits")`;
}

/**
 * Python giving `code` as bytes, for umqtt.simple: a bytes literal or None as it is, anything else
 * (a read of config.py, a str literal) through the runtime's `_b`.
 */
function asBytes(code: string): string {
  return code === "None" || code.startsWith('b"') ? code : `_b(${code})`;
}

export interface MqttRuntimeOptions {
  /** Python expressions for MQTTClient's arguments; text may be str or bytes. */
  readonly clientId: string;
  readonly host: string;
  readonly port: string;
  readonly user: string;
  readonly password: string;
  readonly keepaliveSeconds: number;
  readonly ssl: boolean;
  readonly will?: { topic: string; message: string; retain: boolean; qos: number };
  /** Topic filters to subscribe to (as str or bytes), with their QoS; an empty list means publish only. */
  readonly subscriptions: readonly { filter: string; qos: number }[];
  /** Messages kept while the broker is unreachable, oldest dropped first. */
  readonly queueLength: number;
  /** `clean false`: ask the broker to keep the session (and QoS 1 messages) across reconnects. */
  readonly persistentSession: boolean;
}

/**
 * The MQTT connection through the firmware's `umqtt.simple`: connects lazily, backs off from 1 s
 * to 60 s between attempts, resubscribes after a reconnect, and keeps the last few messages while
 * the broker is unreachable so a short outage loses nothing. Every string it hands umqtt.simple
 * is bytes: the client sizes packets with `len()`, which is wrong for a `str` holding non-ASCII.
 */
export function mqttRuntime(options: MqttRuntimeOptions): string {
  const subscribe = options.subscriptions.map((s) => `        c.subscribe(${asBytes(s.filter)}, ${s.qos})`);
  const will = options.will
    ? [
        `        c.set_last_will(${asBytes(options.will.topic)}, ${asBytes(options.will.message)}, ${options.will.retain ? "True" : "False"}, ${options.will.qos})`,
      ]
    : [];
  return `from umqtt.simple import MQTTClient
_mqtt = None
_mqtt_next = None
_mqtt_wait = 1000
_mqtt_seen = 0
_queue = []
def mqtt_client():
    global _mqtt, _mqtt_next, _mqtt_wait, _mqtt_seen
    if _mqtt is not None:
        return _mqtt
    t = time.ticks_ms()
    if _mqtt_next is not None and time.ticks_diff(t, _mqtt_next) < 0 or not wifi_up():
        return None
    try:
        c = MQTTClient(${asBytes(options.clientId)}, ${options.host}, ${options.port}, ${asBytes(options.user)}, ${asBytes(options.password)}, ${options.keepaliveSeconds}, ${options.ssl ? "True" : "False"})
${[...will, ...(options.subscriptions.length > 0 ? ["        c.set_callback(on_message)"] : []), `        c.connect(${options.persistentSession ? "False" : ""})`, ...subscribe].join("\n")}
        _mqtt = c
        _mqtt_seen = t
        _mqtt_next = None
        _mqtt_wait = 1000
        # "connected" is the recovery message; forgetting the fault lets the next one print.
        _faults.pop("mqtt", None)
        print("flowc: mqtt connected")
    except Exception as x:
        fault("mqtt", x)
        _mqtt_next = time.ticks_add(t, _mqtt_wait)
        _mqtt_wait = min(_mqtt_wait * 2, 60000)
    return _mqtt

def mqtt_lost(x):
    global _mqtt
    fault("mqtt", x)
    try:
        _mqtt.sock.close()
    except Exception:
        pass
    _mqtt = None

# umqtt.simple writes lengths from len(), which counts characters of a str but bytes of UTF-8.
def _b(s):
    return s.encode() if type(s) is str else s

def publish(topic, msg, retain, qos):
    _queue.append((_b(topic), _b(msg), retain, qos))
    if len(_queue) > ${options.queueLength}:
        _queue.pop(0)
    flush()

def flush():
    global _mqtt_seen
    while _queue:
        c = mqtt_client()
        if c is None:
            return
        m = _queue[0]
        try:
            c.publish(m[0], m[1], m[2], m[3])
        except Exception as x:
            mqtt_lost(x)
            return
        _queue.pop(0)
        _mqtt_seen = time.ticks_ms()

# Keeps the connection alive within the keepalive, and reads subscribed messages.
def mqtt_poll():
    global _mqtt_seen
    c = mqtt_client()
    if c is None:
        return
    try:
${options.subscriptions.length > 0 ? "        for _ in range(8):\n            c.check_msg()\n" : ""}        if time.ticks_diff(time.ticks_ms(), _mqtt_seen) > ${options.keepaliveSeconds * 500}:
            c.ping()
            _mqtt_seen = time.ticks_ms()
    except Exception as x:
        mqtt_lost(x)`;
}

/** Matches an MQTT topic against a filter with `+` and `#`, as the broker does. */
export const topicMatchRuntime = `def topic_matches(f, t):
    f = f.split("/")
    t = t.split("/")
    for i in range(len(f)):
        if f[i] == "#":
            return True
        if i >= len(t) or (f[i] != "+" and f[i] != t[i]):
            return False
    return len(f) == len(t)`;

/**
 * ThingFlow's scheduler: every task keeps its own due time, advanced by whole periods from one
 * start, so tasks whose periods divide each other wake up together and nothing drifts. A task
 * that fell more than a period behind (the board was busy) skips the missed runs.
 */
export const schedulerRuntime = `_tasks = []
def every(ms, fn, first=0):
    _tasks.append([ms, time.ticks_add(time.ticks_ms(), first), fn])

def run_due():
    t = time.ticks_ms()
    wait = 60000
    for task in _tasks:
        if time.ticks_diff(t, task[1]) >= 0:
            task[1] = time.ticks_add(task[1], task[0])
            if time.ticks_diff(t, task[1]) >= 0:
                task[1] = time.ticks_add(t, task[0])
            try:
                task[2]()
            except Exception as x:
                fault("task", x)
        wait = min(wait, time.ticks_diff(task[1], time.ticks_ms()))
    return max(wait, 0)`;

/**
 * The watchdog: a virtual timer checks every second that the flow is still cycling and resets the
 * board when `step()` has not run for `timeoutMs` past the time it asked to be called again. The
 * ESP8266's hardware watchdog cannot do this itself: its timeout is fixed at a few seconds (the
 * port raises ValueError for any other), and it is not fed while umqtt.simple blocks in a
 * connect, so using it would reboot the board in a loop whenever the broker's host is down.
 */
export function watchdogRuntime(timeoutMs: number): string {
  return `_alive = time.ticks_ms()
_watch_timer = None
def watch(timer):
    if time.ticks_diff(time.ticks_ms(), _alive) > ${timeoutMs}:
        print("flowc: no progress for ${Math.round(timeoutMs / 1000)} s; resetting")
        machine.reset()

def watch_start():
    global _watch_timer
    _watch_timer = machine.Timer(-1)
    _watch_timer.init(period=1000, mode=machine.Timer.PERIODIC, callback=watch)`;
}
