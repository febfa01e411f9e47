# Stands in for `ntptime`. The "network time" is configured in the harness; fetching it needs
# the Wi-Fi link, and a failed query costs `timeout` seconds of virtual time like a real socket
# timeout does.

from sim_support import bridge, after_time_passed
from sim_time import gmtime

host = "pool.ntp.org"
timeout = 1


def time():
    # Seconds since 2000-01-01, the ESP8266 epoch.
    seconds = bridge.ntp_query(host)
    if seconds < 0:
        after_time_passed(bridge.sleep_ms(timeout * 1000))
        raise OSError(-seconds)
    return int(seconds)


def settime():
    import machine

    t = time()
    tm = gmtime(t)
    # The real module passes the weekday off by one; the RTC ignores it either way.
    machine.RTC().datetime((tm[0], tm[1], tm[2], tm[6] + 1, tm[3], tm[4], tm[5], 0))
