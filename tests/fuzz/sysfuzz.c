/* sysfuzz.c - Kevlar's system call fuzzer (issue 15; docs/reliability.md).
 *
 * A static Linux program (x86_64 and aarch64) that, from a seed, makes random system
 * calls with argument values chosen from what breaks kernels: 0, -1, boundaries
 * (INT_MAX, 1<<31, page size +- 1, huge sizes), NULL, unaligned, unmapped and
 * kernel-half pointers, a pointer into a mapped page followed by an unmapped one, a
 * read-only page, its own valid fds of every kind (regular file, directory, pipe, the
 * tty, /proc files, /dev/null|zero|urandom|full, eventfd, epoll, timerfd, signalfd,
 * pidfd), flag bit patterns; and sequences (open -> mmap -> ftruncate -> touch the
 * page; fork in the middle; a signal arriving during a blocking read).
 *
 *   sysfuzz [-s SEED] [-n CALLS] [-p PROCS] [-t THREADS] [-u] [-v] [-S STALL_S]
 *           [-H HEARTBEAT] [-k]
 *
 * The process started is the supervisor. It forks PROCS workers (each with THREADS
 * fuzzing threads, in a session of its own), and runs CALLS calls as root and then
 * CALLS calls as uid/gid 65534 (-u: only the second phase). A worker killed by a signal
 * or making no progress for STALL_S seconds (blocked in pause(), a read of the tty...)
 * is killed and restarted with the next seed of its slot: a user process dying is
 * not a finding. Findings fail a KTEST case (tests/guest/README.md):
 *   - a worker, or a process a worker left behind, that does not die within 20 s of
 *     SIGKILL (stuck in the kernel),
 *   - no call made for 60 s (each new worker blocks before its first call),
 *   - a contained service fault (/proc/kevlar/services "contained" grows),
 *   - after the run, the system cannot fork+exec /bin/true or read /proc/meminfo.
 * A kernel panic, a fault report or a dead kernel is judged by tests/qemu_run.sh
 * (a "KERNEL PANIC" line, no "KTEST END" line, or its timeout); the heartbeat line
 * ("sysfuzz: heartbeat ...", every HEARTBEAT calls) shows the progress up to there.
 * -v logs each call on the console before making it ("F<slot>.<thread> <n> <name>(args)")
 * so a seed reproduces a finding; without -v the last calls of each worker are kept in
 * shared memory and printed when a worker hangs. -k: do not print KTEST lines (run
 * by hand). Several threads and processes interleave, so a run is reproducible only
 * with -p 1 -t 1.
 *
 * What is never called (it would end the run rather than test the kernel): reboot,
 * exit/exit_group, kill/tgkill of anything but the worker's own process, group and
 * children (never -1 or pid 1), process_vm_writev/prlimit64/... on other pids,
 * clone/fork/vfork with random flags (fork happens as a sequence), execve of a valid
 * path, syslog actions that silence the console, and mutating path calls (unlink,
 * rename, chmod, mount...) outside the worker's scratch directory /tmp/fz/<slot>.<gen>
 * (fresh for each worker, removed by the supervisor after it).
 * The supervisor also SIGKILLs the processes workers leave behind (a forked child that
 * left the worker's process group) and, before each phase, puts back the modes of /,
 * /tmp, /dev and the /dev nodes that root workers may have changed through their fds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/epoll.h>
#include <grp.h>
#include <sys/eventfd.h>
#include <dirent.h>
#include <ftw.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define MAX_PROCS 16
#define MAX_THREADS 8
#define RING 16
#define SCRATCH_PAGES 16
#define NOBODY 65534

/* ---- argument kinds ------------------------------------------------------------- */
/* One letter per argument of a table entry:
 *   i any integer      l length/size      F flag bits     m mode      o offset
 *   f fd               p buffer pointer   s path (any)    w path (scratch only)
 *   v address in the scratch mapping (mm calls)   P pid (own/child/bogus, never 1 or -1)
 *   S signal (no stop signals)   u uid/gid   E evil pointer only (never valid)
 *   0 always 0   t pointer to a small timespec/timeval   y syslog action (read-only ones) */
struct sc {
    const char *name;
    long nr;
    const char *args;
};

