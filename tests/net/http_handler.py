#!/usr/bin/env python3
"""One HTTP/1.0 exchange on stdin/stdout: QEMU's user network runs this for every
connection the guest opens to 10.0.2.100:8080 (guestfwd=...-cmd:, see net_test.sh), so
the guest reaches no address outside this machine and no port is left listening.

  http_handler.py HOST_FILE HOSTFWD_PORT LOG

GET /host.bin          HOST_FILE (random bytes the test made)
GET /host.bin.sha256   its sha256, hex
GET /guest.sha256      fetches http://127.0.0.1:HOSTFWD_PORT/guest.bin (QEMU's hostfwd to
                       the guest's BusyBox httpd on port 80) and answers its sha256: the
                       guest compares it with its own
Every answer is also noted in LOG (the test's log shows it).
"""
import hashlib
import sys
import urllib.request


def main():
    host_file, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    line = sys.stdin.buffer.readline().decode("latin-1")
    while True:  # the headers, up to the empty line
        h = sys.stdin.buffer.readline()
        if h in (b"\r\n", b"\n", b""):
            break
    parts = line.split()
    path = parts[1] if len(parts) > 1 else ""
    status, body = "200 OK", b""
    if path == "/host.bin":
        body = open(host_file, "rb").read()
    elif path == "/host.bin.sha256":
        body = (hashlib.sha256(open(host_file, "rb").read()).hexdigest() + "\n").encode()
    elif path == "/guest.sha256":
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/guest.bin" % port, timeout=120) as r:
                data = r.read()
            body = (hashlib.sha256(data).hexdigest() + "\n").encode()
            note = "fetched guest.bin: %d bytes, sha256 %s" % (len(data), body.decode().strip())
        except Exception as e:  # the guest sees the failure as a wrong sum
            body = ("error %s\n" % e).encode()
            note = "fetching guest.bin failed: %s" % e
        with open(log, "a") as f:
            f.write(note + "\n")
    else:
        status, body = "404 Not Found", b"not found\n"
    with open(log, "a") as f:
        f.write("%s -> %s, %d bytes\n" % (line.strip(), status, len(body)))
    out = sys.stdout.buffer
    out.write(("HTTP/1.0 %s\r\nContent-Length: %d\r\nContent-Type: application/octet-stream\r\n"
               "Connection: close\r\n\r\n" % (status, len(body))).encode())
    out.write(body)
    out.flush()


if __name__ == "__main__":
    main()
