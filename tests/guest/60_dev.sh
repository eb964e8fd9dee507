#!/bin/sh
# Character devices provided by the kernel's /dev: null, zero, full, urandom.
. "${KTEST_DIR:-/tests}/lib.sh"

kt_eq dev.types "cccc" "$(for d in null zero full urandom; do test -c /dev/$d && printf c; done)"
kt_eq dev.null_read_empty "0" "$(wc -c </dev/null | kt_trim)"
echo discard >/dev/null
kt_eq dev.null_write_ok "0" "$?"
kt_eq dev.null_as_input "" "$(cat /dev/null)"

kt_eq dev.zero_length "4096" "$(head -c 4096 /dev/zero | wc -c | kt_trim)"
kt_eq dev.zero_all_nul "0" "$(head -c 4096 /dev/zero | tr -d '\000' | wc -c | kt_trim)"
kt_eq dev.zero_dd_big "1048576" "$(dd if=/dev/zero bs=65536 count=16 2>/dev/null | wc -c | kt_trim)"

if (echo x >/dev/full) 2>/dev/null; then
    kt_fail dev.full_write_fails "echo x > /dev/full succeeded"
else
    kt_pass dev.full_write_fails
fi
out=$( (echo x >/dev/full) 2>&1)
kt_has dev.full_enospc_message "No space left on device" "$out"
kt_eq dev.full_reads_zeros "16 0" \
    "$(head -c 16 /dev/full | wc -c | kt_trim) $(head -c 16 /dev/full | tr -d '\000' | wc -c | kt_trim)"

kt_eq dev.urandom_16_bytes "16" "$(head -c 16 /dev/urandom | wc -c | kt_trim)"
r1=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
r2=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
if [ ${#r1} -eq 32 ] && [ "$r1" != "$r2" ]; then
    kt_pass dev.urandom_reads_differ
else
    kt_fail dev.urandom_reads_differ "'$r1' vs '$r2'"
fi
kt_eq dev.urandom_big_read "65536" "$(dd if=/dev/urandom bs=4096 count=16 2>/dev/null | wc -c | kt_trim)"

# Linux device numbers (major:minor, hex): mem devices are major 1.
kt_eq dev.numbers "1:3 1:5 1:7 1:9" \
    "$(stat -c '%t:%T' /dev/null) $(stat -c '%t:%T' /dev/zero) $(stat -c '%t:%T' /dev/full) $(stat -c '%t:%T' /dev/urandom)"

if kt_guest; then
    if [ -t 1 ]; then kt_pass dev.stdout_is_tty; else kt_fail dev.stdout_is_tty "[ -t 1 ] false on the console"; fi
fi

kt_done
