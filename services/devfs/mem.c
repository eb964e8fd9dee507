/* The memory character devices (major 1): /dev/null, /dev/zero,
 * /dev/full, /dev/random, /dev/urandom and /dev/kmsg (write only: lines
 * go to the kernel log). [null(4)], [zero(4)], [full(4)], [random(4)];
 * Linux drivers/char/mem.c, Documentation/admin-guide/devices.txt. */
#include <kernel/current.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/random.h>
#include <kernel/service.h>
#include <kernel/vfs.h>

#define CHUNK 256

/* Reads at EOF, writes swallowed whole ([null(4)]). */
static ssize_t null_read(struct file *f, struct uio *u, off_t *pos)
{
	return 0;
}

static ssize_t null_write(struct file *f, struct uio *u, off_t *pos)
{
	return (ssize_t)u->len;
}

/* Seeking these devices always succeeds and lands at 0 (Linux null_lseek). */
static off_t null_llseek(struct file *f, off_t off, int whence)
{
	f->pos = 0;
	return 0;
}

/* As many zero bytes as asked ([zero(4)]); a long read stops early, with
 * what it has, when a signal is pending. */
static ssize_t zero_read(struct file *f, struct uio *u, off_t *pos)
{
	size_t done = 0;

	while (u->len) {
		size_t n = MIN(u->len, (size_t)PAGE_SIZE * 16);
		if (uio_zero(u, n))
			return done ? (ssize_t)done : -EFAULT;
		done += n;
		if (u->len && current_signal_pending())
			break;
	}
	return (ssize_t)done;
}

/* [full(4)]: "writes fail with ENOSPC". */
static ssize_t full_write(struct file *f, struct uio *u, off_t *pos)
{
	return u->len ? -ENOSPC : 0;
}

/* Bytes of the kernel CSPRNG ([random(4)]: /dev/random no longer blocks
 * once the pool is seeded, which it is from boot). */
static ssize_t random_read(struct file *f, struct uio *u, off_t *pos)
{
	unsigned char buf[CHUNK];
	size_t done = 0;

	while (u->len) {
		size_t n = MIN(u->len, sizeof(buf));
		get_random_bytes(buf, n);
		if (uio_copy_out(u, buf, n))
			return done ? (ssize_t)done : -EFAULT;
		done += n;
		if (u->len && current_signal_pending())
			break;
	}
	return (ssize_t)done;
}

/* Written bytes are mixed into the pool (not credited, as in Linux). */
static ssize_t random_write(struct file *f, struct uio *u, off_t *pos)
{
	unsigned char buf[CHUNK];
	size_t done = 0;

	while (u->len) {
		size_t n = MIN(u->len, sizeof(buf));
		if (uio_copy_in(u, buf, n))
			return done ? (ssize_t)done : -EFAULT;
		add_random_entropy(buf, n);
		done += n;
	}
	return (ssize_t)done;
}

/* /dev/kmsg writes: each write is one log message. */
static ssize_t kmsg_write(struct file *f, struct uio *u, off_t *pos)
{
	char buf[CHUNK];
	size_t len = u->len;
	size_t n = MIN(len, sizeof(buf) - 1);

	if (uio_copy_in(u, buf, n))
		return -EFAULT;
	buf[n] = '\0';
	printk("%s%s", buf, (n && buf[n - 1] == '\n') ? "" : "\n");
	return (ssize_t)len;
}

static ssize_t kmsg_read(struct file *f, struct uio *u, off_t *pos)
{
	return -EINVAL; /* the record interface is not provided; dmesg uses syslog(2) */
}

static const struct file_operations null_fops = {
	.read = null_read,
	.write = null_write,
	.llseek = null_llseek,
};
static const struct file_operations zero_fops = {
	.read = zero_read,
	.write = null_write,
	.llseek = null_llseek,
};
static const struct file_operations full_fops = {
	.read = zero_read,
	.write = full_write,
	.llseek = null_llseek,
};
static const struct file_operations random_fops = {
	.read = random_read,
	.write = random_write,
};
static const struct file_operations kmsg_fops = {
	.read = kmsg_read,
	.write = kmsg_write,
};

static struct chrdev mem_devs[] = {
	{ .dev = MKDEV(1, 3), .name = "null", .mode = 0666, .fops = &null_fops },
	{ .dev = MKDEV(1, 5), .name = "zero", .mode = 0666, .fops = &zero_fops },
	{ .dev = MKDEV(1, 7), .name = "full", .mode = 0666, .fops = &full_fops },
	{ .dev = MKDEV(1, 8), .name = "random", .mode = 0666, .fops = &random_fops },
	{ .dev = MKDEV(1, 9), .name = "urandom", .mode = 0666, .fops = &random_fops },
	{ .dev = MKDEV(1, 11), .name = "kmsg", .mode = 0644, .fops = &kmsg_fops },
};

static int mem_init(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(mem_devs); i++) {
		int r = register_chrdev(&mem_devs[i]);
		if (r)
			printk("mem: cannot register /dev/%s: error %d\n", mem_devs[i].name, -r);
	}
	return 0;
}
SERVICE_INIT(mem, mem_init);
