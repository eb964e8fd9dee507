/* Unpack a cpio newc initramfs into the root file system, the way Linux's
 * init/initramfs.c does: members are created through the VFS path API,
 * hard links (newc repeats the inode number; the data comes with the
 * last name) are linked to the first name seen, ownership and mtimes are
 * applied after creation, directory mtimes at the very end (creating
 * their children would change them). Modes are given at creation with the
 * umask cleared for the duration (Linux chmods afterwards; the kernel path
 * API has no chmod, so an existing directory, "." included, keeps its
 * mode). Names are taken relative to "/"; ".." components are refused. */
#include <kernel/current.h>
#include <kernel/errno.h>
#include <kernel/initramfs.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/vfs.h>
#include <string.h>

#include "cpio.h"

struct link_rec {
	uint32_t ino, devmajor, devminor, mode;
	char *path;
};

struct dir_time {
	char *path;
	uint32_t mtime;
};

struct unpack {
	char *path; /* PATH_MAX scratch: "/" + the cleaned name */
	struct link_rec *links;
	size_t nlinks, links_cap;
	unsigned archive; /* links are per archive */
	struct dir_time *dirs;
	size_t ndirs, dirs_cap;
	unsigned entries, skipped;
	uint64_t bytes;
};

/* Grow an array of elem-sized items to hold one more. */
static bool grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 16;
	void *p = krealloc(*arr, ncap * elem);
	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

static void forget_links(struct unpack *u)
{
	for (size_t i = 0; i < u->nlinks; i++)
		kfree(u->links[i].path);
	u->nlinks = 0;
}

/* "./a//b/./c" -> "/a/b/c" in u->path. 0, 1 for the root itself, -EINVAL
 * for ".." or a name too long. */
static int clean_name(struct unpack *u, const char *name)
{
	size_t out = 0;
	const char *p = name;

	while (*p) {
		while (*p == '/')
			p++;
		const char *c = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - c);
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return -EINVAL;
		if (n > NAME_MAX || out + 1 + n >= PATH_MAX)
			return -EINVAL;
		u->path[out++] = '/';
		memcpy(u->path + out, c, n);
		out += n;
	}
	if (out == 0) {
		strcpy(u->path, "/");
		return 1;
	}
	u->path[out] = '\0';
	return 0;
}

/* Create the missing parent directories of u->path (mode 0755). */
static void make_parents(struct unpack *u)
{
	char *path = u->path;

	for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		int r = vfs_mkdir(path, 0755);
		*s = '/';
		if (r && r != -EEXIST) {
			pr_err("initramfs: cannot create parent of %s: error %d\n", path, -r);
			return;
		}
	}
}

/* Ownership and (unless a directory: see record_dir_time) mtime. Both
 * calls act on a symlink itself (lchown / utimensat AT_SYMLINK_NOFOLLOW
 * semantics of the kernel path API). */
static void set_attrs(struct unpack *u, const struct cpio_entry *e)
{
	if (e->uid || e->gid)
		vfs_chown(u->path, e->uid, e->gid);
	if (!S_ISDIR(e->mode))
		vfs_utime(u->path, e->mtime);
}

static void record_dir_time(struct unpack *u, uint32_t mtime)
{
	if (!grow((void **)&u->dirs, &u->dirs_cap, u->ndirs, sizeof(*u->dirs)))
		return;
	char *copy = kstrdup(u->path);
	if (!copy)
		return;
	u->dirs[u->ndirs].path = copy;
	u->dirs[u->ndirs].mtime = mtime;
	u->ndirs++;
}

/* Hard links: a name whose (ino, dev, mode) was seen before in this
 * archive becomes a link to the first one. Returns 1 if linked, 0 if
 * this is a first name (recorded), <0 on error. */
static int maybe_link(struct unpack *u, const struct cpio_entry *e)
{
	if (e->nlink < 2 || S_ISDIR(e->mode))
		return 0;
	for (size_t i = 0; i < u->nlinks; i++) {
		struct link_rec *l = &u->links[i];
		if (l->ino == e->ino && l->devmajor == e->devmajor && l->devminor == e->devminor &&
		    ((l->mode ^ e->mode) & S_IFMT) == 0) {
			int r = vfs_link(l->path, u->path);
			if (r && r != -EEXIST) {
				pr_err("initramfs: cannot link %s to %s: error %d\n", u->path,
				       l->path, -r);
				return r;
			}
			return 1;
		}
	}
	if (grow((void **)&u->links, &u->links_cap, u->nlinks, sizeof(*u->links))) {
		char *copy = kstrdup(u->path);
		if (copy) {
			u->links[u->nlinks++] = (struct link_rec){
				.ino = e->ino,
				.devmajor = e->devmajor,
				.devminor = e->devminor,
				.mode = e->mode,
				.path = copy,
			};
		}
	}
	return 0;
}