static const struct sc table[] = {
#ifdef SYS_read
    {"read", SYS_read, "fpl"},
#endif
#ifdef SYS_write
    {"write", SYS_write, "fpl"},
#endif
#ifdef SYS_close
    {"close", SYS_close, "f"},
#endif
#ifdef SYS_lseek
    {"lseek", SYS_lseek, "foi"},
#endif
#ifdef SYS_mmap
    {"mmap", SYS_mmap, "vlFFfo"},
#endif
#ifdef SYS_mprotect
    {"mprotect", SYS_mprotect, "vlF"},
#endif
#ifdef SYS_munmap
    {"munmap", SYS_munmap, "vl"},
#endif
#ifdef SYS_brk
    {"brk", SYS_brk, "v"},
#endif
#ifdef SYS_rt_sigaction
    {"rt_sigaction", SYS_rt_sigaction, "Sppl"},
#endif
#ifdef SYS_rt_sigprocmask
    {"rt_sigprocmask", SYS_rt_sigprocmask, "ippl"},
#endif
#ifdef SYS_ioctl
    {"ioctl", SYS_ioctl, "fip"},
#endif
#ifdef SYS_pread64
    {"pread64", SYS_pread64, "fplo"},
#endif
#ifdef SYS_pwrite64
    {"pwrite64", SYS_pwrite64, "fplo"},
#endif
#ifdef SYS_readv
    {"readv", SYS_readv, "fpi"},
#endif
#ifdef SYS_writev
    {"writev", SYS_writev, "fpi"},
#endif
#ifdef SYS_open
    {"open", SYS_open, "sFm"},
#endif
#ifdef SYS_stat
    {"stat", SYS_stat, "sp"},
#endif
#ifdef SYS_fstat
    {"fstat", SYS_fstat, "fp"},
#endif
#ifdef SYS_lstat
    {"lstat", SYS_lstat, "sp"},
#endif
#ifdef SYS_poll
    {"poll", SYS_poll, "pit"},
#endif
#ifdef SYS_access
    {"access", SYS_access, "si"},
#endif
#ifdef SYS_pipe
    {"pipe", SYS_pipe, "p"},
#endif
#ifdef SYS_select
    {"select", SYS_select, "ipppt"},
#endif
#ifdef SYS_dup2
    {"dup2", SYS_dup2, "ff"},
#endif
#ifdef SYS_pause
    {"pause", SYS_pause, ""},
#endif
#ifdef SYS_alarm
    {"alarm", SYS_alarm, "i"},
#endif
#ifdef SYS_getdents
    {"getdents", SYS_getdents, "fpl"},
#endif
#ifdef SYS_rename
    {"rename", SYS_rename, "ww"},
#endif
#ifdef SYS_mkdir
    {"mkdir", SYS_mkdir, "wm"},
#endif
#ifdef SYS_rmdir
    {"rmdir", SYS_rmdir, "w"},
#endif
#ifdef SYS_creat
    {"creat", SYS_creat, "wm"},
#endif
#ifdef SYS_link
    {"link", SYS_link, "ww"},
#endif
#ifdef SYS_unlink
    {"unlink", SYS_unlink, "w"},
#endif
#ifdef SYS_symlink
    {"symlink", SYS_symlink, "sw"},
#endif
#ifdef SYS_readlink
    {"readlink", SYS_readlink, "spl"},
#endif
#ifdef SYS_chmod
    {"chmod", SYS_chmod, "wm"},
#endif
#ifdef SYS_chown
    {"chown", SYS_chown, "wuu"},
#endif
#ifdef SYS_lchown
    {"lchown", SYS_lchown, "wuu"},
#endif
#ifdef SYS_utime
    {"utime", SYS_utime, "wp"},
#endif
#ifdef SYS_mknod
    {"mknod", SYS_mknod, "wmi"},
#endif
#ifdef SYS_epoll_create
    {"epoll_create", SYS_epoll_create, "i"},
#endif
#ifdef SYS_epoll_wait
    {"epoll_wait", SYS_epoll_wait, "fpii"},
#endif
#ifdef SYS_time
    {"time", SYS_time, "p"},
#endif
#ifdef SYS_futimesat
    {"futimesat", SYS_futimesat, "fwp"},
#endif
#ifdef SYS_utimes
    {"utimes", SYS_utimes, "wp"},
#endif
#ifdef SYS_eventfd
    {"eventfd", SYS_eventfd, "i"},
#endif
#ifdef SYS_signalfd
    {"signalfd", SYS_signalfd, "fpl"},
#endif
#ifdef SYS_getpgrp
    {"getpgrp", SYS_getpgrp, ""},
#endif
#ifdef SYS_arch_prctl
    {"arch_prctl", SYS_arch_prctl, "ip"},
#endif
#ifdef SYS_sched_yield
    {"sched_yield", SYS_sched_yield, ""},
#endif
#ifdef SYS_mremap
    {"mremap", SYS_mremap, "vllFv"},
#endif
#ifdef SYS_msync
    {"msync", SYS_msync, "vlF"},
#endif
#ifdef SYS_mincore
    {"mincore", SYS_mincore, "vlp"},
#endif
#ifdef SYS_madvise
    {"madvise", SYS_madvise, "vli"},
#endif
#ifdef SYS_shmget
    {"shmget", SYS_shmget, "ilF"},
#endif
#ifdef SYS_shmat
    {"shmat", SYS_shmat, "ivF"},
#endif
#ifdef SYS_shmctl
    {"shmctl", SYS_shmctl, "iip"},
#endif
#ifdef SYS_dup
    {"dup", SYS_dup, "f"},
#endif
#ifdef SYS_nanosleep
    {"nanosleep", SYS_nanosleep, "tp"},
#endif
#ifdef SYS_getitimer
    {"getitimer", SYS_getitimer, "ip"},
#endif
#ifdef SYS_setitimer
    {"setitimer", SYS_setitimer, "itp"},
#endif
#ifdef SYS_getpid
    {"getpid", SYS_getpid, ""},
#endif
#ifdef SYS_sendfile
    {"sendfile", SYS_sendfile, "ffpl"},
#endif
#ifdef SYS_execve
    {"execve", SYS_execve, "EEE"},
#endif
#ifdef SYS_wait4
    {"wait4", SYS_wait4, "PpFp"},
#endif
#ifdef SYS_kill
    {"kill", SYS_kill, "PS"},
#endif
#ifdef SYS_uname
    {"uname", SYS_uname, "p"},
#endif
#ifdef SYS_semget
    {"semget", SYS_semget, "iiF"},
#endif
#ifdef SYS_semop
    {"semop", SYS_semop, "ipl"},
#endif
#ifdef SYS_semctl
    {"semctl", SYS_semctl, "iiip"},
#endif
#ifdef SYS_shmdt
    {"shmdt", SYS_shmdt, "v"},
#endif
#ifdef SYS_msgget
    {"msgget", SYS_msgget, "iF"},
#endif
#ifdef SYS_msgsnd
    {"msgsnd", SYS_msgsnd, "iplF"},
#endif
#ifdef SYS_msgrcv
    {"msgrcv", SYS_msgrcv, "iplFF"},
#endif
#ifdef SYS_msgctl
    {"msgctl", SYS_msgctl, "iip"},
#endif
#ifdef SYS_fcntl
    {"fcntl", SYS_fcntl, "fii"},
#endif
#ifdef SYS_flock
    {"flock", SYS_flock, "fi"},
#endif
#ifdef SYS_fsync
    {"fsync", SYS_fsync, "f"},
#endif
#ifdef SYS_fdatasync
    {"fdatasync", SYS_fdatasync, "f"},
#endif
#ifdef SYS_truncate
    {"truncate", SYS_truncate, "wo"},
#endif
#ifdef SYS_ftruncate
    {"ftruncate", SYS_ftruncate, "fo"},
#endif
#ifdef SYS_getcwd
    {"getcwd", SYS_getcwd, "pl"},
#endif
#ifdef SYS_chdir
    {"chdir", SYS_chdir, "s"},
#endif
#ifdef SYS_fchdir
    {"fchdir", SYS_fchdir, "f"},
#endif
#ifdef SYS_fchmod
    {"fchmod", SYS_fchmod, "fm"},
#endif
#ifdef SYS_fchown
    {"fchown", SYS_fchown, "fuu"},
#endif
#ifdef SYS_umask
    {"umask", SYS_umask, "m"},
#endif
#ifdef SYS_gettimeofday
    {"gettimeofday", SYS_gettimeofday, "pp"},
#endif
#ifdef SYS_getrlimit
    {"getrlimit", SYS_getrlimit, "ip"},
#endif
#ifdef SYS_getrusage
    {"getrusage", SYS_getrusage, "ip"},
#endif
#ifdef SYS_sysinfo
    {"sysinfo", SYS_sysinfo, "p"},
#endif
#ifdef SYS_times
    {"times", SYS_times, "p"},
#endif
#ifdef SYS_getuid
    {"getuid", SYS_getuid, ""},
#endif
#ifdef SYS_syslog
    {"syslog", SYS_syslog, "ypl"},
#endif
#ifdef SYS_getgid
    {"getgid", SYS_getgid, ""},
#endif
#ifdef SYS_setuid
    {"setuid", SYS_setuid, "u"},
#endif
#ifdef SYS_setgid
    {"setgid", SYS_setgid, "u"},
#endif
#ifdef SYS_geteuid
    {"geteuid", SYS_geteuid, ""},
#endif
#ifdef SYS_getegid
    {"getegid", SYS_getegid, ""},
#endif
#ifdef SYS_setpgid
    {"setpgid", SYS_setpgid, "PP"},
#endif
#ifdef SYS_getppid
    {"getppid", SYS_getppid, ""},
#endif
#ifdef SYS_setsid
    {"setsid", SYS_setsid, ""},
#endif
#ifdef SYS_setreuid
    {"setreuid", SYS_setreuid, "uu"},
#endif
#ifdef SYS_setregid
    {"setregid", SYS_setregid, "uu"},
#endif
#ifdef SYS_getgroups
    {"getgroups", SYS_getgroups, "ip"},
#endif
#ifdef SYS_setgroups
    {"setgroups", SYS_setgroups, "ip"},
#endif
#ifdef SYS_setresuid
    {"setresuid", SYS_setresuid, "uuu"},
#endif
#ifdef SYS_getresuid
    {"getresuid", SYS_getresuid, "ppp"},
#endif
#ifdef SYS_setresgid
    {"setresgid", SYS_setresgid, "uuu"},
#endif
#ifdef SYS_getresgid
    {"getresgid", SYS_getresgid, "ppp"},
#endif
#ifdef SYS_getpgid
    {"getpgid", SYS_getpgid, "P"},
#endif
#ifdef SYS_setfsuid
    {"setfsuid", SYS_setfsuid, "u"},
#endif
#ifdef SYS_setfsgid
    {"setfsgid", SYS_setfsgid, "u"},
#endif
#ifdef SYS_getsid
    {"getsid", SYS_getsid, "P"},
#endif
#ifdef SYS_capget
    {"capget", SYS_capget, "pp"},
#endif
#ifdef SYS_capset
    {"capset", SYS_capset, "pp"},
#endif
#ifdef SYS_rt_sigpending
    {"rt_sigpending", SYS_rt_sigpending, "pl"},
#endif
#ifdef SYS_rt_sigtimedwait
    {"rt_sigtimedwait", SYS_rt_sigtimedwait, "ppti"},
#endif
#ifdef SYS_rt_sigqueueinfo
    {"rt_sigqueueinfo", SYS_rt_sigqueueinfo, "PSp"},
#endif
#ifdef SYS_rt_sigsuspend
    {"rt_sigsuspend", SYS_rt_sigsuspend, "pl"},
#endif
#ifdef SYS_sigaltstack
    {"sigaltstack", SYS_sigaltstack, "pp"},
#endif
#ifdef SYS_personality
    {"personality", SYS_personality, "i"},
#endif
#ifdef SYS_statfs
    {"statfs", SYS_statfs, "sp"},
#endif
#ifdef SYS_fstatfs
    {"fstatfs", SYS_fstatfs, "fp"},
#endif
#ifdef SYS_getpriority
    {"getpriority", SYS_getpriority, "iP"},
#endif
#ifdef SYS_setpriority
    {"setpriority", SYS_setpriority, "iPi"},
#endif
#ifdef SYS_sched_setparam
    {"sched_setparam", SYS_sched_setparam, "Pp"},
#endif
#ifdef SYS_sched_getparam
    {"sched_getparam", SYS_sched_getparam, "Pp"},
#endif
#ifdef SYS_sched_setscheduler
    {"sched_setscheduler", SYS_sched_setscheduler, "Pip"},
#endif
#ifdef SYS_sched_getscheduler
    {"sched_getscheduler", SYS_sched_getscheduler, "P"},
#endif
#ifdef SYS_sched_get_priority_max
    {"sched_get_priority_max", SYS_sched_get_priority_max, "i"},
#endif
#ifdef SYS_sched_get_priority_min
    {"sched_get_priority_min", SYS_sched_get_priority_min, "i"},
#endif
#ifdef SYS_sched_rr_get_interval
    {"sched_rr_get_interval", SYS_sched_rr_get_interval, "Pp"},
#endif
#ifdef SYS_mlock
    {"mlock", SYS_mlock, "vl"},
#endif
#ifdef SYS_munlock
    {"munlock", SYS_munlock, "vl"},
#endif
#ifdef SYS_mlockall
    {"mlockall", SYS_mlockall, "F"},
#endif
#ifdef SYS_munlockall
    {"munlockall", SYS_munlockall, ""},
#endif
#ifdef SYS_prctl
    {"prctl", SYS_prctl, "iiiii"},
#endif
#ifdef SYS_setrlimit
    {"setrlimit", SYS_setrlimit, "ip"},
#endif
#ifdef SYS_chroot
    {"chroot", SYS_chroot, "s"},
#endif
#ifdef SYS_sync
    {"sync", SYS_sync, ""},
#endif
#ifdef SYS_settimeofday
    {"settimeofday", SYS_settimeofday, "pp"},
#endif
#ifdef SYS_mount
    {"mount", SYS_mount, "swsFp"},
#endif
#ifdef SYS_umount2
    {"umount2", SYS_umount2, "wF"},
#endif
#ifdef SYS_sethostname
    {"sethostname", SYS_sethostname, "pl"},
#endif
#ifdef SYS_setdomainname
    {"setdomainname", SYS_setdomainname, "pl"},
#endif
#ifdef SYS_gettid
    {"gettid", SYS_gettid, ""},
#endif
#ifdef SYS_readahead
    {"readahead", SYS_readahead, "fol"},
#endif
#ifdef SYS_setxattr
    {"setxattr", SYS_setxattr, "wpplF"},
#endif
#ifdef SYS_lsetxattr
    {"lsetxattr", SYS_lsetxattr, "wpplF"},
#endif
#ifdef SYS_fsetxattr
    {"fsetxattr", SYS_fsetxattr, "fpplF"},
#endif
#ifdef SYS_getxattr
    {"getxattr", SYS_getxattr, "sppl"},
#endif
#ifdef SYS_lgetxattr
    {"lgetxattr", SYS_lgetxattr, "sppl"},
#endif
#ifdef SYS_fgetxattr
    {"fgetxattr", SYS_fgetxattr, "fppl"},
#endif
#ifdef SYS_listxattr
    {"listxattr", SYS_listxattr, "spl"},
#endif
#ifdef SYS_llistxattr
    {"llistxattr", SYS_llistxattr, "spl"},
#endif
#ifdef SYS_flistxattr
    {"flistxattr", SYS_flistxattr, "fpl"},
#endif
#ifdef SYS_removexattr
    {"removexattr", SYS_removexattr, "wp"},
#endif
#ifdef SYS_lremovexattr
    {"lremovexattr", SYS_lremovexattr, "wp"},
#endif
#ifdef SYS_fremovexattr
    {"fremovexattr", SYS_fremovexattr, "fp"},
#endif
#ifdef SYS_tkill
    {"tkill", SYS_tkill, "PS"},
#endif
#ifdef SYS_futex
    {"futex", SYS_futex, "viitvi"},
#endif
#ifdef SYS_sched_setaffinity
    {"sched_setaffinity", SYS_sched_setaffinity, "Plp"},
#endif
#ifdef SYS_sched_getaffinity
    {"sched_getaffinity", SYS_sched_getaffinity, "Plp"},
#endif
#ifdef SYS_set_tid_address
    {"set_tid_address", SYS_set_tid_address, "p"},
#endif
#ifdef SYS_fadvise64
    {"fadvise64", SYS_fadvise64, "fooi"},
#endif
#ifdef SYS_timer_create
    {"timer_create", SYS_timer_create, "ipp"},
#endif
#ifdef SYS_timer_settime
    {"timer_settime", SYS_timer_settime, "iFpp"},
#endif
#ifdef SYS_timer_gettime
    {"timer_gettime", SYS_timer_gettime, "ip"},
#endif
#ifdef SYS_timer_getoverrun
    {"timer_getoverrun", SYS_timer_getoverrun, "i"},
#endif
#ifdef SYS_timer_delete
    {"timer_delete", SYS_timer_delete, "i"},
#endif
#ifdef SYS_clock_settime
    {"clock_settime", SYS_clock_settime, "ip"},
#endif
#ifdef SYS_clock_gettime
    {"clock_gettime", SYS_clock_gettime, "ip"},
#endif
#ifdef SYS_clock_getres
    {"clock_getres", SYS_clock_getres, "ip"},
#endif
#ifdef SYS_clock_nanosleep
    {"clock_nanosleep", SYS_clock_nanosleep, "iFtp"},
#endif
#ifdef SYS_epoll_ctl
    {"epoll_ctl", SYS_epoll_ctl, "fifp"},
#endif
#ifdef SYS_tgkill
    {"tgkill", SYS_tgkill, "PPS"},
#endif
#ifdef SYS_waitid
    {"waitid", SYS_waitid, "iPpFp"},
#endif
#ifdef SYS_openat
    {"openat", SYS_openat, "fsFm"},
#endif
#ifdef SYS_mkdirat
    {"mkdirat", SYS_mkdirat, "fwm"},
#endif
#ifdef SYS_mknodat
    {"mknodat", SYS_mknodat, "fwmi"},
#endif
#ifdef SYS_fchownat
    {"fchownat", SYS_fchownat, "fwuuF"},
#endif
#ifdef SYS_newfstatat
    {"newfstatat", SYS_newfstatat, "fspF"},
#endif
#ifdef SYS_unlinkat
    {"unlinkat", SYS_unlinkat, "fwF"},
#endif
#ifdef SYS_renameat
    {"renameat", SYS_renameat, "fwfw"},
#endif
#ifdef SYS_linkat
    {"linkat", SYS_linkat, "fwfwF"},
#endif
#ifdef SYS_symlinkat
    {"symlinkat", SYS_symlinkat, "sfw"},
#endif
#ifdef SYS_readlinkat
    {"readlinkat", SYS_readlinkat, "fspl"},
#endif
#ifdef SYS_fchmodat
    {"fchmodat", SYS_fchmodat, "fwmF"},
#endif
#ifdef SYS_faccessat
    {"faccessat", SYS_faccessat, "fsiF"},
#endif
#ifdef SYS_pselect6
    {"pselect6", SYS_pselect6, "ippptp"},
#endif
#ifdef SYS_ppoll
    {"ppoll", SYS_ppoll, "pitpl"},
#endif
#ifdef SYS_unshare
    {"unshare", SYS_unshare, "F"},
#endif
#ifdef SYS_set_robust_list
    {"set_robust_list", SYS_set_robust_list, "pl"},
#endif
#ifdef SYS_get_robust_list
    {"get_robust_list", SYS_get_robust_list, "Ppp"},
#endif
#ifdef SYS_splice
    {"splice", SYS_splice, "fpfplF"},
#endif
#ifdef SYS_tee
    {"tee", SYS_tee, "fflF"},
#endif
#ifdef SYS_sync_file_range
    {"sync_file_range", SYS_sync_file_range, "fooF"},
#endif
#ifdef SYS_vmsplice
    {"vmsplice", SYS_vmsplice, "fpiF"},
#endif
#ifdef SYS_utimensat
    {"utimensat", SYS_utimensat, "fspF"},
#endif
#ifdef SYS_epoll_pwait
    {"epoll_pwait", SYS_epoll_pwait, "fpiipl"},
#endif
#ifdef SYS_signalfd4
    {"signalfd4", SYS_signalfd4, "fplF"},
#endif
#ifdef SYS_timerfd_create
    {"timerfd_create", SYS_timerfd_create, "iF"},
#endif
#ifdef SYS_eventfd2
    {"eventfd2", SYS_eventfd2, "iF"},
#endif
#ifdef SYS_fallocate
    {"fallocate", SYS_fallocate, "fioo"},
#endif
#ifdef SYS_timerfd_settime
    {"timerfd_settime", SYS_timerfd_settime, "fFpp"},
#endif
#ifdef SYS_timerfd_gettime
    {"timerfd_gettime", SYS_timerfd_gettime, "fp"},
#endif
#ifdef SYS_epoll_create1
    {"epoll_create1", SYS_epoll_create1, "F"},
#endif
#ifdef SYS_dup3
    {"dup3", SYS_dup3, "ffF"},
#endif
#ifdef SYS_pipe2
    {"pipe2", SYS_pipe2, "pF"},
#endif
#ifdef SYS_preadv
    {"preadv", SYS_preadv, "fpioo"},
#endif
#ifdef SYS_pwritev
    {"pwritev", SYS_pwritev, "fpioo"},
#endif
#ifdef SYS_rt_tgsigqueueinfo
    {"rt_tgsigqueueinfo", SYS_rt_tgsigqueueinfo, "PPSp"},
#endif
#ifdef SYS_prlimit64
    {"prlimit64", SYS_prlimit64, "Pipp"},
#endif
#ifdef SYS_syncfs
    {"syncfs", SYS_syncfs, "f"},
#endif
#ifdef SYS_setns
    {"setns", SYS_setns, "fF"},
#endif
#ifdef SYS_getcpu
    {"getcpu", SYS_getcpu, "ppp"},
#endif
#ifdef SYS_process_vm_readv
    {"process_vm_readv", SYS_process_vm_readv, "PpipiF"},
#endif
#ifdef SYS_process_vm_writev
    {"process_vm_writev", SYS_process_vm_writev, "PpipiF"},
#endif
#ifdef SYS_sched_setattr
    {"sched_setattr", SYS_sched_setattr, "PpF"},
#endif
#ifdef SYS_sched_getattr
    {"sched_getattr", SYS_sched_getattr, "PplF"},
#endif
#ifdef SYS_renameat2
    {"renameat2", SYS_renameat2, "fwfwF"},
#endif
#ifdef SYS_getrandom
    {"getrandom", SYS_getrandom, "plF"},
#endif
#ifdef SYS_membarrier
    {"membarrier", SYS_membarrier, "iFi"},
#endif
#ifdef SYS_mlock2
    {"mlock2", SYS_mlock2, "vlF"},
#endif
#ifdef SYS_copy_file_range
    {"copy_file_range", SYS_copy_file_range, "fpfplF"},
#endif
#ifdef SYS_preadv2
    {"preadv2", SYS_preadv2, "fpiooF"},
#endif
#ifdef SYS_pwritev2
    {"pwritev2", SYS_pwritev2, "fpiooF"},
#endif
#ifdef SYS_statx
    {"statx", SYS_statx, "fsFip"},
#endif
#ifdef SYS_rseq
    {"rseq", SYS_rseq, "plii"},
#endif
#ifdef SYS_pidfd_send_signal
    {"pidfd_send_signal", SYS_pidfd_send_signal, "fSpF"},
#endif
#ifdef SYS_pidfd_open
    {"pidfd_open", SYS_pidfd_open, "PF"},
#endif
#ifdef SYS_clone3
    {"clone3", SYS_clone3, "El"},
#endif
#ifdef SYS_close_range
    {"close_range", SYS_close_range, "ffF"},
#endif
#ifdef SYS_faccessat2
    {"faccessat2", SYS_faccessat2, "fsiF"},
#endif
#ifdef SYS_epoll_pwait2
    {"epoll_pwait2", SYS_epoll_pwait2, "fpitpl"},
#endif
#ifdef SYS_semtimedop
    {"semtimedop", SYS_semtimedop, "iplt"},
#endif
#ifdef SYS_getdents64
    {"getdents64", SYS_getdents64, "fpl"},
#endif
};
#define NCALLS (sizeof table / sizeof table[0])

