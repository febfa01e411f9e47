# After a deep sleep, the tasks' due times and the nodes' state come back from RTC memory.
FLOWC_GLOBALS
m = _rtc.memory() if machine.reset_cause() == machine.DEEPSLEEP_RESET else b""
if m[:FLOWC_TAG_LENGTH] == FLOWC_TAG:
    try:
        d, s = eval(str(m[FLOWC_TAG_LENGTH:], "utf-8"))
        for i in range(len(_tasks)):
            _tasks[i][1] = time.ticks_add(0, d[i])
        if s is not None:
            FLOWC_RESTORE
    except Exception as x:
        fault("rtc", x)
