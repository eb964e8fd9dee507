/* [process_vm_readv(2)], [process_vm_writev(2)]: copy between the caller's
 * memory and another process's, without going through a pipe. The remote
 * pages are found (and faulted in) in the target's mm and reached through
 * frame_read/frame_write, so the code is the same under Fortress.
 *
 * Rights as Linux's ptrace_may_access(PTRACE_MODE_ATTACH_REALCREDS): root
 * (CAP_SYS_PTRACE), or the caller's real uid and gid equal to all of the
 * target's real, effective and saved ids; else -EPERM. -ESRCH: no such
 * task, or one without an address space. -EINVAL: flags, more than
 * UIO_MAXIOV segments. -EFAULT: a bad iovec array, or the first byte could
 * not be moved; after that the count moved so far is returned (partial
 * transfers stop at the first remote page that cannot be reached, or at a
 * local fault). A remote page must allow the access (read for readv,
 * write for writev: no FOLL_FORCE). */
#include <hal/frame.h>
#include <hal/upcall.h>
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/mm.h>
#include <kernel/syscall.h>
#include <kernel/task.h>

#include "mm_internal.h"

#define UIO_MAXIOV 1024

struct user_iovec {
	uint64_t base;
	uint64_t len;
};

bool task_may_access_mm(const struct task *t)
{
	const struct task *c = current;

	if (c->euid == 0)
		return true;
	return c->uid == t->uid && c->uid == t->euid && c->uid == t->suid && c->gid == t->gid &&
	       c->gid == t->egid && c->gid == t->sgid;
}

/* The frame of remote page va, faulted in for access if needed, with a
 * reference for the caller (drop it with remote_page_put()); 0 if the
 * target has no such page or forbids the access. Taken under the target's
 * mmap_lock, so a munmap by one of its threads cannot free the frame while
 * we copy (Linux pins it with get_user_pages()); the copy itself is done
 * after the lock is dropped, so it may fault on our own memory. */
static paddr_t remote_page(struct mm *mm, vaddr_t va, bool write, bool *pinned)
{
	struct vm_area *v;
	unsigned prot;
	paddr_t pa = 0;

	*pinned = false;
	mm_lock(mm);
	v = vma_find(mm, va);
	if (!v || !(v->flags & (write ? VM_WRITE : VM_READ)))
		goto out;
	if (!hal_query_page(mm->as, va, &pa, &prot) &&
	    (mm_fault_locked(mm, va, write ? HAL_FAULT_WRITE : HAL_FAULT_READ) ||
	     !hal_query_page(mm->as, va, &pa, &prot))) {
		pa = 0;
		goto out;
	}
	/* VM_SPECIAL frames (vDSO, trampoline) are the HAL's, never freed. */
	if (!(v->flags & VM_SPECIAL)) {
		if (frame_get(pa))
			pa = 0;
		else
			*pinned = true;
	}
out:
	mm_unlock(mm);
	return pa;
}

static void remote_page_put(paddr_t pa, bool pinned)
{
	if (pa && pinned)
		frame_free(pa, 0);
}

size_t mm_read_remote(struct mm *mm, vaddr_t addr, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		vaddr_t va = addr + done;
		size_t n = MIN(len - done, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		bool pinned = false;
		paddr_t pa = va < USER_TOP && va >= addr ?
				     remote_page(mm, PAGE_ALIGN_DOWN(va), false, &pinned) :
				     0;

		if (!pa)
			break;
		frame_read(pa, va & (PAGE_SIZE - 1), (char *)buf + done, n);
		remote_page_put(pa, pinned);
		done += n;
	}
	return done;
}

static struct user_iovec *iov_get(uintptr_t uiov, unsigned long cnt, long *err)
{
	struct user_iovec *iov;

	*err = 0;
	if (cnt > UIO_MAXIOV) {
		*err = -EINVAL;
		return NULL;
	}
	iov = kmalloc(cnt * sizeof(*iov) + 1);
	if (!iov) {
		*err = -ENOMEM;
		return NULL;
	}
	if (cnt && copy_from_user(iov, uiov, cnt * sizeof(*iov))) {
		kfree(iov);
		*err = -EFAULT;
		return NULL;
	}
	return iov;
}

