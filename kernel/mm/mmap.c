/* Memory-mapping system calls: brk, mmap, munmap, mprotect, madvise,
 * msync. (mremap is in mremap.c.) Argument checking follows the Linux
 * man pages; the work is done by mm.c.
 *
 * Shared mappings: MAP_SHARED | MAP_ANONYMOUS pages belong to an
 * anon_shared object that fork passes on, so parent and child (and all
 * threads) see each other's stores. MAP_SHARED of a file whose file
 * system provides file_operations.get_page (tmpfs, hence the initramfs
 * root) maps the file's own frames: stores change the file at once and
 * write(2) shows in the mapping, so msync(2) has nothing to write back.
 *
 * Limits of this version, documented:
 *  - On a file system without get_page, MAP_SHARED is a read-only private
 *    snapshot (mprotect to PROT_WRITE is -EACCES), and with PROT_WRITE
 *    it is -ENODEV, as Linux answers for a file system without mmap.
 *  - Only regular files can be mapped (-ENODEV otherwise, e.g. /dev/zero).
 *  - A truncate does not unmap pages already faulted in past the new end
 *    (they stay readable, orphaned); pages not yet touched raise SIGBUS.
 */
#include <kernel/errno.h>
#include <kernel/fdtable.h>
#include <kernel/mm.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/vfs.h>

#include "mm_internal.h"

#define MAP_TYPE 0x0f
#define MAP_SHARED_VALIDATE 0x03
#define PROT_GROWSDOWN 0x01000000
#define PROT_GROWSUP 0x02000000

/* Flags mmap accepts (the rest are ignored by Linux too unless
 * MAP_SHARED_VALIDATE): MAP_32BIT 0x40, MAP_EXECUTABLE 0x1000,
 * MAP_LOCKED 0x2000, MAP_NONBLOCK 0x10000, MAP_HUGETLB 0x40000,
 * MAP_SYNC 0x80000. */
#define MAP_KNOWN                                                                               \
	(MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | 0x40 | MAP_GROWSDOWN | MAP_DENYWRITE | 0x1000 | \
	 0x2000 | MAP_NORESERVE | MAP_POPULATE | 0x10000 | MAP_STACK | 0x40000 |                \
	 MAP_FIXED_NOREPLACE)

/* [brk(2)]: the raw syscall returns the new break, or the current one when
 * the request cannot be satisfied (brk(0) queries it). */
SYSCALL_DEFINE1(brk, unsigned long, addr)
{
	return (long)mm_brk(current->mm, addr);
}

/* [mmap(2)]: offset in bytes (page aligned) on both x86_64 and arm64.
 * Errors: -EINVAL (len 0, unaligned offset or MAP_FIXED address, no or
 * bad map type), -EBADF, -EACCES (file not open for reading), -ENODEV
 * (file type or shared writable mapping not supported), -ENOMEM,
 * -EEXIST (MAP_FIXED_NOREPLACE), -EOVERFLOW (offset + length wraps). */
