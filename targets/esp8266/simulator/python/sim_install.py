# Installs the simulated device modules. A file named utime.py would not shadow the built-in
# module, but import consults sys.modules first, so each simulation is registered there under
# the names device code imports. Runs once per boot, before any program file is imported.

import sys
import sim_time

sys.modules["time"] = sim_time
sys.modules["utime"] = sim_time

import sim_machine
import sim_network
import sim_ntptime
import sim_esp
import sim_umqtt
import sim_umqtt_simple

sim_umqtt.simple = sim_umqtt_simple

for _name, _module in (
    ("machine", sim_machine),
    ("network", sim_network),
    ("ntptime", sim_ntptime),
    ("esp", sim_esp),
    ("umqtt", sim_umqtt),
    ("umqtt.simple", sim_umqtt_simple),
):
    sys.modules[_name] = _module

# Firmware built with a ROMFS partition has vfs.rom_ioctl and mounts the partition's image.
# (Through sim_machine's bridge: a name of its own here would shift the harness's qstr pools, and
# with them the heap figures the benches compare between versions.)
if sim_machine.bridge.rom_size():
    import sim_vfs

    sys.modules["vfs"] = sim_vfs
    sim_vfs.mount_at_boot()
