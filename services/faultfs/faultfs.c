/* faultfs: a file system whose files fault on purpose, to prove service
 * containment (DESIGN §5, docs/safety-profiles.md). Inert unless the kernel
 * command line has "faultinject=1": only then is "faultfs" registered, so
 * without it mount(2) answers -ENODEV as for any unknown type.
 *
 *   mount -t faultfs none /mnt
 *
 * is a tmpfs holding these files; each does its fault inside the service,
 * i.e. inside the core's svc_call():
 *
 *   panic      read: panic("faultfs: injected panic")
 *   assert     read: a failed KASSERT
 *   nullderef  read: a load through a NULL pointer
 *   wildptr    read: a load 64 TiB past a heap object (unmapped or
 *                    non-canonical: a page fault or #GP)
 *   undef      read: an undefined/trapping instruction (__builtin_trap():
 *                    ud2 on x86_64, brk on arm64)
 *   leak       write: takes faultfs_lock (a mutex shared by every faultfs
 *                    instance), allocates 64 KiB, then loads through NULL:
 *                    the lock and the memory are what containment must give
 *                    back
 *   lock       read: takes and drops faultfs_lock, returns "unlocked\n"; it
 *                    sleeps forever if a faulted call kept the lock
 *   goodcap    read: allocates a page with this instance's own token: 0 (EOF)
 *   forgecap   read: the same with the token's mac altered: -EPERM under
 *                    Fortress (run-time tokens), -EOPNOTSUPP elsewhere (a
 *                    token cannot be forged where it carries no value)
 *   stalecap   read: the same with the token of the faultfs instance mounted
 *                    before this one: -EPERM under Fortress once that one is
 *                    unmounted, -EAGAIN if there was none, -EOPNOTSUPP elsewhere
 *   goodblk, forgeblk, staleblk
 *              read: the same three with the block token (cap_block_t),
 *                    reading sector 0 of /dev/vda through blkdev_read();
 *                    goodblk gives -ENODEV on a machine without that disk
 *   userptr    read: stores 'u' straight through the user buffer's address
 *                    (hal_debug_user_ptr(), not copy_to_user) and returns 1.
 *                    SMAP/PAN (Fortress, Balanced) make it a kernel fault;
 *                    elsewhere it works (the caller must have touched the
 *                    buffer: a kernel fault on a user page is never resolved
 *                    outside usercopy)
 *   blkfault   write "DEV KIND N": the N-th next bread()/getblk() on the
 *                    block device named DEV ("vdb", "vda1") faults, inside
 *                    the calling file system's service call (the buffer
 *                    cache's hook, bcache_set_fault_hook()): KIND is panic,
 *                    nullderef or leak (faultfs_lock taken and 64 KiB
 *                    allocated, both charged to that file system, then a
 *                    NULL load). "off" disarms. So faults are injected into
 *                    ext2 (or any bcache user) without code in it; the
 *                    failed instance's device is released by the core
 *                    (blk_release_failed()). -EINVAL for anything else
 *   textwrite  read: writes the first byte of one of faultfs's own functions
 *                    back unchanged, then returns "w" (1 byte). W^X
 *                    (Fortress, Balanced, Performance) makes it a kernel
 *                    fault; under Ludicrous (RWX image) it works
 *
 * Under Fortress and Balanced each faulting call returns -EIO and marks the
 * mount failed (every later call -EIO until umount + mount); under
 * Performance and Ludicrous the first one is a kernel panic whose message
 * names faultfs (the panic text, the assertion's file, or the faulting
 * function's symbol). userptr and textwrite fault only where the profile's
 * CPU hardening says they must (<kernel/hardening.h>). */
#include <hal/frame.h>
#include <kernel/blkdev.h>
#include <kernel/cap.h>
#include <kernel/cmdline.h>
#include <kernel/errno.h>
#include <kernel/hardening.h>
#include <kernel/kmalloc.h>
#include <kernel/mutex.h>
#include <kernel/printk.h>
#include <kernel/service.h>
#include <stdlib.h>
#include <string.h>

#include <services/tmpfs.h>

#define LEAK_BYTES (64 * 1024)