SYSCALL_DEFINE6(mmap, unsigned long, addr, unsigned long, len, unsigned long, prot, unsigned long,
		flags, int, fd, unsigned long, off)
{
	struct file *f = NULL;
	unsigned type = flags & MAP_TYPE;
	long ret;

	if (!len || (off & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE && (flags & ~(unsigned long)MAP_KNOWN))
		return -EOPNOTSUPP;
	if (prot &
	    ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (len > USER_TOP)
		return -ENOMEM;
	if (!(flags & MAP_ANONYMOUS)) {
		if (off + PAGE_ALIGN_UP(len) < off)
			return -EOVERFLOW;
		f = fd_get(current->files, fd);
		if (!f)
			return -EBADF;
		if (!f->inode || !S_ISREG(f->inode->mode)) {
			ret = -ENODEV;
			goto out;
		}
		if ((f->flags & O_ACCMODE) == O_WRONLY || (f->flags & O_PATH)) {
			ret = -EACCES;
			goto out;
		}
		/* [mmap(2)] EACCES: MAP_SHARED with PROT_WRITE needs O_RDWR. */
		if (type != MAP_PRIVATE && (prot & PROT_WRITE)) {
			if ((f->flags & O_ACCMODE) != O_RDWR) {
				ret = -EACCES;
				goto out;
			}
			if (!f->f_op || !f->f_op->get_page) {
				ret = -ENODEV;
				goto out;
			}
			ret = memfd_mmap_check(f->inode, true);
			if (ret)
				goto out;
		}
	}
	if (type == MAP_SHARED_VALIDATE)
		flags = (flags & ~(unsigned long)MAP_TYPE) | MAP_SHARED;
	ret = mm_map(current->mm, addr, len, prot & (PROT_READ | PROT_WRITE | PROT_EXEC),
		     (unsigned)flags, f, (off_t)off, f ? PAGE_ALIGN_UP(len) : 0);
out:
	if (f)
		fput(f);
	return ret;
}

/* [munmap(2)]: 0, or -EINVAL for an unaligned address, a zero length or a
 * range outside user space. Unmapping nothing is not an error. */
SYSCALL_DEFINE2(munmap, unsigned long, addr, unsigned long, len)
{
	return mm_unmap(current->mm, addr, len);
}

/* [mprotect(2)]: 0, -EINVAL (unaligned address, unknown prot bits),
 * -ENOMEM (part of the range not mapped), -EACCES. */
SYSCALL_DEFINE3(mprotect, unsigned long, addr, unsigned long, len, unsigned long, prot)
{
	if (prot &
	    ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	return mm_protect(current->mm, addr, len, prot & (PROT_READ | PROT_WRITE | PROT_EXEC));
}

#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MADV_REMOVE 9

/* Is advice a Linux MADV_* value? (asm-generic/mman-common.h) */
static bool madv_known(int advice)
{
	return (advice >= 0 && advice <= 4) || (advice >= 8 && advice <= 23) || advice == 100 ||
	       advice == 101;
}

/* [madvise(2)]: MADV_DONTNEED and MADV_FREE drop the pages of the range
 * from this address space (the next access of a private mapping sees
 * zeros or the file contents again; a shared one maps the file's or the
 * shared object's page again);
 * every other known advice is accepted and ignored. Errors: -EINVAL
 * (unaligned address, unknown advice), -ENOMEM (range not fully mapped). */
SYSCALL_DEFINE3(madvise, unsigned long, addr, unsigned long, len, int, advice)
{
	struct mm *mm = current->mm;
	struct vm_area *v;
	vaddr_t end, cur;

	if ((addr & (PAGE_SIZE - 1)) || !madv_known(advice))
		return -EINVAL;
	if (!len)
		return 0;
	if (len > USER_TOP || addr + PAGE_ALIGN_UP(len) > USER_TOP)
		return -ENOMEM;
	end = addr + PAGE_ALIGN_UP(len);
	for (cur = addr, v = vma_next_from(mm, addr); cur < end; v = vma_next(mm, v)) {
		if (!v || v->start > cur)
			return -ENOMEM;
		cur = v->end;
	}
	if (advice != MADV_DONTNEED && advice != MADV_FREE && advice != MADV_REMOVE)
		return 0;
	mm_lock(mm);
	for (v = vma_next_from(mm, addr); v && v->start < end; v = vma_next(mm, v)) {
		if (v->flags & VM_SPECIAL)
			continue;
		vma_zap(mm, v, MAX(v->start, addr), MIN(v->end, end));
	}
	mm_unlock(mm);
	return 0;
}

#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4

/* [msync(2)]: shared file mappings map the file's own frames (see the
 * top of this file) and no file system here has a backing store to
 * write to, so there is nothing to flush; as on Linux's tmpfs, only the
 * arguments are checked: -EINVAL (unaligned, unknown flags, MS_SYNC with
 * MS_ASYNC), -ENOMEM (range not mapped). A file system with a disk would
 * need a writeback hook here. */
SYSCALL_DEFINE3(msync, unsigned long, addr, unsigned long, len, int, flags)
{
	struct mm *mm = current->mm;
	vaddr_t end, cur;
	struct vm_area *v;

	if ((addr & (PAGE_SIZE - 1)) || (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	if (len > USER_TOP || addr + PAGE_ALIGN_UP(len) > USER_TOP)
		return -ENOMEM;
	end = addr + PAGE_ALIGN_UP(len);
	for (cur = addr, v = vma_next_from(mm, addr); cur < end; v = vma_next(mm, v)) {
		if (!v || v->start > cur)
			return -ENOMEM;
		cur = v->end;
	}
	return 0;
}
