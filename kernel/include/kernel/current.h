/* What a service or driver may know about the task it runs for: the
 * credentials and umask that decide the owner and mode of what it creates,
 * and whether a signal should end a long operation. The task itself
 * (struct task, <kernel/task.h>) is the core's. Part of the service API. */
#ifndef KERNEL_CURRENT_H
#define KERNEL_CURRENT_H
#include <hal/types.h>

/* The effective user and group ids that own new files (Linux's fsuid and
 * fsgid, which equal the effective ids here); 0 before the first task. */
uint32_t current_fsuid(void);
uint32_t current_fsgid(void);

/* The file mode creation mask [umask(2)]; 0022 before the first task
 * (kernel/vfs/fs_struct.c). */
uint32_t current_umask(void); /* a mode_t */
/* Set it; returns the old mask (0 before the first task, when setting has
 * no effect). */
uint32_t current_set_umask(uint32_t mask);

/* Has the calling task a signal to take (an interruptible operation should
 * stop and return what it has)? False before the first task. */
bool current_signal_pending(void);

#endif