/* ---- shared state (MAP_SHARED, survives a worker's death) -------------------------- */
struct ring_ent {
    unsigned long seq;
    int idx; /* table index, or -1 - sequence number for a sequence */
    long args[6];
};

struct slot {
    volatile unsigned long calls; /* progress of this worker (all its threads) */
    volatile pid_t pid;
    unsigned long seed;
    struct ring_ent ring[RING];
};

struct shared {
    volatile unsigned long total;
    volatile unsigned long budget; /* stop making calls past this total */
    struct slot slot[MAX_PROCS];
};

static struct shared *sh;
static int opt_verbose, opt_procs = 2, opt_threads = 2, opt_stall = 4, opt_noktest;
static unsigned long opt_seed = 1, opt_calls = 20000, opt_heartbeat = 10000;
static int opt_unpriv_only;
static int log_fd = 2;

/* ---- per-thread state ----------------------------------------------------------- */
struct rng {
    uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
    /* splitmix64 */
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static unsigned rn(struct rng *r, unsigned n)
{
    return (unsigned)(rnd(r) % n);
}

/* The worker's world, set up by worker_setup() and shared by its threads. */
static int slot_no;
static char scratch[64];
static unsigned char *scr;   /* SCRATCH_PAGES pages, RW, rebuilt every so often */
static unsigned char *edge;  /* a RW page followed by an unmapped one */
static unsigned char *ropage;
static unsigned char *hole;  /* mapped then unmapped */
static int fds[32], nfds;
static pid_t kids[8];
static volatile sig_atomic_t got_alarm;

static const char *const any_paths[] = {
    "/", ".", "..", "", "/proc", "/proc/self", "/proc/self/maps", "/proc/self/status",
    "/proc/self/mem", "/proc/self/fd", "/proc/self/fd/0", "/proc/self/exe", "/proc/self/cwd",
    "/proc/1/status", "/proc/1/mem", "/proc/1/environ", "/proc/meminfo", "/proc/cmdline",
    "/proc/sys/kernel/hostname", "/proc/kevlar", "/dev", "/dev/null", "/dev/zero",
    "/dev/full", "/dev/urandom", "/dev/tty", /* not /dev/console: the log */ "/tmp", "/nonexistent",
    "/dev/null/x", "a/../../../../..", "////proc///self", "/proc/self/task",
};
static const char *const scr_names[] = {
    "f", "d", "d/f", "l", "p", "m", "new", "d/new", "d/..", "lx", "d/d2", "ro", "f/x",
};

static char longpath[PATH_MAX + 64];
static char name256[300];

static void fill_scratch(struct rng *r)
{
    /* page 0: random bytes; page 1: iovecs into the scratch area; page 2: small
     * numbers (timespecs, sigsets, counts); page 3: zeros; page 4: path strings;
     * the others random. */
    for (unsigned long i = 0; i < SCRATCH_PAGES * PAGE; i += 8) {
        uint64_t v = rnd(r);
        memcpy(scr + i, &v, 8);
    }
    struct iovec *iov = (struct iovec *)(scr + PAGE);
    for (int i = 0; i < 256; i++) {
        iov[i].iov_base = scr + rn(r, SCRATCH_PAGES) * PAGE + rn(r, 64);
        iov[i].iov_len = rn(r, 4) ? rn(r, 512) : rnd(r);
        if (rn(r, 8) == 0)
            iov[i].iov_base = (void *)(uintptr_t)rnd(r);
    }
    long *small = (long *)(scr + 2 * PAGE);
    for (int i = 0; i < 512; i++)
        small[i] = rn(r, 3) == 0 ? 0 : (long)rn(r, 1000);
    memset(scr + 3 * PAGE, 0, PAGE);
    char *p = (char *)scr + 4 * PAGE;
    snprintf(p, PAGE, "%s/f", scratch);
}

static uintptr_t evil_ptr(struct rng *r)
{
    static const uintptr_t evil[] = {
        0,
        1,
        (uintptr_t)-1,
        (uintptr_t)-4096,
        0xffff800000000000UL,
        0xffffffff80000000UL,
        0xffff000000000000UL,
        0xffff000000080000UL,
        0xffffff8000000000UL,
        0x0000800000000000UL,
        0x00007ffffffff000UL,
        0x0000fffffffff000UL,
        0x7fffffffffffffffUL,
        0x8000000000000000UL,
        0x1000,
        0x10000,
        0xdead0000,
    };
    switch (rn(r, 6)) {
    case 0:
        return (uintptr_t)hole + rn(r, PAGE);
    case 1:
        return (uintptr_t)ropage + rn(r, 8) * 8;
    case 2:
        return (uintptr_t)(void *)evil_ptr; /* text: read-only */
    case 3:
        return getauxval(AT_SYSINFO_EHDR) + rn(r, 64);
    default:
        return evil[rn(r, sizeof evil / sizeof evil[0])];
    }
}

static long gen_int(struct rng *r)
{
    static const long v[] = {
        0,       1,          -1,         2,          3,          4,         7,
        8,       16,         31,         32,         63,         64,        127,
        128,     255,        256,        4095,       4096,       4097,      65535,
        65536,   INT_MAX,    INT_MIN,    0x80000000L, 0xffffffffL, 1L << 32, LONG_MAX,
        LONG_MIN, -4096,     -100,
    };
    switch (rn(r, 5)) {
    case 0:
        return (long)rnd(r);
    case 1:
        return (long)(int)rnd(r);
    case 2:
        return rn(r, 64);
    default:
        return v[rn(r, sizeof v / sizeof v[0])];
    }
}

static long gen_len(struct rng *r)
{
    static const long v[] = {
        0, 1, 2, 7, 8, 16, 64, 512, 4095, 4096, 4097, 8191, 8192, 65536, 1L << 20,
        1L << 30, 1L << 31, LONG_MAX, -1, INT_MAX, 0x100000000L,
    };
    if (rn(r, 3) == 0)
        return rn(r, 8192);
    return v[rn(r, sizeof v / sizeof v[0])];
}

static long gen_flags(struct rng *r)
{
    switch (rn(r, 6)) {
    case 0:
        return 0;
    case 1:
        return 1L << rn(r, 64);
    case 2:
        return (long)(rnd(r) & rnd(r) & 0xffffffff);
    case 3:
        return -1;
    case 4:
        return (1L << rn(r, 32)) | (1L << rn(r, 32));
    default:
        return rn(r, 0x1000);
    }
}

static long gen_fd(struct rng *r)
{
    static const long bad[] = {-1, -100 /* AT_FDCWD */, 1023, 1024, 1 << 20, INT_MAX, INT_MIN, 0, 1, 2, 255};
    if (nfds && rn(r, 5))
        return fds[rn(r, nfds)];
    return bad[rn(r, sizeof bad / sizeof bad[0])];
}

static long gen_ptr(struct rng *r)
{
    switch (rn(r, 8)) {
    case 0:
    case 1:
        return (long)evil_ptr(r);
    case 2:
        return (long)(edge + PAGE - 1 - rn(r, 64)); /* runs into the unmapped page */
    case 3:
        return (long)(scr + rn(r, SCRATCH_PAGES * PAGE)); /* unaligned */
    default:
        return (long)(scr + rn(r, SCRATCH_PAGES) * PAGE);
    }
}

static long gen_path(struct rng *r, int scratch_only)
{
    char *buf = (char *)scr + 5 * PAGE + rn(r, 8) * 512;
    switch (rn(r, 12)) {
    case 0:
        return (long)evil_ptr(r);
    case 1:
        return (long)longpath;
    case 2:
        return (long)name256;
    case 3:
        if (!scratch_only) {
            snprintf(buf, 512, "/proc/%d/%s", (int)getpid(), rn(r, 2) ? "maps" : "fd/3");
            return (long)buf;
        }
        /* fall through */
    case 4:
    case 5:
        if (!scratch_only) {
            const char *a = any_paths[rn(r, sizeof any_paths / sizeof any_paths[0])];
            /* root may write into init's memory: it would end the run, not test */
            if (!strncmp(a, "/proc/1/", 8) && geteuid() == 0)
                a = "/proc/self/status";
            return (long)a;
        }
        /* fall through */
    default:
        snprintf(buf, 512, "%s/%s", scratch, scr_names[rn(r, sizeof scr_names / sizeof scr_names[0])]);
        return (long)buf;
    }
}

static long gen_pid(struct rng *r)
{
    switch (rn(r, 7)) {
    case 0:
        return 0;
    case 1:
        return getpid();
    case 2:
        return -getpid(); /* the worker's own process group */
    case 3:
        return syscall(SYS_gettid);
    case 4:
        return kids[rn(r, 8)] ? kids[rn(r, 8)] : 99999;
    case 5:
        return INT_MIN;
    default:
        return rn(r, 2) ? 99999 : INT_MAX;
    }
}

static long gen_sig(struct rng *r)
{
    long s = rn(r, 8) == 0 ? gen_int(r) : (long)rn(r, 66);
    if (s == SIGSTOP || s == SIGTSTP || s == SIGTTIN || s == SIGTTOU)
        s = 0; /* a stopped worker is not a finding */
    return s;
}

static long gen_arg(struct rng *r, char k)
{
    switch (k) {
    case 'i':
        return gen_int(r);
    case 'l':
        return gen_len(r);
    case 'F':
        return gen_flags(r);
    case 'm':
        return rn(r, 2) ? (long)rn(r, 010000) : gen_int(r);
    case 'o':
        return rn(r, 2) ? gen_len(r) : gen_int(r);
    case 'f':
        return gen_fd(r);
    case 'p':
        return gen_ptr(r);
    case 's':
        return gen_path(r, 0);
    case 'w':
        return gen_path(r, 1);
    case 'v':
        if (rn(r, 4) == 0)
            return (long)evil_ptr(r);
        return (long)(scr + rn(r, SCRATCH_PAGES) * PAGE + (rn(r, 8) == 0 ? rn(r, PAGE) : 0));
    case 'P':
        return gen_pid(r);
    case 'S':
        return gen_sig(r);
    case 'u':
        return rn(r, 3) == 0 ? gen_int(r) : (long)(rn(r, 2) ? 0 : NOBODY);
    case 'E':
        return (long)evil_ptr(r);
    case 't':
        return rn(r, 6) == 0 ? gen_ptr(r) : (long)(scr + 2 * PAGE + rn(r, 64) * 16);
    case 'y': {
        static const long ok[] = {0, 1, 2, 3, 9, 10, -1, 11, 100}; /* never 4..8 */
        return ok[rn(r, sizeof ok / sizeof ok[0])];
    }
    default:
        return 0;
    }
}

/* ---- logging ---------------------------------------------------------------------- */
static void logf_(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof buf - 1)
        n = sizeof buf - 1;
    if (write(log_fd, buf, n) < 0) {
        /* the fuzzer may have closed it: nothing to do */
    }
}

