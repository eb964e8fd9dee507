/* Path resolution, [path_resolution(7)]:
 * - absolute paths start at the task's root, relative ones at its cwd or at
 *   the directory dirfd names ([openat(2)] AT_FDCWD);
 * - "." stays, ".." goes up, stays at the root, and at the root of a mount
 *   continues from the mount point;
 * - a mount point is replaced by the root of what is mounted on it;
 * - symlinks in intermediate components are always followed, the final
 *   one per LOOKUP_FOLLOW; more than MAXSYMLINKS (40) is -ELOOP;
 * - a trailing slash forces the final component to be a directory;
 * - a component longer than NAME_MAX or a path of PATH_MAX bytes or more
 *   is -ENAMETOOLONG; a non-directory in the middle is -ENOTDIR.
 * Symlinks are followed by splicing their target in front of the rest of
 * the path, so the walk is a loop, not a recursion. */
#include <hal/usercopy.h>
#include <kernel/kmalloc.h>
#include <string.h>

#include "internal.h"

#define WALK_BUF (2 * PATH_MAX) /* remaining path incl. spliced symlink targets */

static int nd_start(struct nameidata *nd, int dirfd, unsigned flags)
{
	const char *path = nd->buf;

	nd->flags = flags;
	nd->root = current_root();
	if (!nd->root)
		return -ENOENT;
	if (path[0] == '/') {
		nd->dir = dget(nd->root);
		return 0;
	}
	if (path[0] == '\0' && !(flags & LOOKUP_EMPTY))
		return -ENOENT; /* [path_resolution(7)] "Empty pathname" */
	if (dirfd == AT_FDCWD) {
		nd->dir = current_cwd();
		return nd->dir ? 0 : -ENOENT;
	}
	struct file *f = fget_current(dirfd);

	if (!f)
		return -EBADF;
	if (!f->dentry || !f->dentry->inode) {
		fput(f);
		return path[0] ? -ENOTDIR : -EBADF;
	}
	if (path[0] && !S_ISDIR(f->dentry->inode->mode)) {
		fput(f);
		return -ENOTDIR; /* [openat(2)] ENOTDIR: dirfd is not a directory */
	}
	nd->dir = dget(f->dentry);
	fput(f);
	return 0;
}

int nd_init(struct nameidata *nd, int dirfd, const char *path, unsigned flags)
{
	size_t len = strnlen(path, PATH_MAX);

	memset(nd, 0, sizeof(*nd));
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	nd->buf = kmalloc(WALK_BUF);
	if (!nd->buf)
		return -ENOMEM;
	memcpy(nd->buf, path, len + 1);
	return nd_start(nd, dirfd, flags);
}

int nd_init_user(struct nameidata *nd, int dirfd, uintptr_t upath, unsigned flags)
{
	long len;

	memset(nd, 0, sizeof(*nd));
	nd->buf = kmalloc(WALK_BUF);
	if (!nd->buf)
		return -ENOMEM;
	len = strncpy_from_user(nd->buf, upath, PATH_MAX);
	if (len < 0)
		return (int)len; /* -EFAULT, or -ENAMETOOLONG: no NUL in PATH_MAX bytes */
	return nd_start(nd, dirfd, flags);
}

void nd_release(struct nameidata *nd)
{
	dput(nd->dir);
	dput(nd->root);
	kfree(nd->buf);
	kfree(nd->spare);
	nd->dir = nd->root = NULL;
	nd->buf = nd->spare = NULL;
}

/* Read a symlink target: kmalloc'd, NUL-terminated. */
int read_link(struct inode *inode, char **out)
{
	char *buf = kmalloc(PATH_MAX + 1);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	n = fs_readlink(inode, buf, PATH_MAX);
	if (n < 0) {
		kfree(buf);
		return (int)n;
	}
	if (n > PATH_MAX)
		n = PATH_MAX;
	buf[n] = '\0';
	*out = buf;
	return 0;
}

