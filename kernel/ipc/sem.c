/* System V semaphores: [semget(2)], [semop(2)], [semtimedop(2)],
 * [semctl(2)] (Linux ipc/sem.c). An operation array is applied all at once
 * or not at all; a caller that would block sleeps until the set changes
 * and tries again. SEM_UNDO adjustments are kept per process and applied
 * when it exits (sem_exit_undo()). Limits: SEMMSL 32000 semaphores per set,
 * SEMOPM 500 operations per call, SEMVMX 32767. Locking: see
 * ipc_internal.h (the undo list likewise). */
#include <hal/arch/abi.h>
#include <hal/timer.h>
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/ipc.h>
#include <kernel/kmalloc.h>
#include <kernel/list.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <string.h>

#include "ipc_internal.h"

#define SEMMSL 32000
#define SEMOPM 500
#define SEMVMX 32767
#define SEM_UNDO 0x1000
#define GETPID 11
#define GETVAL 12
#define GETALL 13
#define GETNCNT 14
#define GETZCNT 15
#define SETVAL 16
#define SETALL 17
#define SEM_STAT 18
#define SEM_INFO 19
#define SEM_STAT_ANY 20

struct sem {
	int semval;
	int sempid;
	unsigned ncnt, zcnt; /* tasks waiting for an increase / for zero */
};

struct sem_array {
	struct kern_ipc_perm perm; /* first: the table holds &perm */
	unsigned nsems;
	int64_t otime, ctime;
	struct wait_queue wait; /* woken on every change */
	struct sem sems[];
};

/* One process's adjustments for one set. */
struct sem_undo {
	struct list_head list;
	int tgid, semid;
	unsigned nsems;
	short adj[];
};

struct linux_sembuf {
	uint16_t sem_num;
	int16_t sem_op;
	int16_t sem_flg;
};

struct linux_semid64_ds {
	struct linux_ipc64_perm sem_perm;
	struct hal_semid64_tail t;
};

static struct ipc_ids sem_ids;
static LIST_HEAD(undo_list);

static struct sem_array *sma_of(struct kern_ipc_perm *p)
{
	return (struct sem_array *)p;
}

static int newary(int key, int flg, long nsems)
{
	struct sem_array *sa;
	int r;

	if (nsems <= 0 || nsems > SEMMSL)
		return -EINVAL;
	sa = kzalloc(sizeof(*sa) + (size_t)nsems * sizeof(struct sem));
	if (!sa)
		return -ENOMEM;
	sa->nsems = (unsigned)nsems;
	wait_queue_init(&sa->wait);
	sa->ctime = ipc_now();
	r = ipc_addid(&sem_ids, &sa->perm, key, flg);
	if (r) {
		kfree(sa);
		return r;
	}
	return sa->perm.id;
}

static int sem_more_checks(struct kern_ipc_perm *p, long nsems)
{
	return nsems > (long)sma_of(p)->nsems ? -EINVAL : 0;
}

static long do_semget(int key, int nsems, int semflg);
SYSCALL_DEFINE3(semget, int, key, int, nsems, int, semflg)
{
	long r;

	mutex_lock(&ipc_mutex);
	r = do_semget(key, nsems, semflg);
	mutex_unlock(&ipc_mutex);
	return r;
}

static long do_semget(int key, int nsems, int semflg)
{
	if (nsems < 0 || nsems > SEMMSL)
		return -EINVAL;
	return ipcget(&sem_ids, key, semflg, newary, sem_more_checks, nsems);
}

/* Drop every undo record for semid (the set is gone or was reset). */
static void undo_forget(int semid)
{
	struct sem_undo *u, *n;

	list_for_each_entry_safe(u, n, &undo_list, list) {
		if (u->semid == semid) {
			list_del(&u->list);
			kfree(u);
		}
	}
}

static struct sem_undo *undo_find(int tgid, struct sem_array *sa, bool create)
{
	struct sem_undo *u;

