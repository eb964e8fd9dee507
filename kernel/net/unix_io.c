/* AF_UNIX sending and receiving [unix(7)], [send(2)], [recv(2)].
 * Stream sockets queue chunks of at most half the send buffer; the sender
 * blocks while its bytes queued at the peer (wmem) reach SO_SNDBUF.
 * Datagram and seqpacket sockets queue one buffer per message; a receiver
 * not connected back to the sender takes at most max_dgram_qlen (10) of
 * them. Control messages: SCM_RIGHTS and SCM_CREDENTIALS (scm.c). */
#include <hal/timer.h>
#include <kernel/kmalloc.h>
#include <kernel/net.h>
#include <kernel/task.h>
#include <string.h>

#include "af_unix.h"

/* A chunk and its header fit an order-2 block of the heap (4 pages), so a
 * stream buffer costs no buddy split and merge. */
#define STREAM_CHUNK_MAX (4 * 4096 - 512)

struct scm_cookie {
	struct scm_fp_list *fp;
	struct ucred cred;
};

/* Linux's __scm_send() for AF_UNIX: walk the control messages. -EINVAL
 * (malformed, or an unknown SOL_SOCKET type), -EBADF, -EPERM,
 * -ETOOMANYREFS. Messages of other levels are ignored. */
static int scm_send(struct kmsghdr *m, struct scm_cookie *scm)
{
	const char *p = m->control;
	size_t left = m->controllen;
	int err;

	scm->fp = NULL;
	scm->cred = current_ucred();
	while (left >= sizeof(struct cmsghdr64)) {
		struct cmsghdr64 h;
		size_t dlen, step;

		memcpy(&h, p, sizeof(h));
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > left) {
			err = -EINVAL;
			goto fail;
		}
		dlen = h.cmsg_len - CMSG_HDRLEN;
		if (h.cmsg_level == SOL_SOCKET) {
			if (h.cmsg_type == SCM_RIGHTS) {
				int32_t fds[SCM_MAX_FD];
				unsigned n = (unsigned)(dlen / sizeof(int32_t));

				if (n > SCM_MAX_FD) {
					err = -EINVAL;
					goto fail;
				}
				memcpy(fds, p + CMSG_HDRLEN, n * sizeof(int32_t));
				err = scm_fp_get(fds, n, &scm->fp);
				if (err)
					goto fail;
			} else if (h.cmsg_type == SCM_CREDENTIALS) {
				if (h.cmsg_len != CMSG_LEN64(sizeof(struct ucred))) {
					err = -EINVAL;
					goto fail;
				}
				memcpy(&scm->cred, p + CMSG_HDRLEN, sizeof(scm->cred));
				err = scm_check_creds(&scm->cred);
				if (err)
					goto fail;
			} else {
				err = -EINVAL;
				goto fail;
			}
		}
		step = CMSG_ALIGN64(h.cmsg_len);
		if (step >= left)
			break;
		p += step;
		left -= step;
	}
	return 0;
fail:
	scm_fp_put(scm->fp);
	scm->fp = NULL;
	return err;
}

static struct unix_skb *skb_alloc(size_t len)
{
	struct unix_skb *skb = kmalloc(sizeof(*skb) + len);

	if (skb) {
		memset(skb, 0, sizeof(*skb));
		skb->len = len;
		skb->truesize = len + UNIX_SKB_OVERHEAD;
	}
	return skb;
}

size_t unix_inq_len(struct unix_sock *u)
{
	struct unix_skb *skb;
	size_t n = 0;

	list_for_each_entry(skb, &u->queue, node) {
		if (u->type != SOCK_STREAM)
			return skb->len;
		n += skb->len - skb->off;
	}
	return n;
}

/* Pending SO_ERROR, read and cleared (unix_lock held): -errno or 0. */
static int sock_error(struct unix_sock *u)
{
	int e = u->err;

	u->err = 0;
	return -e;
}

static bool nonblock(const struct kmsghdr *m)
{
	return m->flags & MSG_DONTWAIT;
}

/* ---- streams ------------------------------------------------------------------------ */

