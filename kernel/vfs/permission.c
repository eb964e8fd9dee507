/* Discretionary access control on files: the checks Linux makes in
 * fs/namei.c (generic_permission, may_lookup, may_create, may_delete) and
 * fs/attr.c (inode_owner_or_capable), with the caller's file-system ids
 * (fsuid/fsgid, [setfsuid(2)]; the real ids during access(2)) and its
 * supplementary groups. Root (fsuid 0) stands for CAP_DAC_OVERRIDE and
 * CAP_FOWNER: it passes every check except executing a file that has no x
 * bit at all. [path_resolution(7)] "Permissions", [unlink(2)], [rename(2)],
 * [inode(7)] "The sticky bit". */
#include <kernel/task.h>

#include "internal.h"

/* The uid the checks use now. */
static uint32_t check_uid(bool real) /* current must be set */
{
	return (real || current->access_real) ? current->uid : current->fsuid;
}

int inode_permission(const struct inode *inode, int mask, bool real)
{
	uint32_t uid;
	unsigned bits;

	if (!current)
		return 0; /* the kernel itself, at boot */
	uid = check_uid(real);
	if (uid == 0) {
		if ((mask & MAY_EXEC) && !S_ISDIR(inode->mode) && !(inode->mode & 0111))
			return -EACCES;
		return 0;
	}
	if (uid == inode->uid)
		bits = inode->mode >> 6;
	else if (real ? in_group_real_p(inode->gid) : in_group_p(inode->gid))
		bits = inode->mode >> 3;
	else
		bits = inode->mode;
	return ((bits & (unsigned)mask & 7) == ((unsigned)mask & 7)) ? 0 : -EACCES;
}

int may_lookup(const struct inode *dir)
{
	return inode_permission(dir, MAY_EXEC, false);
}

int may_create(const struct inode *dir)
{
	return inode_permission(dir, MAY_WRITE | MAY_EXEC, false);
}

bool inode_owner_or_capable(const struct inode *inode)
{
	return !current || check_uid(false) == 0 || check_uid(false) == inode->uid;
}

int may_delete(const struct inode *dir, const struct inode *victim)
{
	int err = may_create(dir);

	if (err)
		return err;
	/* A sticky directory: only the file's owner, the directory's owner
	 * or root may remove or rename a name in it. */
	if (current && (dir->mode & S_ISVTX) && check_uid(false) != victim->uid &&
	    check_uid(false) != dir->uid && !inode_owner_or_capable(victim))
		return -EPERM;
	return 0;
}

/* Linux's inode_init_owner() rule for S_ISGID on a new non-directory in a
 * set-group-ID directory: kept only if the creator is in the file's group
 * (or root). */
mode_t new_inode_sgid_fixup(mode_t mode, uint32_t gid)
{
	if (!S_ISDIR(mode) && (mode & (S_ISGID | 0010)) == (S_ISGID | 0010) && !in_group_p(gid) &&
	    check_uid(false) != 0)
		mode &= ~(mode_t)S_ISGID;
	return mode;
}
