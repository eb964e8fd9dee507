/* System V shared memory: [shmget(2)], [shmat(2)], [shmdt(2)],
 * [shmctl(2)] (Linux ipc/shm.c). A segment is a shared anonymous object
 * of kernel/mm (the one MAP_SHARED | MAP_ANONYMOUS uses): pages are
 * zero-filled on first touch and shared by every attachment, forks
 * included. The attach count is the object's count of mappings. IPC_RMID
 * of an attached segment marks it SHM_DEST and hides its key; it is freed
 * once the last attachment is gone (checked at every shm call). Locking:
 * see ipc_internal.h. */
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/mm.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <string.h>

#include "ipc_internal.h"

#define SHMMIN 1
#define SHMMAX (1UL << 40) /* bytes; Linux's default is near ULONG_MAX */
#define SHMALL_PAGES (1UL << 28)
#define SHM_RDONLY 010000
#define SHM_RND 020000
#define SHM_REMAP 040000
#define SHM_EXEC 0100000
#define SHM_DEST 01000
#define SHM_LOCKED 02000
#define SHM_LOCK 11
#define SHM_UNLOCK 12
#define SHM_STAT 13
#define SHM_INFO 14
#define SHM_STAT_ANY 15

struct shm_seg {
	struct kern_ipc_perm perm; /* first: the table holds &perm */
	size_t segsz;		   /* bytes, as asked */
	struct anon_shared *obj;   /* one reference held by the segment */
	int64_t atime, dtime, ctime;
	int cpid, lpid;
};

/* struct shmid64_ds (asm-generic and x86_64 the same on 64-bit), 112 bytes. */
struct linux_shmid64_ds {
	struct linux_ipc64_perm shm_perm;
	uint64_t shm_segsz;
	int64_t shm_atime, shm_dtime, shm_ctime;
	int32_t shm_cpid, shm_lpid;
	uint64_t shm_nattch, unused4, unused5;
};
_Static_assert(sizeof(struct linux_shmid64_ds) == 112, "struct shmid64_ds");

static struct ipc_ids shm_ids;

static struct shm_seg *seg_of(struct kern_ipc_perm *p)
{
	return (struct shm_seg *)p;
}

static unsigned long nattch(const struct shm_seg *s)
{
	return __atomic_load_n(&s->obj->refcount, __ATOMIC_RELAXED) - 1;
}

static void seg_free(struct shm_seg *s)
{
	ipc_rmid(&shm_ids, &s->perm);
	mm_shared_put(s->obj);
	kfree(s);
}

/* Free removed segments nobody has attached any more. */
static void shm_gc(void)
{
	for (int i = 0; i < IPC_MNI; i++) {
		struct kern_ipc_perm *p = shm_ids.entries[i];

		if (p && (p->mode & SHM_DEST) && !nattch(seg_of(p)))
			seg_free(seg_of(p));
	}
}

static int newseg(int key, int flg, long size)
{
	uint64_t pages = PAGE_ALIGN_UP((uint64_t)size) / PAGE_SIZE;
	struct shm_seg *s;
	int r;

	if ((unsigned long)size < SHMMIN || (unsigned long)size > SHMMAX)
		return -EINVAL;
	if (pages > SHMALL_PAGES)
		return -ENOSPC;
	s = kzalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->obj = mm_shared_create(pages);
	if (!s->obj) {
		kfree(s);
		return -ENOMEM;
	}
	s->segsz = (size_t)size;
	s->cpid = current->tgid;
	s->ctime = ipc_now();
	r = ipc_addid(&shm_ids, &s->perm, key, flg);
	if (r) {
		mm_shared_put(s->obj);
		kfree(s);
		return r;
	}
	return s->perm.id;
}

static int shm_more_checks(struct kern_ipc_perm *p, long size)
{
	return (unsigned long)size > seg_of(p)->segsz ? -EINVAL : 0;
}

