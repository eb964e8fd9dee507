/* The character device registry: drivers register (dev_t -> file
 * operations); opening any S_IFCHR inode with that rdev, wherever it lives
 * (devfs or a mknod'ed node in tmpfs), uses them. [mknod(2)], [open(2)]
 * ENXIO "the file is a device special file and no corresponding device
 * exists". */
#include "internal.h"

LIST_HEAD(chrdev_list);

/* <kernel/vfs.h>: register_chrdev() and register_chrdev_core(). */
int register_chrdev_core(struct chrdev *cd)
{
	if (!cd || !cd->fops)
		return -EINVAL;
	if (devnode_lookup(cd->dev, cd->block))
		return -EBUSY;
	list_add_tail(&cd->list, &chrdev_list);
	return 0;
}

int register_chrdev(struct chrdev *cd)
{
	int r = register_chrdev_core(cd);

	if (r == 0)
		svc_instance_init(&cd->svc, cd->name && *cd->name ? cd->name : "chrdev");
	return r;
}

struct chrdev *devnode_lookup(dev_t dev, bool block)
{
	struct chrdev *cd;

	list_for_each_entry(cd, &chrdev_list, list) {
		unsigned n = cd->minors ? cd->minors : 1;

		if (cd->block != block || MAJOR(dev) != MAJOR(cd->dev))
			continue;
		if (MINOR(dev) >= MINOR(cd->dev) && MINOR(dev) - MINOR(cd->dev) < n)
			return cd;
	}
	return NULL;
}

/* The driver of character device number dev, or NULL. */
struct chrdev *chrdev_lookup(dev_t dev)
{
	return devnode_lookup(dev, false);
}