ssize_t unix_stream_sendmsg(struct socket *sock, struct kmsghdr *m)
{
	struct unix_sock *u = unix_sk(sock), *other;
	struct scm_cookie scm;
	size_t total = m->iter.count, sent = 0;
	ssize_t err;

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (m->name && m->namelen)
		return u->state == UNIX_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	err = scm_send(m, &scm);
	if (err)
		return err;
	spin_lock(&unix_lock);
	other = u->peer;
	if (u->state != UNIX_CONNECTED || !other)
		err = -ENOTCONN;
	else if (u->shutdown & SEND_SHUTDOWN)
		err = -EPIPE;
	spin_unlock(&unix_lock);
	while (!err && sent < total) {
		size_t size = MIN(total - sent, (size_t)(u->sndbuf / 2 - 64));
		struct unix_skb *skb;

		size = MIN(size, (size_t)STREAM_CHUNK_MAX);
		if (u->wmem >= (size_t)u->sndbuf) {
			if (nonblock(m)) {
				err = -EAGAIN;
				break;
			}
			err = unix_wait(u,
					u->wmem < (size_t)u->sndbuf || other->dead ||
						(other->shutdown & RCV_SHUTDOWN) ||
						(u->shutdown & SEND_SHUTDOWN),
					u->sndtimeo_ns);
			if (err)
				break;
		}
		skb = skb_alloc(size);
		if (!skb) {
			err = -ENOMEM;
			break;
		}
		if (msg_iter_copy_from(&m->iter, skb->data, size)) {
			kfree(skb);
			err = -EFAULT;
			break;
		}
		skb->cred = scm.cred;
		spin_lock(&unix_lock);
		if (other->dead || (other->shutdown & RCV_SHUTDOWN) ||
		    (u->shutdown & SEND_SHUTDOWN)) {
			spin_unlock(&unix_lock);
			kfree(skb);
			err = -EPIPE;
			break;
		}
		skb->fp = scm.fp;
		scm.fp = NULL;
		skb->sender = u;
		unix_sock_hold(u);
		u->wmem += skb->truesize;
		list_add_tail(&skb->node, &other->queue);
		other->qlen++;
		spin_unlock(&unix_lock);
		wake_up(&other->wait);
		sent += size;
	}
	scm_fp_put(scm.fp);
	if (sent)
		return (ssize_t)sent;
	return err;
}

/* Control messages for what a receive took: credentials with SO_PASSCRED,
 * files (not on MSG_PEEK, which leaves them queued). */
static int recv_scm(struct unix_sock *u, struct kmsghdr *m, const struct ucred *cred,
		    struct scm_fp_list *fp)
{
	int err = 0;

	if (u->passcred && cred)
		err = put_cmsg(m, SOL_SOCKET, SCM_CREDENTIALS, cred, sizeof(*cred));
	if (fp) {
		int e = scm_detach_fds(m, fp);

		if (!err)
			err = e;
	}
	return err;
}

ssize_t unix_stream_recvmsg(struct socket *sock, struct kmsghdr *m)
{
	struct unix_sock *u = unix_sk(sock);
	size_t want = m->iter.count, copied = 0, target, skip = 0;
	struct unix_skb *skb = NULL;
	struct scm_fp_list *fp = NULL;
	struct ucred cred;
	bool have_cred = false, peek = m->flags & MSG_PEEK;
	ssize_t err = 0;

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (u->state != UNIX_CONNECTED)
		return -EINVAL;
	if (!want)
		return 0;
	target = (m->flags & MSG_WAITALL) ? want : 1;
	mutex_lock(&u->iolock);
	while (copied < want) {
		size_t chunk;

		spin_lock(&unix_lock);
		/* The next buffer: the head, or (peeking) the one past skip. */
		if (!skb || !peek)
			skb = list_empty(&u->queue) ?
				      NULL :
				      list_first_entry(&u->queue, struct unix_skb, node);
		while (peek && skb && skip >= skb->len - skb->off) {
			skip -= skb->len - skb->off;
			skb = skb->node.next == &u->queue ?
				      NULL :
				      list_entry(skb->node.next, struct unix_skb, node);
		}
		if (!skb) {
			if (copied >= target) {
				spin_unlock(&unix_lock);
				break;
			}
			err = sock_error(u);
			if (err || (u->shutdown & RCV_SHUTDOWN)) {
				spin_unlock(&unix_lock);
				break;
			}
			spin_unlock(&unix_lock);
			if (nonblock(m)) {
				err = -EAGAIN;
				break;
			}
			mutex_unlock(&u->iolock);
			err = unix_wait(u,
					unix_inq_len(u) > (peek ? copied : 0) || u->err ||
						(u->shutdown & RCV_SHUTDOWN),
					u->rcvtimeo_ns);
			mutex_lock(&u->iolock);
			if (err)
				break;
			skb = NULL;
			continue;
		}
		/* Credentials differ: a new message for SO_PASSCRED readers. */
		if (have_cred && u->passcred &&
		    (skb->cred.pid != cred.pid || skb->cred.uid != cred.uid ||
		     skb->cred.gid != cred.gid)) {
			spin_unlock(&unix_lock);
			break;
		}
		if (!have_cred) {
			cred = skb->cred;
			have_cred = true;
		}
		spin_unlock(&unix_lock);
		chunk = MIN(skb->len - skb->off - (peek ? skip : 0), want - copied);
		if (msg_iter_copy_to(&m->iter, skb->data + skb->off + (peek ? skip : 0), chunk)) {
			if (!copied)
				err = -EFAULT;
			break;
		}
		copied += chunk;
		if (peek) {
			skip += chunk;
			continue;
		}
		spin_lock(&unix_lock);
		skb->off += chunk;
		if (skb->fp) {
			fp = skb->fp;
			skb->fp = NULL;
		}
		if (skb->off == skb->len) {
			list_del(&skb->node);
			u->qlen--;
		} else {
			skb = NULL; /* stays queued */
		}
		spin_unlock(&unix_lock);
		if (skb) {
			unix_skb_free(skb); /* wakes the sender */
			skb = NULL;
		}
		if (fp)
			break; /* files end a read, as in Linux */
	}
	mutex_unlock(&u->iolock);
	if (copied || fp) {
		int e = recv_scm(u, m, have_cred ? &cred : NULL, fp);

		if (e && !copied)
			return e;
	}
	if (copied)
		return (ssize_t)copied;
	return err;
}

