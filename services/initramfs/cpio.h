/* A parser of the cpio "newc" archive format (magic "070701", and the
 * "070702" variant with a data checksum), the format of Linux initramfs
 * images. [Linux Documentation/driver-api/early-userspace/buffer-format.rst],
 * [cpio(5) "New ASCII Format"].
 *
 * Pure logic over a byte buffer, no allocation: built into the kernel and,
 * with -DKEVLAR_HOST_TEST, into the host unit test (tests/host/cpio_test.c).
 * Never reads outside [buf, buf + len), whatever the input.
 */
#ifndef SERVICES_INITRAMFS_CPIO_H
#define SERVICES_INITRAMFS_CPIO_H
#include <stddef.h>
#include <stdint.h>

/* One archive member, pointing into the caller's buffer. */
struct cpio_entry {
	const char *name; /* NUL-terminated, as stored (e.g. "./bin/sh") */
	size_t namesize;  /* bytes including the NUL (>= 1) */
	uint32_t ino, mode, uid, gid, nlink, mtime;
	uint32_t devmajor, devminor;   /* device of the archived file (hard links) */
	uint32_t rdevmajor, rdevminor; /* st_rdev of device nodes */
	const void *data;	       /* file data / symlink target (not NUL-terminated) */
	size_t size;		       /* bytes of data */
	size_t offset;		       /* offset of this header in the buffer */
	unsigned archive;	       /* 0 for the first archive, 1 for the next... */
};

/* Called once per member, trailers excluded, in archive order. Return 0 to
 * go on; any other value stops the parse and is returned by cpio_parse(). */
typedef int (*cpio_entry_fn)(const struct cpio_entry *e, void *ctx);

/* Signalled by cpio_parse() on malformed input (never 0). Equals -EINVAL
 * (22) so the kernel can pass it on unchanged. */
#define CPIO_EMALFORMED (-22)

/* Walk every member of the archive(s) in buf[0..len). Several archives may
 * follow each other (each ends with a "TRAILER!!!" member); NUL bytes after
 * a trailer are padding; the next archive must start 4-byte aligned.
 *
 * Returns 0 when the buffer ends right after a trailer (plus padding),
 * CPIO_EMALFORMED on any structural error (bad magic, a header field that
 * is not 8 hex digits, namesize 0, a name not NUL-terminated or with an
 * embedded NUL, data or padding past the end, missing trailer, a bad
 * 070702 checksum, an empty buffer) after writing "offset N: problem"
 * into err (errlen bytes, NUL-terminated; err may be NULL), or the first
 * non-zero callback return. Entries before an error have been passed to fn. */
int cpio_parse(const void *buf, size_t len, cpio_entry_fn fn, void *ctx, char *err, size_t errlen);

#endif
