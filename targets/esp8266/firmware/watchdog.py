_alive = time.ticks_ms()
_watch_timer = None
def watch(timer):
    if time.ticks_diff(time.ticks_ms(), _alive) > FLOWC_TIMEOUT_MS:
        print("flowc: no progress for FLOWC_TIMEOUT_SECONDS s; resetting")
        machine.reset()
