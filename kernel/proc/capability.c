/* Capability sets: [capget(2)], [capset(2)], [capabilities(7)]; Linux
 * 6.1 kernel/capability.c and security/commoncap.c.
 *
 * Each task has effective, permitted and inheritable sets (struct task
 * cap_*): root starts with every capability (CAP_CHOWN .. CAP_CHECKPOINT_RESTORE,
 * 41 of them) permitted and effective, they are inherited across fork,
 * uid changes drop them as Linux's cap_emulate_setxuid() does, and execve
 * gives root the full set again (no file capabilities). The
 * sets are reported and kept consistent; the kernel's permission checks
 * still test euid == 0 (dropping a capability with capset does not yet
 * take the right away). A task changes only its own sets (process
 * context), so no lock is needed on one CPU. */
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/syscall.h>
#include <kernel/task.h>

#include "proc_internal.h"

#define _LINUX_CAPABILITY_VERSION_1 0x19980330
#define _LINUX_CAPABILITY_VERSION_2 0x20071026
#define _LINUX_CAPABILITY_VERSION_3 0x20080522
#define CAP_LAST_CAP 40
#define CAP_FULL_SET ((1ull << (CAP_LAST_CAP + 1)) - 1)
#define CAP_SETPCAP 8

struct cap_header {
	uint32_t version;
	int32_t pid;
};

struct cap_data {
	uint32_t effective, permitted, inheritable;
};

void cap_init_root(struct task *t)
{
	t->cap_effective = t->cap_permitted = CAP_FULL_SET;
	t->cap_inheritable = 0;
}

void cap_exec(struct task *t)
{
	if (t->uid == 0 || t->euid == 0)
		t->cap_permitted = CAP_FULL_SET | t->cap_inheritable;
	else
		t->cap_permitted = 0; /* no file capabilities */
	t->cap_effective = t->euid == 0 ? t->cap_permitted : 0;
}

void cap_setuid_fixup(struct task *t, uint32_t old_uid, uint32_t old_euid, uint32_t old_suid)
{
	bool had_root = old_uid == 0 || old_euid == 0 || old_suid == 0;
	bool has_root = t->uid == 0 || t->euid == 0 || t->suid == 0;

	if (had_root && !has_root)
		t->cap_permitted = t->cap_effective = 0;
	if (old_euid == 0 && t->euid != 0)
		t->cap_effective = 0;
	if (old_euid != 0 && t->euid == 0)
		t->cap_effective = t->cap_permitted;
}

/* Linux cap_validate_magic(): how many struct cap_data the version
 * carries (1 for v1, 2 for v2 and v3); an unknown version gets v3 written
 * back and -EINVAL. */
static long validate_magic(uintptr_t uhdr, unsigned *words)
{
	uint32_t v;

	if (copy_from_user(&v, uhdr, sizeof v))
		return -EFAULT;
	switch (v) {
	case _LINUX_CAPABILITY_VERSION_1: *words = 1; return 0;
	case _LINUX_CAPABILITY_VERSION_2:
	case _LINUX_CAPABILITY_VERSION_3: *words = 2; return 0;
	default:
		v = _LINUX_CAPABILITY_VERSION_3;
		if (copy_to_user(uhdr, &v, sizeof v))
			return -EFAULT;
		return -EINVAL;
	}
}

/* [capget(2)]: EINVAL bad version (the kernel's is written back; with a
 * NULL data pointer that probe returns 0) or pid < 0, ESRCH, EFAULT. */
SYSCALL_DEFINE2(capget, uintptr_t, uhdr, uintptr_t, udata)
{
	struct cap_header h;
	struct cap_data d[2];
	struct task *t;
	unsigned words;
	long r = validate_magic(uhdr, &words);

	if (!udata || r)
		return (!udata && r == -EINVAL) ? 0 : r;
	if (copy_from_user(&h, uhdr, sizeof h))
		return -EFAULT;
	if (h.pid < 0)
		return -EINVAL;
	t = h.pid && h.pid != current->tid ? task_lookup(h.pid) : get_task(current);
	if (!t || t->state == TASK_DEAD) {
		put_task(t);
		return -ESRCH;
	}
	for (unsigned i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)(t->cap_effective >> (32 * i));
		d[i].permitted = (uint32_t)(t->cap_permitted >> (32 * i));
		d[i].inheritable = (uint32_t)(t->cap_inheritable >> (32 * i));
	}
	put_task(t);
	return copy_to_user(udata, d, words * sizeof d[0]) ? -EFAULT : 0;
}

static bool subset(uint64_t a, uint64_t b)
{
	return !(a & ~b);
}

/* [capset(2)]: only the caller's own sets (EPERM for another pid); the
 * new permitted set must be within the old one, effective within the new
 * permitted, inheritable within old inheritable | permitted unless
 * CAP_SETPCAP is effective (EPERM). */
SYSCALL_DEFINE2(capset, uintptr_t, uhdr, uintptr_t, udata)
{
	struct task *t = current;
	struct cap_header h;
	struct cap_data d[2] = { { 0 } };
	uint64_t e = 0, p = 0, in = 0;
	unsigned words;
	long r = validate_magic(uhdr, &words);

	if (r)
		return r;
	if (copy_from_user(&h, uhdr, sizeof h))
		return -EFAULT;
	if (h.pid != 0 && h.pid != t->tid)
		return -EPERM;
	if (copy_from_user(d, udata, words * sizeof d[0]))
		return -EFAULT;
	for (unsigned i = 0; i < words; i++) {
		e |= (uint64_t)d[i].effective << (32 * i);
		p |= (uint64_t)d[i].permitted << (32 * i);
		in |= (uint64_t)d[i].inheritable << (32 * i);
	}
	e &= CAP_FULL_SET;
	p &= CAP_FULL_SET;
	in &= CAP_FULL_SET;
	if (!(t->cap_effective & (1ull << CAP_SETPCAP)) &&
	    !subset(in, t->cap_inheritable | t->cap_permitted))
		return -EPERM;
	if (!subset(p, t->cap_permitted) || !subset(e, p))
		return -EPERM;
	t->cap_effective = e;
	t->cap_permitted = p;
	t->cap_inheritable = in;
	return 0;
}
