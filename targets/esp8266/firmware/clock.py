_epoch = 0
_ntp_next = None
def now():
    return time.time() + _epoch

def sync_clock():
    global _epoch, _ntp_next
    t = time.ticks_ms()
    if _ntp_next is not None and time.ticks_diff(t, _ntp_next) < 0 or not wifi_up():
        return
    try:
        import ntptime
        ntptime.host = FLOWC_NTP_HOST
        ntptime.settime()
        _epoch = 946684800 if time.gmtime(0)[0] == 2000 else 0
        _ntp_next = time.ticks_add(t, 3600000)
        recovered("ntp")
    except Exception as x:
        fault("ntp", x)
        _ntp_next = time.ticks_add(t, 60000)
