/* System V message queues: [msgget(2)], [msgsnd(2)], [msgrcv(2)],
 * [msgctl(2)] (Linux ipc/msg.c). Limits as Linux's defaults: MSGMAX 8192
 * bytes per message, MSGMNB 16384 bytes per queue. Locking: see
 * ipc_internal.h. */
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/list.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <string.h>

#include "ipc_internal.h"

#define MSGMAX 8192
#define MSGMNB 16384
#define MSG_NOERROR 010000
#define MSG_EXCEPT 020000
#define MSG_COPY 040000
#define MSG_STAT 11
#define MSG_INFO 12
#define MSG_STAT_ANY 13

struct msg_msg {
	struct list_head list;
	long type;
	size_t size;
	char text[];
};

struct msg_queue {
	struct kern_ipc_perm perm; /* first: the table holds &perm */
	struct list_head messages;
	size_t cbytes, qnum, qbytes;
	int lspid, lrpid;
	int64_t stime, rtime, ctime;
	struct wait_queue wait; /* senders and receivers; woken on every change */
};

/* struct msqid64_ds (asm-generic/msgbuf.h; x86_64 the same), 120 bytes. */
struct linux_msqid64_ds {
	struct linux_ipc64_perm msg_perm;
	int64_t msg_stime, msg_rtime, msg_ctime;
	uint64_t msg_cbytes, msg_qnum, msg_qbytes;
	int32_t msg_lspid, msg_lrpid;
	uint64_t unused4, unused5;
};
_Static_assert(sizeof(struct linux_msqid64_ds) == 120, "struct msqid64_ds");

static struct ipc_ids msg_ids;

static struct msg_queue *msq_of(struct kern_ipc_perm *p)
{
	return (struct msg_queue *)p;
}

static int newque(int key, int flg, long arg)
{
	struct msg_queue *q = kzalloc(sizeof(*q));
	int r;

	(void)arg;
	if (!q)
		return -ENOMEM;
	list_init(&q->messages);
	wait_queue_init(&q->wait);
	q->qbytes = MSGMNB;
	q->ctime = ipc_now();
	r = ipc_addid(&msg_ids, &q->perm, key, flg);
	if (r) {
		kfree(q);
		return r;
	}
	return q->perm.id;
}

static long do_msgget(int key, int msgflg);
SYSCALL_DEFINE2(msgget, int, key, int, msgflg)
{
	long r;

	mutex_lock(&ipc_mutex);
	r = do_msgget(key, msgflg);
	mutex_unlock(&ipc_mutex);
	return r;
}

static long do_msgget(int key, int msgflg)
{
	return ipcget(&msg_ids, key, msgflg, newque, NULL, 0);
}

static void free_queue(struct msg_queue *q)
{
	struct msg_msg *m, *n;

	list_for_each_entry_safe(m, n, &q->messages, list)
		kfree(m);
	kfree(q);
}

/* Sleep on q until woken (or a signal): 0, -EIDRM (removed meanwhile; the
 * last sleeper frees it), -EINTR. */
static int msq_sleep(struct msg_queue *q)
{
	int r;

	q->perm.sleepers++;
	r = sched_sleep_mutex(&q->wait, &ipc_mutex, 0, true);
	q->perm.sleepers--;
	if (q->perm.deleted) {
		if (!q->perm.sleepers)
			free_queue(q);
		return -EIDRM;
	}
	return r == -EINTR ? -EINTR : 0;
}

static long do_msgsnd(int msqid, uintptr_t msgp, size_t msgsz, int msgflg);
SYSCALL_DEFINE4(msgsnd, int, msqid, uintptr_t, msgp, size_t, msgsz, int, msgflg)
{
	long r;

	mutex_lock(&ipc_mutex);
	r = do_msgsnd(msqid, msgp, msgsz, msgflg);
	mutex_unlock(&ipc_mutex);
	return r;
}

