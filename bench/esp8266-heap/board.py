# Stand-ins for the ESP8266 modules the tutorial client imports (machine, network, time and
# umqtt.simple), so that bench/esp8266-heap.ts can run it on MicroPython's unix port, whose garbage
# collector runs inside calls as a board's does. They do the least that lets a program run: on a
# board these modules are C or frozen bytecode, and what they would allocate is the same for every
# program measured. Imported before the heap is measured; import consults sys.modules before the
# built-in modules, which is how they replace the unix port's own `time`.
import sys


class Namespace:
    pass


def register_module(name, **members):
    namespace = Namespace()
    for member in members:
        setattr(namespace, member, members[member])
    sys.modules[name] = namespace
    return namespace


# time: a virtual clock that only the trial moves (and sleeping, which is time passing). Ticks wrap
# at 2**30 ms as on the board; every int here stays small (no allocation, as in the board's C) while
# the clock is under 2**29 ms, six days, and a trial lasts 5,000 s.
_TICKS_MASK = 0x3FFFFFFF
_TICKS_HALF = 0x20000000
_EPOCH_SECONDS = 788918400  # 2025 in seconds since 2000, the ESP8266's epoch: a small int there too
_now_ms = [0]


def advance(ms):
    _now_ms[0] += ms


def ticks_ms():
    return _now_ms[0] & _TICKS_MASK


def ticks_add(ticks, delta):
    return (ticks + delta) & _TICKS_MASK


def ticks_diff(end, start):
    return ((end - start + _TICKS_HALF) & _TICKS_MASK) - _TICKS_HALF


def time():
    return _EPOCH_SECONDS + _now_ms[0] // 1000


register_module("time", ticks_ms=ticks_ms, ticks_add=ticks_add, ticks_diff=ticks_diff, sleep_ms=advance, time=time)


# machine: a TSL2591 on the I2C bus, answering its ID, "valid" status and fixed channel counts.
class Pin:
    def __init__(self, pin_id):
        self.pin_id = pin_id


class I2C:
    def __init__(self, scl=None, sda=None, freq=None):
        pass

    def readfrom_mem_into(self, address, register, buf):
        register &= 0x1F  # without the TSL2591's command bit
        if register == 0x12:  # ID
            buf[0] = 0x50
        elif register == 0x13:  # status: a reading is valid
            buf[0] = 0x01
        else:  # channels 0 and 1, little-endian: 10000 and 784 counts
            buf[0] = 0x10
            buf[1] = 0x27
            buf[2] = 0x10
            buf[3] = 0x03

    def writeto_mem(self, address, register, data):
        pass


register_module("machine", Pin=Pin, I2C=I2C, unique_id=lambda: b"\x5c\xcf\x7f\x01\x02\x03")


# network: a station interface that is always connected.
class WLAN:
    def __init__(self, interface):
        pass

    def active(self, state=None):
        return True

    def connect(self, ssid=None, password=None):
        pass

    def isconnected(self):
        return True

    def status(self):
        return 5  # STAT_GOT_IP

    def ifconfig(self):
        return ("192.168.1.20", "255.255.255.0", "192.168.1.1", "192.168.1.1")


register_module("network", STA_IF=0, AP_IF=1, WLAN=WLAN)


# umqtt.simple: a client that counts what it publishes, the figure a trial checks.
published = [0]


class MQTTClient:
    def __init__(self, client_id, server, port=0, user=None, password=None, keepalive=0, ssl=False):
        self.sock = None

    def connect(self, clean_session=True):
        return False

    def publish(self, topic, msg, retain=False, qos=0):
        published[0] += 1

    def ping(self):
        pass

    def disconnect(self):
        pass


register_module("umqtt", simple=register_module("umqtt.simple", MQTTClient=MQTTClient))