enum fault_kind {
	F_PANIC,
	F_ASSERT,
	F_NULLDEREF,
	F_WILDPTR,
	F_UNDEF,
	F_LEAK,
	F_LOCK,
	/* capability tokens (<kernel/cap.h>) */
	F_GOODCAP,
	F_FORGECAP,
	F_STALECAP,
	F_GOODBLK,
	F_FORGEBLK,
	F_STALEBLK,
	/* CPU hardening probes (SMAP/PAN, W^X) */
	F_USERPTR,
	F_TEXTWRITE,
	/* faults in another file system's block reads */
	F_BLKFAULT,
	NR_KINDS
};

static const char *const kind_name[NR_KINDS] = {
	[F_PANIC] = "panic",
	[F_ASSERT] = "assert",
	[F_NULLDEREF] = "nullderef",
	[F_WILDPTR] = "wildptr",
	[F_UNDEF] = "undef",
	[F_LEAK] = "leak",
	[F_LOCK] = "lock",
	[F_GOODCAP] = "goodcap",
	[F_FORGECAP] = "forgecap",
	[F_STALECAP] = "stalecap",
	[F_GOODBLK] = "goodblk",
	[F_FORGEBLK] = "forgeblk",
	[F_STALEBLK] = "staleblk",
	/* CPU hardening probes */
	[F_USERPTR] = "userptr",
	[F_TEXTWRITE] = "textwrite",
	[F_BLKFAULT] = "blkfault",
};

/* Shared by every instance, so a second mount can see whether a faulted
 * call on the first one left it held. */
static struct mutex faultfs_lock = MUTEX_INIT(faultfs_lock, "faultfs_lock");

/* Read through volatile objects so the compiler can neither prove the
 * faults nor drop them. */
static int *volatile null_ptr;
static volatile long wild_offset = 64L << 40;

struct faultfs_state {
	struct inode *files[NR_KINDS];
};

/* The page-allocation and block tokens of the previous mount and of the
 * latest one. */
static cap_page_alloc_t prev_token, last_token;
static cap_block_t prev_blk, last_blk;
static bool have_prev, have_last;

/* Allocate (and free) one page paying with tok: 0 or -errno. */
static int try_token(cap_page_alloc_t tok)
{
	paddr_t pa;
	int r = svc_page_alloc(tok, 0, &pa);

	if (r == 0)
		frame_free(pa, 0);
	return r;
}

/* Read sector 0 of /dev/vda paying with tok (<kernel/blkdev.h>): 0,
 * -EPERM (refused), -ENODEV (no such disk). */
static int try_blk(cap_block_t tok)
{
	static char sector[SECTOR_SIZE];

	return blkdev_read(tok, blkdev_lookup("vda"), 0, sector, sizeof(sector));
}

/* goodblk, forgeblk, staleblk: as the page tokens, for block access. */
static int blk_probe(struct super_block *sb, int kind)
{
	if (kind == F_GOODBLK) {
		int r = try_blk(sb->svc.caps.block);

		return r == -EINVAL ? -ENODEV : r; /* no vda: blkdev_read(NULL) */
	}
#ifdef CAP_RUNTIME
	if (kind == F_FORGEBLK) {
		cap_block_t forged = sb->svc.caps.block;

		forged.mac ^= 0x20;
		return try_blk(forged);
	}
	return have_prev ? try_blk(prev_blk) : -EAGAIN;
#else
	return -EOPNOTSUPP;
#endif
}

static int cap_probe(struct super_block *sb, int kind)
{
	if (kind == F_GOODCAP)
		return try_token(sb->svc.caps.page_alloc);
#ifdef CAP_RUNTIME
	if (kind == F_FORGECAP) {
		cap_page_alloc_t forged = sb->svc.caps.page_alloc;

		forged.mac ^= 0x10; /* one bit off: a token nobody minted */
		return try_token(forged);
	}
	return have_prev ? try_token(prev_token) : -EAGAIN;
#else
	return -EOPNOTSUPP;
#endif
}

