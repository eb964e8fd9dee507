/* Process identity: pids, credentials, process groups and sessions.
 * [getpid(2)], [gettid(2)], [set_tid_address(2)], [setuid(2)],
 * [setreuid(2)], [setresuid(2)], [getgroups(2)], [setpgid(2)], [setsid(2)],
 * [getsid(2)], [umask(2)], [credentials(7)].
 *
 * Everything starts as root (uid 0) and the checks are Linux's: a process
 * with euid 0 may set any ids; others only ids they already hold. */
#include <hal/cpu.h>
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/spinlock.h>

#include "proc_internal.h"

SYSCALL_DEFINE0(getpid)
{
	return current->tgid;
}

SYSCALL_DEFINE0(gettid)
{
	return current->tid;
}

SYSCALL_DEFINE0(getppid)
{
	return current->parent ? current->parent->tgid : 0;
}

/* Store the address cleared (and futex-woken) on exit; returns the tid. */
SYSCALL_DEFINE1(set_tid_address, uintptr_t, tidptr)
{
	current->clear_child_tid = tidptr;
	return current->tid;
}

/* ---- user and group ids ----------------------------------------------------- */

#define ID_KEEP ((uint32_t)-1)

static bool privileged(void)
{
	return current->euid == 0;
}

/* [setfsuid(2)]: the file-system ids follow the effective ids whenever
 * those are set (Linux's commit_creds() with fsuid = euid). */
static void fsuid_follow(struct task *t)
{
	t->fsuid = t->euid;
}

static void fsgid_follow(struct task *t)
{
	t->fsgid = t->egid;
}

static bool holds_uid(uint32_t id)
{
	const struct task *t = current;
	return id == t->uid || id == t->euid || id == t->suid;
}

static bool holds_gid(uint32_t id)
{
	const struct task *t = current;
	return id == t->gid || id == t->egid || id == t->sgid;
}

SYSCALL_DEFINE0(getuid)
{
	return current->uid;
}

SYSCALL_DEFINE0(geteuid)
{
	return current->euid;
}

SYSCALL_DEFINE0(getgid)
{
	return current->gid;
}

SYSCALL_DEFINE0(getegid)
{
	return current->egid;
}

SYSCALL_DEFINE1(setuid, uint32_t, uid)
{
	struct task *t = current;
	uint32_t r = t->uid, e = t->euid, s = t->suid;
	if (uid == ID_KEEP)
		return -EINVAL;
	if (privileged()) {
		t->uid = t->euid = t->suid = uid;
	} else {
		if (uid != t->uid && uid != t->suid)
			return -EPERM;
		t->euid = uid;
	}
	fsuid_follow(t);
	cap_setuid_fixup(t, r, e, s);
	return 0;
}

SYSCALL_DEFINE1(setgid, uint32_t, gid)
{
	struct task *t = current;
	if (gid == ID_KEEP)
		return -EINVAL;
	if (privileged()) {
		t->gid = t->egid = t->sgid = gid;
	} else {
		if (gid != t->gid && gid != t->sgid)
			return -EPERM;
		t->egid = gid;
	}
	fsgid_follow(t);
	return 0;
}

SYSCALL_DEFINE3(setresuid, uint32_t, r, uint32_t, e, uint32_t, s)
{
	struct task *t = current;
	uint32_t or = t->uid, oe = t->euid, os = t->suid;
	if (!privileged() && ((r != ID_KEEP && !holds_uid(r)) || (e != ID_KEEP && !holds_uid(e)) ||
			      (s != ID_KEEP && !holds_uid(s))))
		return -EPERM;
	if (r != ID_KEEP)
		t->uid = r;
	if (e != ID_KEEP)
		t->euid = e;
	if (s != ID_KEEP)
		t->suid = s;
	fsuid_follow(t);
	cap_setuid_fixup(t, or, oe, os);
	return 0;
}

SYSCALL_DEFINE3(setresgid, uint32_t, r, uint32_t, e, uint32_t, s)
{
	struct task *t = current;
	if (!privileged() && ((r != ID_KEEP && !holds_gid(r)) || (e != ID_KEEP && !holds_gid(e)) ||
			      (s != ID_KEEP && !holds_gid(s))))
		return -EPERM;
	if (r != ID_KEEP)
		t->gid = r;
	if (e != ID_KEEP)
		t->egid = e;
	if (s != ID_KEEP)
		t->sgid = s;
	fsgid_follow(t);
	return 0;
}

/* [setreuid(2)]: the saved id follows the new effective id when the real
 * id is set or the effective id changes to something other than the real. */
SYSCALL_DEFINE2(setreuid, uint32_t, r, uint32_t, e)
{
	struct task *t = current;
	uint32_t old_uid = t->uid, old_euid = t->euid, old_suid = t->suid;
	if (!privileged() &&
	    ((r != ID_KEEP && r != t->uid && r != t->euid) || (e != ID_KEEP && !holds_uid(e))))
		return -EPERM;
	if (r != ID_KEEP)
		t->uid = r;
	if (e != ID_KEEP)
		t->euid = e;
	if (r != ID_KEEP || (e != ID_KEEP && e != old_uid))
		t->suid = t->euid;
	fsuid_follow(t);
	cap_setuid_fixup(t, old_uid, old_euid, old_suid);
	return 0;
}

