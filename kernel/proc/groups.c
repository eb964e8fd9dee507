/* Supplementary group ids: getgroups(2), setgroups(2) and the group test
 * permission checks use (Linux kernel/groups.c). A task's set is an
 * immutable sorted array shared by fork and replaced whole by setgroups, so
 * readers need no lock beyond their own reference. */
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <hal/usercopy.h>

#define NGROUPS_MAX 65536 /* include/uapi/linux/limits.h */

struct group_info *groups_get(struct group_info *g)
{
	if (g)
		__atomic_fetch_add(&g->refcount, 1, __ATOMIC_RELAXED);
	return g;
}

void groups_put(struct group_info *g)
{
	if (g && __atomic_sub_fetch(&g->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(g);
}

static bool groups_search(const struct group_info *g, uint32_t gid)
{
	unsigned lo = 0, hi = g ? g->ngroups : 0;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (g->gid[mid] == gid)
			return true;
		if (g->gid[mid] < gid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool in_group_p(uint32_t gid)
{
	if (current && current->access_real)
		return in_group_real_p(gid);
	return !current || current->fsgid == gid || groups_search(current->groups, gid);
}

bool in_group_real_p(uint32_t gid)
{
	return !current || current->gid == gid || groups_search(current->groups, gid);
}

/* [getgroups(2)]: size 0 asks for the count; a smaller nonzero size is
 * -EINVAL; -EFAULT for a bad list. */
SYSCALL_DEFINE2(getgroups, int, size, uintptr_t, ulist)
{
	const struct group_info *g = current->groups;
	unsigned n = g ? g->ngroups : 0;

	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return n;
	if ((unsigned)size < n)
		return -EINVAL;
	if (n && copy_to_user(ulist, g->gid, n * sizeof(uint32_t)))
		return -EFAULT;
	return n;
}

static void sort_gids(uint32_t *v, unsigned n)
{
	/* Shell sort: a set is small, and this keeps the kernel free of a
	 * general-purpose sort. */
	for (unsigned gap = n / 2; gap > 0; gap /= 2)
		for (unsigned i = gap; i < n; i++)
			for (unsigned j = i; j >= gap && v[j - gap] > v[j]; j -= gap) {
				uint32_t t = v[j];
				v[j] = v[j - gap];
				v[j - gap] = t;
			}
}

/* [setgroups(2)]: root only (-EPERM), at most NGROUPS_MAX ids (-EINVAL),
 * -EFAULT for a bad list, -ENOMEM. Replaces the calling thread's set
 * (glibc applies it to every thread, as Linux's credentials are per
 * thread). */
SYSCALL_DEFINE2(setgroups, size_t, size, uintptr_t, ulist)
{
	struct group_info *g = NULL, *old;

	if (current->euid != 0)
		return -EPERM;
	if (size > NGROUPS_MAX)
		return -EINVAL;
	if (size) {
		g = kmalloc(sizeof(*g) + size * sizeof(uint32_t));
		if (!g)
			return -ENOMEM;
		g->refcount = 1;
		g->ngroups = (unsigned)size;
		if (copy_from_user(g->gid, ulist, size * sizeof(uint32_t))) {
			kfree(g);
			return -EFAULT;
		}
		sort_gids(g->gid, g->ngroups);
	}
	old = current->groups;
	current->groups = g;
	groups_put(old);
	return 0;
}
