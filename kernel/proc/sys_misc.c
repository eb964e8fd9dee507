/* System information and small per-process controls: [sysinfo(2)], [getrandom(2)],
 * [personality(2)], [prctl(2)], [arch_prctl(2)]. */
#include <hal/arch/abi.h>
#include <hal/context.h>
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/random.h>
#include <kernel/sched.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <string.h>

#include "proc_internal.h"

/* struct sysinfo, 64-bit layout (112 bytes). */
struct linux_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	uint32_t pad3;
};
_Static_assert(sizeof(struct linux_sysinfo) == 112, "struct sysinfo is 112 bytes");

/* Loads are fixed point with SI_LOAD_SHIFT (16) bits; ours have 11. */
SYSCALL_DEFINE1(sysinfo, uintptr_t, uinfo)
{
	struct linux_sysinfo si;
	unsigned long avg[3];
	uint64_t ns = sched_clock_ns();
	unsigned n = task_count();

	memset(&si, 0, sizeof si);
	si.uptime = (int64_t)((ns + 999999999ULL) / 1000000000ULL);
	sched_loadavg(avg);
	for (int i = 0; i < 3; i++)
		si.loads[i] = (uint64_t)avg[i] << (16 - 11);
	si.totalram = frame_total_bytes();
	si.freeram = frame_free_bytes();
	si.procs = (uint16_t)(n > 0xffff ? 0xffff : n);
	si.mem_unit = 1;
	return copy_to_user(uinfo, &si, sizeof si) ? -EFAULT : 0;
}

#define GRND_NONBLOCK 0x1
#define GRND_RANDOM 0x2
#define GRND_INSECURE 0x4
#define GETRANDOM_MAX 33554431 /* [getrandom(2)]: at most this per call */

/* The CSPRNG is seeded at boot, so this never blocks. Up to 256 bytes are
 * never interrupted; longer requests return early (with the count) when a
 * signal is pending. */
SYSCALL_DEFINE3(getrandom, uintptr_t, ubuf, size_t, count, unsigned, flags)
{
	uint8_t chunk[256];
	size_t done = 0;

	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM))
		return -EINVAL;
	if (count > GETRANDOM_MAX)
		count = GETRANDOM_MAX;
	while (done < count) {
		size_t n = MIN(count - done, sizeof chunk);
		if (done && signal_pending(current))
			break;
		get_random_bytes(chunk, n);
		if (copy_to_user(ubuf + done, chunk, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	memset(chunk, 0, sizeof chunk);
	return (long)done;
}

/* Stored only; 0xffffffff queries. Returns the previous persona. */
SYSCALL_DEFINE1(personality, unsigned, persona)
{
	unsigned old = current->personality;
	if (persona != 0xffffffffu)
		current->personality = persona;
	return old;
}

#define PR_SET_PDEATHSIG 1
#define PR_GET_PDEATHSIG 2
#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_SET_NAME 15
#define PR_GET_NAME 16
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39

SYSCALL_DEFINE5(prctl, int, option, unsigned long, arg2, unsigned long, arg3, unsigned long, arg4,
		unsigned long, arg5)
{
	struct task *t = current;
	char name[TASK_COMM_LEN];
	int sig;

	switch (option) {
	case PR_SET_NAME:
		/* Up to 15 bytes, silently truncated. */
		memset(name, 0, sizeof name);
		for (size_t i = 0; i < sizeof name - 1; i++) {
			if (copy_from_user(&name[i], arg2 + i, 1))
				return -EFAULT;
			if (!name[i])
				break;
		}
		memcpy(t->comm, name, sizeof name);
		return 0;
	case PR_GET_NAME:
		memcpy(name, t->comm, sizeof name);
		name[sizeof name - 1] = '\0';
		return copy_to_user(arg2, name, sizeof name) ? -EFAULT : 0;
	case PR_SET_PDEATHSIG:
		if (arg2 > NSIG)
			return -EINVAL;
		t->pdeath_signal = (int)arg2;
		return 0;
	case PR_GET_PDEATHSIG:
		sig = t->pdeath_signal;
		return copy_to_user(arg2, &sig, sizeof sig) ? -EFAULT : 0;
	case PR_GET_DUMPABLE: return 1;
	case PR_SET_DUMPABLE: return arg2 <= 1 ? 0 : -EINVAL;
	case PR_SET_CHILD_SUBREAPER:
		/* [prctl(2)]: orphaned descendants are reparented to the
		 * nearest live subreaper rather than to init (exit.c). */
		t->group_leader->child_subreaper = arg2 != 0;
		return 0;
	case PR_GET_CHILD_SUBREAPER:
		sig = t->group_leader->child_subreaper;
		return copy_to_user(arg2, &sig, sizeof sig) ? -EFAULT : 0;
	case PR_SET_NO_NEW_PRIVS: return (arg2 == 1 && !arg3 && !arg4 && !arg5) ? 0 : -EINVAL;
	case PR_GET_NO_NEW_PRIVS: return (arg2 || arg3 || arg4 || arg5) ? -EINVAL : 0;
	default: return -EINVAL;
	}
}

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

/* x86_64 only (the syscall is in that table alone): the FS base is the
 * TLS register. GS is not offered to user space (-EINVAL). */
SYSCALL_DEFINE2(arch_prctl, int, code, uintptr_t, addr)
{
	uint64_t v;
	switch (code) {
	case ARCH_SET_FS:
		if (addr >= USER_TOP)
			return -EPERM;
		hal_context_set_tls(&current->ctx, addr, true);
		return 0;
	case ARCH_GET_FS:
		v = hal_context_get_tls(&current->ctx);
		return copy_to_user(addr, &v, sizeof v) ? -EFAULT : 0;
	default: return -EINVAL;
	}
}