	list_for_each_entry(u, &undo_list, list)
		if (u->tgid == tgid && u->semid == sa->perm.id)
			return u;
	if (!create)
		return NULL;
	u = kzalloc(sizeof(*u) + sa->nsems * sizeof(short));
	if (!u)
		return NULL;
	u->tgid = tgid;
	u->semid = sa->perm.id;
	u->nsems = sa->nsems;
	list_add_tail(&u->list, &undo_list);
	return u;
}

/* Apply sops all or nothing: 0, -EAGAIN (op *blocker would wait), -ERANGE,
 * -EFBIG is checked by the caller. */
static int try_semop(struct sem_array *sa, const struct linux_sembuf *sops, unsigned nsops,
		     unsigned *blocker)
{
	unsigned i;
	int r = 0;

	for (i = 0; i < nsops; i++) {
		struct sem *s = &sa->sems[sops[i].sem_num];
		int v = s->semval + sops[i].sem_op;

		if ((sops[i].sem_op == 0 && s->semval != 0) || v < 0) {
			*blocker = i;
			r = -EAGAIN;
			break;
		}
		if (v > SEMVMX) {
			r = -ERANGE;
			break;
		}
		s->semval = v;
	}
	if (r) {
		while (i-- > 0)
			sa->sems[sops[i].sem_num].semval -= sops[i].sem_op;
		return r;
	}
	for (i = 0; i < nsops; i++)
		sa->sems[sops[i].sem_num].sempid = current->tgid;
	return 0;
}

static long do_semtimedop(int semid, uintptr_t usops, unsigned nsops, uintptr_t utimeout)
{
	struct linux_sembuf *sops;
	struct kern_ipc_perm *p;
	struct sem_array *sa;
	uint64_t deadline = 0;
	bool alter = false, undo = false;
	unsigned max = 0, blocker = 0;
	long r;

	if (nsops < 1 || semid < 0)
		return -EINVAL;
	if (nsops > SEMOPM)
		return -E2BIG;
	sops = kmalloc(nsops * sizeof(*sops));
	if (!sops)
		return -ENOMEM;
	r = -EFAULT;
	if (copy_from_user(sops, usops, nsops * sizeof(*sops)))
		goto out;
	if (utimeout) {
		int64_t ns;

		r = timespec_from_user(utimeout, &ns);
		if (r)
			goto out;
		deadline = hal_timer_now_ns() + (uint64_t)ns;
		if (!deadline)
			deadline = 1;
	}
	for (unsigned i = 0; i < nsops; i++) {
		max = MAX(max, sops[i].sem_num);
		if (sops[i].sem_flg & SEM_UNDO)
			undo = true;
		if (sops[i].sem_op != 0)
			alter = true;
	}
	for (;;) {
		struct sem_undo *u = NULL;

		r = -EINVAL;
		p = ipc_obtain(&sem_ids, semid);
		if (!p)
			break;
		sa = sma_of(p);
		r = -EFBIG;
		if (max >= sa->nsems)
			break;
		r = ipcperms(p, alter ? 0222 : 0444);
		if (r)
			break;
		if (undo) {
			r = -ENOMEM;
			u = undo_find(current->tgid, sa, true);
			if (!u)
				break;
		}
		r = try_semop(sa, sops, nsops, &blocker);
		if (!r) {
			for (unsigned i = 0; u && i < nsops; i++)
				if (sops[i].sem_flg & SEM_UNDO)
					u->adj[sops[i].sem_num] -= sops[i].sem_op;
			sa->otime = ipc_now();
			wake_up(&sa->wait);
			break;
		}
		if (r != -EAGAIN || (sops[blocker].sem_flg & IPC_NOWAIT))
			break;
		/* Sleep until the set changes, the deadline or a signal. */
		struct sem *s = &sa->sems[sops[blocker].sem_num];
		bool zero = sops[blocker].sem_op == 0;
		int w;

		if (zero)
			s->zcnt++;
		else
			s->ncnt++;
		p->sleepers++;
		w = sched_sleep_mutex(&sa->wait, &ipc_mutex, deadline, true);
		p->sleepers--;
		if (p->deleted) {
			if (!p->sleepers)
				kfree(sa);
			r = -EIDRM;
			break;
		}
		if (zero)
			s->zcnt--;
		else
			s->ncnt--;
		if (w == -EINTR) {
			r = -EINTR;
			break;
		}
		if (w == -ETIMEDOUT) {
			r = -EAGAIN;
			break;
		}
	}
out:
	kfree(sops);
	return r;
}

