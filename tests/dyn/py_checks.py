"""Debian's python3.11 (dynamically linked, its C modules loaded with dlopen) doing
real work. Run by 20_python.sh; prints one KTEST line per check (guest protocol,
tests/guest/README.md) and appends it to $KTEST_TALLY."""
import errno
import hashlib
import json
import mmap
import multiprocessing
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

import ktest
from ktest import emit, expect


def check(name, fn):
    ktest.check("py." + name, fn, 120)


def t_json_re_hashlib():
    d = json.loads(json.dumps({"a": [1, 2.5, None, "x\u00e9"]}))
    expect(d == {"a": [1, 2.5, None, "x\u00e9"]}, d)
    expect(re.findall(r"(\w)(\d)", "a1 b2 c") == [("a", "1"), ("b", "2")], "re")
    expect(hashlib.sha256(b"abc").hexdigest().startswith("ba7816bf"), "sha256")
    expect(hashlib.md5(b"").hexdigest() == "d41d8cd98f00b204e9800998ecf8427e", "md5 (OpenSSL)")


def t_sqlite():
    path = os.path.join(tempfile.mkdtemp(), "t.db")
    c = sqlite3.connect(path)
    c.execute("create table t(a integer, b text)")
    c.executemany("insert into t values (?, ?)", ((i, str(i)) for i in range(10000)))
    c.commit()
    c.close()
    c = sqlite3.connect(path)
    expect(c.execute("select count(*), sum(a) from t").fetchone() == (10000, 49995000), "rows")
    c.close()


def t_subprocess():
    out = subprocess.run(["/bin/sh", "-c", "echo $((6*7)); exit 3"], capture_output=True, text=True)
    expect(out.stdout == "42\n" and out.returncode == 3, out)
    out = subprocess.check_output(["/bin/ls", "/"], text=True)
    expect("tests" in out.split(), out)


def t_fork():
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.write(w, b"child %d" % os.getpid())
        os._exit(7)
    os.close(w)
    msg = os.read(r, 100)
    _, status = os.waitpid(pid, 0)
    expect(msg == b"child %d" % pid and os.waitstatus_to_exitcode(status) == 7, (msg, status))


def t_threading():
    total = [0]
    lock = threading.Lock()

    def work():
        for _ in range(2000):
            with lock:
                total[0] += 1

    ts = [threading.Thread(target=work) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    expect(total[0] == 8000, total)
    ev = threading.Event()
    threading.Timer(0.05, ev.set).start()
    expect(ev.wait(5), "timer thread")


def square(x):
    return x * x


def t_multiprocessing():
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as p:
        expect(p.map(square, range(10)) == [x * x for x in range(10)], "pool")
    q = ctx.Queue()
    pr = ctx.Process(target=q.put, args=("hi",))
    pr.start()
    expect(q.get(timeout=20) == "hi", "queue")
    pr.join()
    expect(pr.exitcode == 0, pr.exitcode)


def t_mmap():
    with tempfile.TemporaryFile() as f:
        f.write(b"\0" * 8192)
        f.flush()
        m = mmap.mmap(f.fileno(), 8192)
        m[4096:4101] = b"hello"
        m.flush()
        f.seek(4096)
        expect(f.read(5) == b"hello", "shared file mapping")
        m.close()
    a = mmap.mmap(-1, 4096)
    a.write(b"anon")
    expect(a[:4] == b"anon", "anonymous")


def t_signals():
    got = []
    signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))
    os.kill(os.getpid(), signal.SIGUSR1)
    expect(got == [signal.SIGUSR1], got)
    signal.signal(signal.SIGALRM, lambda s, f: got.append(s))
    signal.setitimer(signal.ITIMER_REAL, 0.05)
    deadline = time.monotonic() + 5
    while len(got) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    expect(got == [signal.SIGUSR1, signal.SIGALRM], got)


def t_socketpair():
    import socket
    a, b = socket.socketpair()
    a.sendall(b"ping")
    expect(b.recv(4) == b"ping", "socketpair")


def t_epoll():
    import select
    ep = select.epoll()
    r, w = os.pipe()
    ep.register(r, select.EPOLLIN)
    os.write(w, b"x")
    expect(ep.poll(1) == [(r, select.EPOLLIN)], "epoll")


def t_selectors():
    import selectors
    sel = selectors.DefaultSelector()
    expect(type(sel).__name__ == "EpollSelector", "DefaultSelector is %s" % type(sel).__name__)
    r, w = os.pipe()
    sel.register(r, selectors.EVENT_READ, data="pipe")
    expect(sel.select(0) == [], "idle select")
    os.write(w, b"x")
    ev = sel.select(1)
    expect(len(ev) == 1 and ev[0][0].data == "pipe" and ev[0][1] == selectors.EVENT_READ,
           "select %r" % (ev,))
    sel.unregister(r)
    sel.close()
    os.close(r)
    os.close(w)


def t_eventfd():
    import select
    efd = os.eventfd(0, os.EFD_NONBLOCK)
    ep = select.epoll()
    ep.register(efd, select.EPOLLIN | select.EPOLLET)
    expect(ep.poll(0) == [], "eventfd idle")
    os.eventfd_write(efd, 3)
    expect(ep.poll(1) == [(efd, select.EPOLLIN)], "eventfd ready")
    expect(os.eventfd_read(efd) == 3, "eventfd_read")
    ep.close()
    os.close(efd)


def t_pty():
    import pty
    pid, fd = pty.fork()
    if pid == 0:
        print(os.isatty(0), os.ttyname(0), os.getsid(0) == os.getpid(), flush=True)
        os._exit(0)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 1024)
        except OSError as e:  # EIO: the slave side is closed
            expect(e.errno == errno.EIO, e)
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    os.close(fd)
    expect(re.fullmatch(rb"True /dev/pts/\d+ True\r\n", out) is not None, out)
    m, s = os.openpty()
    os.write(m, b"abc\n")
    expect(os.read(s, 16) == b"abc\n", "openpty line")
    os.close(m)
    os.close(s)


def t_asyncio():
    import asyncio

    async def main():
        await asyncio.sleep(0.01)
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        loop.call_later(0.02, fut.set_result, 42)
        return await fut

    expect(asyncio.run(main()) == 42, "asyncio.run")


def main():
    check("json_re_hashlib", t_json_re_hashlib)
    check("sqlite3_10000_rows", t_sqlite)
    check("subprocess", t_subprocess)
    check("fork", t_fork)
    check("threading", t_threading)
    check("multiprocessing", t_multiprocessing)
    check("mmap", t_mmap)
    check("signals", t_signals)
    check("socketpair", t_socketpair)
    check("epoll", t_epoll)
    check("pty", t_pty)
    check("selectors", t_selectors)
    check("eventfd", t_eventfd)
    # asyncio's event loop wakes itself through socket.socketpair().
    check("asyncio", t_asyncio)


if __name__ == "__main__":
    main()
