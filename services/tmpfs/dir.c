/* tmpfs directories: the entry list and readdir. An entry keeps the
 * position ("cookie") it got when it was added, so a listing in several
 * getdents64 calls neither skips nor repeats entries when others are
 * removed meanwhile (rm -r relies on it). [getdents64(2)] */
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <string.h>

#include "tmpfs.h"

/* Linux shmem's directory size: 20 bytes per entry, "." and ".." included. */
#define BOGO_DIRENT_SIZE 20

unsigned tmpfs_dt_type(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return DT_REG;
	case S_IFDIR: return DT_DIR;
	case S_IFLNK: return DT_LNK;
	case S_IFCHR: return DT_CHR;
	case S_IFBLK: return DT_BLK;
	case S_IFIFO: return DT_FIFO;
	case S_IFSOCK: return DT_SOCK;
	default: return DT_UNKNOWN;
	}
}

void tmpfs_touch(struct inode *inode)
{
	struct timespec64 now = current_time();

	inode->mtime = now;
	inode->ctime = now;
}

struct tmpfs_dirent *tmpfs_dir_find(struct inode *dir, const char *name, size_t len)
{
	struct tmpfs_dirent *de;

	list_for_each_entry(de, &TI(dir)->dir.entries, list) {
		if (de->len == len && memcmp(de->name, name, len) == 0)
			return de;
	}
	return NULL;
}

int tmpfs_dir_add(struct inode *dir, const char *name, size_t len, struct inode *inode)
{
	struct tmpfs_inode *ti = TI(dir);
	struct tmpfs_dirent *de = kmalloc(sizeof(*de) + len + 1);

	if (!de)
		return -ENOMEM;
	memcpy(de->name, name, len);
	de->name[len] = '\0';
	de->len = len;
	de->inode = inode;
	iget(inode);
	de->cookie = ti->dir.next_cookie++;
	list_add_tail(&de->list, &ti->dir.entries);
	dir->size += BOGO_DIRENT_SIZE;
	tmpfs_touch(dir);
	return 0;
}

void tmpfs_dir_remove(struct inode *dir, struct tmpfs_dirent *de)
{
	struct inode *inode = de->inode;

	list_del(&de->list);
	kfree(de);
	if (dir->size >= BOGO_DIRENT_SIZE)
		dir->size -= BOGO_DIRENT_SIZE;
	tmpfs_touch(dir);
	iput(inode);
}

/* List entries from *pos (>= 2: the VFS emits "." and ".."). An entry's
 * cookie (>= 2) is its own position; *pos ends one past the last entry
 * delivered. Stops (returns 0) when fill asks to. */
static int tmpfs_readdir(struct file *f, off_t *pos, filldir_t fill, void *ctx)
{
	struct tmpfs_inode *ti = TI(f->inode);
	struct tmpfs_dirent *de;

	if (*pos < 2)
		return -EINVAL;
	list_for_each_entry(de, &ti->dir.entries, list) {
		if (de->cookie < (uint64_t)*pos)
			continue;
		if (fill(ctx, de->name, de->len, de->inode->ino, tmpfs_dt_type(de->inode->mode),
			 (int64_t)(de->cookie + 1)))
			return 0;
		*pos = (off_t)(de->cookie + 1);
	}
	return 0;
}

const struct file_operations tmpfs_dir_fops = {
	.readdir = tmpfs_readdir,
};
