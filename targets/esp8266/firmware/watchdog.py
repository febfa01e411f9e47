_alive = time.ticks_ms()
_watch_timer = None
def watch(timer):
    if time.ticks_diff(time.ticks_ms(), _alive) > FLOWC_TIMEOUT_MS:
        print("flowc: no progress for FLOWC_TIMEOUT_SECONDS s; resetting")
        machine.reset()

def watch_start():
    global _watch_timer
    _watch_timer = machine.Timer(-1)
    _watch_timer.init(period=1000, mode=machine.Timer.PERIODIC, callback=watch)