SYSCALL_DEFINE2(setregid, uint32_t, r, uint32_t, e)
{
	struct task *t = current;
	uint32_t old_gid = t->gid;
	if (!privileged() &&
	    ((r != ID_KEEP && r != t->gid && r != t->egid) || (e != ID_KEEP && !holds_gid(e))))
		return -EPERM;
	if (r != ID_KEEP)
		t->gid = r;
	if (e != ID_KEEP)
		t->egid = e;
	if (r != ID_KEEP || (e != ID_KEEP && e != old_gid))
		t->sgid = t->egid;
	fsgid_follow(t);
	return 0;
}

static long put_ids(uintptr_t ur, uintptr_t ue, uintptr_t us, uint32_t r, uint32_t e, uint32_t s)
{
	if (copy_to_user(ur, &r, sizeof r) || copy_to_user(ue, &e, sizeof e) ||
	    copy_to_user(us, &s, sizeof s))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE3(getresuid, uintptr_t, ur, uintptr_t, ue, uintptr_t, us)
{
	return put_ids(ur, ue, us, current->uid, current->euid, current->suid);
}

SYSCALL_DEFINE3(getresgid, uintptr_t, ur, uintptr_t, ue, uintptr_t, us)
{
	return put_ids(ur, ue, us, current->gid, current->egid, current->sgid);
}

/* [setfsuid(2)]: always returns the previous fsuid; the change is made
 * (no error is ever returned) if the caller is privileged or uid is one of
 * its real, effective, saved or file-system ids. -1 only queries. */
SYSCALL_DEFINE1(setfsuid, uint32_t, uid)
{
	struct task *t = current;
	uint32_t old = t->fsuid;

	if (uid != ID_KEEP && (privileged() || holds_uid(uid) || uid == t->fsuid))
		t->fsuid = uid;
	return old;
}

/* [setfsgid(2)], the same for the group. */
SYSCALL_DEFINE1(setfsgid, uint32_t, gid)
{
	struct task *t = current;
	uint32_t old = t->fsgid;

	if (gid != ID_KEEP && (privileged() || holds_gid(gid) || gid == t->fsgid))
		t->fsgid = gid;
	return old;
}

SYSCALL_DEFINE1(umask, uint32_t, mask)
{
	uint32_t old = current->umask;
	current->umask = mask & 0777;
	return old;
}

/* ---- process groups and sessions -------------------------------------------- */

/* Does a process group pgid exist in session sid? Zombies still count: a group
 * lives until its last member is reaped (Linux detaches the pid at release). */
static bool pgrp_in_session(int pgid, int sid)
{
	struct task *t;
	list_for_each_entry(t, &task_list, all_list)
		if (t->pgid == pgid && t->sid == sid && t->state != TASK_DEAD)
			return true;
	return false;
}

static long do_setpgid(struct task *t, int pgid);

SYSCALL_DEFINE2(setpgid, int, pid, int, pgid)
{
	struct task *t;
	long r;

	if (pgid < 0)
		return -EINVAL;
	t = pid ? task_lookup(pid) : get_task(current);
	if (!t)
		return -ESRCH;
	r = do_setpgid(t, pgid);
	put_task(t);
	return r;
}

/* setpgid(2) on t, which the caller holds a reference to. */
static long do_setpgid(struct task *t, int pgid)
{
	struct task *me = current;
	irqflags_t f;

	if (t->state == TASK_ZOMBIE)
		return -ESRCH;
	if (t != me) {
		if (t->parent != me)
			return -ESRCH;
		if (t->sid != me->sid)
			return -EPERM;
		if (t->did_exec)
			return -EACCES;
	}
	if (t->sid == t->tid)
		return -EPERM; /* a session leader keeps its group */
	if (!pgid)
		pgid = t->tid;
	if (pgid != t->tid && !pgrp_in_session(pgid, me->sid))
		return -EPERM;
	f = spin_lock_irqsave(&tasklist_lock);
	t->pgid = pgid;
	spin_unlock_irqrestore(&tasklist_lock, f);
	return 0;
}

SYSCALL_DEFINE1(getpgid, int, pid)
{
	struct task *t;
	long r;

	if (pid < 0)
		return -ESRCH;
	if (!pid)
		return current->pgid;
	t = task_lookup(pid);
	r = t ? t->pgid : -ESRCH;
	put_task(t);
	return r;
}

SYSCALL_DEFINE0(getpgrp)
{
	return current->pgid;
}

/* -EPERM if the caller leads a process group (or its pid names one). */
SYSCALL_DEFINE0(setsid)
{
	struct task *me = current, *t;
	irqflags_t f = spin_lock_irqsave(&tasklist_lock);

	list_for_each_entry(t, &task_list, all_list) {
		if (t->pgid == me->tid) {
			spin_unlock_irqrestore(&tasklist_lock, f);
			return -EPERM;
		}
	}
	me->sid = me->pgid = me->tid;
	me->tty = NULL;
	spin_unlock_irqrestore(&tasklist_lock, f);
	return me->sid;
}

SYSCALL_DEFINE1(getsid, int, pid)
{
	struct task *t;
	long r;

	if (pid < 0)
		return -ESRCH;
	if (!pid)
		return current->sid;
	t = task_lookup(pid);
	r = t ? t->sid : -ESRCH;
	put_task(t);
	return r;
}
