_tasks = []

def run_due():
    t = time.ticks_ms()
    wait = FLOWC_LONGEST_WAIT_MS
    for task in _tasks:
        if time.ticks_diff(t, task[1]) >= 0:
            task[1] = time.ticks_add(task[1], task[0])
            if time.ticks_diff(t, task[1]) >= 0:
                task[1] = time.ticks_add(t, task[0])
            try:
                task[2]()
            except Exception as x:
                fault("task", x)
        wait = min(wait, time.ticks_diff(task[1], time.ticks_ms()))
    return max(wait, 0)