static long do_shmget(int key, size_t size, int shmflg);
SYSCALL_DEFINE3(shmget, int, key, size_t, size, int, shmflg)
{
	long r;

	mutex_lock(&ipc_mutex);
	r = do_shmget(key, size, shmflg);
	mutex_unlock(&ipc_mutex);
	return r;
}

static long do_shmget(int key, size_t size, int shmflg)
{
	shm_gc();
	return ipcget(&shm_ids, key, shmflg, newseg, shm_more_checks, (long)size);
}

static long do_shmat(int shmid, uintptr_t shmaddr, int shmflg);
SYSCALL_DEFINE3(shmat, int, shmid, uintptr_t, shmaddr, int, shmflg)
{
	long r;

	mutex_lock(&ipc_mutex);
	r = do_shmat(shmid, shmaddr, shmflg);
	mutex_unlock(&ipc_mutex);
	return r;
}

static long do_shmat(int shmid, uintptr_t shmaddr, int shmflg)
{
	unsigned prot = PROT_READ, acc = 0444;
	struct kern_ipc_perm *p;
	struct shm_seg *s;
	uintptr_t addr = shmaddr;
	long r;

	shm_gc();
	if (shmid < 0)
		return -EINVAL;
	if (addr) {
		if (addr & (PAGE_SIZE - 1)) {
			if (!(shmflg & SHM_RND))
				return -EINVAL;
			addr &= ~(uintptr_t)(PAGE_SIZE - 1);
			if (!addr && (shmflg & SHM_REMAP))
				return -EINVAL;
		}
	} else if (shmflg & SHM_REMAP) {
		return -EINVAL;
	}
	if (!(shmflg & SHM_RDONLY)) {
		prot |= PROT_WRITE;
		acc |= 0222;
	}
	if (shmflg & SHM_EXEC) {
		prot |= PROT_EXEC;
		acc |= 0111;
	}
	p = ipc_obtain(&shm_ids, shmid);
	if (!p)
		return -EINVAL;
	s = seg_of(p);
	if (ipcperms(p, (int)acc))
		return -EACCES;
	size_t len = PAGE_ALIGN_UP(s->segsz);

	/* [shmat(2)] EINVAL: the range is in use, without SHM_REMAP. */
	if (addr && !(shmflg & SHM_REMAP) && mm_range_in_use(current->mm, addr, len))
		return -EINVAL;
	r = mm_map_shared(current->mm, addr, len, prot, addr != 0, s->obj);
	if (r < 0)
		return r;
	s->atime = ipc_now();
	s->lpid = current->tgid;
	return r;
}

static long do_shmdt(uintptr_t shmaddr);
SYSCALL_DEFINE1(shmdt, uintptr_t, shmaddr)
{
	long r;

	mutex_lock(&ipc_mutex);
	r = do_shmdt(shmaddr);
	mutex_unlock(&ipc_mutex);
	return r;
}

static long do_shmdt(uintptr_t shmaddr)
{
	struct anon_shared *a;

	if (shmaddr & (PAGE_SIZE - 1))
		return -EINVAL;
	a = mm_shared_at(current->mm, shmaddr);
	for (int i = 0; a && i < IPC_MNI; i++) {
		struct kern_ipc_perm *p = shm_ids.entries[i];

		if (p && seg_of(p)->obj == a) {
			mm_unmap_shared(current->mm, shmaddr, a);
			seg_of(p)->dtime = ipc_now();
			seg_of(p)->lpid = current->tgid;
			shm_gc();
			return 0;
		}
	}
	return -EINVAL;
}

static void fill_shmid(const struct shm_seg *s, struct linux_shmid64_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ipc_perm_to_user(&s->perm, &ds->shm_perm);
	ds->shm_segsz = s->segsz;
	ds->shm_atime = s->atime;
	ds->shm_dtime = s->dtime;
	ds->shm_ctime = s->ctime;
	ds->shm_cpid = s->cpid;
	ds->shm_lpid = s->lpid;
	ds->shm_nattch = nattch(s);
}

