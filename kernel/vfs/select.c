/* [select(2)] and pselect6 on top of the poll engine (poll.c). fd sets are
 * arrays of 64-bit words; a bad fd in any set is -EBADF; the sets are
 * rewritten with the ready fds; the timeout is updated with the time left
 * (Linux behaviour). */
#include <hal/usercopy.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <string.h>

#include "internal.h"

#define POLLRDBAND 0x080
#define POLLWRBAND 0x200
#define POLLIN_SET (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define POLLOUT_SET (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define POLLEX_SET (POLLPRI)
#define SET_WORDS (NR_OPEN_DEFAULT / 64)

static bool bit(const uint64_t *set, int fd)
{
	return (set[fd / 64] >> (fd % 64)) & 1;
}

static long do_select(int n, uintptr_t uin, uintptr_t uout, uintptr_t uex, uint64_t deadline,
		      bool nowait)
{
	uint64_t in[SET_WORDS] = { 0 }, out[SET_WORDS] = { 0 }, ex[SET_WORDS] = { 0 };
	uint64_t rin[SET_WORDS] = { 0 }, rout[SET_WORDS] = { 0 }, rex[SET_WORDS] = { 0 };
	struct file **files = NULL;
	unsigned *ev = NULL, *rev = NULL;
	int *fds = NULL;
	unsigned cnt = 0;
	size_t bytes;
	long r;

	if (n < 0)
		return -EINVAL;
	if (n > NR_OPEN_DEFAULT)
		n = NR_OPEN_DEFAULT;
	bytes = (size_t)((n + 63) / 64) * 8;
	if ((uin && copy_from_user(in, uin, bytes)) || (uout && copy_from_user(out, uout, bytes)) ||
	    (uex && copy_from_user(ex, uex, bytes)))
		return -EFAULT;
	if (n) {
		files = kzalloc(sizeof(*files) * (size_t)n);
		ev = kmalloc(sizeof(*ev) * (size_t)n);
		rev = kzalloc(sizeof(*rev) * (size_t)n);
		fds = kmalloc(sizeof(*fds) * (size_t)n);
		if (!files || !ev || !rev || !fds) {
			r = -ENOMEM;
			goto out;
		}
	}
	for (int fd = 0; fd < n; fd++) {
		unsigned e = 0;

		if (bit(in, fd))
			e |= POLLIN_SET;
		if (bit(out, fd))
			e |= POLLOUT_SET;
		if (bit(ex, fd))
			e |= POLLEX_SET;
		if (!e)
			continue;
		files[cnt] = fget_current(fd);
		if (!files[cnt]) {
			r = -EBADF;
			goto out;
		}
		ev[cnt] = e;
		fds[cnt] = fd;
		cnt++;
	}
	r = poll_files(files, ev, rev, cnt, 0, deadline, nowait);
	if (r < 0)
		goto out;
	r = 0;
	for (unsigned i = 0; i < cnt; i++) {
		int fd = fds[i];

		if ((rev[i] & POLLIN_SET) && bit(in, fd)) {
			rin[fd / 64] |= 1ULL << (fd % 64);
			r++;
		}
		if ((rev[i] & POLLOUT_SET) && bit(out, fd)) {
			rout[fd / 64] |= 1ULL << (fd % 64);
			r++;
		}
		if ((rev[i] & POLLEX_SET) && bit(ex, fd)) {
			rex[fd / 64] |= 1ULL << (fd % 64);
			r++;
		}
	}
	if ((uin && copy_to_user(uin, rin, bytes)) || (uout && copy_to_user(uout, rout, bytes)) ||
	    (uex && copy_to_user(uex, rex, bytes)))
		r = -EFAULT;
out:
	for (unsigned i = 0; files && i < cnt; i++)
		fput(files[i]);
	kfree(files);
	kfree(ev);
	kfree(rev);
	kfree(fds);
	return r;
}

struct timeval64 {
	int64_t tv_sec;
	int64_t tv_usec;
};

/* [select(2)] (x86_64): struct timeval timeout, NULL = forever. */
SYSCALL_DEFINE5(select, int, n, uintptr_t, inp, uintptr_t, outp, uintptr_t, exp, uintptr_t, utv)
{
	struct timeval64 tv;
	uint64_t deadline = 0;
	bool nowait = false;
	long r;

	if (utv) {
		if (copy_from_user(&tv, utv, sizeof(tv)))
			return -EFAULT;
		if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EINVAL;
		r = timeout_to_deadline(tv.tv_sec, tv.tv_usec * 1000, &deadline, &nowait);
		if (r)
			return r;
	}
	r = do_select(n, inp, outp, exp, deadline, nowait);
	if (utv && deadline && r != -EFAULT) {
		uint64_t left = deadline_remaining(deadline);

		tv.tv_sec = (int64_t)(left / 1000000000ULL);
		tv.tv_usec = (int64_t)(left % 1000000000ULL) / 1000;
		copy_to_user(utv, &tv, sizeof(tv));
	}
	return r;
}

/* pselect6: timespec timeout and { const sigset_t *ss; size_t ss_len; }
 * as the sixth argument ([select(2)] "C library/kernel differences"). */
SYSCALL_DEFINE6(pselect6, int, n, uintptr_t, inp, uintptr_t, outp, uintptr_t, exp, uintptr_t, utsp,
		uintptr_t, usig)
{
	struct timespec64 ts;
	uint64_t sigdata[2] = { 0, 0 };
	uint64_t deadline = 0, saved = 0;
	bool nowait = false, swapped;
	long r;

	if (utsp) {
		if (copy_from_user(&ts, utsp, sizeof(ts)))
			return -EFAULT;
		r = timeout_to_deadline(ts.tv_sec, ts.tv_nsec, &deadline, &nowait);
		if (r)
			return r;
	}
	if (usig && copy_from_user(sigdata, usig, sizeof(sigdata)))
		return -EFAULT;
	r = poll_set_sigmask((uintptr_t)sigdata[0], (size_t)sigdata[1], &saved, &swapped);
	if (r)
		return r;
	r = do_select(n, inp, outp, exp, deadline, nowait);
	if (r == -EINTR)
		r = -ERESTARTNOHAND;
	poll_restore_sigmask(saved, swapped, r == -ERESTARTNOHAND);
	if (utsp && deadline && r != -EFAULT) {
		uint64_t left = deadline_remaining(deadline);

		ts.tv_sec = (int64_t)(left / 1000000000ULL);
		ts.tv_nsec = (int64_t)(left % 1000000000ULL);
		copy_to_user(utsp, &ts, sizeof(ts));
	}
	return r;
}
