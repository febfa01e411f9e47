# BH1750 ambient light sensor driver for MicroPython, written from the ROHM BH1750FVI datasheet.
#
# Bh1750(sensor_id, i2c, address=0x23, mode="continuous").sample() returns lux in the sensor's
# high-resolution mode (1 lx steps): raw / 1.2 at the default measurement time. "continuous"
# keeps measuring and sample() reads the latest result; "one_time" starts a measurement at each
# sample(), waits for it (180 ms at most) and lets the sensor power down after it. Bus errors
# propagate as OSError.

from micropython import const
import time

_POWER_ON = const(0x01)
_CONTINUOUS_HIGH_RES = const(0x10)
_ONE_TIME_HIGH_RES = const(0x20)
_MEASUREMENT_MS = const(180)  # the datasheet's longest high-resolution measurement


class Bh1750:
    def __init__(self, sensor_id, i2c, address=0x23, mode="continuous"):
        self.sensor_id = sensor_id
        self._i2c = i2c
        self._address = address
        self._one_time = mode == "one_time"
        self._command = bytearray(1)
        self._buf = bytearray(2)
        self._send(_POWER_ON)
        if not self._one_time:
            self._send(_CONTINUOUS_HIGH_RES)
            time.sleep_ms(_MEASUREMENT_MS)

    def _send(self, opcode):
        self._command[0] = opcode
        self._i2c.writeto(self._address, self._command)

    def sample(self):
        if self._one_time:
            self._send(_ONE_TIME_HIGH_RES)
            time.sleep_ms(_MEASUREMENT_MS)
        buf = self._buf
        self._i2c.readfrom_into(self._address, buf)
        return (buf[0] << 8 | buf[1]) / 1.2