/* The remaining path becomes target + ("/" + rest, if rest is non-empty). */
static int splice_link(struct nameidata *nd, struct dentry *link, const char *rest)
{
	char *target, *tmp;
	size_t tlen, rlen;
	int err;

	if (++nd->nlinks > MAXSYMLINKS)
		return -ELOOP;
	err = read_link(link->inode, &target);
	if (err)
		return err;
	tlen = strlen(target);
	rlen = strlen(rest);
	if (tlen == 0) {
		kfree(target);
		return -ENOENT; /* an empty symlink resolves to nothing */
	}
	if (tlen + 1 + rlen + 1 > WALK_BUF) {
		kfree(target);
		return -ENAMETOOLONG;
	}
	if (!nd->spare) {
		nd->spare = kmalloc(WALK_BUF);
		if (!nd->spare) {
			kfree(target);
			return -ENOMEM;
		}
	}
	memcpy(nd->spare, target, tlen);
	if (rlen) {
		nd->spare[tlen] = '/';
		memcpy(nd->spare + tlen + 1, rest, rlen + 1);
	} else {
		nd->spare[tlen] = '\0';
	}
	kfree(target);
	tmp = nd->buf;
	nd->buf = nd->spare;
	nd->spare = tmp;
	return 0;
}

/* Cached or file-system lookup of name in dir (a directory): referenced,
 * possibly negative; mounts not followed. */
static int lookup_one(struct dentry *dir, const char *name, size_t len, struct dentry **out)
{
	struct inode *inode = NULL;
	struct dentry *d;
	int err;

	d = d_lookup(dir, name, len);
	if (d) {
		*out = d;
		return 0;
	}
	err = fs_lookup(dir->inode, name, len, &inode);
	if (err == -ENOENT || (!err && !inode))
		inode = NULL;
	else if (err)
		return err;
	/* The file system may have slept, or another CPU looked the same name
	 * up: d_alloc() returns the dentry already hashed, if any. */
	d = d_alloc(dir, name, len, inode);
	if (!d) {
		iput(inode);
		return -ENOMEM;
	}
	*out = d;
	return 0;
}

static bool is_dir(const struct dentry *d)
{
	return d->inode && S_ISDIR(d->inode->mode);
}

int nd_walk_parent(struct nameidata *nd)
{
	const char *p = nd->buf;

	for (;;) {
		const char *name;
		size_t len;
		bool trailing = false;

		if (*p == '/') {
			struct dentry *r = dget(nd->root);

			dput(nd->dir);
			nd->dir = r;
			while (*p == '/')
				p++;
			if (!*p) {
				nd->last = p;
				nd->last_len = 0;
				nd->last_type = LAST_ROOT;
				nd->trailing_slash = false;
				return 0;
			}
		}
		if (!*p) {
			nd->last = p;
			nd->last_len = 0;
			nd->last_type = LAST_EMPTY;
			nd->trailing_slash = false;
			return 0;
		}
		name = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - name);
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		while (*p == '/') {
			p++;
			trailing = true;
		}
		if (!*p) {
			nd->last = name;
			nd->last_len = len;
			nd->trailing_slash = trailing;
			if (len == 1 && name[0] == '.')
				nd->last_type = LAST_DOT;
			else if (len == 2 && name[0] == '.' && name[1] == '.')
				nd->last_type = LAST_DOTDOT;
			else
				nd->last_type = LAST_NORM;
			return 0;
		}
		/* An intermediate component: nd->dir must be a searchable directory. */
		if (!is_dir(nd->dir))
			return -ENOTDIR;
		int perm = may_lookup(nd->dir->inode);
		if (perm)
			return perm;
		if (len == 1 && name[0] == '.')
			continue;
		if (len == 2 && name[0] == '.' && name[1] == '.') {
			struct dentry *up = d_dotdot(nd->dir, nd->root);

			dput(nd->dir);
			nd->dir = up;
			continue;
		}
		struct dentry *child;
		int err = lookup_one(nd->dir, name, len, &child);

		if (err)
			return err;
		if (!child->inode) {
			dput(child);
			return -ENOENT;
		}
		d_follow_mounts(&child);
		if (S_ISLNK(child->inode->mode)) {
			err = splice_link(nd, child, p);
			dput(child);
			if (err)
				return err;
			p = nd->buf;
			continue;
		}
		if (!S_ISDIR(child->inode->mode)) {
			dput(child);
			return -ENOTDIR;
		}
		dput(nd->dir);
		nd->dir = child;
	}
}

