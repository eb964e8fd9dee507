#!/bin/sh
# Which Linux system calls this kernel implements, per arch, and why the
# others are missing: writes docs/syscalls.md from the arch tables
# (hal/<arch>/include/hal/arch/syscall_list.h) and the handlers in the tree
# (SYSCALL_DEFINEn(name, ...) or a hand-written `long sys_<name>(const
# unsigned long *args)`), so the page stays true.
#
#   tools/syscall-coverage.sh           rewrite docs/syscalls.md
#   tools/syscall-coverage.sh --check   exit 1 if docs/syscalls.md is stale
#   tools/syscall-coverage.sh --stdout  print the page
#
# The reason for each missing call comes from the REASONS table below (a
# name, a '|', a category); add a line there when a call stays missing on
# purpose. A call without a line is "not implemented yet".
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/docs/syscalls.md
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Category -> text.
cat >"$TMP/categories" <<'EOF'
obsolete|Obsolete: Linux itself answers ENOSYS (removed, e.g. `_sysctl` in 5.5 and `lookup_dcookie` in 6.10, never implemented, or configured out by Debian, e.g. `uselib`), so ENOSYS is the Linux behaviour.
deprecated|Deprecated interfaces Linux keeps for old binaries (ustat, sysfs, remap_file_pages): no program of the test set calls them.
time64|32-bit ABI only (asm-generic/unistd.h under `__BITS_PER_LONG == 32`): Linux arm64 has no such number, so ENOSYS is the Linux answer. The table lists them because it was generated without that condition.
x86_32|32-bit x86 compatibility (LDT entries, TLS descriptors, I/O privilege): 64-bit programs do not use them.
net|Sockets: the networking work item (AF_UNIX, AF_INET over lwIP; issue on sockets).
eventfd|Event file descriptors (epoll, eventfd, signalfd, timerfd, inotify, fanotify): the sockets/events work item.
aio|Asynchronous I/O (Linux AIO, io_uring): no program of the test set needs it; glibc's POSIX AIO uses threads.
other_item|In progress in another work item of issue 9 (futex, signals, scheduling, clone3, pidfd, membarrier, rseq, capabilities).
timers|POSIX per-process timers (timer_create & co.): not yet; setitimer/alarm exist.
keys|Kernel key retention service: not implemented.
mountapi|The new mount API (fsopen, fsmount, move_mount...): mount(2)/umount2(2) cover mounting.
numa|NUMA memory policy: one memory node, nothing to place.
extension|Kernel extension, tracing and sandboxing facilities (modules, kexec, BPF, perf, ptrace, seccomp, Landlock, userfaultfd, kcmp): not part of this kernel.
admin|System administration with no backing here (swap, quotas, process accounting, clock discipline, I/O priorities, pivot_root, vhangup).
handles|File handles and memfd variants: not yet.
notyet|Not implemented yet.
EOF

cat >"$TMP/reasons" <<'EOF'
uselib|obsolete
ustat|deprecated
sysfs|deprecated
_sysctl|obsolete
create_module|obsolete
get_kernel_syms|obsolete
query_module|obsolete
nfsservctl|obsolete
getpmsg|obsolete
putpmsg|obsolete
afs_syscall|obsolete
tuxcall|obsolete
security|obsolete
vserver|obsolete
epoll_ctl_old|obsolete
epoll_wait_old|obsolete
lookup_dcookie|obsolete
remap_file_pages|deprecated
modify_ldt|x86_32
set_thread_area|x86_32
get_thread_area|x86_32
iopl|x86_32
ioperm|x86_32
socket|net
socketpair|net
connect|net
accept|net
accept4|net
sendto|net
recvfrom|net
sendmsg|net
recvmsg|net
sendmmsg|net
recvmmsg|net
shutdown|net
bind|net
listen|net
getsockname|net
getpeername|net
setsockopt|net
getsockopt|net
epoll_create|eventfd
epoll_create1|eventfd
epoll_ctl|eventfd
epoll_wait|eventfd
epoll_pwait|eventfd
epoll_pwait2|eventfd
eventfd|eventfd
eventfd2|eventfd
signalfd|eventfd
signalfd4|eventfd
timerfd_create|eventfd
timerfd_settime|eventfd
timerfd_gettime|eventfd
inotify_init|eventfd
inotify_init1|eventfd
inotify_add_watch|eventfd
inotify_rm_watch|eventfd
fanotify_init|eventfd
fanotify_mark|eventfd
io_setup|aio
io_destroy|aio
io_submit|aio
io_cancel|aio
io_getevents|aio
io_pgetevents|aio
io_uring_setup|aio
io_uring_enter|aio
io_uring_register|aio
capget|other_item
capset|other_item
membarrier|other_item
rseq|other_item
sched_setattr|other_item
sched_getattr|other_item
pidfd_open|other_item
pidfd_send_signal|other_item
pidfd_getfd|other_item
futex_waitv|other_item
process_madvise|other_item
process_mrelease|other_item
restart_syscall|other_item
clone|other_item
clone3|other_item
timer_create|timers
timer_settime|timers
timer_gettime|timers
timer_getoverrun|timers
timer_delete|timers
add_key|keys
request_key|keys
keyctl|keys
open_tree|mountapi
move_mount|mountapi
fsopen|mountapi
fsconfig|mountapi
fsmount|mountapi
fspick|mountapi
mount_setattr|mountapi
mbind|numa
set_mempolicy|numa
get_mempolicy|numa
migrate_pages|numa
move_pages|numa
set_mempolicy_home_node|numa
init_module|extension
finit_module|extension
delete_module|extension
kexec_load|extension
kexec_file_load|extension
bpf|extension
perf_event_open|extension
ptrace|extension
seccomp|extension
landlock_create_ruleset|extension
landlock_add_rule|extension
landlock_restrict_self|extension
userfaultfd|extension
kcmp|extension
pkey_mprotect|extension
pkey_alloc|extension
pkey_free|extension
swapon|admin
swapoff|admin
quotactl|admin
quotactl_fd|admin
acct|admin
adjtimex|admin
clock_adjtime|admin
ioprio_set|admin
ioprio_get|admin
pivot_root|admin
vhangup|admin
name_to_handle_at|handles
open_by_handle_at|handles
memfd_create|handles
memfd_secret|handles
EOF

