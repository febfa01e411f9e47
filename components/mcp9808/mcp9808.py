# MCP9808 temperature sensor driver for MicroPython, written from the Microchip MCP9808 datasheet.
#
# Mcp9808(sensor_id, i2c, address=0x18).sample() returns °C at the sensor's power-on resolution
# of 0.0625 °C. Bus errors propagate as OSError.

from micropython import const

_AMBIENT = const(0x05)
_MANUFACTURER = const(0x06)
_DEVICE = const(0x07)
_MANUFACTURER_ID = const(0x0054)
_DEVICE_ID = const(0x04)  # the high byte of the device id/revision register
_TEMPERATURE_BITS = const(0x1FFF)  # bits 15-13 are alert flags, bit 12 the sign
_SIGN = const(0x1000)
_ENODEV = const(19)


class Mcp9808:
    def __init__(self, sensor_id, i2c, address=0x18):
        self.sensor_id = sensor_id
        self._i2c = i2c
        self._address = address
        self._buf = bytearray(2)
        if self._read(_MANUFACTURER) != _MANUFACTURER_ID or self._read(_DEVICE) >> 8 != _DEVICE_ID:
            raise OSError(_ENODEV)

    def _read(self, register):
        buf = self._buf
        self._i2c.readfrom_mem_into(self._address, register, buf)
        return buf[0] << 8 | buf[1]

    def sample(self):
        raw = self._read(_AMBIENT) & _TEMPERATURE_BITS
        if raw & _SIGN:
            raw -= _SIGN << 1
        return raw / 16
