#!/bin/sh
# eth0 on virtio-net with QEMU's user network (//tests:qemu_*_net, tests/net/net_test.sh):
# the ip= configuration (static or DHCP: QEMU's first lease is 10.0.2.15, its gateway
# 10.0.2.2), ifconfig and route as BusyBox shows them (SIOCGIF*, /proc/net/route,
# /proc/net/dev counters), route add/del (SIOCADDRT/SIOCDELRT), and files both ways
# over TCP checked by sha256: wget from the host's handler at 10.0.2.100:8080 (the name
# "hostsrv" comes from /etc/hosts), and the host fetching the guest's httpd through
# QEMU's hostfwd.
. "${KTEST_DIR:-/tests}/lib.sh"

out=$(ifconfig eth0 2>&1)
kt_has eth.ifconfig_addr "inet addr:10.0.2.15" "$out"
kt_has eth.ifconfig_mask "Mask:255.255.255.0" "$out"
kt_has eth.ifconfig_flags "UP BROADCAST RUNNING" "$out"
kt_has eth.ifconfig_hwaddr "HWaddr 52:54:00:12:34:56" "$out"
case $(cat /proc/cmdline) in
*ip=dhcp*) kt_has eth.dhcp_log "IP-Config: Complete: device=eth0, ipaddr=10.0.2.15" "$(dmesg)" ;;
*) kt_has eth.static_log "IP-Config: Complete: device=eth0, ipaddr=10.0.2.15, mask=255.255.255.0, gw=10.0.2.2" "$(dmesg)" ;;
esac

# The default route: from ip= (static), or added with route(8) (QEMU's DHCP server
# under restrict=on offers no router); SIOCDELRT/SIOCADDRT of the default in between.
case $(cat /proc/cmdline) in
*ip=dhcp*)
    kt_nok eth.dhcp_no_router sh -c "grep -q '^eth0	00000000' /proc/net/route"
    route add default gw 10.0.2.2 2>&1
    ;;
*)
    route del default 2>&1
    kt_nok eth.route_del_default sh -c "grep -q '^eth0	00000000' /proc/net/route"
    route add default gw 10.0.2.2 eth0 2>&1
    ;;
esac
kt_has eth.route_add_default_exists "File exists" "$(route add default gw 10.0.2.2 2>&1)"

# /proc/net/route [proc(5)]: the subnet and the default route, Linux's hex (__be32)
rt=$(cat /proc/net/route)
kt_has eth.proc_route_header "Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask" "$rt"
kt_has eth.proc_route_default "eth0	00000000	0202000A	0003	0	0	0	00000000" "$rt"
kt_has eth.proc_route_subnet "eth0	0002000A	00000000	0001	0	0	0	00FFFFFF" "$rt"
kt_has eth.route_default "0.0.0.0         10.0.2.2        0.0.0.0         UG" "$(route -n 2>&1)"

# a host route through the gateway, then gone again
route add -host 10.9.8.7 gw 10.0.2.2 dev eth0 2>&1
kt_has eth.route_add "10.9.8.7        10.0.2.2        255.255.255.255 UGH" "$(route -n 2>&1)"
out=$(route add -host 10.9.8.7 gw 10.0.2.2 dev eth0 2>&1)
kt_has eth.route_add_exists "File exists" "$out"
out=$(route add -net 10.7.0.0 netmask 255.255.0.0 gw 10.1.1.1 2>&1)
kt_has eth.route_add_unreachable "Network is unreachable" "$out"
route del -host 10.9.8.7 gw 10.0.2.2 2>&1
kt_nok eth.route_del sh -c "route -n | grep -q 10.9.8.7"
out=$(route del -host 10.9.8.7 2>&1)
kt_has eth.route_del_missing "No such process" "$out"

# the guest's file, served to the host
mkdir -p /tmp/www
dd if=/dev/urandom of=/tmp/www/guest.bin bs=65536 count=16 2>/dev/null
mine=$(sha256sum </tmp/www/guest.bin | cut -d' ' -f1)
httpd -p 80 -h /tmp/www
rx_before=$(sed -n 's/^ *eth0: *\([0-9]*\).*/\1/p' /proc/net/dev)

# the host's file (1 MiB), by the name /etc/hosts gives
wget -q -O /tmp/host.bin http://hostsrv:8080/host.bin 2>&1
want=$(wget -q -O - http://hostsrv:8080/host.bin.sha256 2>&1)
kt_eq eth.wget_from_host "$want" "$(sha256sum </tmp/host.bin | cut -d' ' -f1)"
# the host fetches guest.bin from our httpd (hostfwd) and answers its sum
kt_eq eth.host_fetch_from_guest "$mine" "$(wget -q -O - http://10.0.2.100:8080/guest.sha256 2>&1)"
kt_has eth.wget_404 "404" "$(wget -O /dev/null http://hostsrv:8080/nothing 2>&1)"

# /proc/net/dev counts what went through eth0 (more than the 1 MiB received)
rx_after=$(sed -n 's/^ *eth0: *\([0-9]*\).*/\1/p' /proc/net/dev)
kt_num eth.proc_net_dev_rx "$((rx_after - rx_before))" -gt 1048576
kt_has eth.ifconfig_counters "RX bytes:" "$(ifconfig eth0)"
# /proc/net/udp [proc(5)]: with ip=dhcp, lwIP's DHCP client socket on 0.0.0.0:68 (a
# socket bound by a program is checked by t_inet in the main suites)
case $(cat /proc/cmdline) in
*ip=dhcp*)
    kt_has eth.proc_net_udp ": 00000000:0044 " "$(cat /proc/net/udp)"
    kt_has eth.netstat_udp "0.0.0.0:68" "$(netstat -un -a 2>&1)"
    ;;
*)
    kt_skip eth.proc_net_udp "static ip=: no DHCP socket"
    kt_skip eth.netstat_udp "static ip=: no DHCP socket"
    ;;
esac

# ifconfig down/up: the flags follow
ifconfig eth0 down
kt_nok eth.ifconfig_down sh -c "ifconfig eth0 | grep -q ' UP '"
ifconfig eth0 up
kt_has eth.ifconfig_up_again "UP BROADCAST RUNNING" "$(ifconfig eth0)"
# a new address (SIOCSIFADDR, then SIOCSIFNETMASK), and back
ifconfig eth0 10.0.3.7 netmask 255.255.255.128
out=$(ifconfig eth0)
kt_has eth.ifconfig_set_addr "inet addr:10.0.3.7  Bcast:10.0.3.127  Mask:255.255.255.128" "$out"
kt_has eth.proc_route_new_subnet "eth0	0003000A	00000000	0001	0	0	0	80FFFFFF" "$(cat /proc/net/route)"
ifconfig eth0 10.0.2.15 netmask 255.255.255.0
kt_has eth.ifconfig_restore_addr "inet addr:10.0.2.15" "$(ifconfig eth0)"
kt_done
