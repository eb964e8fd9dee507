/* Keys, ids and permissions shared by System V message queues, semaphores
 * and shared memory (Linux ipc/util.c). [sysvipc(7)], [ipc(5)] */
#include <kernel/errno.h>
#include <kernel/task.h>
#include <kernel/time.h>

#include "ipc_internal.h"

/* Every System V IPC object and id table (ipc_internal.h). */
struct mutex ipc_mutex = MUTEX_INIT(ipc_mutex, "ipc_mutex");

struct kern_ipc_perm *ipc_obtain(struct ipc_ids *ids, int id)
{
	struct kern_ipc_perm *p;

	if (id < 0 || id % IPCMNI >= IPC_MNI)
		return NULL;
	p = ids->entries[id % IPCMNI];
	return p && p->id == id && !p->deleted ? p : NULL;
}

struct kern_ipc_perm *ipc_findkey(struct ipc_ids *ids, int key)
{
	for (int i = 0; i < IPC_MNI; i++) {
		struct kern_ipc_perm *p = ids->entries[i];

		if (p && !p->deleted && p->key == key)
			return p;
	}
	return NULL;
}

int ipc_addid(struct ipc_ids *ids, struct kern_ipc_perm *p, int key, int flg)
{
	for (int i = 0; i < IPC_MNI; i++) {
		if (ids->entries[i])
			continue;
		p->key = key;
		p->uid = p->cuid = current->euid;
		p->gid = p->cgid = current->egid;
		p->mode = (unsigned)flg & 0777;
		p->seq = ids->seq++;
		if (ids->seq >= 0x7fff * 2) /* keep ids positive */
			ids->seq = 0;
		p->id = (int)p->seq * IPCMNI + i;
		p->deleted = false;
		p->sleepers = 0;
		ids->entries[i] = p;
		return 0;
	}
	return -ENOSPC;
}

void ipc_rmid(struct ipc_ids *ids, struct kern_ipc_perm *p)
{
	ids->entries[p->id % IPCMNI] = NULL;
	p->deleted = true;
}

int ipcperms(const struct kern_ipc_perm *p, int flg)
{
	unsigned f = (unsigned)flg, requested = (f >> 6) | (f >> 3) | f, granted = p->mode;

	if (current->euid == 0)
		return 0;
	if (current->euid == p->cuid || current->euid == p->uid)
		granted >>= 6;
	else if (in_group_p(p->cgid) || in_group_p(p->gid))
		granted >>= 3;
	return (requested & ~granted & 7) ? -EACCES : 0;
}

bool ipc_owner_ok(const struct kern_ipc_perm *p)
{
	return current->euid == 0 || current->euid == p->uid || current->euid == p->cuid;
}

void ipc_perm_to_user(const struct kern_ipc_perm *p, struct linux_ipc64_perm *u)
{
	u->key = p->key;
	u->uid = p->uid;
	u->gid = p->gid;
	u->cuid = p->cuid;
	u->cgid = p->cgid;
	u->mode = p->mode;
	u->seq = p->seq;
	u->pad2 = 0;
	u->unused1 = u->unused2 = 0;
}

void ipc_perm_set(struct kern_ipc_perm *p, const struct linux_ipc64_perm *u)
{
	p->uid = u->uid;
	p->gid = u->gid;
	p->mode = (p->mode & ~0777u) | (u->mode & 0777);
}

int ipcget(struct ipc_ids *ids, int key, int flg, int (*create)(int key, int flg, long arg),
	   int (*more)(struct kern_ipc_perm *p, long arg), long arg)
{
	struct kern_ipc_perm *p;
	int r;

	if (key == IPC_PRIVATE)
		return create(key, flg, arg);
	p = ipc_findkey(ids, key);
	if (!p)
		return (flg & IPC_CREAT) ? create(key, flg, arg) : -ENOENT;
	if ((flg & IPC_CREAT) && (flg & IPC_EXCL))
		return -EEXIST;
	r = ipcperms(p, flg);
	if (!r && more)
		r = more(p, arg);
	return r ? r : p->id;
}

int64_t ipc_now(void)
{
	return time_realtime_ns() / 1000000000;
}
