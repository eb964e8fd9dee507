/* The UTS namespace and the calls that read and change it: [uname(2)],
 * [sethostname(2)], [setdomainname(2)], [unshare(2)], which can give
 * the caller a UTS namespace of its own (CLONE_NEWUTS) and private copies
 * of what it shares (CLONE_FILES, CLONE_FS), and [setns(2)], which joins
 * the namespace an open /proc/<pid>/ns/uts names. [uts_namespaces(7)]
 *
 * A task points at its namespace (task.uts_ns, NULL for the initial one);
 * fork inherits it with a reference, task_free() drops it. Namespaces and
 * their names are changed only by syscalls, which on this one-CPU,
 * non-preemptible kernel run one at a time; nothing in IRQ context reads
 * them, so no lock guards them (SMP: a spinlock per namespace for the
 * names, an atomic refcount). */
#include <hal/arch/abi.h>
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/fdtable.h>
#include <kernel/kmalloc.h>
#include <kernel/mm.h>
#include <kernel/ns.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/vfs.h>
#include <string.h>

#include "proc_internal.h"

#if __has_include(<kevlar/profile.h>)
#include <kevlar/profile.h>
#endif
#ifndef KEVLAR_PROFILE_NAME
#define KEVLAR_PROFILE_NAME "balanced"
#endif

#define UTS_LEN 65 /* __NEW_UTS_LEN + 1 */

#define PROC_UTS_INIT_INO 0xEFFFFFFEULL /* include/linux/proc_ns.h */

struct uts_namespace {
	unsigned refcount; /* tasks and open ns files using it; the
				  * initial one is never freed */
	uint64_t inum;	   /* its name: "uts:[<inum>]" */
	char nodename[UTS_LEN];
	char domainname[UTS_LEN];
};

static struct uts_namespace init_uts_ns = {
	.refcount = 1,
	.inum = PROC_UTS_INIT_INO,
	.nodename = "kevlar",
	.domainname = "(none)",
};
/* Linux hands out namespace inode numbers from one counter above the
 * fixed initial ones. */
static uint64_t next_inum = PROC_UTS_INIT_INO + 0x100;

static struct uts_namespace *uts_of(struct task *t)
{
	return t->uts_ns ? t->uts_ns : &init_uts_ns;
}

struct uts_namespace *uts_ns_get(struct uts_namespace *ns)
{
	if (ns)
		ns->refcount++;
	return ns;
}

void uts_ns_put(struct uts_namespace *ns)
{
	if (ns && ns != &init_uts_ns && --ns->refcount == 0)
		kfree(ns);
}

uint64_t uts_ns_inum(struct task *t)
{
	return uts_of(t)->inum;
}

/* ---- namespace files and setns(2) ---------------------------------------- */

static void uts_ns_file_release(struct file *f)
{
	uts_ns_put(f->private_data);
	f->private_data = NULL;
}

/* Like Linux's nsfs: the file only names the namespace. */
static const struct file_operations uts_ns_fops = {
	.release = uts_ns_file_release,
};

int uts_ns_file_open(struct file *f, struct task *t)
{
	struct uts_namespace *ns = uts_of(t);

	ns->refcount++;
	f->private_data = ns;
	f->f_op = &uts_ns_fops;
	return 0;
}

#define CLONE_NEWUTS 0x04000000

/* [setns(2)]: fd names a namespace (here only /proc/<pid>/ns/uts; a pidfd
 * or another namespace type is -EINVAL); nstype 0 or CLONE_NEWUTS; needs
 * CAP_SYS_ADMIN (root) -EPERM. */
SYSCALL_DEFINE2(setns, int, fd, int, nstype)
{
	struct file *f = current->files ? fd_get(current->files, fd) : NULL;
	struct uts_namespace *ns;
	long r = -EINVAL;

	if (!f)
		return -EBADF;
	if (f->f_op != &uts_ns_fops || (nstype != 0 && nstype != CLONE_NEWUTS))
		goto out;
	r = -EPERM;
	if (current->euid != 0)
		goto out;
	ns = f->private_data;
	if (ns != uts_of(current)) {
		uts_ns_put(current->uts_ns);
		current->uts_ns = ns == &init_uts_ns ? NULL : uts_ns_get(ns);
	}
	r = 0;
out:
	fput(f);
	return r;
}

struct new_utsname {
	char sysname[UTS_LEN];
	char nodename[UTS_LEN];
	char release[UTS_LEN];
	char version[UTS_LEN];
	char machine[UTS_LEN];
	char domainname[UTS_LEN];
};

/* sysname "Linux" on purpose: programs must not be able to tell the
 * difference except through release/version (DESIGN §6). */
SYSCALL_DEFINE1(uname, uintptr_t, ubuf)
{
	struct uts_namespace *ns = uts_of(current);
	struct new_utsname u;

	memset(&u, 0, sizeof u);
	strlcpy(u.sysname, "Linux", UTS_LEN);
	strlcpy(u.nodename, ns->nodename, UTS_LEN);
	strlcpy(u.release, "6.1.0-kevlar", UTS_LEN);
	strlcpy(u.version, "#1 SMP " __DATE__ " Kevlar " KEVLAR_PROFILE_NAME, UTS_LEN);
	strlcpy(u.machine, HAL_UTS_MACHINE, UTS_LEN);
	strlcpy(u.domainname, ns->domainname, UTS_LEN);
	return copy_to_user(ubuf, &u, sizeof u) ? -EFAULT : 0;
}