/* ---- datagrams and seqpackets --------------------------------------------------------- */

static bool dgram_full(struct unix_sock *u, struct unix_sock *other)
{
	return u->wmem >= (size_t)u->sndbuf ||
	       (other->peer != u && other->qlen > UNIX_MAX_DGRAM_QLEN);
}

/* Sleep until other takes more datagrams (each receive wakes its
 * peer_wait) or our own buffers there drain (u->wait), as Linux's
 * unix_wait_for_peer() and sock_alloc_send_pskb(): 0, -EAGAIN (timeout),
 * -ERESTARTSYS, -EINTR (signal with a timeout set). */
static int dgram_wait(struct unix_sock *u, struct unix_sock *other, uint64_t timeo_ns)
{
	uint64_t dl = timeo_ns ? hal_timer_now_ns() + timeo_ns : 0;
	/* The counters change under unix_lock; queued before it is dropped
	 * (sched_sleep_locked()), a receiver on another CPU cannot slip its
	 * wake-up in between. */
	irqflags_t f = spin_lock_irqsave(&unix_lock);
	int r = 0;

	while (dgram_full(u, other) && !other->dead) {
		bool own = u->wmem >= (size_t)u->sndbuf;

		r = sched_sleep_locked(own ? &u->wait : &other->peer_wait, &unix_lock, dl, true);
		if (r == -ETIMEDOUT) {
			r = dgram_full(u, other) && !other->dead ? -EAGAIN : 0;
			break;
		}
		if (r) {
			r = timeo_ns ? -EINTR : -ERESTARTSYS;
			break;
		}
	}
	spin_unlock_irqrestore(&unix_lock, f);
	return r;
}