static long do_msgsnd(int msqid, uintptr_t msgp, size_t msgsz, int msgflg)
{
	struct kern_ipc_perm *p;
	struct msg_queue *q;
	struct msg_msg *m;
	long type;
	int r;

	if (copy_from_user(&type, msgp, sizeof(type)))
		return -EFAULT;
	if ((long)msgsz < 0 || msgsz > MSGMAX || msqid < 0)
		return -EINVAL;
	if (type < 1)
		return -EINVAL;
	m = kmalloc(sizeof(*m) + msgsz + 1);
	if (!m)
		return -ENOMEM;
	if (copy_from_user(m->text, msgp + sizeof(long), msgsz)) {
		kfree(m);
		return -EFAULT;
	}
	m->type = type;
	m->size = msgsz;
	for (;;) {
		r = -EINVAL;
		p = ipc_obtain(&msg_ids, msqid);
		if (!p)
			break;
		q = msq_of(p);
		r = ipcperms(p, 0222);
		if (r)
			break;
		if (msgsz > q->qbytes) {
			r = -EINVAL;
			break;
		}
		if (q->cbytes + msgsz <= q->qbytes && q->qnum + 1 <= q->qbytes) {
			list_add_tail(&m->list, &q->messages);
			q->cbytes += msgsz;
			q->qnum++;
			q->lspid = current->tgid;
			q->stime = ipc_now();
			wake_up(&q->wait);
			return 0;
		}
		r = -EAGAIN;
		if (msgflg & IPC_NOWAIT)
			break;
		r = msq_sleep(q);
		if (r)
			break;
	}
	kfree(m);
	return r;
}

/* The message msgrcv(2) takes for msgtyp, or NULL. */
static struct msg_msg *find_msg(struct msg_queue *q, long msgtyp, int msgflg)
{
	struct msg_msg *m, *best = NULL;

	list_for_each_entry(m, &q->messages, list) {
		if (msgtyp == 0)
			return m;
		if (msgtyp > 0) {
			if ((msgflg & MSG_EXCEPT) ? m->type != msgtyp : m->type == msgtyp)
				return m;
		} else if (m->type <= -msgtyp && (!best || m->type < best->type)) {
			best = m;
		}
	}
	return best;
}

static long do_msgrcv(int msqid, uintptr_t msgp, size_t msgsz, long msgtyp, int msgflg);
SYSCALL_DEFINE5(msgrcv, int, msqid, uintptr_t, msgp, size_t, msgsz, long, msgtyp, int, msgflg)
{
	long r;

	mutex_lock(&ipc_mutex);
	r = do_msgrcv(msqid, msgp, msgsz, msgtyp, msgflg);
	mutex_unlock(&ipc_mutex);
	return r;
}

static long do_msgrcv(int msqid, uintptr_t msgp, size_t msgsz, long msgtyp, int msgflg)
{
	struct kern_ipc_perm *p;
	struct msg_queue *q;
	struct msg_msg *m;
	int r;

	if (msqid < 0 || (long)msgsz < 0)
		return -EINVAL;
	if (msgflg & MSG_COPY)
		return -EINVAL; /* checkpoint/restore peeking: not supported */
	for (;;) {
		p = ipc_obtain(&msg_ids, msqid);
		if (!p)
			return -EINVAL;
		q = msq_of(p);
		r = ipcperms(p, 0444);
		if (r)
			return r;
		m = find_msg(q, msgtyp, msgflg);
		if (m)
			break;
		if (msgflg & IPC_NOWAIT)
			return -ENOMSG;
		r = msq_sleep(q);
		if (r)
			return r;
	}
	if (m->size > msgsz && !(msgflg & MSG_NOERROR))
		return -E2BIG;
	size_t n = MIN(m->size, msgsz);

	if (copy_to_user(msgp, &m->type, sizeof(long)) ||
	    copy_to_user(msgp + sizeof(long), m->text, n))
		return -EFAULT; /* the message stays queued */
	list_del(&m->list);
	q->cbytes -= m->size;
	q->qnum--;
	q->lrpid = current->tgid;
	q->rtime = ipc_now();
	kfree(m);
	wake_up(&q->wait);
	return (long)n;
}

