/* kthread_run() for services (<kernel/kthread.h>). */
#include <kernel/errno.h>
#include <kernel/kthread.h>
#include <kernel/sched.h>
#include <kernel/task.h>

int kthread_run(const char *name, void (*fn)(void *), void *arg)
{
	struct task *t = kthread_create(name, fn, arg);

	if (!t)
		return -ENOMEM;
	sched_add(t);
	return 0;
}
