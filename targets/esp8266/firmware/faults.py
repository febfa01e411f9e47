_faults = {}
def fault(where, x):
    m = str(x)
    if _faults.get(where) != m:
        _faults[where] = m
        print("flowc:", where, "failed:", m)

def recovered(where):
    if where in _faults:
        del _faults[where]
        print("flowc:", where, "ok again")
