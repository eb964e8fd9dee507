/* [ioctl(2)]: the generic file requests ([ioctl_list(2)]:
 * FIONBIO, FIOCLEX, FIONCLEX, FIOASYNC, FIONREAD on regular files) and
 * everything else to the file's f_op->ioctl (-ENOTTY without one).
 * The numbers are asm-generic's, shared by x86_64 and arm64. */
#include <hal/usercopy.h>
#include <kernel/syscall.h>

#include "internal.h"

#define FIONREAD 0x541B
#define FIONBIO 0x5421
#define FIONCLEX 0x5450
#define FIOCLEX 0x5451
#define FIOASYNC 0x5452

SYSCALL_DEFINE3(ioctl, int, fd, unsigned, cmd, unsigned long, arg)
{
	struct file *f = fget_current(fd);
	long r;
	int v;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH) {
		fput(f);
		return -EBADF;
	}
	switch (cmd) {
	case FIOCLEX:
	case FIONCLEX: r = fd_set_cloexec(current_files(), fd, cmd == FIOCLEX); break;
	case FIONBIO:
		if (copy_from_user(&v, (uintptr_t)arg, sizeof(v))) {
			r = -EFAULT;
			break;
		}
		if (v)
			f->flags |= O_NONBLOCK;
		else
			f->flags &= ~O_NONBLOCK;
		r = 0;
		break;
	case FIOASYNC: r = copy_from_user(&v, (uintptr_t)arg, sizeof(v)) ? -EFAULT : 0; break;
	case FIONREAD:
		if (f->inode && S_ISREG(f->inode->mode)) {
			int64_t left = (int64_t)f->inode->size - f->pos;

			v = left < 0 ? 0 : (left > 0x7fffffff ? 0x7fffffff : (int)left);
			r = copy_to_user((uintptr_t)arg, &v, sizeof(v)) ? -EFAULT : 0;
			break;
		}
		r = file_op_ioctl(f, cmd, arg);
		break;
	default: r = file_op_ioctl(f, cmd, arg); break;
	}
	fput(f);
	return r;
}