int nd_lookup_last(struct nameidata *nd, struct dentry **out)
{
	struct dentry *d;
	int err;

	if (nd->last_type == LAST_EMPTY || nd->last_type == LAST_ROOT) {
		*out = dget(nd->dir);
		return 0;
	}
	/* Linux's link_path_walk() checks search permission on the directory
	 * before every component, the last one included. */
	if (!is_dir(nd->dir))
		return -ENOTDIR;
	err = may_lookup(nd->dir->inode);
	if (err)
		return err;
	if (nd->last_type == LAST_DOT) {
		*out = dget(nd->dir);
		return 0;
	}
	if (nd->last_type == LAST_DOTDOT) {
		*out = d_dotdot(nd->dir, nd->root);
		return 0;
	}
	err = lookup_one(nd->dir, nd->last, nd->last_len, &d);
	if (err)
		return err;
	if (d->inode)
		d_follow_mounts(&d);
	*out = d;
	return 0;
}

int nd_follow_link(struct nameidata *nd, struct dentry *link)
{
	return splice_link(nd, link, nd->trailing_slash ? "/" : "");
}

static int path_lookup_nd(struct nameidata *nd, unsigned flags, struct dentry **out)
{
	for (;;) {
		struct dentry *d;
		int err = nd_walk_parent(nd);

		if (err)
			return err;
		err = nd_lookup_last(nd, &d);
		if (err)
			return err;
		if (!d->inode) {
			dput(d);
			return -ENOENT;
		}
		if (S_ISLNK(d->inode->mode) && nd->last_type == LAST_NORM &&
		    ((flags & LOOKUP_FOLLOW) || nd->trailing_slash)) {
			err = nd_follow_link(nd, d);
			dput(d);
			if (err)
				return err;
			continue;
		}
		if ((nd->trailing_slash || (flags & LOOKUP_DIRECTORY)) &&
		    !S_ISDIR(d->inode->mode)) {
			dput(d);
			return -ENOTDIR;
		}
		*out = d;
		return 0;
	}
}

int path_lookup_kernel(int dirfd, const char *path, unsigned flags, struct dentry **out)
{
	struct nameidata nd;
	int err = nd_init(&nd, dirfd, path, flags);

	if (!err)
		err = path_lookup_nd(&nd, flags, out);
	nd_release(&nd);
	return err;
}

int path_lookup_user(int dirfd, uintptr_t upath, unsigned flags, struct dentry **out)
{
	struct nameidata nd;
	int err = nd_init_user(&nd, dirfd, upath, flags);

	if (!err)
		err = path_lookup_nd(&nd, flags, out);
	nd_release(&nd);
	return err;
}

int nd_child(struct nameidata *nd, struct dentry **child)
{
	if (!is_dir(nd->dir))
		return -ENOTDIR;
	return lookup_one(nd->dir, nd->last, nd->last_len, child);
}

int path_parent_child(struct nameidata *nd, struct dentry **child, int err_special)
{
	int err = nd_walk_parent(nd);

	if (err)
		return err;
	if (nd->last_type != LAST_NORM)
		return err_special;
	return nd_child(nd, child);
}

/* Is the user string at upath empty? 1, 0, or -EFAULT. */
static int user_path_is_empty(uintptr_t upath)
{
	char c;

	if (!upath)
		return 1; /* Linux >= 6.11: NULL with AT_EMPTY_PATH is "" */
	if (copy_from_user(&c, upath, 1))
		return -EFAULT;
	return c == '\0';
}

int at_target_get(int dirfd, uintptr_t upath, bool empty_ok, unsigned lookup_flags,
		  struct path_target *t)
{
	memset(t, 0, sizeof(*t));
	if (empty_ok) {
		int e = user_path_is_empty(upath);

		if (e < 0)
			return e;
		if (e) {
			t->empty = true;
			if (dirfd == AT_FDCWD) {
				t->dentry = current_cwd();
				if (!t->dentry)
					return -ENOENT;
				t->inode = t->dentry->inode;
				return 0;
			}
			t->file = fget_current(dirfd);
			if (!t->file)
				return -EBADF;
			t->inode = t->file->inode;
			if (!t->inode) {
				fput(t->file);
				t->file = NULL;
				return -EBADF;
			}
			return 0;
		}
	}
	int err = path_lookup_user(dirfd, upath, lookup_flags, &t->dentry);

	if (err)
		return err;
	t->inode = t->dentry->inode;
	return 0;
}

void at_target_put(struct path_target *t)
{
	if (t->file)
		fput(t->file);
	dput(t->dentry);
	t->file = NULL;
	t->dentry = NULL;
	t->inode = NULL;
}