static void record(int thr, int idx, const long a[6])
{
    struct slot *s = &sh->slot[slot_no];
    unsigned long n = __atomic_add_fetch(&s->calls, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&sh->total, 1, __ATOMIC_RELAXED);
    struct ring_ent *e = &s->ring[n % RING];
    e->seq = n;
    e->idx = idx;
    memcpy(e->args, a, sizeof e->args);
    if (opt_verbose) {
        if (idx >= 0)
            logf_("F%d.%d %lu %s(%lx, %lx, %lx, %lx, %lx, %lx)\n", slot_no, thr, n, table[idx].name,
                  a[0], a[1], a[2], a[3], a[4], a[5]);
        else
            logf_("F%d.%d %lu seq%d\n", slot_no, thr, n, -1 - idx);
    }
}

/* ---- the worker ------------------------------------------------------------------ */
static void on_alarm(int sig)
{
    (void)sig;
    got_alarm = 1;
}

static void open_fds(void)
{
    char p[128];
    for (int i = 0; i < nfds; i++)
        close(fds[i]);
    nfds = 0;
#define ADD(x)                                                                                       \
    do {                                                                                             \
        int _fd = (x);                                                                               \
        if (_fd >= 0 && nfds < (int)(sizeof fds / sizeof fds[0]))                                    \
            fds[nfds++] = _fd;                                                                       \
    } while (0)
    snprintf(p, sizeof p, "%s/f", scratch);
    ADD(open(p, O_RDWR | O_CREAT | O_NONBLOCK, 0666)); /* the fuzzer may have made it a FIFO */
    ADD(open(scratch, O_RDONLY | O_DIRECTORY));
    ADD(open("/", O_RDONLY | O_DIRECTORY));
    int pp[2];
    if (pipe(pp) == 0) {
        ADD(pp[0]);
        ADD(pp[1]);
    }
    /* No console fd: even read-only, /proc/self/fd/N reopens it for writing (as on
     * Linux) and a worker's writes would fill the log with garbage. */
    ADD(open("/proc/self/maps", O_RDONLY));
    ADD(open("/proc/self/status", O_RDONLY));
    ADD(open("/proc/meminfo", O_RDONLY));
    ADD(open("/proc/self/mem", O_RDWR));
    ADD(open("/dev/null", O_RDWR));
    ADD(open("/dev/zero", O_RDWR));
    ADD(open("/dev/urandom", O_RDWR));
    ADD(open("/dev/full", O_RDWR));
    ADD(eventfd(1, EFD_NONBLOCK));
    ADD(epoll_create1(0));
    ADD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    sigset_t ss;
    sigemptyset(&ss);
    sigaddset(&ss, SIGUSR1);
    ADD(signalfd(-1, &ss, SFD_NONBLOCK));
#ifdef SYS_pidfd_open
    ADD((int)syscall(SYS_pidfd_open, getpid(), 0));
#endif
    snprintf(p, sizeof p, "%s/d", scratch);
    ADD(open(p, O_PATH));
    if (nfds > 14) /* an epoll set with a pipe and the eventfd in it */ {
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT};
        epoll_ctl(fds[14], EPOLL_CTL_ADD, fds[3], &ev);
        epoll_ctl(fds[14], EPOLL_CTL_ADD, fds[13], &ev);
    }
