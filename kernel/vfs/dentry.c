/* The dentry cache: a tree of names (struct dentry) per super block, with
 * mount points linking the trees. See internal.h for the caching policy
 * (live dentries only). [path_resolution(7)]
 *
 * Locking (Linux's d_lock and rename_lock, folded into one): dcache_lock,
 * a spinlock, guards the tree's shape and names: every dentry's
 * children/child lists, hashed, parent, name/namelen and mounted, and the
 * drop of a reference count to zero. A reference count is atomic and only
 * goes from zero to one under dcache_lock, by a lookup that found the
 * dentry hashed; dput() unhashes a dentry in the same critical section in
 * which its count reaches zero, so no lookup can find a dentry being
 * freed. Path building (d_path(), "..") reads names and parents under it,
 * so a rename on another CPU never shows a half-moved dentry. Nothing
 * sleeps under it; iput() and kfree() of a dead dentry happen after it is
 * dropped. A leaf lock apart from kmalloc_lock. */
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <string.h>

#include "internal.h"

DEFINE_SPINLOCK(dcache_lock);

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

/* A new hashed child; it references its parent. Takes over inode's ref.
 * If another CPU hashed a child of that name meanwhile (both looked it up
 * and missed), that one is returned instead, referenced, and inode's
 * reference is dropped: a name has one dentry. */
struct dentry *d_alloc(struct dentry *parent, const char *name, size_t len, struct inode *inode)
{
	struct dentry *d = kzalloc(sizeof(*d)), *other;

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
	spin_lock(&dcache_lock);
	list_for_each_entry(other, &parent->children, child) {
		if (other->namelen == len && memcmp(other->name, name, len) == 0) {
			dget(other);
			spin_unlock(&dcache_lock);
			dput(parent);
			kfree(d->name);
			kfree(d);
			iput(inode);
			return other;
		}
	}
	list_add_tail(&d->child, &parent->children);
	d->hashed = true;
	spin_unlock(&dcache_lock);
	return d;
}

/* Take a reference; returns d for chaining. NULL is passed through. */
struct dentry *dget(struct dentry *d)
{
	if (d)
		__atomic_fetch_add(&d->refcount, 1, __ATOMIC_RELAXED);
	return d;
}

/* Drop a reference unless it is the last: true if dropped. */
static bool dput_not_last(struct dentry *d)
{
	unsigned old = __atomic_load_n(&d->refcount, __ATOMIC_RELAXED);

	while (old > 1) {
		if (__atomic_compare_exchange_n(&d->refcount, &old, old - 1, false,
						__ATOMIC_RELEASE, __ATOMIC_RELAXED))
			return true;
	}
	return false;
}

/* Drop a reference. The last one frees the dentry (unhashing it), drops
 * its inode and, iteratively, its reference on the parent. */
void dput(struct dentry *d)
{
	while (d) {
		struct dentry *parent;

		KASSERT(__atomic_load_n(&d->refcount, __ATOMIC_RELAXED) > 0);
		if (dput_not_last(d))
			return;
		spin_lock(&dcache_lock);
		if (__atomic_sub_fetch(&d->refcount, 1, __ATOMIC_ACQ_REL)) {
			spin_unlock(&dcache_lock); /* a lookup took it meanwhile */
			return;
		}
		/* No one holds it: a mount point is always held by its mount. */
		KASSERT(!d->mounted);
		if (d->hashed)
			list_del(&d->child);
		d->hashed = false;
		parent = d->parent;
		spin_unlock(&dcache_lock);
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
	struct dentry *d, *found = NULL;

	spin_lock(&dcache_lock);
	list_for_each_entry(d, &parent->children, child) {
		if (d->namelen == len && memcmp(d->name, name, len) == 0) {
			found = dget(d);
			break;
		}
	}
	spin_unlock(&dcache_lock);
	return found;
}

void d_instantiate(struct dentry *d, struct inode *inode)
{
	KASSERT(!d->inode);
	d->inode = inode;
}

/* Unhash: later lookups of the name go to the file system. */
void d_delete(struct dentry *d)
{
	spin_lock(&dcache_lock);
	if (d->hashed) {
		list_del(&d->child);
		d->hashed = false;
	}
	spin_unlock(&dcache_lock);
}

/* Move d to new_parent/name; a hashed dentry of that name must have been
 * deleted by the caller first. */
int d_move(struct dentry *d, struct dentry *new_parent, const char *name, size_t len)
{
	char *n = name_dup(name, len), *old_name;
	struct dentry *old_parent;

	if (!n)
		return -ENOMEM;
	if (new_parent != d->parent)
		dget(new_parent);
	spin_lock(&dcache_lock);
	old_parent = d->parent;
	old_name = d->name;
	d->name = n;
	d->namelen = len;
	if (d->hashed)
		list_del(&d->child);
	list_add_tail(&d->child, &new_parent->children);
	d->hashed = true;
	d->parent = new_parent;
	spin_unlock(&dcache_lock);
	kfree(old_name);
	if (old_parent != new_parent)
		dput(old_parent);
	return 0;
}

/* Swap the places of two hashed dentries. */
void d_exchange(struct dentry *a, struct dentry *b)
{
	struct dentry *pa, *pb;
	char *na;
	size_t la;

	spin_lock(&dcache_lock);
	pa = a->parent;
	pb = b->parent;
	na = a->name;
	la = a->namelen;
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
	spin_unlock(&dcache_lock);
}

bool d_is_descendant(const struct dentry *d, const struct dentry *anc)
{
	bool r = false;

	spin_lock(&dcache_lock);
	for (; d; d = d->parent) {
		if (d == anc) {
			r = true;
			break;
		}
	}
	spin_unlock(&dcache_lock);
	return r;
}

/* Walk up from d: names are prepended at the end of buf. */
static int d_path_locked(const struct dentry *d, const struct dentry *root, char *buf, size_t len,
			 bool deleted_suffix);

int d_path(const struct dentry *d, const struct dentry *root, char *buf, size_t len,
	   bool deleted_suffix)
{
	int r;

	spin_lock(&dcache_lock);
	r = d_path_locked(d, root, buf, len, deleted_suffix);
	spin_unlock(&dcache_lock);
	return r;
}

static int d_path_locked(const struct dentry *d, const struct dentry *root, char *buf, size_t len,
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

	spin_lock(&dcache_lock);
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
	spin_unlock(&dcache_lock);
	d_follow_mounts(&r);
	return r;
}

void d_follow_mounts(struct dentry **d)
{
	for (;;) {
		struct dentry *next = NULL;

		spin_lock(&dcache_lock);
		if ((*d)->mounted)
			next = dget((*d)->mounted->root);
		spin_unlock(&dcache_lock);
		if (!next)
			return;
		dput(*d);
		*d = next;
	}
}
