/* The dentry cache: a tree of names (struct dentry) per super block, with
 * mount points linking the trees. See internal.h for the caching policy
 * (live dentries only). [path_resolution(7)] */
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <string.h>

#include "internal.h"

static char *name_dup(const char *name, size_t len)
{
	char *s = kmalloc(len + 1);

	if (!s)
		return NULL;
	memcpy(s, name, len);
	s[len] = '\0';
	return s;
}

/* Root dentry of a super block: takes over the reference to inode. */
struct dentry *d_alloc_root(struct inode *inode, struct mount *mnt)
{
	struct dentry *d = kzalloc(sizeof(*d));

	if (!d)
		return NULL;
	d->name = name_dup("/", 1);
	if (!d->name) {
		kfree(d);
		return NULL;
	}
	d->namelen = 1;
	d->inode = inode;
	d->mnt = mnt;
	d->refcount = 1;
	list_init(&d->children);
	list_init(&d->child);
	return d;
}

/* A new hashed child; it references its parent. Takes over inode's ref. */
struct dentry *d_alloc(struct dentry *parent, const char *name, size_t len, struct inode *inode)
{
	struct dentry *d = kzalloc(sizeof(*d));

	if (!d)
		return NULL;
	d->name = name_dup(name, len);
	if (!d->name) {
		kfree(d);
		return NULL;
	}
	d->namelen = len;
	d->inode = inode;
	d->mnt = parent->mnt;
	d->refcount = 1;
	d->parent = dget(parent);
	list_init(&d->children);
	list_add_tail(&d->child, &parent->children);
	d->hashed = true;
	return d;
}

/* Take a reference; returns d for chaining. NULL is passed through. */
struct dentry *dget(struct dentry *d)
{
	if (d)
		d->refcount++;
	return d;
}

/* Drop a reference. The last one frees the dentry (unhashing it), drops
 * its inode and, iteratively, its reference on the parent. */
void dput(struct dentry *d)
{
	while (d) {
		struct dentry *parent;

		KASSERT(d->refcount > 0);
		if (--d->refcount)
			return;
		/* No one holds it: a mount point is always held by its mount. */
		KASSERT(!d->mounted);
		if (d->hashed)
			list_del(&d->child);
		parent = d->parent;
		if (d->inode)
			iput(d->inode);
		kfree(d->name);
		kfree(d);
		d = parent;
	}
}

/* Cache lookup of a hashed child by name; referenced or NULL. */
struct dentry *d_lookup(struct dentry *parent, const char *name, size_t len)
{
	struct dentry *d;

	list_for_each_entry(d, &parent->children, child) {
		if (d->namelen == len && memcmp(d->name, name, len) == 0)
			return dget(d);
	}
	return NULL;
}

void d_instantiate(struct dentry *d, struct inode *inode)
{
	KASSERT(!d->inode);
	d->inode = inode;
}

/* Unhash: later lookups of the name go to the file system. */
void d_delete(struct dentry *d)
{
	if (!d->hashed)
		return;
	list_del(&d->child);
	d->hashed = false;
}

/* Move d to new_parent/name; a hashed dentry of that name must have been
 * deleted by the caller first. */
int d_move(struct dentry *d, struct dentry *new_parent, const char *name, size_t len)
{
	char *n = name_dup(name, len);
	struct dentry *old_parent = d->parent;

	if (!n)
		return -ENOMEM;
	kfree(d->name);
	d->name = n;
	d->namelen = len;
	if (d->hashed)
		list_del(&d->child);
	list_add_tail(&d->child, &new_parent->children);
	d->hashed = true;
	if (old_parent != new_parent) {
		d->parent = dget(new_parent);
		dput(old_parent);
	}
	return 0;
}

/* Swap the places of two hashed dentries. */
void d_exchange(struct dentry *a, struct dentry *b)
{
	struct dentry *pa = a->parent, *pb = b->parent;
	char *na = a->name;
	size_t la = a->namelen;

	a->name = b->name;
	a->namelen = b->namelen;
	b->name = na;
	b->namelen = la;
	if (a->hashed)
		list_del(&a->child);
	if (b->hashed)
		list_del(&b->child);
	a->parent = pb;
	b->parent = pa;
	list_add_tail(&a->child, &pb->children);
	list_add_tail(&b->child, &pa->children);
	a->hashed = b->hashed = true;
}

bool d_is_descendant(const struct dentry *d, const struct dentry *anc)
{
	for (; d; d = d->parent) {
		if (d == anc)
			return true;
	}
	return false;
}

/* Walk up from d: names are prepended at the end of buf. */
int d_path(const struct dentry *d, const struct dentry *root, char *buf, size_t len,
	   bool deleted_suffix)
{
	static const char deleted[] = " (deleted)";
	bool add_deleted = deleted_suffix && d->parent && !d->hashed;
	size_t end = len, pos;

	if (len < 2)
		return -ENAMETOOLONG;
	if (add_deleted) {
		if (end < sizeof(deleted) + 1)
			return -ENAMETOOLONG;
		end -= sizeof(deleted) - 1;
	}
	pos = end - 1;
	buf[pos] = '\0';
	while (d != root) {
		if (d == d->mnt->root || !d->parent) {
			/* Top of this file system: continue above its mount point. */
			if (!d->mnt->parent || !d->mnt->mountpoint)
				break; /* the global root (or outside a chroot) */
			d = d->mnt->mountpoint;
			continue;
		}
		if (pos < d->namelen + 1)
			return -ENAMETOOLONG;
		pos -= d->namelen;
		memcpy(buf + pos, d->name, d->namelen);
		buf[--pos] = '/';
		d = d->parent;
	}
	if (pos == end - 1)
		buf[--pos] = '/';
	memmove(buf, buf + pos, end - pos);
	if (add_deleted)
		memcpy(buf + (end - 1 - pos), deleted, sizeof(deleted));
	return (int)(end - 1 - pos + (add_deleted ? sizeof(deleted) - 1 : 0));
}

/* ".." from d: stays at the walk's root; at the root of a mount goes to
 * the mount point first ([path_resolution(7)]: "..": the parent, except
 * at the root). Result referenced and moved to the top of its mounts. */
struct dentry *d_dotdot(struct dentry *d, const struct dentry *root)
{
	struct dentry *r;

	for (;;) {
		if (d == root)
			break;
		if (d != d->mnt->root && d->parent) {
			d = d->parent;
			break;
		}
		if (!d->mnt->parent || !d->mnt->mountpoint)
			break; /* the global root: ".." is itself */
		d = d->mnt->mountpoint;
	}
	r = dget(d);
	d_follow_mounts(&r);
	return r;
}

void d_follow_mounts(struct dentry **d)
{
	while ((*d)->mounted) {
		struct dentry *next = dget((*d)->mounted->root);

		dput(*d);
		*d = next;
	}
}
