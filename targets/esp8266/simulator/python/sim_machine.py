# Stands in for the ESP8266 `machine` module. Hardware state (pins, I2C targets, ADC input,
# watchdog, reset cause, RTC time and memory) lives in the TypeScript harness so tests can set
# and inspect it; this module only adapts the MicroPython API to the bridge and raises what the
# real module raises.

from micropython import const
from sim_support import bridge, DeviceHalt, after_time_passed, to_hex, from_hex
from sim_time import ticks_ms, ticks_add, ticks_diff, gmtime, mktime, _timers

PWRON_RESET = const(0)
WDT_RESET = const(1)
SOFT_RESET = const(4)
DEEPSLEEP_RESET = const(5)
HARD_RESET = const(6)

IDLE = const(1)
SLEEP = const(2)
DEEPSLEEP = const(4)

_FREQUENCIES = (80000000, 160000000)
_freq = 80000000


def reset_cause():
    return bridge.reset_cause()


def unique_id():
    return from_hex(bridge.unique_id())


def freq(hz=None):
    global _freq
    if hz is None:
        return _freq
    if hz not in _FREQUENCIES:
        raise ValueError("frequency can only be either 80Mhz or 160MHz")
    _freq = hz


def idle():
    pass


def disable_irq():
    return 0


def enable_irq(state=0):
    pass


def reset():
    bridge.halt("reset", -1)
    raise DeviceHalt()


def soft_reset():
    reset()


def deepsleep(time_ms=None):
    # With no duration the ESP8266 sleeps until the RTC alarm, if one is armed to wake it,
    # otherwise until an external reset (recorded as a sleep of -1 ms).
    if time_ms is None or time_ms <= 0:
        time_ms = _rtc_alarm_left() if _rtc_wakes_from_deepsleep else -1
    bridge.halt("deepsleep", time_ms)
    raise DeviceHalt()


def lightsleep(time_ms=None):
    if time_ms is not None and time_ms > 0:
        after_time_passed(bridge.sleep_ms(time_ms))


class Pin:
    IN = const(0)
    OUT = const(1)
    OPEN_DRAIN = const(2)
    PULL_UP = const(1)
    IRQ_RISING = const(1)
    IRQ_FALLING = const(2)

    def __init__(self, id, mode=-1, pull=-1, value=None):
        if not (0 <= id <= 5 or 12 <= id <= 16):
            raise ValueError("invalid pin")
        self.id = id
        self._mode = Pin.IN
        self.init(mode, pull, value)

    def init(self, mode=-1, pull=-1, value=None):
        if mode != -1:
            self._mode = mode
        if value is not None:
            self.value(value)

    def value(self, level=None):
        if level is None:
            return bridge.pin_read(self.id)
        bridge.pin_write(self.id, 1 if level else 0)

    def __call__(self, level=None):
        return self.value(level)

    def on(self):
        bridge.pin_write(self.id, 1)

    def off(self):
        bridge.pin_write(self.id, 0)

    def __repr__(self):
        return "Pin(%d)" % self.id


def _pin_id(pin):
    return pin.id if isinstance(pin, Pin) else pin


class SoftI2C:
    # Bit-banged I2C, as on the ESP8266. A target that does not acknowledge its address raises
    # OSError(ENODEV), like the real port.

    def __init__(self, scl, sda, *, freq=400000, timeout=50000):
        self._scl = _pin_id(scl)
        self._sda = _pin_id(sda)

    def scan(self):
        found = bridge.i2c_scan(self._scl, self._sda)
        return [found[i] for i in range(found.length)]

    def _read_into(self, addr, memaddr, buf):
        data = bridge.i2c_read(self._scl, self._sda, addr, memaddr, len(buf))
        if isinstance(data, int):
            raise OSError(data)
        buf[:] = from_hex(data)

    def _write(self, addr, memaddr, buf):
        status = bridge.i2c_write(self._scl, self._sda, addr, memaddr, to_hex(buf))
        if status:
            raise OSError(status)

    def readfrom_mem_into(self, addr, memaddr, buf, *, addrsize=8):
        self._read_into(addr, memaddr, buf)

    def readfrom_mem(self, addr, memaddr, nbytes, *, addrsize=8):
        buf = bytearray(nbytes)
        self._read_into(addr, memaddr, buf)
        return bytes(buf)

    def writeto_mem(self, addr, memaddr, buf, *, addrsize=8):
        self._write(addr, memaddr, buf)

    def readfrom_into(self, addr, buf, stop=True):
        self._read_into(addr, -1, buf)

    def readfrom(self, addr, nbytes, stop=True):
        buf = bytearray(nbytes)
        self._read_into(addr, -1, buf)
        return bytes(buf)

    def writeto(self, addr, buf, stop=True):
        self._write(addr, -1, buf)
        return len(buf)