SYSCALL_DEFINE4(semtimedop, int, semid, uintptr_t, sops, unsigned, nsops, uintptr_t, timeout)
{
	long r;

	mutex_lock(&ipc_mutex);
	r = do_semtimedop(semid, sops, nsops, timeout);
	mutex_unlock(&ipc_mutex);
	return r;
}

SYSCALL_DEFINE3(semop, int, semid, uintptr_t, sops, unsigned, nsops)
{
	long r;

	mutex_lock(&ipc_mutex);
	r = do_semtimedop(semid, sops, nsops, 0);
	mutex_unlock(&ipc_mutex);
	return r;
}

void sem_exit_undo(int tgid)
{
	struct sem_undo *u, *n;

	mutex_lock(&ipc_mutex);
	list_for_each_entry_safe(u, n, &undo_list, list) {
		if (u->tgid != tgid)
			continue;
		struct kern_ipc_perm *p = ipc_obtain(&sem_ids, u->semid);

		if (p) {
			struct sem_array *sa = sma_of(p);

			/* [semop(2)]: an adjustment that would take a value
			 * below 0 or above SEMVMX is clamped. */
			for (unsigned i = 0; i < u->nsems && i < sa->nsems; i++) {
				int v = sa->sems[i].semval + u->adj[i];

				sa->sems[i].semval = v < 0 ? 0 : v > SEMVMX ? SEMVMX : v;
				if (u->adj[i])
					sa->sems[i].sempid = tgid;
			}
			wake_up(&sa->wait);
		}
		list_del(&u->list);
		kfree(u);
	}
	mutex_unlock(&ipc_mutex);
}

static void fill_semid(const struct sem_array *sa, struct linux_semid64_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ipc_perm_to_user(&sa->perm, &ds->sem_perm);
	ds->t.sem_otime = sa->otime;
	ds->t.sem_ctime = sa->ctime;
	ds->t.sem_nsems = sa->nsems;
}

/* struct seminfo (IPC_INFO, SEM_INFO). */
struct linux_seminfo {
	int32_t semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem;
};

static long sem_info(int cmd, uintptr_t buf)
{
	struct linux_seminfo si = { .semmap = IPC_MNI,
				    .semmni = IPC_MNI,
				    .semmns = IPC_MNI * SEMMSL,
				    .semmnu = IPC_MNI * SEMMSL,
				    .semmsl = SEMMSL,
				    .semopm = SEMOPM,
				    .semume = SEMOPM,
				    .semusz = 20,
				    .semvmx = SEMVMX,
				    .semaem = SEMVMX };
	int max = 0, used = 0, sems = 0;

	for (int i = 0; i < IPC_MNI; i++) {
		if (!sem_ids.entries[i])
			continue;
		max = i;
		used++;
		sems += (int)sma_of(sem_ids.entries[i])->nsems;
	}
	if (cmd == SEM_INFO) {
		si.semusz = used;
		si.semaem = sems;
	}
	return copy_to_user(buf, &si, sizeof(si)) ? -EFAULT : max;
}

static long semctl_values(struct sem_array *sa, int cmd, uintptr_t arg)
{
	unsigned short *v = kmalloc(sa->nsems * sizeof(*v) + 1);
	long r = 0;

	if (!v)
		return -ENOMEM;
	if (cmd == GETALL) {
		for (unsigned i = 0; i < sa->nsems; i++)
			v[i] = (unsigned short)sa->sems[i].semval;
		if (copy_to_user(arg, v, sa->nsems * sizeof(*v)))
			r = -EFAULT;
	} else {
		if (copy_from_user(v, arg, sa->nsems * sizeof(*v)))
			r = -EFAULT;
		for (unsigned i = 0; !r && i < sa->nsems; i++)
			if (v[i] > SEMVMX)
				r = -ERANGE;
		for (unsigned i = 0; !r && i < sa->nsems; i++) {
			sa->sems[i].semval = v[i];
			sa->sems[i].sempid = current->tgid;
		}
		if (!r) {
			undo_forget(sa->perm.id);
			sa->ctime = ipc_now();
			wake_up(&sa->wait);
		}
	}
	kfree(v);
	return r;
}

