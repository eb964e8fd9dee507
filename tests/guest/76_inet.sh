#!/bin/sh
# AF_INET over loopback from BusyBox applets [ip(7)]: ifconfig lo (the
# SIOCGIF ioctls), /proc/net/dev's lo line and its counters, nc both ways
# with a 4 MiB file checked by sha256sum, httpd + wget, ping 127.0.0.1.
# The socket calls themselves are checked by t_inet.
. "${KTEST_DIR:-/tests}/lib.sh"

if ! kt_guest; then
    for c in ifconfig_lo_addr ifconfig_lo_up proc_net_dev_lo nc_transfer httpd_wget \
        wget_404 proc_net_tcp_listen proc_net_dev_counts ping_lo; do
        kt_skip "inet.$c" "binds fixed ports and needs root (guest or VM only)"
    done
    kt_done
fi

# Kevlar's lo is up from boot; Linux's stays down until configured (its
# initramfs has nobody to do it): bring it up first there, as rc scripts do.
case $(ifconfig lo 2>&1) in
*UP*) ;;
*) ifconfig lo 127.0.0.1 up ;;
esac
out=$(ifconfig lo 2>&1)
kt_has inet.ifconfig_lo_addr "inet addr:127.0.0.1" "$out"
kt_has inet.ifconfig_lo_up "UP LOOPBACK RUNNING" "$out"
kt_has inet.proc_net_dev_lo " lo:" "$(cat /proc/net/dev)"
before=$(sed -n 's/^ *lo: *\([0-9]*\).*/\1/p' /proc/net/dev)

# retry CMD until it succeeds (a server started in the background may not
# listen yet): 150 tries, 0.2 s apart
retry() {
    i=0
    while ! "$@" 2>/dev/null; do
        i=$((i + 1))
        [ $i -ge 150 ] && return 1
        sleep 0.2
    done
}

dd if=/dev/urandom of=blob bs=65536 count=64 2>/dev/null
want=$(sha256sum <blob | cut -d' ' -f1)
# The server's stdin must stay open: BusyBox nc half-closes the socket at
# stdin's EOF, and the client stops at the socket's EOF.
sleep 30 | nc -l -p 18081 >got.nc &
srv=$!
retry nc 127.0.0.1 18081 <blob >/dev/null
wait "$srv"
kt_eq inet.nc_transfer "$want" "$(sha256sum <got.nc | cut -d' ' -f1)"

mkdir www
cp blob www/blob
httpd -f -p 127.0.0.1:18080 -h "$KT_D/www" &
srv=$!
retry wget -q -O got.http http://127.0.0.1:18080/blob
kt_eq inet.httpd_wget "$want" "$(sha256sum <got.http | cut -d' ' -f1)"
# [proc(5)] httpd's listener: 127.0.0.1:18080 (0x46A0) in state 0A (LISTEN)
kt_has inet.proc_net_tcp_listen "0100007F:46A0 00000000:0000 0A" "$(cat /proc/net/tcp)"
kt_nok inet.wget_404 wget -q -O /dev/null http://127.0.0.1:18080/nosuch
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null

after=$(sed -n 's/^ *lo: *\([0-9]*\).*/\1/p' /proc/net/dev)
# two copies of 4 MiB went through lo (the counters are 32 bits wide)
kt_num inet.proc_net_dev_counts "$((after - before))" -ge 8388608

out=$(ping -c 3 127.0.0.1 2>&1)
kt_has inet.ping_lo "3 packets transmitted, 3 packets received" "$out"
kt_done
