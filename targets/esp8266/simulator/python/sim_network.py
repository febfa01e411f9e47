# Stands in for the ESP8266 `network` module. The access point, association delay and link
# faults are modelled in wifi-model.ts; like the real port, connect() returns at once and the
# station reports STAT_CONNECTING until the (virtual) association time has passed.

from micropython import const
from sim_support import bridge, from_hex

STA_IF = const(0)
AP_IF = const(1)

STAT_IDLE = const(0)
STAT_CONNECTING = const(1)
STAT_WRONG_PASSWORD = const(2)
STAT_NO_AP_FOUND = const(3)
STAT_CONNECT_FAIL = const(4)
STAT_GOT_IP = const(5)


class WLAN:
    def __init__(self, interface_id=STA_IF):
        if interface_id not in (STA_IF, AP_IF):
            raise ValueError("invalid WLAN interface identifier")
        self._if = interface_id

    def active(self, is_active=None):
        if is_active is None:
            return bridge.wlan_active(self._if, -1)
        bridge.wlan_active(self._if, 1 if is_active else 0)

    def _require_station(self):
        if self._if != STA_IF:
            raise OSError("STA required")

    def connect(self, ssid=None, key=None, *, bssid=None):
        self._require_station()
        if not bridge.wlan_active(STA_IF, -1):
            raise OSError("STA must be active")
        bridge.wlan_connect(ssid, key)

    def disconnect(self):
        self._require_station()
        bridge.wlan_disconnect()

    def isconnected(self):
        if self._if == AP_IF:
            return False
        return bridge.wlan_status() == STAT_GOT_IP

    def status(self, param=None):
        if param == "rssi":
            return bridge.wlan_rssi()
        if param is not None:
            raise ValueError("unknown status param")
        return bridge.wlan_status() if self._if == STA_IF else STAT_IDLE

    def ifconfig(self, config=None):
        if config is not None:
            raise OSError("static IP configuration is not simulated")
        parts = bridge.wlan_ifconfig(self._if).split(",")
        return (parts[0], parts[1], parts[2], parts[3])

    def config(self, *args, **kwargs):
        if kwargs:
            return  # hostname, power-save mode, ...: accepted, with no effect on the simulation
        if args[0] == "mac":
            return from_hex(bridge.wlan_mac(self._if))
        if args[0] in ("essid", "ssid"):
            return bridge.wlan_essid(self._if)
        raise ValueError("unknown config param")

    def scan(self):
        self._require_station()
        found = bridge.wlan_scan()
        return [
            (found[i][0].encode(), b"\x02\x00\x00\x00\x00\x01", found[i][1], found[i][2], 3, False)
            for i in range(found.length)
        ]