#undef ADD
}

static void arm_alarm(void)
{
    struct sigaction sa = {.sa_handler = on_alarm};
    sigaction(SIGALRM, &sa, NULL);
    sigset_t ss;
    sigemptyset(&ss);
    sigaddset(&ss, SIGALRM);
    pthread_sigmask(SIG_UNBLOCK, &ss, NULL);
}

/* After a call that may have taken away what interrupts blocking calls (SIGALRM's
 * handler, its unblocked state, the interval timer), put it back: a worker blocked for
 * good only costs time, but costs a lot of it. */
static void fixup(long nr)
{
    if (nr == SYS_rt_sigprocmask || nr == SYS_rt_sigaction)
        arm_alarm();
    if (nr == SYS_setitimer
#ifdef SYS_alarm
        || nr == SYS_alarm
#endif
    ) {
        struct itimerval it = {.it_interval = {.tv_usec = 100000}, .it_value = {.tv_usec = 100000}};
        setitimer(ITIMER_REAL, &it, NULL);
    }
}

static void rebuild(struct rng *r)
{
    /* Undo what the fuzzer may have done to the worker's own tools. */
    void *m = mmap(scr, SCRATCH_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (m == MAP_FAILED)
        _exit(3);
    fill_scratch(r);
    arm_alarm();
}

/* Sequences: what a single call cannot reach. */
static void sequence(struct rng *r, int thr)
{
    long none[6] = {0};
    int which = rn(r, 4);
    char p[128];
    record(thr, -1 - which, none);
    switch (which) {
    case 0: { /* open -> mmap -> ftruncate -> touch the page (SIGBUS in a child) */
        snprintf(p, sizeof p, "%s/m", scratch);
        int fd = open(p, O_RDWR | O_CREAT | O_NONBLOCK, 0666);
        if (fd < 0)
            break;
        if (ftruncate(fd, 2 * PAGE) == 0) {
            char *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, rn(r, 2) ? MAP_SHARED : MAP_PRIVATE, fd, 0);
            if (m != MAP_FAILED) {
                m[0] = 1;
                m[PAGE] = 2;
                if (ftruncate(fd, rn(r, 2) ? 0 : 100)) {
                }
                pid_t c = fork();
                if (c == 0) {
                    m[PAGE + 1] = 3; /* beyond the end: SIGBUS */
                    m[0] = 4;
                    _exit(0);
                }
                if (c > 0)
                    waitpid(c, NULL, 0);
                if (ftruncate(fd, 3 * PAGE)) {
                }
                m[PAGE] = 5;
                munmap(m, 2 * PAGE);
            }
        }
        close(fd);
        break;
    }
    case 1: { /* fork in the middle: the child makes a few calls and leaves */
        pid_t c = fork();
        if (c == 0) {
            for (int i = 0; i < 16; i++) {
                int idx = rn(r, NCALLS);
                long a[6];
                const char *k = table[idx].args;
                for (int j = 0; j < 6; j++)
                    a[j] = j < (int)strlen(k) ? gen_arg(r, k[j]) : 0;
                syscall(table[idx].nr, a[0], a[1], a[2], a[3], a[4], a[5]);
            }
            _exit(0);
        }
        if (c > 0)
            kids[rn(r, 8)] = c;
        break;
    }
    case 2: { /* a signal arriving during a blocking read of an empty pipe */
        int pp[2];
        if (pipe(pp))
            break;
        struct itimerval it = {.it_value = {.tv_usec = 20000}};
        setitimer(ITIMER_REAL, &it, NULL);
        char c;
        ssize_t n = read(pp[0], &c, 1);
        (void)n;
        close(pp[0]);
        close(pp[1]);
        break;
    }
    case 3: /* reap children, fresh fds */
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (thr == 0)
            open_fds();
        break;
    }
}

