_rtc = machine.RTC()
def keep(wait):
    t = time.ticks_ms()
    d = [time.ticks_diff(task[1], t) - wait for task in _tasks]
    m = FLOWC_TAG + repr((d, FLOWC_STATE)).encode()
    if len(m) > 492:
        fault("rtc", OverflowError("state needs %d of RTC memory's 492 bytes: it starts afresh" % len(m)))
        m = FLOWC_TAG + repr((d, None)).encode()
    _rtc.memory(m)

def deep_sleep(wait):
    stop()
    keep(wait)
    _rtc.irq(trigger=_rtc.ALARM0, wake=machine.DEEPSLEEP)
    _rtc.alarm(_rtc.ALARM0, wait)
    machine.deepsleep()
