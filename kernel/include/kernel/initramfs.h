/* The initial RAM file system: a cpio "newc" archive (as Linux builds and
 * boots them) unpacked into the root file system at boot
 * (services/initramfs/). [Linux Documentation/driver-api/early-userspace/
 * buffer-format.rst] */
#ifndef KERNEL_INITRAMFS_H
#define KERNEL_INITRAMFS_H
#include <hal/types.h>

/* Unpack the archive(s) at data[0..size) into "/" (mounted): directories,
 * regular files, symlinks, device nodes, FIFOs and hard links, with their
 * mode, owner and mtime. Returns 0, or -EINVAL for a malformed or
 * compressed archive after printing a message naming the offset and the
 * problem; entries before the error stay unpacked. Failures to create a
 * single entry are reported and skipped. Runs in the first task (sleeps,
 * allocates). */
int initramfs_unpack(const void *data, size_t size);

#endif
