# One trial of bench/esp8266-heap.ts, on MicroPython's unix port: boots a program with a given
# number of heap bytes free and runs it for 1,000 samples.
#
#   micropython -X heapsize=96k trial.py <program folder> <bytes free> <qstrs> [<ROMFS image>]
#
# Its last line is what the bench reads: "trial ok|out-of-memory free=<bytes free at boot>
# published=<messages>". Any error but MemoryError escapes, so that a bug of the stand-ins is
# never read as a heap figure.
import gc
import os
import sys
import board

SAMPLES = 1000
SAMPLE_PERIOD_MS = 5000

program, bytes_free, qstrs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
image = sys.argv[4] if len(sys.argv) > 4 else None

# A board's firmware has interned an unknown number of names before main.py runs, and qstr pools
# grow by doubling, so whether a program's names take a new pool of several KB depends on that
# number. Interning names no program can use ("~0", "~1", ...) sets it.
for i in range(qstrs):
    getattr(board, "~%d" % i, None)

# The board's view: program files at the root, and the ROMFS, when there is one, after them.
os.chdir(program)
sys.path.clear()
sys.path.append("")
if image:
    import vfs

    with open(image, "rb") as f:
        vfs.mount(vfs.VfsRom(f.read()), "/rom")
    sys.path.append("/rom")

# A flowc bundle reports a step's exception and carries on (targets/esp8266/firmware/faults.py):
# its fault() is wrapped to note the type, so that a MemoryError it caught fails the trial too.
flow_fault = [None]
memory_faults = [0]
other_fault = [None]


def watch_fault(where, error):
    if isinstance(error, MemoryError):
        memory_faults[0] += 1
    elif other_fault[0] is None:
        other_fault[0] = error
    flow_fault[0](where, error)


def run():
    import main

    flow = sys.modules.get("flow")
    if flow is not None:
        flow_fault[0] = flow.fault
        flow.fault = watch_fault
    main.setup()
    sample = 0
    while sample < SAMPLES:  # a `for` would allocate its range
        board.advance(SAMPLE_PERIOD_MS)
        main.step()
        sample += 1


# Ballast: all the heap but `bytes_free` bytes, leaving them in one piece at its top, as a board's
# heap is after boot. Filling it largest pieces first would leave the holes that compiling this
# script and the stand-ins left, and a program's larger allocations (a qstr pool above all) would
# then fail for want of a hole rather than of memory.
def place_ballast():
    ballast = [None] * 2048
    gc.collect()
    # The largest free block, which is the top of the heap: bisected, a collection after each try.
    fits, too_large = 0, gc.mem_free() + 16
    while too_large - fits > 16:
        size = (fits + too_large) // 2
        try:
            bytearray(size)
            fits = size
        except MemoryError:
            too_large = size
        gc.collect()
    top = bytearray(fits)
    # Every other free block, one at a time: an empty bytearray takes one block.
    placed = 0
    while gc.mem_free():
        blocks = gc.mem_free() // 16
        while blocks:
            ballast[placed] = bytearray(0)
            placed += 1
            blocks -= 1
    top = None
    gc.collect()
    # The bottom of the top block: its object takes a 16-byte block, its data the rest.
    spare = (gc.mem_free() - 16 - bytes_free) // 16 * 16
    if spare > 0:
        ballast[placed] = bytearray(spare)
    return ballast


# In a function, so that nothing after the ballast is a new global: the module's dict would grow.
def measure():
    gc.collect()
    ballast = place_ballast()
    gc.collect()
    free_at_boot = gc.mem_free()
    if free_at_boot < bytes_free:
        raise RuntimeError("the ballast left %d bytes free, not %d" % (free_at_boot, bytes_free))
    try:
        run()
    except Exception as error:
        ballast = None  # room to report in
        return free_at_boot, error
    ballast = None
    return free_at_boot, None


free_at_boot, escaped = measure()
gc.collect()
if escaped is not None and not isinstance(escaped, MemoryError):
    raise escaped
if other_fault[0] is not None:
    raise other_fault[0]
if escaped is not None:
    sys.print_exception(escaped)
out_of_memory = escaped is not None or memory_faults[0] > 0
print("trial", "out-of-memory" if out_of_memory else "ok", "free=%d published=%d" % (free_at_boot, board.published[0]))