static int kind_of(const struct file *f)
{
	struct faultfs_state *st = tmpfs_owner_private(f->inode->sb);

	for (int k = 0; k < NR_KINDS; k++)
		if (st && st->files[k] == f->inode)
			return k;
	return -1;
}

static __attribute__((noinline)) int faultfs_do_fault(int kind)
{
	switch (kind) {
	case F_PANIC: panic("faultfs: injected panic");
	case F_ASSERT:
		KASSERT(kind != F_ASSERT); /* faultfs: injected assertion */
		return 0;
	case F_NULLDEREF: return *null_ptr;
	case F_WILDPTR: {
		volatile char *p = (volatile char *)&wild_offset;
		return p[wild_offset];
	}
	case F_UNDEF: __builtin_trap();
	}
	return -EINVAL;
}

/* CPU hardening probes. noinline and named faultfs_*, so a panic's
 * faulting function names faultfs. */

/* A store through the user buffer's address, bypassing usercopy: the
 * kernel fault SMAP/PAN must turn it into. */
static __attribute__((noinline)) ssize_t faultfs_userptr(struct uio *u)
{
	volatile uint8_t *p;

	if (!u->is_user || !u->len)
		return -EINVAL;
	p = hal_debug_user_ptr(u->uaddr);
	*p = 'u';
	return 1;
}

/* A write of faultfs_userptr's first byte, unchanged, through its text
 * address: the kernel fault W^X must turn it into. The function pointer
 * becomes a data pointer; no integer is cast. */
static __attribute__((noinline)) ssize_t faultfs_textwrite(struct uio *u)
{
	volatile uint8_t *text = (volatile uint8_t *)(void *)faultfs_userptr;

	*text = *text;
	return uio_copy_out(u, "w", 1) ? -EFAULT : 1;
}

static ssize_t faultfs_read(struct file *f, struct uio *u, off_t *pos)
{
	static const char msg[] = "unlocked\n";
	int kind = kind_of(f);

	if (kind < 0)
		return -EIO;
	if (kind == F_LOCK) {
		size_t n;

		mutex_lock(&faultfs_lock);
		mutex_unlock(&faultfs_lock);
		if (*pos >= (off_t)sizeof(msg) - 1)
			return 0;
		n = sizeof(msg) - 1 - (size_t)*pos;
		if (n > u->len)
			n = u->len;
		if (uio_copy_out(u, msg + *pos, n))
			return -EFAULT;
		*pos += (off_t)n;
		return (ssize_t)n;
	}
	if (kind == F_LEAK)
		return -EINVAL;
	if (kind == F_USERPTR)
		return faultfs_userptr(u);
	if (kind == F_TEXTWRITE)
		return faultfs_textwrite(u);
	if (kind == F_GOODCAP || kind == F_FORGECAP || kind == F_STALECAP)
		return cap_probe(f->inode->sb, kind);
	if (kind == F_GOODBLK || kind == F_FORGEBLK || kind == F_STALEBLK)
		return blk_probe(f->inode->sb, kind);
	return faultfs_do_fault(kind);
}

/* blkfault: what is armed (blk_kind: the fault_kind + 1; 0: nothing). The
 * hook may run on any CPU; the countdown is atomic, the rest is written
 * only while disarmed. */
static char blk_dev[24];
static volatile int blk_kind;
static unsigned blk_countdown;

/* The faults, in a function named faultfs_* (a panic names faultfs). */
static __attribute__((noinline)) void faultfs_blk_fault(int kind)
{
	char *buf;

	if (kind == F_PANIC)
		panic("faultfs: injected panic in a block read");
	if (kind == F_LEAK) {
		mutex_lock(&faultfs_lock);
		buf = kmalloc(LEAK_BYTES);
		if (buf)
			memset(buf, 0x5a, LEAK_BYTES);
	}
	(void)*(volatile int *)null_ptr; /* volatile: the load must happen */
}