static void fill_msqid(const struct msg_queue *q, struct linux_msqid64_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ipc_perm_to_user(&q->perm, &ds->msg_perm);
	ds->msg_stime = q->stime;
	ds->msg_rtime = q->rtime;
	ds->msg_ctime = q->ctime;
	ds->msg_cbytes = q->cbytes;
	ds->msg_qnum = q->qnum;
	ds->msg_qbytes = q->qbytes;
	ds->msg_lspid = q->lspid;
	ds->msg_lrpid = q->lrpid;
}

/* struct msginfo (IPC_INFO, MSG_INFO). */
struct linux_msginfo {
	int32_t msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
	uint16_t msgseg;
};

/* IPC_INFO: the limits; MSG_INFO: the same with msgpool = queues in use,
 * msgmap = messages queued, msgtql = bytes queued. Returns the highest
 * index in use (0 if none). */
static long msg_info(int cmd, uintptr_t buf)
{
	struct linux_msginfo mi = { .msgpool = MSGMNB * IPC_MNI / 1024,
				    .msgmax = MSGMAX,
				    .msgmnb = MSGMNB,
				    .msgmni = IPC_MNI,
				    .msgssz = 16,
				    .msgtql = 0,
				    .msgseg = 0xffff };
	int max = 0, used = 0, msgs = 0, bytes = 0;

	for (int i = 0; i < IPC_MNI; i++) {
		struct kern_ipc_perm *p = msg_ids.entries[i];

		if (!p)
			continue;
		max = i;
		used++;
		msgs += (int)msq_of(p)->qnum;
		bytes += (int)msq_of(p)->cbytes;
	}
	if (cmd == MSG_INFO) {
		mi.msgpool = used;
		mi.msgmap = msgs;
		mi.msgtql = bytes;
	}
	if (copy_to_user(buf, &mi, sizeof(mi)))
		return -EFAULT;
	return max;
}

static long do_msgctl(int msqid, int cmd, uintptr_t buf);
SYSCALL_DEFINE3(msgctl, int, msqid, int, cmd, uintptr_t, buf)
{
	long r;

	mutex_lock(&ipc_mutex);
	r = do_msgctl(msqid, cmd, buf);
	mutex_unlock(&ipc_mutex);
	return r;
}

static long do_msgctl(int msqid, int cmd, uintptr_t buf)
{
	struct linux_msqid64_ds ds;
	struct kern_ipc_perm *p;
	struct msg_queue *q;

	if (msqid < 0 || cmd < 0)
		return -EINVAL;
	if (cmd == IPC_INFO || cmd == MSG_INFO)
		return msg_info(cmd, buf);
	if (cmd == MSG_STAT || cmd == MSG_STAT_ANY) {
		/* msqid is an index into the table. */
		p = msqid < IPC_MNI ? msg_ids.entries[msqid] : NULL;
		if (!p)
			return -EINVAL;
		if (cmd == MSG_STAT && ipcperms(p, 0444))
			return -EACCES;
		fill_msqid(msq_of(p), &ds);
		return copy_to_user(buf, &ds, sizeof(ds)) ? -EFAULT : p->id;
	}
	p = ipc_obtain(&msg_ids, msqid);
	if (!p)
		return -EINVAL;
	q = msq_of(p);
	switch (cmd) {
	case IPC_STAT:
		if (ipcperms(p, 0444))
			return -EACCES;
		fill_msqid(q, &ds);
		return copy_to_user(buf, &ds, sizeof(ds)) ? -EFAULT : 0;
	case IPC_SET:
		if (copy_from_user(&ds, buf, sizeof(ds)))
			return -EFAULT;
		if (!ipc_owner_ok(p))
			return -EPERM;
		if (ds.msg_qbytes > MSGMNB && current->euid != 0)
			return -EPERM;
		ipc_perm_set(p, &ds.msg_perm);
		q->qbytes = ds.msg_qbytes;
		q->ctime = ipc_now();
		wake_up(&q->wait);
		return 0;
	case IPC_RMID:
		if (!ipc_owner_ok(p))
			return -EPERM;
		ipc_rmid(&msg_ids, p);
		if (q->perm.sleepers)
			wake_up(&q->wait); /* the last sleeper frees it */
		else
			free_queue(q);
		return 0;
	default: return -EINVAL;
	}
}
