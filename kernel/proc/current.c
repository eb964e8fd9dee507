/* The service API's view of the calling task (<kernel/current.h>). */
#include <kernel/current.h>
#include <kernel/sched.h>
#include <kernel/signal.h>
#include <kernel/task.h>

uint32_t current_fsuid(void)
{
	return current ? current->fsuid : 0;
}

uint32_t current_fsgid(void)
{
	return current ? current->fsgid : 0;
}

uint32_t current_set_umask(uint32_t mask)
{
	uint32_t old = current ? current->umask : 0;

	if (current)
		current->umask = mask;
	return old;
}

bool current_signal_pending(void)
{
	return current && signal_pending(current);
}