void uts_ns_name(struct task *t, bool domain, char *out, size_t len)
{
	struct uts_namespace *ns = uts_of(t);

	strlcpy(out, domain ? ns->domainname : ns->nodename, len);
}

int uts_ns_set_name(bool domain, const char *name, size_t len)
{
	struct uts_namespace *ns = uts_of(current);
	char *dst = domain ? ns->domainname : ns->nodename;

	if (current->euid != 0)
		return -EPERM;
	/* Linux's proc_dostring(): the text up to the first newline, cut to
	 * what fits; never an error for length. */
	for (size_t i = 0; i < len; i++)
		if (name[i] == '\n' || name[i] == '\0') {
			len = i;
			break;
		}
	if (len >= UTS_LEN)
		len = UTS_LEN - 1;
	memcpy(dst, name, len);
	dst[len] = '\0';
	return 0;
}

static long set_uts_name(char *dst, uintptr_t uname, int len)
{
	char buf[UTS_LEN];

	if (current->euid != 0)
		return -EPERM;
	if (len < 0 || len >= UTS_LEN)
		return -EINVAL;
	if (copy_from_user(buf, uname, (size_t)len))
		return -EFAULT;
	buf[len] = '\0';
	memcpy(dst, buf, (size_t)len + 1);
	return 0;
}

SYSCALL_DEFINE2(sethostname, uintptr_t, uname, int, len)
{
	return set_uts_name(uts_of(current)->nodename, uname, len);
}

SYSCALL_DEFINE2(setdomainname, uintptr_t, uname, int, len)
{
	return set_uts_name(uts_of(current)->domainname, uname, len);
}

/* clone(2) flag values [unshare(2)] accepts. */
#define CLONE_VM 0x00000100
#define CLONE_FS 0x00000200
#define CLONE_FILES 0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_THREAD 0x00010000
#define CLONE_NEWNS 0x00020000
#define CLONE_SYSVSEM 0x00040000
#define CLONE_NEWCGROUP 0x02000000
#define CLONE_NEWIPC 0x08000000
#define CLONE_NEWUSER 0x10000000
#define CLONE_NEWPID 0x20000000
#define CLONE_NEWNET 0x40000000
#define CLONE_NEWTIME 0x00000080

#define UNSHARE_VALID                                                                     \
	(CLONE_THREAD | CLONE_FS | CLONE_NEWNS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES | \
	 CLONE_SYSVSEM | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUSER |     \
	 CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME)
/* Namespaces that need CAP_SYS_ADMIN (every one but the user namespace). */
#define UNSHARE_PRIVILEGED                                                         \
	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID | \
	 CLONE_NEWCGROUP | CLONE_NEWTIME)
/* Namespaces this kernel does not have: -EINVAL, as Linux answers when it
 * is built without them (e.g. create_user_ns() without CONFIG_USER_NS). */
#define UNSHARE_MISSING_NS                                                          \
	(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUSER | CLONE_NEWPID | \
	 CLONE_NEWCGROUP | CLONE_NEWTIME)

/* Linux kernel/fork.c check_unshare_flags() and ksys_unshare(): thread,
 * signal-handler and address-space sharing cannot be undone, so those
 * flags are accepted only when nothing is shared (-EINVAL otherwise);
 * CLONE_SYSVSEM is accepted (no semaphore undo lists to detach). */
SYSCALL_DEFINE1(unshare, unsigned long, flags)
{
	struct task *t = current;
	struct uts_namespace *ns = NULL;
	struct files *files = NULL;
	struct fs_struct *fs = NULL;

	if (flags & ~(unsigned long)UNSHARE_VALID)
		return -EINVAL;
	if (flags & CLONE_NEWNS)
		flags |= CLONE_FS;
	if ((flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) && t->group_leader->nr_live > 1)
		return -EINVAL;
	if ((flags & CLONE_VM) && t->mm && mm_users(t->mm) > 1)
		return -EINVAL;
	if ((flags & UNSHARE_PRIVILEGED) && t->euid != 0)
		return -EPERM;
	if (flags & UNSHARE_MISSING_NS)
		return -EINVAL;

	if (flags & CLONE_NEWUTS) {
		ns = kmalloc(sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		*ns = *uts_of(t);
		ns->refcount = 1;
		ns->inum = next_inum++;
	}
	if ((flags & CLONE_FILES) && t->files) {
		files = files_dup(t->files);
		if (!files)
			goto nomem;
	}
	if ((flags & CLONE_FS) && t->fs) {
		fs = fs_dup(t->fs);
		if (!fs)
			goto nomem;
	}
	/* Nothing can fail any more: switch over. */
	if (ns) {
		uts_ns_put(t->uts_ns);
		t->uts_ns = ns;
	}
	if (files) {
		struct files *old;

		spin_lock(&t->alloc_lock);
		old = t->files;
		t->files = files;
		spin_unlock(&t->alloc_lock);
		files_put(old);
	}
	if (fs) {
		struct fs_struct *old;

		spin_lock(&t->alloc_lock);
		old = t->fs;
		t->fs = fs;
		spin_unlock(&t->alloc_lock);
		fs_put(old);
	}
	return 0;
nomem:
	if (files)
		files_put(files);
	kfree(ns);
	return -ENOMEM;
}