/* arg is union semun, passed by value: an int (SETVAL) or a pointer. */
static long do_semctl(int semid, int semnum, int cmd, unsigned long arg);
SYSCALL_DEFINE4(semctl, int, semid, int, semnum, int, cmd, unsigned long, arg)
{
	long r;

	mutex_lock(&ipc_mutex);
	r = do_semctl(semid, semnum, cmd, arg);
	mutex_unlock(&ipc_mutex);
	return r;
}

static long do_semctl(int semid, int semnum, int cmd, unsigned long arg)
{
	struct linux_semid64_ds ds;
	struct kern_ipc_perm *p;
	struct sem_array *sa;
	int val;

	if (semid < 0 || cmd < 0)
		return -EINVAL;
	if (cmd == IPC_INFO || cmd == SEM_INFO)
		return sem_info(cmd, arg);
	if (cmd == SEM_STAT || cmd == SEM_STAT_ANY) {
		p = semid < IPC_MNI ? sem_ids.entries[semid] : NULL;
		if (!p)
			return -EINVAL;
		if (cmd == SEM_STAT && ipcperms(p, 0444))
			return -EACCES;
		fill_semid(sma_of(p), &ds);
		return copy_to_user(arg, &ds, sizeof(ds)) ? -EFAULT : p->id;
	}
	p = ipc_obtain(&sem_ids, semid);
	if (!p)
		return -EINVAL;
	sa = sma_of(p);
	switch (cmd) {
	case IPC_STAT:
		if (ipcperms(p, 0444))
			return -EACCES;
		fill_semid(sa, &ds);
		return copy_to_user(arg, &ds, sizeof(ds)) ? -EFAULT : 0;
	case IPC_SET:
		if (copy_from_user(&ds, arg, sizeof(ds)))
			return -EFAULT;
		if (!ipc_owner_ok(p))
			return -EPERM;
		ipc_perm_set(p, &ds.sem_perm);
		sa->ctime = ipc_now();
		return 0;
	case IPC_RMID:
		if (!ipc_owner_ok(p))
			return -EPERM;
		ipc_rmid(&sem_ids, p);
		undo_forget(semid);
		if (p->sleepers)
			wake_up(&sa->wait); /* the last sleeper frees it */
		else
			kfree(sa);
		return 0;
	case GETALL:
	case SETALL:
		if (ipcperms(p, cmd == GETALL ? 0444 : 0222))
			return -EACCES;
		return semctl_values(sa, cmd, arg);
	case GETVAL:
	case GETPID:
	case GETNCNT:
	case GETZCNT:
	case SETVAL:
		if (semnum < 0 || (unsigned)semnum >= sa->nsems)
			return -EINVAL;
		if (ipcperms(p, cmd == SETVAL ? 0222 : 0444))
			return -EACCES;
		break;
	default: return -EINVAL;
	}
	struct sem *s = &sa->sems[semnum];

	switch (cmd) {
	case GETVAL: return s->semval;
	case GETPID: return s->sempid;
	case GETNCNT: return s->ncnt;
	case GETZCNT: return s->zcnt;
	default: /* SETVAL */
		val = (int)arg;
		if (val < 0 || val > SEMVMX)
			return -ERANGE;
		s->semval = val;
		s->sempid = current->tgid;
		/* Linux clears the adjustments of this semaphore everywhere. */
		{
			struct sem_undo *u;

			list_for_each_entry(u, &undo_list, list)
				if (u->semid == semid && (unsigned)semnum < u->nsems)
					u->adj[semnum] = 0;
		}
		sa->ctime = ipc_now();
		wake_up(&sa->wait);
		return 0;
	}
}