# Every handler defined in the tree.
grep -rhoE 'SYSCALL_DEFINE[0-6]\([[:space:]]*[a-z0-9_]+' "$ROOT/kernel" "$ROOT/services" \
    "$ROOT/drivers" "$ROOT/hal" 2>/dev/null | sed -E 's/.*\([[:space:]]*//' >"$TMP/impl"
grep -rhoE '^long sys_[a-z0-9_]+\(const unsigned long \*args\)' "$ROOT/kernel" 2>/dev/null |
    sed -E 's/^long sys_([a-z0-9_]+).*/\1/' >>"$TMP/impl"
sort -u -o "$TMP/impl" "$TMP/impl"

page() {
    cat <<'EOF'
# System calls: what is implemented, per arch

Generated by `tools/syscall-coverage.sh` from the arch tables
(`hal/<arch>/include/hal/arch/syscall_list.h`, Linux's numbers) and the
handlers in the tree (`SYSCALL_DEFINEn(name, ...)`). Do not edit by hand:
after adding or removing a system call run `tools/syscall-coverage.sh`
(`--check` tells whether this page is stale). The reasons come from the
table in that script.

A number without a handler returns `-ENOSYS` (logged once per boot, see
`kernel/syscall/dispatch.c`), which is what Linux answers for a call it
does not have; programs and libcs treat it as "feature absent" (glibc, for
example, falls back from `clone3` to `clone`).

## Where the behaviour of an implemented call differs from Linux
- `syslog(2)`: every line has level 6 (`<6>`, printk has no levels) and no
  timestamp; `dmesg_restrict` is 0 (`/proc/sys/kernel/dmesg_restrict`); no
  `/proc/kmsg`. The ring holds 64 KiB.
- `*xattr(2)`: kept by tmpfs (and devtmpfs, which is tmpfs) for `user.`,
  `trusted.` and `security.` (Linux 6.1's tmpfs has no `user.`; 6.6 has);
  no POSIX ACLs (`system.`). Other file systems: `ENOTSUP`, empty lists.
  Writing `security.*` needs root, as commoncap says (Debian's 6.1 lets
  anyone with its BPF LSM built in).
- `mincore(2)`: a file mapping's pages count as resident within the file
  (all file data is in memory), as Linux reports its page cache.
- `mlock(2)` & co.: nothing is ever paged out, so locking marks and faults
  in; `VmLck` and `RLIMIT_MEMLOCK` as Linux.
- `unshare(2)`: `CLONE_NEWUTS`, `CLONE_FILES`, `CLONE_FS`, `CLONE_SYSVSEM`;
  the other namespaces are `EINVAL` for root (as a Linux built without
  them) and `EPERM` for others. `setns(2)`: UTS namespaces through
  `/proc/<pid>/ns/uts`; pidfds and other types `EINVAL`.
- `splice(2)`, `tee(2)`, `vmsplice(2)`: data is copied, at most 64 KiB per
  call; `SPLICE_F_MOVE`/`GIFT` are hints.
- System V IPC: at most 256 objects of each kind (Linux 32000), `MSG_COPY`
  `EINVAL`; semaphore `SEM_UNDO` adjustments are applied when the process
  exits.
- Pseudo-terminals (`/dev/ptmx`, devpts): at most 256 pairs (Linux 4096),
  one index space shared by every devpts mount (Linux gives each mount its
  own since 4.7; `newinstance` is accepted); `TIOCGPTPEER` opens
  `/dev/pts/N` by path; `TIOCPKT` and the master's own line discipline are
  not there (the master is a raw byte stream; its termios is only stored).
- POSIX message queues (`mq_*`): one namespace, no mqueue file system (nothing
  under `/dev/mqueue`), no `RLIMIT_MSGQUEUE`; `mq_notify` takes `SIGEV_SIGNAL`
  and `SIGEV_NONE`, and `SIGEV_THREAD` (Linux's netlink socket) is `EINVAL`.
- CPU-time clocks (`CLOCK_PROCESS_CPUTIME_ID`, `CLOCK_THREAD_CPUTIME_ID`,
  the ids of `clock_getcpuclockid(3)`/`pthread_getcpuclockid(3)`): counted
  in scheduler ticks, so `clock_getres(2)` gives one tick (Linux 1 ns);
  `clock_nanosleep(2)` and `timer_create(2)` do not take them.
- `RLIMIT_DATA`: charged by `brk`, `mmap` and `mprotect` as Linux's
  `may_expand_vm()`, not yet by `mremap` growth; `RLIMIT_AS` is not enforced.
- `/proc/<pid>/fdinfo/<fd>`: `pos`, `flags`, `mnt_id`, `ino`, and the lines
  of eventfd and epoll; no lock lines, none for inotify, timerfd or
  signalfd; `mnt_id` 0 for files without a name (pipes, anonymous files).
- `/proc/<pid>/smaps`: no dirty or accessed bits are kept, so anonymous and
  writable pages count as dirty and Referenced equals Rss; Pss divides by
  the frame's reference count (a tmpfs page-cache entry counts as one).

## Locks of the state added with the 2026-12-07 system calls
The core runs on one CPU, is not preemptible and masks interrupts for state
shared with interrupt handlers. For an SMP kernel each needs the lock named.

| state | guarded today by | SMP |
| --- | --- | --- |
| printk ring, syslog reader and clear positions, console level (`kernel/printk.c`, `kernel/syslog.c`) | interrupts masked (printk runs in any context) | a spinlock taken with interrupts masked ("logbuf_lock") |
| UTS namespaces and their names (`kernel/proc/uts.c`) | syscalls only, one at a time | a spinlock per namespace, atomic refcount |
| tmpfs extended attributes (`services/tmpfs/xattr.c`) | the caller (VFS syscalls one at a time), inside `svc_call` | the inode's lock |
| `VM_LOCKED` areas, `mm->def_flags` (`kernel/mm/mlock.c`) | syscalls of the mm's own tasks | the mm's lock |
| System V IPC tables and objects, SEM_UNDO list (`kernel/ipc/`) | syscalls one at a time; sleepers re-find objects by id and the last sleeper frees a removed one | a mutex per table, a spinlock per object |
| pipes used by splice/tee/vmsplice (`kernel/vfs/pipe.c`) | the pipe's own `locked` flag and wait queue | the pipe's mutex |

EOF
    for arch in x64 arm64; do
        list=$ROOT/hal/$arch/include/hal/arch/syscall_list.h
        sed -nE 's/.*X\(([a-z0-9_]+), ([0-9]+)\).*/\2 \1/p' "$list" | sort -n >"$TMP/list.$arch"
        listed=$(wc -l <"$TMP/list.$arch")
        awk 'NR==FNR { impl[$1] = 1; next } !($2 in impl)' "$TMP/impl" "$TMP/list.$arch" >"$TMP/missing.$arch"
        missing=$(wc -l <"$TMP/missing.$arch")
        case $arch in
        x64) title="x86_64" ;;
        arm64) title="arm64 (asm-generic numbers)" ;;
        esac
        echo "## $title"
        echo
        echo "$((listed - missing)) of $listed numbers in the table have a handler; $missing do not."
        echo
        echo "| reason | system calls (number name) |"
        echo "| --- | --- |"
        awk -F'|' -v reasons="$TMP/reasons" '
            BEGIN { while ((getline l < reasons) > 0) { split(l, a, "|"); why[a[1]] = a[2] } }
            NR == FNR { order[++n] = $1; text[$1] = $2; next }
            { split($0, f, " ")
              c = (f[2] in why) ? why[f[2]] : (f[2] ~ /time64$/ ? "time64" : "notyet")
              calls[c] = calls[c] (calls[c] == "" ? "" : ", ") f[1] " `" f[2] "`" }
            END { for (i = 1; i <= n; i++) if (order[i] in calls)
                    printf "| %s | %s |\n", text[order[i]], calls[order[i]] }
        ' "$TMP/categories" "$TMP/missing.$arch"
        echo
    done
}

case ${1:-} in
--stdout) page ;;
--check)
    page >"$TMP/page"
    if cmp -s "$TMP/page" "$OUT"; then
        echo "docs/syscalls.md is up to date"
    else
        echo "docs/syscalls.md is stale: run tools/syscall-coverage.sh" >&2
        exit 1
    fi
    ;;
"")
    page >"$OUT"
    echo "wrote $OUT"
    ;;
*)
    echo "usage: $0 [--check|--stdout]" >&2
    exit 2
    ;;
esac
