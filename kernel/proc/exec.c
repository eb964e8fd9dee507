/* execve(2): replace the calling process's program. [execve(2)], Linux
 * fs/exec.c, fs/binfmt_script.c.
 *
 * Formats: ELF64 executables of this machine (ET_EXEC or ET_DYN, static
 * or with a PT_INTERP program interpreter: exec_load.c) and "#!" scripts (interpreter plus one
 * optional argument, nested at most 4 deep). The new image is built
 * completely — address space, segments, stack contents — while the old one
 * still exists; only then is the old one dropped, so a failed execve
 * returns -errno to the unchanged caller. */
#include <hal/context.h>
#include <hal/cpu.h>
#include <hal/upcall.h>
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/fdtable.h>
#include <kernel/futex.h>
#include <kernel/kmalloc.h>
#include <kernel/mm.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <kernel/vfs.h>
#include <string.h>

#include "../sched/sched_internal.h"
#include "../signal/signal_internal.h"
#include "exec.h"
#include "proc_internal.h"

/* Nested "#!" interpreters allowed (Linux: 5); one more is -ELOOP. */
#define EXEC_MAX_SCRIPT_DEPTH 4

struct file *exec_open(const char *path, int *err)
{
	struct file *f = vfs_open(path, O_RDONLY | O_LARGEFILE, 0, err);
	if (!f) {
		if (*err == -EISDIR)
			*err = -EACCES;
		return NULL;
	}
	if (!f->inode || !S_ISREG(f->inode->mode) || !(f->inode->mode & 0111)) {
		fput(f);
		*err = -EACCES;
		return NULL;
	}
	/* [execve(2)] ETXTBSY: "The specified executable was open for
	 * writing by one or more processes"; no writer may open it from now
	 * on while f lives (the new mm keeps the final one, exe_file). */
	*err = deny_write_access(f);
	if (*err) {
		fput(f);
		return NULL;
	}
	return f;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Parse the "#!" line in hdr[0..len): interpreter into interp (at most
 * EXEC_HDR_SIZE bytes) and the optional argument into arg ("" if none).
 * -ENOEXEC if there is no interpreter or its name does not fit in the
 * first EXEC_HDR_SIZE bytes. [execve(2)] "Interpreter scripts". */
static int parse_shebang(const char *hdr, size_t len, char *interp, char *arg)
{
	const char *end = memchr(hdr, '\n', len), *p, *name, *name_end, *a, *a_end;
	bool truncated = !end;

	if (!end)
		end = hdr + len;
	p = hdr + 2;
	while (p < end && is_blank(*p))
		p++;
	name = p;
	while (p < end && *p && !is_blank(*p))
		p++;
	name_end = p;
	if (name == name_end)
		return -ENOEXEC;
	if (truncated && name_end == end)
		return -ENOEXEC; /* the name may continue past what we read */
	while (p < end && is_blank(*p))
		p++;
	a = p;
	while (p < end && *p)
		p++;
	a_end = p;
	while (a_end > a && is_blank(a_end[-1]))
		a_end--;
	memcpy(interp, name, (size_t)(name_end - name));
	interp[name_end - name] = '\0';
	memcpy(arg, a, (size_t)(a_end - a));
	arg[a_end - a] = '\0';
	return 0;
}

/* argv becomes: interp [arg] path argv[1..]. */
static int script_args(struct exec_args *a, const char *interp, const char *arg, const char *path)
{
	int r;
	exec_args_drop_front(a);
	r = exec_args_push_front(a, path);
	if (!r && arg[0])
		r = exec_args_push_front(a, arg);
	if (!r)
		r = exec_args_push_front(a, interp);
	return r;
}

/* The new program is in place (im->mm active, current->mm): drop the old
 * one and everything exec resets. Cannot fail. */
static void exec_commit(struct file *f, struct exec_args *a, const char *filename,
			struct mm *old_mm)
{
	struct task *t = current;
	char *exe = kmalloc(PATH_MAX);

	if (old_mm)
		mm_put(old_mm);
	vfork_release(t);
	if (t->files)
		files_close_on_exec(t->files);
	signal_exec(t);
	posix_timers_exit(t->group_leader);
	hal_context_reset_user_state(&t->ctx);

	task_set_comm(t, filename);
	kfree(t->cmdline);
	t->cmdline = kmalloc(a->argv_len ? a->argv_len : 1);
	t->cmdline_len = t->cmdline ? a->argv_len : 0;
	if (t->cmdline)
		memcpy(t->cmdline, a->buf, a->argv_len);
	kfree(t->exe_path);
	t->exe_path = NULL;
	if (exe && file_path(f, exe, PATH_MAX) >= 0)
		t->exe_path = kstrdup(exe);
	kfree(exe);

