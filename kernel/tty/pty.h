/* Pseudo-terminals and devpts, private to kernel/tty/. [pty(7)] */
#ifndef KERNEL_TTY_PTY_H
#define KERNEL_TTY_PTY_H
#include <hal/types.h>

#define PTY_MAX 256	    /* pairs at once (Linux's /proc/sys/kernel/pty/max is 4096) */
#define PTY_SLAVE_MAJOR 136 /* UNIX98_PTY_SLAVE_MAJOR: /dev/pts/N is 136:N */

struct pty;

/* pty.c: the pair with this index, or NULL. */
struct pty *pty_get(int index);
/* Does /dev/pts/<index> exist (a pair whose master is open)? Then its
 * creator's fsuid and fsgid in *uid, *gid. */
bool pty_visible(int index, uint32_t *uid, uint32_t *gid);
/* Register /dev/ptmx (5:2) and the slaves (136:*). 0 or -EBUSY. */
int pty_init(void);

/* devpts.c: the master of index closed: its node disappears from every
 * devpts mount (Linux's devpts_pty_kill()). */
void devpts_pty_kill(int index);

#endif
