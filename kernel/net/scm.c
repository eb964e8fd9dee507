/* Socket control messages that carry files and credentials ([unix(7)]
 * "Ancillary messages": SCM_RIGHTS, SCM_CREDENTIALS). Files in flight are
 * referenced by the message that carries them, so they outlive the
 * sender's close(); each is charged to the sender's uid until it is
 * received or dropped, and an unprivileged sender whose uid has more than
 * RLIMIT_NOFILE files in flight gets -ETOOMANYREFS (Linux's
 * too_many_unix_fds(), [unix(7)] "ETOOMANYREFS"). */
#include <hal/usercopy.h>
#include <kernel/fdtable.h>
#include <kernel/kmalloc.h>
#include <kernel/net.h>
#include <kernel/sock_core.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>
#include <string.h>

#include "../vfs/internal.h"

#define INFLIGHT_USERS 16 /* distinct uids with files in flight at once */

/* Files in flight per uid: guarded by inflight_lock. */
static DEFINE_SPINLOCK(inflight_lock);
static struct {
	uint32_t uid;
	unsigned count;
} inflight[INFLIGHT_USERS];

static unsigned *inflight_slot(uint32_t uid, bool make)
{
	int free_slot = -1;

	for (int i = 0; i < INFLIGHT_USERS; i++) {
		if (inflight[i].count && inflight[i].uid == uid)
			return &inflight[i].count;
		if (!inflight[i].count && free_slot < 0)
			free_slot = i;
	}
	if (!make || free_slot < 0)
		return NULL;
	inflight[free_slot].uid = uid;
	return &inflight[free_slot].count;
}

/* Charge n files to uid: 0, or -ETOOMANYREFS past limit (not for root). */
static int inflight_charge(uint32_t uid, unsigned n, uint64_t limit, bool privileged)
{
	unsigned *c;
	int err = 0;

	spin_lock(&inflight_lock);
	c = inflight_slot(uid, true);
	if (!c)
		err = privileged ? 0 : -ETOOMANYREFS;
	else if (!privileged && *c > limit)
		err = -ETOOMANYREFS;
	else
		*c += n;
	spin_unlock(&inflight_lock);
	return err;
}

static void inflight_uncharge(uint32_t uid, unsigned n)
{
	unsigned *c;

	spin_lock(&inflight_lock);
	c = inflight_slot(uid, false);
	if (c)
		*c -= MIN(*c, n);
	spin_unlock(&inflight_lock);
}

struct ucred current_ucred(void)
{
	struct ucred c = { 0, 0, 0 };

	if (current) {
		c.pid = current->tgid;
		c.uid = current->euid;
		c.gid = current->egid;
	}
	return c;
}

/* Linux's scm_check_creds(). */
int scm_check_creds(const struct ucred *c)
{
	struct task *t = current;

	if (!t || t->euid == 0)
		return 0;
	if (c->pid != t->tgid)
		return -EPERM;
	if (c->uid != t->uid && c->uid != t->euid && c->uid != t->suid)
		return -EPERM;
	if (c->gid != t->gid && c->gid != t->egid && c->gid != t->sgid)
		return -EPERM;
	return 0;
}

int scm_fp_get(const int32_t *fds, unsigned n, struct scm_fp_list **fpl)
{
	struct scm_fp_list *l = *fpl;
	uint64_t limit = current ? current->rlim[RLIMIT_NOFILE].rlim_cur : 0;
	bool priv = !current || current->euid == 0;
	unsigned first;
	int err;

	if (!n)
		return 0;
	if (n > SCM_MAX_FD || (l && l->count + n > SCM_MAX_FD))
		return -EINVAL;
	if (!l) {
		l = kzalloc(sizeof(*l));
		if (!l)
			return -ENOMEM;
		l->uid = current ? current->uid : 0;
		*fpl = l;
	}
	first = l->count;
	for (unsigned i = 0; i < n; i++) {
		struct file *f = fget_current(fds[i]);

		if (!f) {
			while (l->count > first)
				fput(l->fp[--l->count]);
			return -EBADF;
		}
		l->fp[l->count++] = f;
	}
	err = inflight_charge(l->uid, n, limit, priv);
	if (err) {
		while (l->count > first)
			fput(l->fp[--l->count]);
	}
	return err;
}

void scm_fp_put(struct scm_fp_list *fpl)
{
	if (!fpl)
		return;
	inflight_uncharge(fpl->uid, fpl->count);
	for (unsigned i = 0; i < fpl->count; i++)
		fput(fpl->fp[i]);
	kfree(fpl);
}

int scm_detach_fds(struct kmsghdr *m, struct scm_fp_list *fpl)
{
	struct files *tab = current_files();
	size_t room = m->ucontrol ? m->ucontrollen - m->ucontrol_used : 0;
	unsigned fdmax =
		room > CMSG_HDRLEN ? (unsigned)((room - CMSG_HDRLEN) / sizeof(int32_t)) : 0;
	int32_t fds[SCM_MAX_FD];
	unsigned i = 0;
	int err = 0;

	inflight_uncharge(fpl->uid, fpl->count);
	for (; tab && i < fpl->count && i < fdmax; i++) {
		int fd = fd_install(tab, fpl->fp[i], 0, m->flags & MSG_CMSG_CLOEXEC);

		if (fd < 0)
			break;
		fds[i] = fd;
	}
	if (i)
		err = put_cmsg(m, SOL_SOCKET, SCM_RIGHTS, fds, i * sizeof(int32_t));
	if (i < fpl->count)
		m->msg_flags |= MSG_CTRUNC;
	for (unsigned j = i; j < fpl->count; j++)
		fput(fpl->fp[j]);
	kfree(fpl);
	return err;
}