/* A position in an iovec array. */
struct iov_cursor {
	const struct user_iovec *iov;
	unsigned long cnt, idx;
	uint64_t off; /* within iov[idx] */
};

/* Bytes available at the cursor (skipping empty segments); 0 at the end. */
static uint64_t cursor_avail(struct iov_cursor *c)
{
	while (c->idx < c->cnt && c->off == c->iov[c->idx].len) {
		c->idx++;
		c->off = 0;
	}
	return c->idx < c->cnt ? c->iov[c->idx].len - c->off : 0;
}

static long process_vm_rw(int pid, uintptr_t ulocal, unsigned long lcnt, uintptr_t uremote,
			  unsigned long rcnt, unsigned long flags, bool write)
{
	struct user_iovec *liov = NULL, *riov = NULL;
	struct iov_cursor lc, rc;
	struct task *t = NULL;
	struct mm *mm = NULL;
	char buf[512];
	long err, done = 0;

	if (flags)
		return -EINVAL;
	liov = iov_get(ulocal, lcnt, &err);
	if (!liov)
		return err;
	riov = iov_get(uremote, rcnt, &err);
	if (!riov)
		goto out;
	t = task_lookup(pid);
	mm = t ? get_task_mm(t) : NULL;
	err = -ESRCH;
	if (!mm)
		goto out;
	err = -EPERM;
	if (!task_may_access_mm(t))
		goto out;
	lc = (struct iov_cursor){ .iov = liov, .cnt = lcnt };
	rc = (struct iov_cursor){ .iov = riov, .cnt = rcnt };
	err = 0;
	while (!err) {
		uint64_t la = cursor_avail(&lc), ra = cursor_avail(&rc);
		vaddr_t rva = riov[rc.idx].base + rc.off;
		size_t n = (size_t)MIN(MIN(la, ra), sizeof buf);
		paddr_t pa;
		bool pinned = false;

		if (!la || !ra)
			break;
		n = MIN(n, PAGE_SIZE - (rva & (PAGE_SIZE - 1)));
		/* Fetch our side first: our own faults never happen with a
		 * remote page pinned (nor under the remote mmap_lock). */
		if (write && copy_from_user(buf, liov[lc.idx].base + lc.off, n)) {
			err = -EFAULT;
			break;
		}
		pa = rva < USER_TOP ? remote_page(mm, PAGE_ALIGN_DOWN(rva), write, &pinned) : 0;
		if (!pa) {
			err = -EFAULT;
			break;
		}
		if (write)
			frame_write(pa, rva & (PAGE_SIZE - 1), buf, n);
		else
			frame_read(pa, rva & (PAGE_SIZE - 1), buf, n);
		remote_page_put(pa, pinned);
		if (!write && copy_to_user(liov[lc.idx].base + lc.off, buf, n)) {
			err = -EFAULT;
			break;
		}
		lc.off += n;
		rc.off += n;
		done += (long)n;
	}
	if (done)
		err = done;
out:
	if (mm)
		mm_put(mm);
	put_task(t);
	kfree(liov);
	kfree(riov);
	return err;
}

SYSCALL_DEFINE6(process_vm_readv, int, pid, uintptr_t, local_iov, unsigned long, liovcnt, uintptr_t,
		remote_iov, unsigned long, riovcnt, unsigned long, flags)
{
	return process_vm_rw(pid, local_iov, liovcnt, remote_iov, riovcnt, flags, false);
}

SYSCALL_DEFINE6(process_vm_writev, int, pid, uintptr_t, local_iov, unsigned long, liovcnt,
		uintptr_t, remote_iov, unsigned long, riovcnt, unsigned long, flags)
{
	return process_vm_rw(pid, local_iov, liovcnt, remote_iov, riovcnt, flags, true);
}
