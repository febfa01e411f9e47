from umqtt.simple import MQTTClient
_mqtt = None
_mqtt_next = None
_mqtt_wait = 1000
_mqtt_seen = 0
_queue = []
# Messages pushed out of the full queue since the broker was last reachable: said once it is back.
_dropped = 0
def mqtt_client():
    global _mqtt, _mqtt_next, _mqtt_wait, _mqtt_seen
    if _mqtt is not None:
        return _mqtt
    t = time.ticks_ms()
    if _mqtt_next is not None and time.ticks_diff(t, _mqtt_next) < 0 or not wifi_up():
        return None
    try:
        c = MQTTClient(FLOWC_CLIENT_ARGUMENTS)
        FLOWC_CONNECT
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
    global _dropped
    _queue.append((_b(topic), _b(msg), retain, qos))
    if len(_queue) > FLOWC_QUEUE_LENGTH:
        _queue.pop(0)
        _dropped += 1
    flush()

def flush():
    global _mqtt_seen, _dropped
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
    if _dropped:
        print("flowc: mqtt dropped while offline:", _dropped)
        _dropped = 0
