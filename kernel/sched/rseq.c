/* Restartable sequences: [rseq(2)] as Linux 6.1 kernel/rseq.c.
 *
 * A thread registers a 32-byte struct rseq; the kernel keeps its
 * cpu_id_start and cpu_id fields current and, when the thread is
 * preempted or a signal handler is about to run while its instruction
 * pointer lies in the critical section described by rseq_cs, moves it to
 * the section's abort handler (whose preceding 4 bytes must hold the
 * signature given at registration), as Linux's rseq_ip_fixup() does. A
 * malformed rseq_cs, a wrong signature or an unwritable struct rseq gets
 * SIGSEGV.
 *
 * cpu_id is written on the way out to user mode after registration and
 * after every move to another CPU (the scheduler sets rseq_notify, under
 * sched_lock while the thread is not running). The rest of the state is
 * the thread's own (struct task.rseq*), touched only by the thread. */
#include <hal/context.h>
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/sched.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/task.h>

/* include/uapi/linux/rseq.h */
struct rseq_abi {
	uint32_t cpu_id_start;
	uint32_t cpu_id;
	uint64_t rseq_cs;
	uint32_t flags;
	uint32_t pad[3];
};
_Static_assert(sizeof(struct rseq_abi) == 32, "struct rseq is 32 bytes (Linux 6.1)");

struct rseq_cs_abi {
	uint32_t version, flags;
	uint64_t start_ip, post_commit_offset, abort_ip;
};

#define RSEQ_FLAG_UNREGISTER 1
#define RSEQ_CPU_ID_UNINITIALIZED ((uint32_t)-1)
#define RSEQ_ALIGN 32
#define OFF_CPU_ID_START 0
#define OFF_RSEQ_CS 8

/* cpu_id_start and cpu_id of t's struct rseq. */
static int set_cpu_id(struct task *t, uint32_t start, uint32_t cpu)
{
	uint32_t v[2] = { start, cpu };
	return copy_to_user(t->rseq + OFF_CPU_ID_START, v, sizeof v) ? -EFAULT : 0;
}

/* Linux rseq_get_rseq_cs() + rseq_ip_fixup(): 0, -EFAULT, -EINVAL. */
static int ip_fixup(struct task *t, struct hal_trapframe *tf)
{
	uintptr_t ip = hal_tf_pc(tf);
	struct rseq_cs_abi cs;
	uint64_t ucs, zero = 0;
	uint32_t sig;

	if (copy_from_user(&ucs, t->rseq + OFF_RSEQ_CS, sizeof ucs))
		return -EFAULT;
	if (!ucs)
		return 0;
	if (ucs >= USER_TOP || copy_from_user(&cs, (uintptr_t)ucs, sizeof cs))
		return -EFAULT;
	if (cs.version > 0 || cs.start_ip >= USER_TOP || cs.abort_ip >= USER_TOP ||
	    cs.post_commit_offset > USER_TOP - cs.start_ip)
		return -EINVAL;
	if (cs.abort_ip - cs.start_ip < cs.post_commit_offset)
		return -EINVAL; /* the abort handler may not lie inside the section */
	if (copy_from_user(&sig, (uintptr_t)cs.abort_ip - sizeof sig, sizeof sig))
		return -EFAULT;
	if (sig != t->rseq_sig)
		return -EINVAL;
	if (copy_to_user(t->rseq + OFF_RSEQ_CS, &zero, sizeof zero))
		return -EFAULT;
	if (ip - cs.start_ip < cs.post_commit_offset)
		hal_tf_set_pc(tf, (uintptr_t)cs.abort_ip);
	return 0;
}

void rseq_return_to_user(struct hal_trapframe *tf)
{
	struct task *t = current;

	if (!t->rseq || !(need_resched || signal_pending(t) || t->rseq_notify))
		return;
	if (ip_fixup(t, tf) ||
	    (t->rseq_notify && set_cpu_id(t, this_cpu()->cpu, this_cpu()->cpu))) {
		force_sig_fault(SIGSEGV, SI_KERNEL, 0);
		t->rseq = 0; /* do not fault again on the way to the handler */
	}
	t->rseq_notify = false;
}

/* [rseq(2)], Linux 6.1 sys_rseq(): rseq_len must be 32 and the area
 * 32-byte aligned (-EINVAL); registering again gives -EBUSY (same area
 * and signature), -EPERM (other signature) or -EINVAL (other area);
 * unregistering needs the same area, length (-EINVAL) and signature
 * (-EPERM) and sets cpu_id to RSEQ_CPU_ID_UNINITIALIZED. */
SYSCALL_DEFINE4(rseq, uintptr_t, urseq, uint32_t, len, int, flags, uint32_t, sig)
{
	struct task *t = current;

	if (flags & RSEQ_FLAG_UNREGISTER) {
		if (flags & ~RSEQ_FLAG_UNREGISTER)
			return -EINVAL;
		if (!t->rseq || t->rseq != urseq || len != sizeof(struct rseq_abi))
			return -EINVAL;
		if (t->rseq_sig != sig)
			return -EPERM;
		if (set_cpu_id(t, 0, RSEQ_CPU_ID_UNINITIALIZED))
			return -EFAULT;
		t->rseq = 0;
		t->rseq_sig = 0;
		return 0;
	}
	if (flags)
		return -EINVAL;
	if (t->rseq) {
		if (t->rseq != urseq || len != sizeof(struct rseq_abi))
			return -EINVAL;
		return t->rseq_sig != sig ? -EPERM : -EBUSY;
	}
	if ((urseq & (RSEQ_ALIGN - 1)) || len != sizeof(struct rseq_abi))
		return -EINVAL;
	if (!access_ok(urseq, len))
		return -EFAULT;
	t->rseq = urseq;
	t->rseq_sig = sig;
	t->rseq_notify = true; /* cpu_id is written on the way out */
	return 0;
}