static void faultfs_blk_hook(const struct block_device *bdev)
{
	int kind = blk_kind;

	if (!kind || strcmp(bdev_name(bdev), blk_dev) != 0)
		return;
	if (__atomic_sub_fetch(&blk_countdown, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	blk_kind = 0;
	faultfs_blk_fault(kind - 1);
}

/* "DEV KIND N" or "off" (a trailing newline allowed): 0 or -EINVAL. */
static int blkfault_arm(char *cmd)
{
	char *dev = cmd, *kind, *num, *end;
	unsigned long n;
	int k;

	for (end = cmd; *end && *end != '\n'; end++)
		;
	*end = 0;
	blk_kind = 0;
	if (!strcmp(cmd, "off"))
		return 0;
	kind = strchr(dev, ' ');
	if (!kind)
		return -EINVAL;
	*kind++ = 0;
	num = strchr(kind, ' ');
	if (!num)
		return -EINVAL;
	*num++ = 0;
	n = strtoul(num, &end, 10);
	if (*end || !n || n > 1000000 || strlen(dev) >= sizeof(blk_dev) || !*dev)
		return -EINVAL;
	if (!strcmp(kind, "panic"))
		k = F_PANIC;
	else if (!strcmp(kind, "nullderef"))
		k = F_NULLDEREF;
	else if (!strcmp(kind, "leak"))
		k = F_LEAK;
	else
		return -EINVAL;
	strcpy(blk_dev, dev);
	__atomic_store_n(&blk_countdown, (unsigned)n, __ATOMIC_RELEASE);
	blk_kind = k + 1;
	return 0;
}

static ssize_t faultfs_write(struct file *f, struct uio *u, off_t *pos)
{
	int kind = kind_of(f);
	char *buf;

	(void)pos;
	if (kind == F_BLKFAULT) {
		char cmd[64];
		size_t len = u->len;
		int r;

		if (len >= sizeof(cmd))
			return -EINVAL;
		if (uio_copy_in(u, cmd, len))
			return -EFAULT;
		cmd[len] = 0;
		r = blkfault_arm(cmd);
		return r ? r : (ssize_t)len;
	}
	if (kind != F_LEAK)
		return -EINVAL;
	mutex_lock(&faultfs_lock);
	buf = kmalloc(LEAK_BYTES);
	if (buf)
		memset(buf, 0x5a, LEAK_BYTES);
	return *null_ptr; /* with the lock held and buf leaked */
}

static struct file_operations faultfs_fops;

static int faultfs_mount(struct super_block *sb, const char *source, unsigned long flags,
			 const char *data)
{
	struct faultfs_state *st;
	int r;

	(void)source;
	(void)flags;
	st = kzalloc(sizeof(*st));
	if (!st)
		return -ENOMEM;
	r = tmpfs_fill_super(sb, data, 0755);
	if (r) {
		kfree(st);
		return r;
	}
	tmpfs_set_owner_private(sb, st);
	prev_token = last_token;
	prev_blk = last_blk;
	have_prev = have_last;
	last_token = sb->svc.caps.page_alloc;
	last_blk = sb->svc.caps.block;
	have_last = true;
	for (int k = 0; k < NR_KINDS; k++) {
		struct inode *inode = NULL;
		mode_t mode = k == F_LEAK || k == F_BLKFAULT ? 0200 : 0444;

		r = tmpfs_dir_iops.create(sb->root, kind_name[k], strlen(kind_name[k]),
					  S_IFREG | mode, &inode);
		if (r)
			return r;
		inode->i_fop = &faultfs_fops;
		st->files[k] = inode; /* the root directory holds it */
		iput(inode);
	}
	return 0;
}

static struct file_system_type faultfs_fs_type = {
	.name = "faultfs",
	.mount = faultfs_mount,
};

static int faultfs_init(void)
{
	const char *on = cmdline_get("faultinject");

	if (!on || strcmp(on, "1") != 0)
		return 0; /* inert */
	faultfs_fops = tmpfs_file_fops;
	faultfs_fops.read = faultfs_read;
	faultfs_fops.write = faultfs_write;
	faultfs_fops.get_page = NULL;
	register_filesystem(&faultfs_fs_type);
	bcache_set_fault_hook(faultfs_blk_hook);
	printk("faultfs: fault injection armed (faultinject=1)\n");
	return 0;
}
SERVICE_INIT(faultfs, faultfs_init);