static void one_call(struct rng *r, int thr)
{
    int idx = rn(r, NCALLS);
    long a[6] = {0};
    const char *k = table[idx].args;
    for (int j = 0; j < 6 && k[j]; j++)
        a[j] = gen_arg(r, k[j]);
    /* mmap: MAP_FIXED only over the scratch area (never over the program). */
#ifdef SYS_mmap
    if (table[idx].nr == SYS_mmap || table[idx].nr == SYS_mremap) {
        uintptr_t x = (uintptr_t)a[0];
        int inside = x >= (uintptr_t)scr && x < (uintptr_t)scr + SCRATCH_PAGES * PAGE;
        if (!inside) {
            if (table[idx].nr == SYS_mmap)
                a[3] &= ~(long)MAP_FIXED;
            else
                a[3] &= ~(long)MREMAP_FIXED;
        }
        if (table[idx].nr == SYS_mremap && (a[3] & MREMAP_FIXED)) {
            uintptr_t y = (uintptr_t)a[4];
            if (y < (uintptr_t)scr || y >= (uintptr_t)scr + SCRATCH_PAGES * PAGE)
                a[3] &= ~(long)MREMAP_FIXED;
        }
        /* A fixed mapping must end inside the scratch area too (past it lie the
         * program's own mappings, the shared counters among them). */
        uintptr_t end = (uintptr_t)scr + SCRATCH_PAGES * PAGE;
        if (table[idx].nr == SYS_mmap && (a[3] & MAP_FIXED)) {
            a[0] &= ~(long)(PAGE - 1);
            a[1] = (long)(rn(r, 4) * PAGE);
            if ((uintptr_t)a[1] > end - (uintptr_t)a[0])
                a[1] = (long)(end - (uintptr_t)a[0]);
        }
        if (table[idx].nr == SYS_mremap && (a[3] & MREMAP_FIXED)) {
            a[4] &= ~(long)(PAGE - 1);
            a[2] = (long)(rn(r, 4) * PAGE);
            if ((uintptr_t)a[2] > end - (uintptr_t)a[4])
                a[2] = (long)(end - (uintptr_t)a[4]);
        }
    }
#endif
    /* munmap/mprotect/madvise/mlock of the scratch area only (or evil addresses). */
    if (table[idx].nr == SYS_munmap || table[idx].nr == SYS_mprotect || table[idx].nr == SYS_madvise ||
        table[idx].nr == SYS_shmdt) {
        uintptr_t x = (uintptr_t)a[0];
        if (x >= (uintptr_t)scr && x < (uintptr_t)scr + SCRATCH_PAGES * PAGE) {
            uintptr_t end = (uintptr_t)scr + SCRATCH_PAGES * PAGE;
            if ((unsigned long)a[1] > end - x)
                a[1] = (long)(end - x);
        }
    }
    /* prctl: keep PR_SET_PDEATHSIG etc.; never PR_SET_SECCOMP-like kills of the run.
     * process_vm_writev on pid 0/own pid is fine; the pid class never names another. */
    if (table[idx].nr == SYS_brk)
        a[0] = 0;
    /* shmat(SHM_REMAP) would replace whatever follows the scratch area. */
    if (table[idx].nr == SYS_shmat)
        a[2] &= ~(long)040000;
    record(thr, idx, a);
    syscall(table[idx].nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    fixup(table[idx].nr);
}

struct thr_arg {
    int thr;
    uint64_t seed;
};

static volatile pid_t tids[MAX_THREADS];

/* Every 100 ms a SIGALRM to each fuzzing thread, so that a call blocked for good in
 * one thread (pause, a read of the tty, a long nanosleep) returns with EINTR. */
static void *watchdog(void *p)
{
    (void)p;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    for (;;) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
        for (int t = 0; t < opt_threads; t++)
            if (tids[t])
                syscall(SYS_tgkill, getpid(), tids[t], SIGALRM);
    }
    return NULL;
}

static void *fuzz_thread(void *p)
{
    struct thr_arg *ta = p;
    struct rng r = {ta->seed};
    tids[ta->thr] = (pid_t)syscall(SYS_gettid);
    arm_alarm();
    for (unsigned long i = 1;; i++) {
        if (sh->total >= sh->budget)
            break;
        if (i % 256 == 0 && ta->thr == 0)
            rebuild(&r);
        if (rn(&r, 40) == 0)
            sequence(&r, ta->thr);
        else
            one_call(&r, ta->thr);
    }
    return NULL;
}

static void worker(int slot, unsigned long gen, unsigned long seed, int unpriv)
{
    slot_no = slot;
    setsid();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* A fresh directory for each worker: one its predecessor left behind may hold a
     * FIFO where "ro" or "f" should be (opening it would block the worker before its
     * first call, again and again) and whatever else it renamed or made there. */
    snprintf(scratch, sizeof scratch, "/tmp/fz/%d.%lu", slot, gen);
    mkdir("/tmp/fz", 0777);
    mkdir(scratch, 0777);
    chmod(scratch, 0777);
    /* 0-2 become /dev/null, opened while still root: as uid 65534 the open fails
     * when a root worker has fchmod()ed /dev/null (its fd is in the pool), and
     * 0-2 would stay the supervisor's console, to which the worker then wrote
     * (docs/reliability.md, finding 3). Without /dev/null, no 0-2 at all. */
    int nul = open("/dev/null", O_RDWR);
    for (int i = 0; i < 3; i++)
        if (nul < 0 || dup2(nul, i) != i)
            close(i);
    if (nul > 2)
        close(nul);
    if (unpriv) {
        if (chown(scratch, NOBODY, NOBODY)) {
        }
        if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY)) {
            logf_("sysfuzz: worker %d: cannot become %d: %s\n", slot, NOBODY, strerror(errno));
            _exit(4);
        }
    }
    if (chdir(scratch)) {
    }
    if (!opt_verbose) {
        close(log_fd); /* no writable console in a worker: its output would fill the log */
        log_fd = -1;
    }
    char p[128];
    snprintf(p, sizeof p, "%s/d", scratch);
    mkdir(p, 0777);
    snprintf(p, sizeof p, "%s/l", scratch);
    if (symlink("f", p)) {
    }
    snprintf(p, sizeof p, "%s/p", scratch);
    mkfifo(p, 0666);
    snprintf(p, sizeof p, "%s/ro", scratch);
    close(open(p, O_CREAT | O_RDONLY | O_NONBLOCK, 0444));
    chmod(p, 0444);

    memset(longpath, 'a', sizeof longpath - 1);
    for (size_t i = 1; i < sizeof longpath - 1; i += 2)
        longpath[i] = '/';
    memset(name256, 'n', 256);
    name256[0] = '/';
    name256[256] = 0;

    /* One reservation, PROT_NONE but for: [1, 1+SCRATCH_PAGES) the scratch area (RW),
     * a guard page, edge (RW) and a PROT_NONE page after it, ropage (read-only), hole
     * (PROT_NONE), a guard page. A long read into the scratch area meets a guard page
     * (EFAULT) instead of the worker's other mappings. */
    unsigned char *res = mmap(NULL, (SCRATCH_PAGES + 7) * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (res == MAP_FAILED)
        _exit(5);
    scr = res + PAGE;
    edge = scr + (SCRATCH_PAGES + 1) * PAGE;
    ropage = edge + 2 * PAGE;
    hole = ropage + PAGE;
    if (mprotect(edge, PAGE, PROT_READ | PROT_WRITE) || mprotect(ropage, PAGE, PROT_READ))
        _exit(5);

    struct rng r = {seed};
    rebuild(&r);
    open_fds();
    /* A SIGALRM every 100 ms interrupts calls that would block forever. */
    struct itimerval it = {.it_interval = {.tv_usec = 100000}, .it_value = {.tv_usec = 100000}};
    setitimer(ITIMER_REAL, &it, NULL);

    pthread_t th[MAX_THREADS], wd;
    pthread_create(&wd, NULL, watchdog, NULL);
    struct thr_arg ta[MAX_THREADS];
    for (int t = 1; t < opt_threads; t++) {
        ta[t] = (struct thr_arg){t, seed * 31 + t};
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setstacksize(&at, 256 * 1024);
        if (pthread_create(&th[t], &at, fuzz_thread, &ta[t]))
            th[t] = 0;
    }
    ta[0] = (struct thr_arg){0, seed};
    fuzz_thread(&ta[0]);
    _exit(0);
}

