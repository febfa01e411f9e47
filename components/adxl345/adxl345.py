# ADXL345 accelerometer driver for MicroPython, written from the Analog Devices ADXL345 datasheet.
#
# Adxl345(sensor_id, i2c, address=0x53, range="2g").sample() returns (x, y, z) in m/s². The sensor
# runs in full-resolution mode, where one count is 3.9 mg at every range and the range only sets
# where readings clip. Bus errors propagate as OSError.

from micropython import const
import time

_DEVID = const(0x00)
_POWER_CTL = const(0x2D)
_DATA_FORMAT = const(0x31)
_DATAX0 = const(0x32)  # X, Y, Z as little-endian 16-bit two's complement
_DEVICE_ID = const(0xE5)
_MEASURE = const(0x08)
_FULL_RES = const(0x08)
_TURN_ON_MS = const(12)  # 1.1 ms + one sample period at the default 100 Hz
_ENODEV = const(19)

_RANGES = ("2g", "4g", "8g", "16g")
_METRES_PER_COUNT = 9.80665 / 256


def _signed(buf, offset):
    value = buf[offset] | buf[offset + 1] << 8
    return value - 0x10000 if value & 0x8000 else value


class Adxl345:
    def __init__(self, sensor_id, i2c, address=0x53, range="2g"):
        if range not in _RANGES:
            raise ValueError("range: 2g, 4g, 8g or 16g")
        self.sensor_id = sensor_id
        self._i2c = i2c
        self._address = address
        self._buf = bytearray(6)
        if i2c.readfrom_mem(address, _DEVID, 1)[0] != _DEVICE_ID:
            raise OSError(_ENODEV)
        i2c.writeto_mem(address, _DATA_FORMAT, bytes((_FULL_RES | _RANGES.index(range),)))
        i2c.writeto_mem(address, _POWER_CTL, bytes((_MEASURE,)))
        time.sleep_ms(_TURN_ON_MS)

    def sample(self):
        buf = self._buf
        self._i2c.readfrom_mem_into(self._address, _DATAX0, buf)
        return (
            _signed(buf, 0) * _METRES_PER_COUNT,
            _signed(buf, 2) * _METRES_PER_COUNT,
            _signed(buf, 4) * _METRES_PER_COUNT,
        )
