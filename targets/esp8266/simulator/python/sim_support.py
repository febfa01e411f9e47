# Plumbing shared by the simulated device modules (sim_*.py).
#
# `_harness` is the JS object the TypeScript harness registers (see bridge.ts). Its functions
# never raise: failures come back as status codes or errno numbers so that the Python side can
# raise what the real ESP8266 module would raise.
#
# Only None, bools, numbers and strings are passed to it: any other Python object handed to JS is
# pinned by a proxy until the JS garbage collector finalises it, which would make heap readings
# depend on JS GC timing. Bytes therefore cross as hex strings, both ways.

import _harness
import binascii
import json

bridge = _harness

# Status codes returned by bridge calls that let virtual time pass (keep in sync with bridge.ts).
RUNNING = 0
HALTED = 1
TIME_LIMIT = 2


class DeviceHalt(BaseException):
    # Unwinds the program when the device stops running Python: deep sleep, machine.reset(), a
    # watchdog reset, or the end of a time-limited run. It derives from BaseException so an
    # `except Exception` in the program under test cannot swallow it, just as no handler survives
    # a real reset. The harness, not the message, records why the device stopped.
    pass


def after_time_passed(status):
    if status != RUNNING:
        raise DeviceHalt(status)


def to_hex(data):
    return str(binascii.hexlify(data), "ascii")


def from_hex(text):
    return binascii.unhexlify(text)


def text(value):
    # MQTT topics and payloads may be str or bytes; bytes that are not UTF-8 travel as hex.
    # Returns (text, is_hex).
    if isinstance(value, str):
        return value, False
    try:
        return str(value, "utf-8"), False
    except UnicodeError:
        return to_hex(value), True


def export(value):
    # How the harness reads results (e.g. of main.step()): as JSON text, for the reason above.
    return json.dumps(value)
