/* tmpfs extended attributes: a list per inode, as Linux's simple_xattr
 * (fs/xattr.c) keeps them for tmpfs. The VFS checked names, sizes and
 * rights (kernel/vfs/xattr.c); this file stores, finds and lists.
 * [xattr(7)], [setxattr(2)] */
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <string.h>

#include "tmpfs.h"

static bool kept_namespace(const char *name)
{
	return !strncmp(name, "user.", 5) || !strncmp(name, "trusted.", 8) ||
	       !strncmp(name, "security.", 9);
}

/* The link pointing at name's entry (at the list's end if absent). */
static struct tmpfs_xattr **xattr_find(struct tmpfs_inode *ti, const char *name)
{
	struct tmpfs_xattr **pp = &ti->xattrs;

	while (*pp && strcmp((*pp)->data, name) != 0)
		pp = &(*pp)->next;
	return pp;
}

static size_t xattr_bytes(const struct tmpfs_xattr *x)
{
	return x->name_len + 1 + x->size;
}

ssize_t tmpfs_getxattr(struct inode *inode, const char *name, void *buf, size_t size)
{
	struct tmpfs_xattr *x;

	if (!kept_namespace(name))
		return -EOPNOTSUPP;
	x = *xattr_find(TI(inode), name);
	if (!x)
		return -ENODATA;
	if (size) {
		if (size < x->size)
			return -ERANGE;
		memcpy(buf, x->data + x->name_len + 1, x->size);
	}
	return (ssize_t)x->size;
}

/* Replaces keep the entry's place in the list. */
int tmpfs_setxattr(struct inode *inode, const char *name, const void *value, size_t size, int flags)
{
	struct tmpfs_inode *ti = TI(inode);
	struct tmpfs_xattr **pp, *old, *x;
	size_t len = strlen(name);

	if (!kept_namespace(name))
		return -EOPNOTSUPP;
	pp = xattr_find(ti, name);
	old = *pp;
	if (old && (flags & XATTR_CREATE))
		return -EEXIST;
	if (!old && (flags & XATTR_REPLACE))
		return -ENODATA;
	if (ti->xattr_bytes - (old ? xattr_bytes(old) : 0) + len + 1 + size > TMPFS_XATTR_BYTES_MAX)
		return -ENOSPC;
	x = kmalloc(sizeof(*x) + len + 1 + size);
	if (!x)
		return -ENOMEM;
	x->name_len = len;
	x->size = size;
	memcpy(x->data, name, len + 1);
	memcpy(x->data + len + 1, value, size);
	x->next = old ? old->next : NULL;
	*pp = x;
	ti->xattr_bytes += xattr_bytes(x);
	if (old) {
		ti->xattr_bytes -= xattr_bytes(old);
		kfree(old);
	}
	inode->ctime = current_time();
	return 0;
}

ssize_t tmpfs_listxattr(struct inode *inode, char *buf, size_t size, bool with_trusted)
{
	size_t total = 0;

	for (struct tmpfs_xattr *x = TI(inode)->xattrs; x; x = x->next) {
		if (!with_trusted && !strncmp(x->data, "trusted.", 8))
			continue;
		if (size) {
			if (total + x->name_len + 1 > size)
				return -ERANGE;
			memcpy(buf + total, x->data, x->name_len + 1);
		}
		total += x->name_len + 1;
	}
	return (ssize_t)total;
}

int tmpfs_removexattr(struct inode *inode, const char *name)
{
	struct tmpfs_inode *ti = TI(inode);
	struct tmpfs_xattr **pp, *x;

	if (!kept_namespace(name))
		return -EOPNOTSUPP;
	pp = xattr_find(ti, name);
	x = *pp;
	if (!x)
		return -ENODATA;
	*pp = x->next;
	ti->xattr_bytes -= xattr_bytes(x);
	kfree(x);
	inode->ctime = current_time();
	return 0;
}

void tmpfs_xattrs_free(struct inode *inode)
{
	struct tmpfs_inode *ti = TI(inode);

	while (ti->xattrs) {
		struct tmpfs_xattr *x = ti->xattrs;

		ti->xattrs = x->next;
		kfree(x);
	}
	ti->xattr_bytes = 0;
}
