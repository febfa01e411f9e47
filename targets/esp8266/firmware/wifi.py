import network
_sta = network.WLAN(network.STA_IF)
_wifi_next = None
def wifi_up(wait_ms=0):
    global _wifi_next
    if _sta.isconnected():
        if _wifi_next is not None:
            _wifi_next = None
            recovered("wifi")
        return True
    t = time.ticks_ms()
    if _wifi_next is None:
        fault("wifi", "link lost")
    if _wifi_next is None or time.ticks_diff(t, _wifi_next) >= 0:
        s = _sta.status()
        if 2 <= s <= 4:
            fault("wifi", ("wrong password", "no access point", "connection failed")[s - 2])
        _wifi_next = time.ticks_add(t, 10000)
        try:
            _sta.active(True)
            _sta.connect(FLOWC_CREDENTIALS)
        except Exception as x:
            fault("wifi", x)
    while wait_ms > 0 and not _sta.isconnected():
        time.sleep_ms(100)
        wait_ms -= 100
    return _sta.isconnected()