class I2C(SoftI2C):
    # The ESP8266 has no I2C peripheral: machine.I2C is the software implementation, id -1.
    def __init__(self, id=-1, *, scl, sda, freq=400000, timeout=50000):
        if id != -1:
            raise ValueError("invalid I2C peripheral")
        super().__init__(scl, sda, freq=freq, timeout=timeout)


class ADC:
    # ADC(0) is the TOUT pin, read() gives 0..1024; ADC(1) reads the supply voltage in mV.

    def __init__(self, id):
        if id not in (0, 1):
            raise ValueError("invalid Pin for ADC")
        self._id = id

    def read(self):
        return bridge.adc_read(self._id)

    def read_u16(self):
        return bridge.adc_read(self._id) * 65535 // 1024


class WDT:
    # The hardware watchdog: reboots the device unless fed at least every `timeout` ms of
    # virtual time. (The real ESP8266 port fixes the timeout; honouring it keeps tests short.)

    def __init__(self, id=0, timeout=5000):
        bridge.wdt_start(timeout)

    def feed(self):
        bridge.wdt_feed()


class Timer:
    # The ESP8266's virtual timers (id -1). Callbacks run when the program sleeps (see
    # sim_time._run_timers), which is when a scheduled callback would get its turn on the board.
    ONE_SHOT = const(0)
    PERIODIC = const(1)

    def __init__(self, id=-1, **kwargs):
        if id != -1:
            raise ValueError("only virtual timers (id -1) are simulated")
        if kwargs:
            self.init(**kwargs)

    def init(self, *, mode=PERIODIC, period=-1, callback=None, freq=-1):
        self.deinit()
        if freq > 0:
            period = 1000 // freq
        self._periodic = mode == Timer.PERIODIC
        self._period_ms = period
        self._callback = callback
        self._due = ticks_add(ticks_ms(), max(period, 0))
        if callback is not None:
            _timers.append(self)

    def deinit(self):
        if self in _timers:
            _timers.remove(self)


_RTC_MEMORY_SIZE = const(492)
_rtc_wakes_from_deepsleep = False
_rtc_alarm_at = 0  # ticks_ms() at which ALARM0 fires


def _rtc_alarm_left():
    return max(0, ticks_diff(_rtc_alarm_at, ticks_ms()))


class RTC:
    ALARM0 = const(0)

    def datetime(self, datetimetuple=None):
        if datetimetuple is None:
            t = gmtime()
            return (t[0], t[1], t[2], t[6], t[3], t[4], t[5], 0)
        year, month, day, _, hours, minutes, seconds = datetimetuple[:7]
        bridge.rtc_set(mktime((year, month, day, hours, minutes, seconds, 0, 0)))

    def memory(self, data=None):
        if data is None:
            return from_hex(bridge.rtc_memory_read())
        if len(data) > _RTC_MEMORY_SIZE:
            raise ValueError("buffer too long")
        bridge.rtc_memory_write(to_hex(data))

    def irq(self, *, trigger=0, wake=IDLE, handler=None):
        global _rtc_wakes_from_deepsleep
        _rtc_wakes_from_deepsleep = bool(wake & DEEPSLEEP)

    def alarm(self, alarm_id, time_ms):
        global _rtc_alarm_at
        _rtc_alarm_at = ticks_add(ticks_ms(), time_ms)

    def alarm_left(self, alarm_id=0):
        return _rtc_alarm_left()