/* ---- the supervisor --------------------------------------------------------------- */
static int ktest_total, ktest_fail;

static void ktest(int ok, const char *name, const char *fmt, ...)
{
    char why[256] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    /* "KTEST" is put together at run time: some route still lets a worker copy this
     * binary to the console (docs/reliability.md), and its literal format strings
     * at the start of a line would count as result lines. */
    char kt[6] = {'K', 'T', 'E', 'S', 'T', 0};
    ktest_total++;
    if (!ok)
        ktest_fail++;
    if (opt_noktest)
        printf("sysfuzz: %s %s %s\n", ok ? "ok" : "FAILED", name, why);
    else if (ok)
        printf("\n%s PASS %s\nsysfuzz: %s: %s\n", kt, name, name, why);
    else
        printf("\n%s FAIL %s %s\n", kt, name, why);
    fflush(stdout);
}

static long contained_count(void)
{
    FILE *f = fopen("/proc/kevlar/services", "r");
    char k[64];
    long v, n = -1;
    if (!f)
        return -1;
    while (fscanf(f, "%63s %ld", k, &v) == 2)
        if (!strcmp(k, "contained"))
            n = v;
    fclose(f);
    return n;
}

static void dump_ring(int s)
{
    struct slot *sl = &sh->slot[s];
    printf("sysfuzz: worker %d (seed %lu) last calls:\n", s, sl->seed);
    for (unsigned long i = sl->calls > RING ? sl->calls - RING + 1 : 1; i <= sl->calls; i++) {
        struct ring_ent *e = &sl->ring[i % RING];
        if (e->seq != i)
            continue;
        if (e->idx >= 0)
            printf("sysfuzz:   %lu %s(%lx, %lx, %lx, %lx, %lx, %lx)\n", e->seq, table[e->idx].name, e->args[0],
                   e->args[1], e->args[2], e->args[3], e->args[4], e->args[5]);
        else
            printf("sysfuzz:   %lu seq%d\n", e->seq, -1 - e->idx);
    }
    fflush(stdout);
}

/* Remove a worker's scratch tree (supervisor, as root, after the worker is gone).
 * Best effort: a mount the worker made there is detached first. */
static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP || flag == FTW_D || flag == FTW_DNR) {
        if (rmdir(path) && umount2(path, MNT_DETACH) == 0 && rmdir(path)) {
        }
    } else if (unlink(path)) {
    }
    return 0;
}

static void rm_tree(const char *dir)
{
    if (*dir)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* Processes the workers left behind: children of a worker (fork in the middle)
 * that left its process group with setpgid/setsid escape kill(-worker) and, once
 * the worker is gone, are the supervisor's (PR_SET_CHILD_SUBREAPER). SIGKILL every
 * child of the supervisor that is not a running worker; returns how many there were. */
static int kill_strays(const pid_t *workers, int n)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    int strays = 0;
    pid_t me = getpid();
    if (!d)
        return 0;
    while ((de = readdir(d)) != NULL) {
        char path[64], buf[512];
        pid_t p = (pid_t)strtol(de->d_name, NULL, 10);
        if (p <= 0)
            continue;
        snprintf(path, sizeof path, "/proc/%d/stat", (int)p);
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            continue;
        ssize_t len = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (len <= 0)
            continue;
        buf[len] = 0;
        char *rp = strrchr(buf, ')'); /* "pid (comm) S ppid ..." */
        char state;
        int ppid;
        if (!rp || sscanf(rp + 1, " %c %d", &state, &ppid) != 2 || ppid != me || state == 'Z')
            continue; /* not ours, or dead already (waitpid reaps it) */
        int worker = 0;
        for (int i = 0; i < n; i++)
            worker |= workers[i] == p;
        if (!worker) {
            kill(p, SIGKILL);
            strays++;
        }
    }
    closedir(d);
    return strays;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What root workers may have changed through an fd of their pool (fchmod, fchown of
 * "/" or /dev/null...) and the next phase needs: put it back before each phase. */
static void restore_world(void)
{
    static const struct {
        const char *path;
        mode_t mode;
    } w[] = {
        {"/", 0755},          {"/tmp", 01777},        {"/tmp/fz", 0777},     {"/dev", 0755},
        {"/dev/null", 0666},  {"/dev/zero", 0666},    {"/dev/full", 0666},   {"/dev/urandom", 0666},
        {"/dev/random", 0666}, {"/dev/console", 0600}, {"/dev/tty", 0666},
    };
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        if (chown(w[i].path, 0, 0) || chmod(w[i].path, w[i].mode)) {
        }
    }
}