/* struct shminfo64 (IPC_INFO) and struct shm_info (SHM_INFO). */
struct linux_shminfo64 {
	uint64_t shmmax, shmmin, shmmni, shmseg, shmall, unused1, unused2, unused3, unused4;
};
struct linux_shm_info {
	int32_t used_ids;
	uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};

static long shm_info(int cmd, uintptr_t buf)
{
	int max = 0, used = 0;
	uint64_t tot = 0;

	for (int i = 0; i < IPC_MNI; i++) {
		struct kern_ipc_perm *p = shm_ids.entries[i];

		if (!p)
			continue;
		max = i;
		used++;
		tot += PAGE_ALIGN_UP(seg_of(p)->segsz) / PAGE_SIZE;
	}
	if (cmd == IPC_INFO) {
		struct linux_shminfo64 si = { .shmmax = SHMMAX,
					      .shmmin = SHMMIN,
					      .shmmni = IPC_MNI,
					      .shmseg = IPC_MNI,
					      .shmall = SHMALL_PAGES };

		return copy_to_user(buf, &si, sizeof(si)) ? -EFAULT : max;
	}
	struct linux_shm_info in = { .used_ids = used, .shm_tot = tot, .shm_rss = tot };

	return copy_to_user(buf, &in, sizeof(in)) ? -EFAULT : max;
}

static long do_shmctl(int shmid, int cmd, uintptr_t buf);
SYSCALL_DEFINE3(shmctl, int, shmid, int, cmd, uintptr_t, buf)
{
	long r;

	mutex_lock(&ipc_mutex);
	r = do_shmctl(shmid, cmd, buf);
	mutex_unlock(&ipc_mutex);
	return r;
}

static long do_shmctl(int shmid, int cmd, uintptr_t buf)
{
	struct linux_shmid64_ds ds;
	struct kern_ipc_perm *p;
	struct shm_seg *s;

	shm_gc();
	if (cmd < 0 || shmid < 0)
		return -EINVAL;
	if (cmd == IPC_INFO || cmd == SHM_INFO)
		return shm_info(cmd, buf);
	if (cmd == SHM_STAT || cmd == SHM_STAT_ANY) {
		p = shmid < IPC_MNI ? shm_ids.entries[shmid] : NULL;
		if (!p)
			return -EINVAL;
		if (cmd == SHM_STAT && ipcperms(p, 0444))
			return -EACCES;
		fill_shmid(seg_of(p), &ds);
		return copy_to_user(buf, &ds, sizeof(ds)) ? -EFAULT : p->id;
	}
	/* A segment marked for destruction still answers by id. */
	p = shmid % IPCMNI < IPC_MNI ? shm_ids.entries[shmid % IPCMNI] : NULL;
	if (!p || p->id != shmid)
		return -EINVAL;
	s = seg_of(p);
	switch (cmd) {
	case IPC_STAT:
		if (ipcperms(p, 0444))
			return -EACCES;
		fill_shmid(s, &ds);
		return copy_to_user(buf, &ds, sizeof(ds)) ? -EFAULT : 0;
	case IPC_SET:
		if (copy_from_user(&ds, buf, sizeof(ds)))
			return -EFAULT;
		if (!ipc_owner_ok(p))
			return -EPERM;
		ipc_perm_set(p, &ds.shm_perm);
		s->ctime = ipc_now();
		return 0;
	case IPC_RMID:
		if (!ipc_owner_ok(p))
			return -EPERM;
		p->mode |= SHM_DEST;
		p->key = IPC_PRIVATE; /* no longer found by key */
		shm_gc();
		return 0;
	case SHM_LOCK:
	case SHM_UNLOCK:
		/* Nothing is ever swapped out; only the rights are checked. */
		if (current->euid != 0)
			return -EPERM;
		if (cmd == SHM_LOCK)
			p->mode |= SHM_LOCKED;
		else
			p->mode &= ~(unsigned)SHM_LOCKED;
		return 0;
	default: return -EINVAL;
	}
}
