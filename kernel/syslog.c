/* [syslog(2)] (glibc's klogctl): the kernel log ring of printk.c as user
 * space reads it, e.g. BusyBox and util-linux dmesg. Actions, errors and
 * rights as Linux's kernel/printk/printk.c do_syslog() with
 * kernel.dmesg_restrict = 0: everyone may READ_ALL and SIZE_BUFFER, the
 * other actions need CAP_SYSLOG (root here), else -EPERM. */
#include <hal/timer.h>
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/task.h>

#define SYSLOG_ACTION_CLOSE 0
#define SYSLOG_ACTION_OPEN 1
#define SYSLOG_ACTION_READ 2
#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_READ_CLEAR 4
#define SYSLOG_ACTION_CLEAR 5
#define SYSLOG_ACTION_CONSOLE_OFF 6
#define SYSLOG_ACTION_CONSOLE_ON 7
#define SYSLOG_ACTION_CONSOLE_LEVEL 8
#define SYSLOG_ACTION_SIZE_UNREAD 9
#define SYSLOG_ACTION_SIZE_BUFFER 10

#define MINIMUM_CONSOLE_LOGLEVEL 1
/* How often a blocked SYSLOG_ACTION_READ looks for new messages: printk
 * may run anywhere (inside the scheduler too), so it wakes nobody. */
#define SYSLOG_POLL_NS 50000000ULL

/* The console level CONSOLE_OFF saved for CONSOLE_ON; 0: none saved.
 * Guarded like the ring (one CPU, not preemptible: syscalls run one at a
 * time here; an SMP kernel puts it under the log's lock). */
static int saved_console_loglevel;

static bool syslog_action_restricted(int type)
{
	return type != SYSLOG_ACTION_READ_ALL && type != SYSLOG_ACTION_SIZE_BUFFER;
}

/* READ and READ_ALL: -EINVAL for no buffer or a negative length, 0 for a
 * zero length, -EFAULT for a buffer outside user space. */
static int check_read_buf(uintptr_t buf, int len)
{
	if (!buf || len < 0)
		return -EINVAL;
	if (!len)
		return 0;
	if (!access_ok(buf, (size_t)len))
		return -EFAULT;
	return 1;
}

/* Copy up to len bytes of the log out (READ, READ_ALL or READ_CLEAR). */
static long syslog_copy(uintptr_t ubuf, int len, int type)
{
	size_t n = MIN((size_t)len, printk_log_size());
	char *kbuf = kmalloc(n);
	long r;

	if (!kbuf)
		return -ENOMEM;
	if (type == SYSLOG_ACTION_READ)
		r = (long)printk_log_read(kbuf, n);
	else
		r = (long)printk_log_read_all(kbuf, n, type == SYSLOG_ACTION_READ_CLEAR);
	if (r > 0 && copy_to_user(ubuf, kbuf, (size_t)r))
		r = -EFAULT;
	kfree(kbuf);
	return r;
}

/* SYSLOG_ACTION_READ sleeps (interruptibly) until there is something
 * unread. */
static long syslog_read(uintptr_t ubuf, int len)
{
	while (!printk_log_unread()) {
		int r = sched_sleep_until(hal_timer_now_ns() + SYSLOG_POLL_NS, true);

		if (r == -EINTR)
			return -ERESTARTSYS;
	}
	return syslog_copy(ubuf, len, SYSLOG_ACTION_READ);
}

SYSCALL_DEFINE3(syslog, int, type, uintptr_t, buf, int, len)
{
	int r;

	if (syslog_action_restricted(type) && current->euid != 0)
		return -EPERM;
	switch (type) {
	case SYSLOG_ACTION_CLOSE:
	case SYSLOG_ACTION_OPEN: return 0;
	case SYSLOG_ACTION_READ:
		r = check_read_buf(buf, len);
		return r <= 0 ? r : syslog_read(buf, len);
	case SYSLOG_ACTION_READ_ALL:
	case SYSLOG_ACTION_READ_CLEAR:
		r = check_read_buf(buf, len);
		return r <= 0 ? r : syslog_copy(buf, len, type);
	case SYSLOG_ACTION_CLEAR: printk_log_clear(); return 0;
	case SYSLOG_ACTION_CONSOLE_OFF:
		if (!saved_console_loglevel)
			saved_console_loglevel = printk_console_level(MINIMUM_CONSOLE_LOGLEVEL);
		return 0;
	case SYSLOG_ACTION_CONSOLE_ON:
		if (saved_console_loglevel) {
			printk_console_level(saved_console_loglevel);
			saved_console_loglevel = 0;
		}
		return 0;
	case SYSLOG_ACTION_CONSOLE_LEVEL:
		if (len < 1 || len > 8)
			return -EINVAL;
		printk_console_level(MAX(len, MINIMUM_CONSOLE_LOGLEVEL));
		saved_console_loglevel = 0; /* a later CONSOLE_ON keeps this one */
		return 0;
	case SYSLOG_ACTION_SIZE_UNREAD: return (long)printk_log_unread();
	case SYSLOG_ACTION_SIZE_BUFFER: return (long)printk_log_size();
	default: return -EINVAL;
	}
}