/* Runs `calls` calls in workers; returns the number of findings. */
static int phase(const char *name, int unpriv, unsigned long calls, unsigned long seed)
{
    static unsigned long scratch_gen; /* a fresh /tmp/fz/<slot>.<gen> for each worker */
    pid_t pid[MAX_PROCS] = {0};
    unsigned long gen[MAX_PROCS] = {0}, last[MAX_PROCS] = {0}, strays = 0;
    char old_scratch[MAX_PROCS][64] = {{0}};
    double progress_t = now();
    unsigned long progress_total = sh->total;
    double since[MAX_PROCS] = {0}, killed_at[MAX_PROCS] = {0};
    unsigned long deaths = 0, stalls = 0, start_total = sh->total, next_beat;
    int findings = 0;
    unsigned long sigs[65] = {0};
    double t0 = now();

    restore_world();
    sh->budget = sh->total + calls;
    next_beat = sh->total + opt_heartbeat;
    printf("sysfuzz: phase %s: seed %lu, %lu calls, %d processes x %d threads, uid %d\n", name, seed, calls,
           opt_procs, opt_threads, unpriv ? NOBODY : (int)getuid());
    fflush(stdout);
    for (;;) {
        int running = 0;
        for (int s = 0; s < opt_procs; s++) {
            if (pid[s] == 0 && sh->total < sh->budget) {
                unsigned long ws = seed * 1000003UL + s * 7919UL + gen[s]++;
                sh->slot[s].seed = ws;
                sh->slot[s].calls = 0;
                unsigned long g = scratch_gen++;
                pid_t c = fork();
                if (c == 0)
                    worker(s, g, ws, unpriv);
                snprintf(old_scratch[s], sizeof old_scratch[s], "/tmp/fz/%d.%lu", s, g);
                if (c < 0) {
                    printf("sysfuzz: fork: %s\n", strerror(errno));
                    continue;
                }
                pid[s] = c;
                last[s] = 0;
                since[s] = now();
                killed_at[s] = 0;
            }
            if (pid[s])
                running++;
        }
        if (!running)
            break;
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
        int st;
        pid_t c;
        while ((c = waitpid(-1, &st, WNOHANG)) > 0) {
            for (int s = 0; s < opt_procs; s++) {
                if (pid[s] != c)
                    continue;
                pid[s] = 0;
                if (WIFSIGNALED(st) && !killed_at[s]) {
                    deaths++;
                    sigs[WTERMSIG(st) & 63]++;
                }
                /* its forked children: those still in its group, then the others */
                kill(-c, SIGKILL);
                strays += kill_strays(pid, opt_procs);
                rm_tree(old_scratch[s]);
            }
        }
        double t = now();
        if (sh->total != progress_total) {
            progress_total = sh->total;
            progress_t = t;
        } else if (t - progress_t > 60 && sh->total < sh->budget) {
            /* Workers restarted again and again and not one call made: each one
             * blocks before its first call (a fuzzer bug), or the kernel lets
             * nothing run. Not a silent timeout: say so and end the phase. */
            printf("sysfuzz: FINDING: no call made for 60 s (%lu calls so far)\n", sh->total - start_total);
            for (int s = 0; s < opt_procs; s++)
                dump_ring(s);
            findings++;
            sh->budget = sh->total;
            progress_t = t;
        }
        for (int s = 0; s < opt_procs; s++) {
            if (!pid[s])
                continue;
            if (sh->slot[s].calls != last[s]) {
                last[s] = sh->slot[s].calls;
                since[s] = t;
            } else if (!killed_at[s] && t - since[s] > opt_stall) {
                stalls++;
                killed_at[s] = t;
                kill(-pid[s], SIGKILL);
                kill(pid[s], SIGKILL);
            } else if (killed_at[s] && t - killed_at[s] > 20) {
                printf("sysfuzz: FINDING: worker %d (pid %d) did not die 20 s after SIGKILL\n", s, pid[s]);
                dump_ring(s);
                findings++;
                pid[s] = 0; /* give up on it */
            }
        }
        if (sh->total >= next_beat) {
            printf("sysfuzz: heartbeat %s calls=%lu deaths=%lu stalls=%lu %.0fs\n", name, sh->total - start_total,
                   deaths, stalls, t - t0);
            fflush(stdout);
            next_beat += opt_heartbeat;
        }
        if (sh->total >= sh->budget) {
            /* Done: the threads stop at their next call; kill stragglers blocked in one. */
            for (int s = 0; s < opt_procs; s++)
                if (pid[s] && !killed_at[s] && t - since[s] > 1) {
                    killed_at[s] = t;
                    kill(-pid[s], SIGKILL);
                    kill(pid[s], SIGKILL);
                }
        }
    }
    /* Nothing of the phase may stay: the strays get SIGKILL, and a process that
     * does not die of it within 20 s is stuck in the kernel. */
    double tk = now();
    for (;;) {
        strays += kill_strays(pid, 0);
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        errno = 0;
        if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
            break;
        if (now() - tk > 20) {
            printf("sysfuzz: FINDING: a process left by the workers did not die 20 s after SIGKILL\n");
            findings++;
            break;
        }
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    for (int s = 0; s < opt_procs; s++)
        rm_tree(old_scratch[s]);
    double el = now() - t0;
    printf("sysfuzz: phase %s done: %lu calls in %.1f s (%.0f/s), %lu workers killed by a signal, %lu stalled and "
           "restarted, %lu strays killed, %d findings\n",
           name, sh->total - start_total, el, (sh->total - start_total) / (el > 0 ? el : 1), deaths, stalls, strays,
           findings);
    printf("sysfuzz: signals:");
    for (int i = 1; i < 65; i++)
        if (sigs[i])
            printf(" %s=%lu", strsignal(i), sigs[i]);
    printf("\n");
    fflush(stdout);
    return findings;
}

static int run_true(void)
{
    pid_t c = fork();
    if (c == 0) {
        char *argv[] = {"/bin/true", NULL};
        execve(argv[0], argv, environ);
        _exit(127);
    }
    int st = -1;
    if (c < 0 || waitpid(c, &st, 0) != c)
        return 0;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static unsigned long cmdline_opt(const char *key, unsigned long def)
{
    char buf[2048];
    int fd = open("/proc/cmdline", O_RDONLY);
    if (fd < 0)
        return def;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return def;
    buf[n] = 0;
    char *p = strstr(buf, key);
    if (!p)
        return def;
    return strtoul(p + strlen(key), NULL, 0);
}

int main(int argc, char **argv)
{
    int c;
    /* Defaults from the kernel command line (fuzz.seed=, fuzz.calls=, ...), then flags. */
    opt_seed = cmdline_opt("fuzz.seed=", opt_seed);
    opt_calls = cmdline_opt("fuzz.calls=", opt_calls);
    opt_procs = (int)cmdline_opt("fuzz.procs=", opt_procs);
    opt_threads = (int)cmdline_opt("fuzz.threads=", opt_threads);
    opt_verbose = (int)cmdline_opt("fuzz.verbose=", 0);
    while ((c = getopt(argc, argv, "s:n:p:t:uvS:H:k")) != -1) {
        switch (c) {
        case 's':
            opt_seed = strtoul(optarg, NULL, 0);
            break;
        case 'n':
            opt_calls = strtoul(optarg, NULL, 0);
            break;
        case 'p':
            opt_procs = atoi(optarg);
            break;
        case 't':
            opt_threads = atoi(optarg);
            break;
        case 'u':
            opt_unpriv_only = 1;
            break;
        case 'v':
            opt_verbose = 1;
            break;
        case 'S':
            opt_stall = atoi(optarg);
            break;
        case 'H':
            opt_heartbeat = strtoul(optarg, NULL, 0);
            break;
        case 'k':
            opt_noktest = 1;
            break;
        default:
            fprintf(stderr, "usage: sysfuzz [-s SEED] [-n CALLS] [-p PROCS] [-t THREADS] [-u] [-v] [-S STALL_S] "
                            "[-H HEARTBEAT] [-k]\n");
            return 2;
        }
    }
    if (opt_procs < 1 || opt_procs > MAX_PROCS || opt_threads < 1 || opt_threads > MAX_THREADS) {
        fprintf(stderr, "sysfuzz: 1..%d processes, 1..%d threads\n", MAX_PROCS, MAX_THREADS);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* NEVER on the build machine: run as root there, the fuzzer changed the
     * host's "/" to mode 0007 and littered it (added by the lead after it
     * broke every Bazel sandbox on the machine). Only inside a QEMU guest:
     * on Kevlar, or on Linux when the test VM sets SYSFUZZ_GUEST=1. */
    {
        char rel[128] = "";
        int rfd = open("/proc/sys/kernel/osrelease", O_RDONLY);
        ssize_t rn = rfd >= 0 ? read(rfd, rel, sizeof rel - 1) : -1;
        if (rfd >= 0)
            close(rfd);
        if (rn > 0)
            rel[rn] = 0;
        if (!strstr(rel, "kevlar") && !getenv("SYSFUZZ_GUEST")) {
            fprintf(stderr, "sysfuzz: refusing to run outside a test guest (osrelease %s)\n", rel);
            return 2;
        }
    }
    log_fd = fcntl(1, F_DUPFD, 900); /* out of the fuzzed fds' way */
    if (log_fd < 0)
        log_fd = 1;
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    signal(SIGPIPE, SIG_IGN);
    /* The shared counters, between two PROT_NONE guard pages. */
    size_t shsz = (sizeof *sh + PAGE - 1) & ~(PAGE - 1);
    unsigned char *shres = mmap(NULL, shsz + 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    sh = shres == MAP_FAILED ? MAP_FAILED
                             : mmap(shres + PAGE, shsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (sh == MAP_FAILED) {
        perror("sysfuzz: mmap");
        return 1;
    }
    mkdir("/tmp/fz", 0777);
    chmod("/tmp/fz", 0777);
    printf("sysfuzz: %zu system calls in the table, seed %lu, %lu calls per phase\n", NCALLS, opt_seed, opt_calls);
    long contained0 = contained_count();
    int f;
    if (!opt_unpriv_only) {
        f = phase("root", 0, opt_calls, opt_seed);
        ktest(f == 0, "fuzz.root", "seed %lu, %lu calls, %d findings", opt_seed, opt_calls, f);
    }
    if (getuid() == 0 || opt_unpriv_only) {
        f = phase("nobody", getuid() == 0, opt_calls, opt_seed + 1);
        ktest(f == 0, "fuzz.nobody", "seed %lu, %lu calls, %d findings", opt_seed + 1, opt_calls, f);
    }
    long contained1 = contained_count();
    ktest(contained1 == contained0, "fuzz.no_contained_faults", "contained service faults %ld -> %ld", contained0,
          contained1);
    ktest(run_true(), "fuzz.after_fork_exec", "fork+exec /bin/true after the run");
    int fd = open("/proc/meminfo", O_RDONLY);
    char b[256];
    ssize_t n = fd >= 0 ? read(fd, b, sizeof b) : -1;
    ktest(n > 0, "fuzz.after_proc", "read /proc/meminfo after the run: %zd", n);
    if (fd >= 0)
        close(fd);
    char kt[6] = {'K', 'T', 'E', 'S', 'T', 0};
    if (!opt_noktest)
        printf("\n%s END total=%d\n", kt, ktest_total);
    fflush(stdout);
    return ktest_fail ? 1 : 0;
}
