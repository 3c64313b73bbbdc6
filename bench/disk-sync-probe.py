#!/usr/bin/env python3
"""bench/disk-sync-probe.py FILE MODE: can the disk under FILE overlap durable writes?

Writes 64 MiB of zeros to FILE and syncs them (as the audit log writes zeros ahead of its appends), then for 1, 2, 4
and 8 threads, 3 s each, writes 4 KiB blocks at distinct offsets, each made durable by MODE:
  fdatasync     a pwrite, then fdatasync (what the audit log's committer does)
  dsync         a pwrite on a descriptor opened O_DSYNC
  direct-dsync  a pwrite on a descriptor opened O_DIRECT | O_DSYNC (page-aligned buffer)
and prints the durable writes per second. FILE is removed at the end.
"""
import mmap
import os
import sys
import threading
import time

path, mode = sys.argv[1], sys.argv[2]
size = 64 << 20
fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
zeros = b"\0" * (1 << 20)
for offset in range(0, size, len(zeros)):
    os.pwrite(fd, zeros, offset)
os.fsync(fd)
os.close(fd)
flags = os.O_RDWR | {"fdatasync": 0, "dsync": os.O_DSYNC, "direct-dsync": os.O_DIRECT | os.O_DSYNC}[mode]
fd = os.open(path, flags)
try:
    for threads in (1, 2, 4, 8):
        counts = [0] * threads
        stop = time.time() + 3

        def work(k):
            block = mmap.mmap(-1, 4096)  # page-aligned, as O_DIRECT needs
            block.write(b"x" * 4096)
            i = 0
            while time.time() < stop:
                os.pwrite(fd, block, ((k * 100000 + i) * 4096) % size)
                if mode == "fdatasync":
                    os.fdatasync(fd)
                i += 1
            counts[k] = i

        workers = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        print(f"{mode} threads={threads}: {sum(counts) / 3:.0f} durable writes/s")
finally:
    os.close(fd)
    os.unlink(path)
