#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# uapi-smoke.py: drive /dev/vhost-vdpa-0 through the series' log uAPI, on a
# vdpa_sim_net whose vdpa_sim carries vdpa_sim-mock-log.diff (log ops that
# print and set the first and last bit of the log at log_start).  Run by
# run-uapi-smoke in a test-kernel VM.  Exits 1 on any unexpected result.
import fcntl, os, struct, errno, mmap, ctypes, sys
fails = 0
def check(name, cond, got=''):
    global fails
    print('ok' if cond else 'FAIL', name, got)
    fails += not cond
def st(): return [l for l in open('/proc/self/status') if l.startswith('VmPin')][0].split()[1]
fd = os.open('/dev/vhost-vdpa-0', os.O_RDWR)
def io(cmd, fmt=None, *a, out=False):
    if out:
        b = bytearray(struct.calcsize(fmt) if not a else struct.pack(fmt, *a)); fcntl.ioctl(fd, cmd, b); return struct.unpack(fmt, b)
    return fcntl.ioctl(fd, cmd, struct.pack(fmt, *a) if fmt else 0)
def expect_err(name, e, f):
    try:
        f()
        check(name, False, 'succeeded')
    except OSError as x:
        check(name, x.errno == e, errno.errorcode[x.errno])
def addr(m): return ctypes.addressof(ctypes.c_char.from_buffer(m))
io(0xaf01)
io(0x4008af25, 'Q', 0x2)
f, = io(0x8008af00, 'Q', out=True); check('VHOST_F_LOG_ALL offered', (f >> 26) & 1)
bf, = io(0x8008af26, 'Q', out=True); check('VHOST_BACKEND_F_LOG_ALL_DEVICE offered', (bf >> 9) & 1)
mem = mmap.mmap(-1, 4 << 20); ro = mmap.mmap(-1, 256 << 10); hi = mmap.mmap(-1, 1 << 20)
def iotlb(iova, size, m, perm):
    os.write(fd, struct.pack('<IIQQQBB', 2, 0, iova, size, addr(m), perm, 2).ljust(72, b'\0'))
iotlb(0, 4 << 20, mem, 3); iotlb(0xfffc0000, 256 << 10, ro, 1)
pin0 = int(st())  # vdpa_sim maps by VA: nothing pinned for them
feat = (1 << 32) | (1 << 33)
io(0x4008af00, 'Q', feat)
io(0x4001af72, 'B', 11)
log = mmap.mmap(-1, 64 << 10)
io(0x4008af04, 'Q', addr(log) + 3)
check('log pinned (VmPin +4 kB)', int(st()) == pin0 + 4, st())
io(0x4004af07, 'i', -1)
check('no log_start before LOG_ALL', log[3] == 0 and log[3 + 127] == 0)
io(0x4008af00, 'Q', feat | (1 << 26))
# 4 MiB writable at IOVA 0: 1024 bits; the read-only map at 0xfffc0000 is not covered
check('log_start: bits 0 and 1023 set', log[3] == 1 and log[3 + 127] == 128, (log[3], log[3 + 127]))
expect_err('SET_FEATURES other bit', errno.EBUSY, lambda: io(0x4008af00, 'Q', feat | (1 << 26) | 1))
expect_err('SET_GROUP_ASID data group', errno.EBUSY, lambda: io(0x4008af7c, 'II', 0, 1))
io(0x4008af10, 'II', 0, 256)
io(0x4028af11, 'IIQQQQ', 0, 0, 0x1000, 0x3000, 0x2000, 0)
io(0x4001af72, 'B', 15)
io(0x4028af11, 'IIQQQQ', 0, 1, 0x1000, 0x3000, 0x2000, 0x3000); check('SET_VRING_ADDR F_LOG while running', True)
expect_err('SET_VRING_ADDR move ring', errno.EINVAL, lambda: io(0x4028af11, 'IIQQQQ', 0, 1, 0x5000, 0x3000, 0x2000, 0x3000))
# migration cancelled, then started again: log_stop, then log_start
io(0x4008af00, 'Q', feat); check('SET_FEATURES clears LOG_ALL while running', True)
log[3] = 0
io(0x4008af00, 'Q', feat | (1 << 26)); check('LOG_ALL again starts the log', log[3] == 1)
iotlb(1 << 24, 1 << 20, hi, 3)
check('map beyond the log grows it (last bit set)', log[3 + (((1 << 24) + (1 << 20) - 1) >> 12) // 8] == 128)
io(0xc008af12, 'II', 0, 0, out=True)
io(0xaf7d)
io(0x4008af12, 'II', 0, 77)
io(0x4001af72, 'B', 0)
r = io(0xc008af12, 'II', 0, 0, out=True)
check('GET_VRING_BASE after reset returns the state before it', r[1] == 77, r)
check('reset unpins the log', int(st()) == pin0, st())
io(0x4008af00, 'Q', feat); check('SET_FEATURES after reset', True)
os.close(fd)
check('nothing pinned after close', int(st()) == 0, st())
sys.exit(1 if fails else 0)