ssize_t unix_dgram_sendmsg(struct socket *sock, struct kmsghdr *m)
{
	struct unix_sock *u = unix_sk(sock), *other = NULL;
	struct scm_cookie scm;
	struct unix_skb *skb;
	size_t len = m->iter.count;
	ssize_t err;

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (u->type == SOCK_SEQPACKET) {
		spin_lock(&unix_lock);
		err = u->state == UNIX_CONNECTED ? 0 : -ENOTCONN;
		if (!err && (u->shutdown & SEND_SHUTDOWN))
			err = -EPIPE;
		spin_unlock(&unix_lock);
		if (err)
			return err;
		m->name = NULL; /* ignored, as Linux's unix_seqpacket_sendmsg() */
	}
	if (m->name && m->namelen) {
		err = unix_find_other(m->name, m->namelen, u->type, &other);
		if (err)
			return err;
	} else {
		spin_lock(&unix_lock);
		other = u->peer;
		if (other)
			unix_sock_hold(other);
		spin_unlock(&unix_lock);
		if (!other)
			return -ENOTCONN;
	}
	if (len > (size_t)u->sndbuf - 32) {
		err = -EMSGSIZE;
		goto out_other;
	}
	err = scm_send(m, &scm);
	if (err)
		goto out_other;
	skb = skb_alloc(len);
	if (!skb) {
		err = -ENOMEM;
		goto out_scm;
	}
	if (len && msg_iter_copy_from(&m->iter, skb->data, len)) {
		err = -EFAULT;
		goto out_skb;
	}
	skb->cred = scm.cred;
	if (u->addr.len) {
		skb->from = kmalloc(sizeof(*skb->from));
		if (!skb->from) {
			err = -ENOMEM;
			goto out_skb;
		}
	}
	for (;;) {
		spin_lock(&unix_lock);
		if (u->shutdown & SEND_SHUTDOWN)
			err = -EPIPE;
		else if (other->dead)
			err = u->type == SOCK_SEQPACKET ? -EPIPE : -ECONNREFUSED;
		else if (other->peer && other->peer != u && u->type == SOCK_DGRAM)
			err = -EPERM; /* [unix(7)] connected to someone else */
		else if (other->shutdown & RCV_SHUTDOWN)
			err = -EPIPE;
		else if (dgram_full(u, other))
			err = -EAGAIN;
		else
			break;
		spin_unlock(&unix_lock);
		if (err != -EAGAIN || nonblock(m))
			goto out_skb;
		err = dgram_wait(u, other, u->sndtimeo_ns);
		if (err)
			goto out_skb;
	}
	if (skb->from)
		*skb->from = u->addr;
	skb->fp = scm.fp;
	scm.fp = NULL;
	skb->sender = u;
	unix_sock_hold(u);
	u->wmem += skb->truesize;
	list_add_tail(&skb->node, &other->queue);
	other->qlen++;
	unix_sock_put(other);
	spin_unlock(&unix_lock);
	wake_up(&other->wait);
	return (ssize_t)len;
out_skb:
	kfree(skb->from);
	kfree(skb);
out_scm:
	scm_fp_put(scm.fp);
out_other:
	spin_lock(&unix_lock);
	unix_sock_put(other);
	spin_unlock(&unix_lock);
	return err;
}

ssize_t unix_dgram_recvmsg(struct socket *sock, struct kmsghdr *m)
{
	struct unix_sock *u = unix_sk(sock);
	struct unix_skb *skb;
	struct scm_fp_list *fp = NULL;
	bool peek = m->flags & MSG_PEEK, eof = false;
	size_t n;
	ssize_t err = 0;

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (u->type == SOCK_SEQPACKET && u->state != UNIX_CONNECTED)
		return -ENOTCONN;
	mutex_lock(&u->iolock);
	for (;;) {
		spin_lock(&unix_lock);
		if (!list_empty(&u->queue))
			break;
		err = sock_error(u);
		eof = !err && (u->shutdown & RCV_SHUTDOWN);
		spin_unlock(&unix_lock);
		if (err || eof)
			goto out; /* end of file: 0 */
		if (nonblock(m)) {
			err = -EAGAIN;
			goto out;
		}
		mutex_unlock(&u->iolock);
		err = unix_wait(u, !list_empty(&u->queue) || u->err || (u->shutdown & RCV_SHUTDOWN),
				u->rcvtimeo_ns);
		mutex_lock(&u->iolock);
		if (err)
			goto out;
	}
	skb = list_first_entry(&u->queue, struct unix_skb, node);
	if (!peek) {
		list_del(&skb->node);
		u->qlen--;
		fp = skb->fp;
		skb->fp = NULL;
	}
	spin_unlock(&unix_lock);
	if (!peek)
		wake_up(&u->peer_wait); /* room for senders blocked on our queue */
	n = MIN(skb->len, m->iter.count);
	if (n && msg_iter_copy_to(&m->iter, skb->data, n))
		err = -EFAULT;
	if (!err) {
		if (skb->len > n)
			m->msg_flags |= MSG_TRUNC;
		if (m->name && skb->from) {
			memcpy(m->name, skb->from->name, (size_t)skb->from->len);
			m->namelen = skb->from->len;
		}
		err = recv_scm(u, m, &skb->cred, fp);
		fp = NULL;
		if (!err)
			err = (m->flags & MSG_TRUNC) ? (ssize_t)skb->len : (ssize_t)n;
	}
	scm_fp_put(fp);
	if (!peek)
		unix_skb_free(skb);
out:
	mutex_unlock(&u->iolock);
	return err;
}
