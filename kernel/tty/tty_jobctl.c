/* Job control on a terminal: the controlling terminal of a session, its
 * foreground process group, and the SIGTTIN/SIGTTOU rules for background
 * groups. [credentials(7)] "Sessions and process groups", [termios(3)]
 * TOSTOP, [tty_ioctl(4)] TIOCSCTTY/TIOCNOTTY/TIOCSPGRP; Linux
 * drivers/tty/tty_jobctrl.c.
 *
 * The task list is walked from process context only here; the core
 * changes it with interrupts masked, and this kernel is not preemptible. */
#include <kernel/errno.h>
#include <kernel/signal.h>
#include <kernel/task.h>

#include "tty_internal.h"

static bool task_alive(const struct task *t)
{
	return t->state != TASK_ZOMBIE && t->state != TASK_DEAD;
}

static bool is_session_leader(const struct task *t)
{
	return t->sid == t->tgid;
}

/* Does t have a controlling terminal (one still bound to t's session)? */
static bool has_ctty(const struct task *t)
{
	return t->tty && t->tty->session != 0 && t->tty->session == t->sid;
}

bool tty_is_ctty(const struct tty *tty)
{
	return current && current->tty == tty && tty->session != 0 && tty->session == current->sid;
}

void tty_drop_dead_session(struct tty *tty)
{
	struct task *t;

	if (!tty->session)
		return;
	list_for_each_entry(t, &task_list, all_list) {
		if (task_alive(t) && t->sid == tty->session)
			return;
	}
	tty->session = 0;
	tty->pgrp = 0;
}

void tty_maybe_acquire(struct tty *tty)
{
	if (!current)
		return;
	tty_drop_dead_session(tty);
	if (!is_session_leader(current) || has_ctty(current) || tty->session || tty->hung_up)
		return;
	tty->session = current->sid;
	tty->pgrp = current->pgid;
	current->tty = tty;
}

static bool ignored_or_blocked(const struct task *t, int sig)
{
	return (t->sig.blocked & sigmask(sig)) || t->sighand->action[sig - 1].handler == SIG_IGN;
}

/* POSIX orphaned process group: no member has a parent in another group
 * of the same session (Linux will_become_orphaned_pgrp(); children of
 * init do not count). */
static bool pgrp_orphaned(int pgid)
{
	struct task *t;

	list_for_each_entry(t, &task_list, all_list) {
		struct task *p = t->parent;

		if (t->pgid != pgid || !task_alive(t) || !p || p == init_task)
			continue;
		if (p->pgid != pgid && p->sid == t->sid)
			return false;
	}
	return true;
}

int tty_check_read(struct tty *tty)
{
	if (!tty_is_ctty(tty) || !tty->pgrp || current->pgid == tty->pgrp)
		return 0;
	if (ignored_or_blocked(current, SIGTTIN) || pgrp_orphaned(current->pgid))
		return -EIO;
	kill_pgrp(current->pgid, SIGTTIN, NULL);
	return -ERESTARTSYS;
}

int tty_check_change(struct tty *tty, bool is_write)
{
	if (!tty_is_ctty(tty) || !tty->pgrp || current->pgid == tty->pgrp)
		return 0;
	if (is_write && !(tty->termios.c_lflag & TOSTOP))
		return 0;
	if (ignored_or_blocked(current, SIGTTOU))
		return 0;
	if (pgrp_orphaned(current->pgid))
		return -EIO;
	kill_pgrp(current->pgid, SIGTTOU, NULL);
	return -ERESTARTSYS;
}

/* Every task holding tty as its terminal loses it. */
void tty_detach_all(struct tty *tty)
{
	struct task *t;

	list_for_each_entry(t, &task_list, all_list) {
		if (t->tty == tty)
			t->tty = NULL;
	}
	tty->session = 0;
	tty->pgrp = 0;
}

/* TIOCSCTTY: make tty the caller's controlling terminal. The caller must
 * be a session leader without one; a tty held by another session is
 * taken only with force == 1 by root. 0 or -EPERM. */
int tty_set_ctty(struct tty *tty, int force)
{
	if (!current)
		return -EPERM;
	tty_drop_dead_session(tty);
	if (is_session_leader(current) && tty_is_ctty(tty))
		return 0;
	if (!is_session_leader(current) || has_ctty(current) || tty->hung_up)
		return -EPERM;
	if (tty->session) {
		if (force != 1 || current->euid != 0)
			return -EPERM;
		tty_detach_all(tty);
	}
	tty->session = current->sid;
	tty->pgrp = current->pgid;
	current->tty = tty;
	return 0;
}

/* TIOCNOTTY: give up the controlling terminal. A session leader
 * disassociates the whole session, sending SIGHUP and SIGCONT to the
 * foreground group. 0 or -ENOTTY. */
int tty_give_up_ctty(struct tty *tty)
{
	if (!tty_is_ctty(tty))
		return -ENOTTY;
	if (!is_session_leader(current)) {
		current->tty = NULL;
		return 0;
	}
	int pgrp = tty->pgrp;
	tty_detach_all(tty);
	if (pgrp > 0) {
		kill_pgrp(pgrp, SIGHUP, NULL);
		kill_pgrp(pgrp, SIGCONT, NULL);
	}
	return 0;
}

/* TIOCSPGRP: -ENOTTY (not the caller's terminal), -EINVAL (negative),
 * -ESRCH (no such group), -EPERM (a group of another session), or the
 * background SIGTTOU result. */
int tty_set_fg_pgrp(struct tty *tty, int pgrp)
{
	struct task *t;

	if (!tty_is_ctty(tty))
		return -ENOTTY;
	int r = tty_check_change(tty, false);
	if (r)
		return r;
	if (pgrp < 0)
		return -EINVAL;
	/* A zombie still holds its group until reaped, as on Linux. */
	list_for_each_entry(t, &task_list, all_list) {
		if (t->pgid != pgrp || t->state == TASK_DEAD)
			continue;
		if (t->sid != tty->session)
			return -EPERM;
		tty->pgrp = pgrp;
		return 0;
	}
	return -ESRCH;
}

/* Linux's __tty_hangup() -> tty_signal_session_leader(): the leader of the
 * session gets SIGHUP then SIGCONT (the foreground group only when the
 * session exits, which is not this path). */
void tty_hangup(struct tty *tty)
{
	struct task *t;
	int sid = tty->session;

	tty->hung_up = true;
	if (sid > 0) {
		list_for_each_entry(t, &task_list, all_list) {
			if (!task_alive(t) || t->tid != sid || t->tgid != sid)
				continue;
			send_group_signal(t, SIGHUP, NULL);
			send_group_signal(t, SIGCONT, NULL);
			break;
		}
	}
	tty_detach_all(tty);
	wake_up(&tty->read_wq);
	wake_up(&tty->write_wq);
	wake_up(&tty->room_wq);
}
