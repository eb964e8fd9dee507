#!/usr/bin/env bash
# A QEMU test with a virtio-net NIC on QEMU's user network, all on this machine:
#   restrict=on      the guest reaches nothing outside QEMU's own network;
#   hostfwd          127.0.0.1:<free port> -> the guest's port 80 (BusyBox httpd);
#   guestfwd         10.0.2.100:8080 -> tests/net/http_handler.py, one per connection.
# The guest (tests/guest/net/eth.sh) fetches a file from the handler with wget and
# has the handler fetch one from its httpd; sha256 both ways, checked in the guest
# (KTEST lines). Usage: net_test.sh HANDLER QEMU_RUN [qemu_run.sh arguments...]
set -u
handler=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") qemu_run=$2
shift 2
tmp=${TEST_TMPDIR:-$(mktemp -d)}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
head -c 1048576 /dev/urandom >"$tmp/host.bin"
log=$tmp/http_handler.log
: >"$log"
nic="restrict=on,hostfwd=tcp:127.0.0.1:$port-:80"
nic="$nic,guestfwd=tcp:10.0.2.100:8080-cmd:python3 $handler $tmp/host.bin $port $log"
"$qemu_run" --nic "$nic" "$@"
rc=$?
echo "--- host side (http_handler.py)"
cat "$log"
exit $rc
