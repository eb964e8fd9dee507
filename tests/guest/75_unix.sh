#!/bin/sh
# AF_UNIX from BusyBox applets [unix(7)]: syslogd binds the datagram socket
# /dev/log and logger sends to it (through the C library's syslog()); the
# message must reach syslogd's log file. BusyBox's nc has no -U, so the
# socket calls themselves are checked by t_unix. /dev/log is the machine's,
# so this runs only where the suite owns the machine (the guest, the Linux VM).
. "${KTEST_DIR:-/tests}/lib.sh"

if ! kt_guest; then
    kt_skip unix.syslogd_bind "needs /dev/log of its own (guest or VM only)"
    kt_skip unix.logger_to_syslogd "needs /dev/log of its own (guest or VM only)"
    kt_done
fi

log=$KT_D/messages
rm -f /dev/log
syslogd -n -O "$log" &
pid=$!
i=0
while [ ! -S /dev/log ] && [ $i -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
done
if [ -S /dev/log ]; then kt_pass unix.syslogd_bind; else kt_fail unix.syslogd_bind "no socket at /dev/log"; fi
logger -t kt "hello over af_unix $$"
i=0
while ! grep -q "hello over af_unix $$" "$log" 2>/dev/null && [ $i -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
done
kt_has unix.logger_to_syslogd "hello over af_unix $$" "$(cat "$log" 2>/dev/null)"
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
rm -f /dev/log
kt_done
