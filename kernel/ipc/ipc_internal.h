/* Private to kernel/ipc: what System V message queues, semaphore sets and
 * shared memory segments have in common [sysvipc(7)]: keys, ids,
 * permissions, the ipc64_perm user layout.
 *
 * Locking: ipc_mutex (util.c) is held by every System V IPC system call
 * from start to end and by sem_exit_undo(); it protects the id tables and
 * every object. A task that sleeps (msgsnd/msgrcv/semop) releases it
 * while asleep (sched_sleep_mutex()), re-finds its object by id when it
 * wakes, and an object removed meanwhile (IPC_RMID) is freed only once no
 * sleeper holds it (struct kern_ipc_perm.sleepers). Order: before the mm
 * locks (shmat maps). Finer locks (one per table, a spinlock per object,
 * as Linux) when contention shows. */
#ifndef KERNEL_IPC_INTERNAL_H
#define KERNEL_IPC_INTERNAL_H
#include <hal/types.h>
#include <kernel/mutex.h>

extern struct mutex ipc_mutex;

#define IPC_PRIVATE 0
#define IPC_CREAT 00001000
#define IPC_EXCL 00002000
#define IPC_NOWAIT 00004000
#define IPC_RMID 0
#define IPC_SET 1
#define IPC_STAT 2
#define IPC_INFO 3

#define IPC_MNI 256  /* objects of one kind (Linux: 32000; smaller here) */
#define IPCMNI 32768 /* id = seq * IPCMNI + index (ipc/util.h) */

/* The common head of every object. */
struct kern_ipc_perm {
	int key;
	uint32_t uid, gid, cuid, cgid;
	unsigned mode; /* low 9 bits: rwx for owner/group/other; type flags above */
	unsigned short seq;
	int id;
	bool deleted;	   /* IPC_RMID done; freed when sleepers == 0 */
	unsigned sleepers; /* tasks asleep on it */
};

/* struct ipc64_perm (asm-generic/ipcbuf.h), 48 bytes on 64-bit arches. */
struct linux_ipc64_perm {
	int32_t key;
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode;
	uint16_t seq, pad2;
	uint64_t unused1, unused2;
};
_Static_assert(sizeof(struct linux_ipc64_perm) == 48, "struct ipc64_perm");

/* One kind's objects. */
struct ipc_ids {
	struct kern_ipc_perm *entries[IPC_MNI];
	unsigned short seq;
};

/* Find the object with this id: NULL if none (the caller answers -EINVAL;
 * a removed one is not found). */
struct kern_ipc_perm *ipc_obtain(struct ipc_ids *ids, int id);
/* The object with key, or NULL. */
struct kern_ipc_perm *ipc_findkey(struct ipc_ids *ids, int key);
/* Give p an id and owner (the caller's credentials, mode from flg).
 * 0 or -ENOSPC (table full). */
int ipc_addid(struct ipc_ids *ids, struct kern_ipc_perm *p, int key, int flg);
/* Take p out of the table (IPC_RMID): later lookups fail. */
void ipc_rmid(struct ipc_ids *ids, struct kern_ipc_perm *p);
/* [sysvipc(7)] access check of flg's rwx bits (e.g. 0400 read, 0200
 * write/alter) against the owner, group or other bits: 0 or -EACCES. Root
 * (CAP_IPC_OWNER) passes. */
int ipcperms(const struct kern_ipc_perm *p, int flg);
/* IPC_SET/IPC_RMID: the caller is the owner or creator, or root. */
bool ipc_owner_ok(const struct kern_ipc_perm *p);
void ipc_perm_to_user(const struct kern_ipc_perm *p, struct linux_ipc64_perm *u);
/* IPC_SET: uid, gid and the low 9 mode bits. */
void ipc_perm_set(struct kern_ipc_perm *p, const struct linux_ipc64_perm *u);

/* The common get logic ([msgget(2)] & co.): IPC_PRIVATE always creates;
 * a key found: -EEXIST with IPC_CREAT|IPC_EXCL, -EACCES, or more(p) (the
 * kind's own checks, may be NULL), then its id; not found: -ENOENT without
 * IPC_CREAT, else create() (returns the id or -errno). */
int ipcget(struct ipc_ids *ids, int key, int flg, int (*create)(int key, int flg, long arg),
	   int (*more)(struct kern_ipc_perm *p, long arg), long arg);

/* Seconds of the wall clock, for the *_time fields. */
int64_t ipc_now(void);

#endif