	t->did_exec = true;
	t->clear_child_tid = 0;
	t->set_child_tid = 0;
	t->robust_list = 0;
	t->rseq = 0;		 /* [rseq(2)]: the old image's area is gone */
	t->membarrier_state = 0; /* [membarrier(2)]: registrations belong to the old mm */
	cap_exec(t);
	t->syscall_restart = 0;
}

/* Execute filename with the strings in a. On success the caller's
 * trapframe starts the new program and 0 is returned. */
static int do_execve(const char *filename, struct exec_args *a)
{
	struct task *t = current;
	char *hdr = kmalloc(EXEC_HDR_SIZE);
	char *cur = kmalloc(EXEC_HDR_SIZE); /* path being opened, after a #! */
	char *interp = kmalloc(EXEC_HDR_SIZE);
	char *arg = kmalloc(EXEC_HDR_SIZE);
	struct exec_image im;
	struct file *f = NULL;
	struct mm *old_mm;
	ssize_t n = 0;
	uintptr_t sp;
	int r;

	r = -ENOMEM;
	if (!hdr || !cur || !interp || !arg)
		goto out;
	/* Linux 6.1 never starts a program with argc 0. */
	if (a->argc == 0) {
		r = exec_args_push_front(a, "");
		if (r)
			goto out;
	}
	for (int depth = 0;; depth++) {
		const char *open_path = depth ? cur : filename;
		off_t pos = 0;

		f = exec_open(open_path, &r);
		if (!f)
			goto out;
		n = vfs_read(f, hdr, EXEC_HDR_SIZE, &pos);
		if (n < 0) {
			r = (int)n;
			goto out;
		}
		if (n < 2 || hdr[0] != '#' || hdr[1] != '!')
			break;
		if (depth >= EXEC_MAX_SCRIPT_DEPTH) {
			r = -ELOOP;
			goto out;
		}
		r = parse_shebang(hdr, (size_t)n, interp, arg);
		if (!r)
			r = script_args(a, interp, arg, open_path);
		if (r)
			goto out;
		strlcpy(cur, interp, EXEC_HDR_SIZE);
		fput(f);
		f = NULL;
	}

	r = exec_load_elf(f, hdr, (size_t)n, filename,
			  mm_randomize_va() && !(t->personality & ADDR_NO_RANDOMIZE),
			  t->rlim[RLIMIT_STACK].rlim_cur, &im);
	if (r)
		goto out;
	fget(f);
	im.mm->exe_file = f;
	/* The point of no return for the other threads. */
	r = exec_de_thread();
	if (!r)
		r = sighand_unshare(t);
	if (r) {
		mm_put(im.mm);
		goto out;
	}
	/* Linux's exec_mm_release(), with the old image still mapped: its
	 * robust futexes lose their owner (FUTEX_OWNER_DIED, a waiter woken)
	 * and a CLONE_CHILD_CLEARTID word (a vfork parent's, a thread's) is
	 * cleared and woken. */
	futex_exit_release();
	clear_child_tid(t);
	/* Write the new stack with the new mm active; undo on failure. */
	spin_lock(&t->alloc_lock);
	old_mm = t->mm;
	t->mm = im.mm;
	spin_unlock(&t->alloc_lock);
	sched_switch_mm(im.mm);
	r = exec_build_stack(&im, a, filename, &sp);
	if (r) {
		spin_lock(&t->alloc_lock);
		t->mm = old_mm;
		spin_unlock(&t->alloc_lock);
		sched_switch_mm(old_mm);
		mm_put(im.mm);
		goto out;
	}
	exec_commit(f, a, filename, old_mm);
	hal_tf_init_user(task_user_tf(t), im.entry, sp);
	r = 0;
out:
	if (f)
		fput(f);
	kfree(hdr);
	kfree(cur);
	kfree(interp);
	kfree(arg);
	return r;
}

SYSCALL_DEFINE3(execve, uintptr_t, upath, uintptr_t, uargv, uintptr_t, uenvp)
{
	struct exec_args a;
	char *path = kmalloc(PATH_MAX);
	long n;
	int r;

	if (!path)
		return -ENOMEM;
	n = strncpy_from_user(path, upath, PATH_MAX);
	if (n < 0) {
		kfree(path);
		return (int)n;
	}
	if (n == 0) {
		kfree(path);
		return -ENOENT;
	}
	exec_args_init(&a);
	r = exec_args_copy_user(&a, uargv, true);
	if (!r)
		r = exec_args_copy_user(&a, uenvp, false);
	if (!r)
		r = do_execve(path, &a);
	exec_args_free(&a);
	kfree(path);
	return r;
}

/* fds 0, 1, 2 on /dev/console for the first program, like Linux's
 * console_on_rootfs(); a missing console is only a warning. */
static void open_console(struct files *files)
{
	int err = 0;
	struct file *f = vfs_open("/dev/console", O_RDWR | O_LARGEFILE, 0, &err);
	if (!f) {
		pr_err("Warning: unable to open an initial console (%d).\n", err);
		return;
	}
	fget(f);
	fget(f);
	if (fd_install(files, f, 0, false) < 0)
		fput(f);
	if (fd_install(files, f, 1, false) < 0)
		fput(f);
	if (fd_install(files, f, 2, false) < 0)
		fput(f);
}

int kernel_execve_init(const char *path, const char *const argv[], const char *const envp[])
{
	struct task *t = current;
	struct hal_trapframe *tf;
	struct exec_args a;
	int r;

	if (!t->fs) {
		t->fs = fs_create_root();
		if (!t->fs)
			return -ENOMEM;
	}
	if (!t->files) {
		t->files = files_create();
		if (!t->files)
			return -ENOMEM;
		open_console(t->files);
	}
	exec_args_init(&a);
	r = exec_args_copy_kernel(&a, argv, true);
	if (!r)
		r = exec_args_copy_kernel(&a, envp, false);
	if (!r)
		r = do_execve(path, &a);
	exec_args_free(&a);
	if (r)
		return r;

	tf = task_user_tf(t);
	kernel_return_to_user(tf);
	hal_return_to_user(tf);
}
