# TSL2591 light sensor driver for MicroPython, written from the ams TSL2591 datasheet.
#
# Tsl2591(sensor_id, i2c, address=0x29, gain="medium", integration=100).sample() returns lux,
# computed from the full-spectrum (CH0) and infrared (CH1) counts with the ThingFlow/Adafruit
# formula. Bus errors propagate as OSError; a saturated channel raises ValueError (too bright for
# the gain and integration time), so the caller can report it and keep sampling.

from micropython import const
import time

_COMMAND = const(0xA0)  # command bit + normal transaction, OR'ed with the register
_ENABLE = const(0x00)
_CONTROL = const(0x01)
_ID = const(0x12)
_STATUS = const(0x13)
_C0DATAL = const(0x14)  # CH0 low, CH0 high, CH1 low, CH1 high
_POWER_ON_ALS = const(0x03)  # PON | AEN
_AVALID = const(0x01)
_DEVICE_ID = const(0x50)
_MAX_COUNT_100MS = const(37888)
_MAX_COUNT = const(65535)
_LUX_DF = const(408)
_ENODEV = const(19)
_ETIMEDOUT = const(110)

_GAINS = ("low", "medium", "high", "max")
_GAIN_FACTORS = (1, 25, 428, 9876)


class Tsl2591:
    def __init__(self, sensor_id, i2c, address=0x29, gain="medium", integration=100):
        if gain not in _GAINS:
            raise ValueError("gain: low, medium, high or max")
        if integration % 100 or not 100 <= integration <= 600:
            raise ValueError("integration: 100..600 ms in steps of 100")
        self.sensor_id = sensor_id
        self._i2c = i2c
        self._address = address
        self._integration = integration
        self._max_count = _MAX_COUNT_100MS if integration == 100 else _MAX_COUNT
        gain_index = _GAINS.index(gain)
        self._counts_per_lux = integration * _GAIN_FACTORS[gain_index] / _LUX_DF
        self._buf = bytearray(4)
        self._valid = False
        if self._read_byte(_ID) != _DEVICE_ID:
            raise OSError(_ENODEV)
        self._write_byte(_CONTROL, gain_index << 4 | (integration // 100 - 1))
        self._write_byte(_ENABLE, _POWER_ON_ALS)

    def _read_byte(self, register):
        buf = memoryview(self._buf)[:1]
        self._i2c.readfrom_mem_into(self._address, _COMMAND | register, buf)
        return buf[0]

    def _write_byte(self, register, value):
        self._i2c.writeto_mem(self._address, _COMMAND | register, bytes((value,)))

    def _wait_for_first_cycle(self):
        # Counts are only valid once an integration cycle has completed since enabling.
        for _ in range(3):
            if self._read_byte(_STATUS) & _AVALID:
                self._valid = True
                return
            time.sleep_ms(self._integration)
        raise OSError(_ETIMEDOUT)

    def sample(self):
        if not self._valid:
            self._wait_for_first_cycle()
        buf = self._buf
        self._i2c.readfrom_mem_into(self._address, _COMMAND | _C0DATAL, buf)
        ch0 = buf[0] | buf[1] << 8
        ch1 = buf[2] | buf[3] << 8
        if ch0 >= self._max_count or ch1 >= self._max_count:
            raise ValueError("tsl2591 saturated")
        if ch0 == 0:
            return 0.0
        return (ch0 - ch1) * (1 - ch1 / ch0) / self._counts_per_lux
