"""A FUSE file system whose lookups never answer: a stale network mount, as a process sees it.

Served over ``/dev/fuse`` from a thread of the calling process (Linux, as root), with the
standard library only: ``tests/test_deadline.py`` uses it, and so does the TypeScript
client's ``test/deaf_mount.py``, which runs without pytest or this folder's other helpers.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import select
import stat
import struct
import tempfile
import threading
import time
from pathlib import Path

# FUSE protocol (linux/fuse.h), the few requests a directory listing and a lookup need.
FUSE_LOOKUP, FUSE_FORGET, FUSE_GETATTR, FUSE_INIT = 1, 2, 3, 26
FUSE_OPENDIR, FUSE_READDIR, FUSE_RELEASEDIR, FUSE_INTERRUPT, FUSE_BATCH_FORGET = 27, 28, 29, 36, 42
IN_HEADER = struct.Struct("<IIQQIIIHH")
OUT_HEADER = struct.Struct("<IiQ")
ATTR = struct.Struct("<QQQQQQIIIIIIIIII")


class StallingFS:
    """A FUSE file system whose root lists *names*; looking any of them up never answers.

    Served from a thread of the test process. Like a network file system that honours
    interrupts, a stalled request is answered with EINTR only when the kernel says its
    caller is gone (the probe's process ending), so the stall lasts exactly as long as the
    probe lets it.
    """

    def __init__(self, names: list[str], honour_interrupts: bool = True) -> None:
        self.names = names
        self.honour_interrupts = honour_interrupts
        self.mountpoint = Path(tempfile.mkdtemp(prefix="probe-stall-"))
        self.stalled: list[int] = []
        self.lookups: list[str] = []
        self.fd = -1
        self.stopping = False
        self.released = False
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)

    def __enter__(self) -> StallingFS:
        self.fd = os.open("/dev/fuse", os.O_RDWR)
        options = f"fd={self.fd},rootmode=40000,user_id=0,group_id=0,allow_other".encode()
        flags = 0x2 | 0x4  # MS_NOSUID | MS_NODEV
        if self.libc.mount(b"probe-stall", bytes(self.mountpoint), b"fuse.probe-stall", flags, options) != 0:
            code = ctypes.get_errno()
            os.close(self.fd)
            raise OSError(code, f"mount: {os.strerror(code)}")
        self.thread.start()
        return self

    def release(self) -> None:
        """End the stall: what waits fails now, and later lookups fail at once."""
        with self.lock:
            self.released = True
            for unique in self.stalled:
                self.reply(unique, error=errno.EIO)

    def __exit__(self, *exc: object) -> None:
        self.release()
        self.stopping = True
        self.thread.join(5)
        self.libc.umount2(bytes(self.mountpoint), 2)  # MNT_DETACH
        os.close(self.fd)  # the last reference: the kernel aborts the connection
        os.rmdir(self.mountpoint)

    def reply(self, unique: int, payload: bytes = b"", error: int = 0) -> None:
        try:
            os.write(self.fd, OUT_HEADER.pack(OUT_HEADER.size + len(payload), -error, unique) + payload)
        except OSError:
            pass  # the request was already aborted

    def attr(self, node: int) -> bytes:
        now = int(time.time())
        return ATTR.pack(node, 0, 0, now, now, now, 0, 0, 0, stat.S_IFDIR | 0o755, 2, 0, 0, 0, 4096, 0)

    def serve(self) -> None:
        entries = [(".", 1), ("..", 1)] + [(name, 2 + index) for index, name in enumerate(self.names)]
        while not self.stopping:
            if not select.select([self.fd], [], [], 0.1)[0]:
                continue
            try:
                request = os.read(self.fd, 1 << 21)
            except OSError as error:
                if error.errno in (errno.EINTR, errno.ENOENT, errno.EAGAIN):
                    continue
                return  # unmounted
            length, opcode, unique, node, *_ = IN_HEADER.unpack_from(request)
            body = request[IN_HEADER.size : length]
            if opcode == FUSE_INIT:
                _major, minor, readahead, _flags = struct.unpack_from("<IIII", body)
                self.reply(
                    unique,
                    struct.pack("<IIIIHHIIHHII", 7, min(minor, 31), readahead, 0, 16, 12, 65536, 1, 0, 0, 0, 0)
                    + bytes(24),
                )
            elif opcode == FUSE_GETATTR:
                self.reply(unique, struct.pack("<QII", 0, 0, 0) + self.attr(node))
            elif opcode == FUSE_LOOKUP:
                name = body.split(b"\0")[0].decode()
                self.lookups.append(name)
                with self.lock:
                    if node == 1 and name in self.names and not self.released:
                        self.stalled.append(unique)  # never answered: the stall
                    else:
                        self.reply(unique, error=errno.ENOENT)
            elif opcode == FUSE_OPENDIR:
                self.reply(unique, struct.pack("<QII", 1, 0, 0))
            elif opcode == FUSE_READDIR:
                offset, size = struct.unpack_from("<QQI", body)[1:]
                out = b""
                for index in range(offset, len(entries)):
                    name, ino = entries[index]
                    dirent = struct.pack("<QQII", ino, index + 1, len(name), 4) + name.encode()
                    dirent += bytes(-len(dirent) % 8)
                    if len(out) + len(dirent) > size:
                        break
                    out += dirent
                self.reply(unique, out)
            elif opcode == FUSE_RELEASEDIR:
                self.reply(unique)
            elif opcode == FUSE_INTERRUPT:
                (interrupted,) = struct.unpack_from("<Q", body)
                if interrupted in self.stalled and self.honour_interrupts:
                    self.reply(interrupted, error=errno.EINTR)
            elif opcode in (FUSE_FORGET, FUSE_BATCH_FORGET):
                continue
            else:
                self.reply(unique, error=errno.ENOSYS)
