# Stands in for `time` and `utime` on the ESP8266. Every clock reads the harness's virtual clock
# and sleeping advances it instead of blocking, so a test runs hours of device time in
# milliseconds. Like the ESP8266 port, the epoch is 2000-01-01 and there is no time zone.

from sim_support import bridge, after_time_passed
import time as _host_time  # the wasm build's own module, used only for calendar arithmetic

_UNIX_AT_2000 = 946684800  # seconds from the Unix epoch to the ESP8266 epoch

# The wrap point of ticks_ms()/ticks_us(); 2**30 on a real ESP8266, smaller in wrap tests.
_PERIOD = bridge.ticks_period()
_HALF_PERIOD = _PERIOD // 2
_MASK = _PERIOD - 1


def ticks_ms():
    return bridge.ticks_ms()


def ticks_us():
    return bridge.ticks_us()


def ticks_cpu():
    # The ESP8266 counts CPU cycles here; microseconds keep it monotonic and wrap-consistent.
    return bridge.ticks_us()


def ticks_add(ticks, delta):
    return (ticks + delta) & _MASK


def ticks_diff(ticks1, ticks2):
    return ((ticks1 - ticks2 + _HALF_PERIOD) & _MASK) - _HALF_PERIOD


def sleep_ms(ms):
    if ms > 0:  # MicroPython ignores negative delays
        after_time_passed(bridge.sleep_ms(ms))
        _run_timers()


def sleep_us(us):
    if us > 0:
        after_time_passed(bridge.sleep_ms(us / 1000))
        _run_timers()


def sleep(seconds):
    if seconds > 0:
        after_time_passed(bridge.sleep_ms(seconds * 1000))
        _run_timers()


# machine.Timer(-1) instances that are armed. Their callbacks run like scheduled callbacks do on
# the board, but only when the program sleeps: periods that pass during one sleep (or between
# steps) collapse into one call.
_timers = []


def _run_timers():
    now = ticks_ms()
    i = len(_timers)
    while i > 0:
        i -= 1
        if i >= len(_timers):
            continue
        timer = _timers[i]
        if ticks_diff(now, timer._due) < 0:
            continue
        if timer._period_ms > 0 and timer._periodic:
            timer._due = ticks_add(now, timer._period_ms)
        else:
            _timers.pop(i)
        try:
            timer._callback(timer)
        except Exception as x:
            print("Uncaught exception in callback:", repr(x))


def time():
    return int(bridge.rtc_seconds())


def time_ns():
    return int(bridge.rtc_seconds() * 1000) * 1000000


def gmtime(secs=None):
    if secs is None:
        secs = time()
    return _host_time.gmtime(secs + _UNIX_AT_2000)


localtime = gmtime


def mktime(parts):
    return _host_time.mktime(parts) - _UNIX_AT_2000
