# Stands in for the `vfs` module of firmware built with a ROMFS partition (ESP8266_GENERIC's
# FLASH_2M_ROMFS variant): `rom_ioctl` erases and writes the partition as the ESP8266 port does,
# and `VfsRom` mounts the image in it. This port has neither, so the partition lives in the
# harness (bridge.ts) and the file system is a Python VFS over the image's index. Its files are
# read into RAM when opened; on a board, imports from ROMFS run the bytecode in place.

import io
import vfs as _vfs

from sim_support import bridge, from_hex, to_hex

mount = _vfs.mount
umount = _vfs.umount
VfsPosix = _vfs.VfsPosix

_EINVAL = 22
_ENOENT = 2
_ENODEV = 19
_EROFS = 30


class _Partition:
    # What rom_ioctl(2, 0) returns: the board maps the partition into memory (a memoryview);
    # here slices of it are read from the harness.
    def __len__(self):
        return bridge.rom_size()

    def __getitem__(self, part):
        size = bridge.rom_size()
        start = part.start or 0
        stop = size if part.stop is None else min(part.stop, size)
        return from_hex(bridge.rom_read(start, max(0, stop - start)))


def rom_ioctl(op, *args):
    if op == 1:  # number of segments
        return 1
    if op == 2:  # the segment
        return _Partition()
    if op == 3:  # prepare to write: erase the sectors that `length` bytes span
        return bridge.rom_erase(args[1])
    if op == 4:  # write at an offset: flash only clears bits, so write what was erased
        return bridge.rom_write(args[1], to_hex(args[2]))
    return -_EINVAL


class VfsRom:
    def __init__(self, memory=None):
        index = bridge.rom_index()
        if index is None:
            raise OSError(_ENODEV)
        self._files = {}
        self._dirs = {""}
        for entry in index.split("\n") if index else ():
            path, offset, length = entry.split("\t")
            self._files[path] = (int(offset), int(length))
            parts = path.split("/")
            for i in range(1, len(parts)):
                self._dirs.add("/".join(parts[:i]))

    def mount(self, readonly, mkfs):
        pass

    def umount(self):
        pass

    def _path(self, path):
        return path.strip("/")

    def stat(self, path):
        path = self._path(path)
        if path in self._dirs:
            return (0x4000, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        if path in self._files:
            return (0x8000, 0, 0, 0, 0, 0, self._files[path][1], 0, 0, 0)
        raise OSError(_ENOENT)

    def ilistdir(self, path):
        path = self._path(path)
        if path not in self._dirs:
            raise OSError(_ENOENT)
        prefix = path + "/" if path else ""
        for name in self._dirs:
            if name and name.startswith(prefix) and "/" not in name[len(prefix) :]:
                yield (name[len(prefix) :], 0x4000, 0, 0)
        for name, (_, length) in self._files.items():
            if name.startswith(prefix) and "/" not in name[len(prefix) :]:
                yield (name[len(prefix) :], 0x8000, 0, length)

    def open(self, path, mode="r"):
        if "w" in mode or "a" in mode or "+" in mode:
            raise OSError(_EROFS)
        entry = self._files.get(self._path(path))
        if entry is None:
            raise OSError(_ENOENT)
        data = from_hex(bridge.rom_read(entry[0], entry[1]))
        return io.BytesIO(data) if "b" in mode else io.StringIO(str(data, "utf-8"))

    def chdir(self, path):
        pass

    def getcwd(self):
        return "/"

    def statvfs(self, path):
        return (1, 1, 0, 0, 0, 0, 0, 0, 0, 255)


def mount_at_boot():
    # As the firmware does after mp_init(): a valid image is mounted at /rom, and /rom and
    # /rom/lib join sys.path after the current directory and .frozen.
    import sys

    try:
        _vfs.mount(VfsRom(), "/rom")
    except OSError:
        return
    at = sys.path.index(".frozen") + 1 if ".frozen" in sys.path else 1
    sys.path[at:at] = ["/rom", "/rom/lib"]
