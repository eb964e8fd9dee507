/* Directory listing: [getdents64(2)] (and the x86_64 legacy getdents).
 * The VFS synthesizes "." at position 0 and ".." at position 1; a file
 * system's readdir is called with *pos >= 2, passes next_pos = the position
 * of the entry after the one it emits, and stops when fill returns
 * non-zero. The VFS keeps f->pos at the next_pos of the last entry that
 * fitted. Names "." and ".." coming from a file system are skipped. */
#include <hal/usercopy.h>
#include <kernel/syscall.h>
#include <string.h>

#include "internal.h"

struct dirent_ctx {
	uintptr_t ubuf;
	size_t count; /* user buffer size */
	size_t used;
	int64_t next_pos; /* d_off of the last accepted entry */
	bool accepted;
	bool full;
	int error;
	bool legacy; /* struct linux_dirent (getdents) instead of dirent64 */
};

/* struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type;
 * char d_name[]; } padded to 8 bytes. */
#define DIRENT64_NAME_OFF 19
/* struct linux_dirent { unsigned long d_ino, d_off; u16 d_reclen;
 * char d_name[]; char pad; char d_type; } */
#define DIRENT_NAME_OFF 18

static int fill_dirent(void *arg, const char *name, size_t namelen, uint64_t ino, unsigned type,
		       int64_t next_pos)
{
	struct dirent_ctx *c = arg;
	char rec[DIRENT64_NAME_OFF + NAME_MAX + 2 + 8];
	size_t reclen;
	uint16_t r16;

	if (c->full || c->error)
		return 1;
	if (namelen > NAME_MAX)
		return 0; /* not representable: skip */
	if (c->legacy)
		reclen = (DIRENT_NAME_OFF + namelen + 2 + 7) & ~(size_t)7;
	else
		reclen = (DIRENT64_NAME_OFF + namelen + 1 + 7) & ~(size_t)7;
	if (c->used + reclen > c->count) {
		c->full = true;
		return 1;
	}
	memset(rec, 0, reclen);
	memcpy(rec, &ino, 8);
	memcpy(rec + 8, &next_pos, 8);
	r16 = (uint16_t)reclen;
	memcpy(rec + 16, &r16, 2);
	if (c->legacy) {
		memcpy(rec + DIRENT_NAME_OFF, name, namelen);
		rec[reclen - 1] = (char)type;
	} else {
		rec[18] = (char)type;
		memcpy(rec + DIRENT64_NAME_OFF, name, namelen);
	}
	if (copy_to_user(c->ubuf + c->used, rec, reclen)) {
		c->error = -EFAULT;
		return 1;
	}
	c->used += reclen;
	c->next_pos = next_pos;
	c->accepted = true;
	return 0;
}

/* Filter between the file system and fill_dirent: drop "." and "..". */
static int fill_fs_entry(void *arg, const char *name, size_t namelen, uint64_t ino, unsigned type,
			 int64_t next_pos)
{
	struct dirent_ctx *c = arg;

	if ((namelen == 1 && name[0] == '.') ||
	    (namelen == 2 && name[0] == '.' && name[1] == '.')) {
		if (!c->full && !c->error) {
			c->next_pos = next_pos; /* consumed */
			c->accepted = true;
		}
		return 0;
	}
	return fill_dirent(arg, name, namelen, ino, type, next_pos);
}

static long do_getdents(int fd, uintptr_t ubuf, size_t count, bool legacy)
{
	struct file *f = fget_current(fd);
	struct dirent_ctx c = { .ubuf = ubuf, .count = count, .legacy = legacy };
	struct dentry *d;
	off_t pos;
	long err = 0;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH) {
		fput(f);
		return -EBADF;
	}
	if (!f->inode || !S_ISDIR(f->inode->mode)) {
		fput(f);
		return -ENOTDIR;
	}
	d = f->dentry;
	if (d && d_unlinked(d)) {
		fput(f);
		return -ENOENT; /* removed directory (IS_DEADDIR) */
	}
	pos = f->pos;
	if (pos < 0)
		pos = 0;
	if (pos == 0 && !fill_dirent(&c, ".", 1, f->inode->ino, DT_DIR, 1))
		pos = 1;
	if (pos == 1 && !c.full && !c.error) {
		uint64_t pino = f->inode->ino;

		if (d) {
			struct dentry *root = current_root();
			struct dentry *up = d_dotdot(d, root);

			if (up->inode)
				pino = up->inode->ino;
			dput(up);
			dput(root);
		}
		if (!fill_dirent(&c, "..", 2, pino, DT_DIR, 2))
			pos = 2;
	}
	if (pos >= 2 && !c.full && !c.error) {
		off_t fpos = pos;

		err = file_op_readdir(f, &fpos, fill_fs_entry, &c);
	}
	if (c.accepted)
		f->pos = c.next_pos;
	fput(f);
	if (c.used)
		return (long)c.used;
	if (c.error)
		return c.error;
	if (err < 0)
		return err;
	if (c.full)
		return -EINVAL; /* [getdents(2)] EINVAL: result buffer is too small */
	return 0;
}

/* [getdents64(2)] */
SYSCALL_DEFINE3(getdents64, int, fd, uintptr_t, dirp, unsigned, count)
{
	return do_getdents(fd, dirp, count, false);
}

/* [getdents(2)] (x86_64 legacy layout) */
SYSCALL_DEFINE3(getdents, int, fd, uintptr_t, dirp, unsigned, count)
{
	return do_getdents(fd, dirp, count, true);
}

static int fill_nonempty(void *arg, const char *name, size_t namelen, uint64_t ino, unsigned type,
			 int64_t next_pos)
{
	bool *found = arg;

	if ((namelen == 1 && name[0] == '.') || (namelen == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	*found = true;
	return 1;
}

/* 1 if dir has no entry but "." and "..", 0 if it has, or -errno. */
int dir_is_empty(struct inode *dir)
{
	struct file *f = file_alloc(dir, dir->i_fop, O_RDONLY);
	bool found = false;
	off_t pos = 2;
	int err;

	if (!f)
		return -ENOMEM;
	err = file_op_open(f);
	if (err) {
		file_abort(f);
		return err;
	}
	err = file_op_readdir(f, &pos, fill_nonempty, &found);
	fput(f);
	if (found)
		return 0;
	return err < 0 ? err : 1;
}