static int write_file(struct unpack *u, const struct cpio_entry *e, bool linked)
{
	int err = 0;
	unsigned flags = O_WRONLY | O_CREAT | O_LARGEFILE | (linked ? 0 : O_TRUNC);
	struct file *f = vfs_open(u->path, flags, e->mode & 07777, &err);

	if (!f)
		return err ? err : -ENOENT;
	const char *p = e->data;
	size_t left = e->size;
	off_t pos = 0;
	while (left) {
		ssize_t n = vfs_write(f, p, left, &pos);
		if (n <= 0) {
			err = n ? (int)n : -ENOSPC;
			break;
		}
		p += n;
		left -= (size_t)n;
	}
	fput(f);
	u->bytes += e->size - left;
	return err;
}

static int make_symlink(struct unpack *u, const struct cpio_entry *e)
{
	if (e->size == 0 || e->size >= PATH_MAX)
		return -ENAMETOOLONG;
	char *target = kmalloc(e->size + 1);
	if (!target)
		return -ENOMEM;
	memcpy(target, e->data, e->size);
	target[e->size] = '\0';
	int r = (strlen(target) == e->size) ? vfs_symlink(target, u->path) : -EINVAL;
	kfree(target);
	return r;
}

/* One archive member. Never stops the walk: a member that cannot be
 * created is reported and skipped, as Linux does. */
static int unpack_entry(const struct cpio_entry *e, void *ctx)
{
	struct unpack *u = ctx;
	int r = clean_name(u, e->name);

	if (e->archive != u->archive) {
		forget_links(u);
		u->archive = e->archive;
	}
	if (r < 0) {
		pr_err("initramfs: offset %zu: refusing name \"%s\" (\"..\" or too long)\n",
		       e->offset, e->name);
		u->skipped++;
		return 0;
	}
	u->entries++;
	if (r == 1) {
		/* "." is the root: only its attributes apply. */
		if (S_ISDIR(e->mode)) {
			set_attrs(u, e);
			record_dir_time(u, e->mtime);
		}
		return 0;
	}
	make_parents(u);

	switch (e->mode & S_IFMT) {
	case S_IFDIR:
		r = vfs_mkdir(u->path, e->mode & 07777);
		if (r == -EEXIST)
			r = 0;
		if (!r)
			record_dir_time(u, e->mtime);
		break;
	case S_IFREG:
		r = maybe_link(u, e);
		if (r >= 0)
			r = (r == 1 && e->size == 0) ? 0 : write_file(u, e, r == 1);
		break;
	case S_IFLNK: r = make_symlink(u, e); break;
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		r = maybe_link(u, e);
		if (r == 0)
			r = vfs_mknod(u->path, e->mode & (S_IFMT | 07777),
				      MKDEV(e->rdevmajor, e->rdevminor));
		else if (r == 1)
			r = 0;
		break;
	default:
		pr_err("initramfs: %s: unknown file type 0%o, skipped\n", u->path,
		       (unsigned)(e->mode & S_IFMT));
		u->skipped++;
		return 0;
	}
	if (r) {
		pr_err("initramfs: cannot create %s: error %d\n", u->path, -r);
		u->skipped++;
		return 0;
	}
	set_attrs(u, e);
	return 0;
}

/* Compression formats Linux can unpack and we cannot (their magics). */
static const char *compressed_format(const unsigned char *p, size_t n)
{
	if (n >= 2 && p[0] == 0x1f && (p[1] == 0x8b || p[1] == 0x9e))
		return "gzip";
	if (n >= 3 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h')
		return "bzip2";
	if (n >= 6 && !memcmp(p,
			      "\xfd"
			      "7zXZ\0",
			      6))
		return "xz";
	if (n >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
		return "zstd";
	if (n >= 4 && (!memcmp(p, "\x02\x21\x4c\x18", 4) || !memcmp(p, "\x04\x22\x4d\x18", 4)))
		return "lz4";
	if (n >= 3 && p[0] == 0x5d && p[1] == 0 && p[2] == 0)
		return "lzma";
	if (n >= 9 && !memcmp(p, "\x89LZO\0\r\n\x1a\n", 9))
		return "lzo";
	return NULL;
}

int initramfs_unpack(const void *data, size_t size)
{
	const char *fmt = compressed_format(data, size);
	if (fmt) {
		pr_err("initramfs: compressed archives are not supported, use an uncompressed "
		       "cpio newc (this one is %s)\n",
		       fmt);
		return -EINVAL;
	}

	struct unpack u = { 0 };
	u.path = kmalloc(PATH_MAX);
	if (!u.path)
		return -ENOMEM;

	/* Create with the archive's modes exactly. */
	uint32_t umask = current_set_umask(0);
	char err[128];
	int r = cpio_parse(data, size, unpack_entry, &u, err, sizeof(err));
	current_set_umask(umask);
	if (r == CPIO_EMALFORMED)
		pr_err("initramfs: malformed archive: %s (%u entries unpacked before it)\n", err,
		       u.entries);
	else
		printk("initramfs: unpacked %u entries, %llu bytes of file data%s\n", u.entries,
		       (unsigned long long)u.bytes, u.skipped ? " (some skipped, see above)" : "");

	/* Directory mtimes last: creating their entries changed them. */
	for (size_t i = 0; i < u.ndirs; i++) {
		vfs_utime(u.dirs[i].path, u.dirs[i].mtime);
		kfree(u.dirs[i].path);
	}
	kfree(u.dirs);
	forget_links(&u);
	kfree(u.links);
	kfree(u.path);
	return r ? -EINVAL : 0;
}
