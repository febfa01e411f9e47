# The watchdog's timer starts at the end of setup(); a board without timers runs on, unwatched.
global _watch_timer
try:
    _watch_timer = machine.Timer(-1)
    _watch_timer.init(period=1000, mode=machine.Timer.PERIODIC, callback=watch)
except Exception as x:
    fault("watchdog", x)
