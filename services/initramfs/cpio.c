/* cpio "newc" parser: see cpio.h. Every length taken from the archive is
 * checked against the bytes left before it is used, with subtractions only
 * (no "offset + size" that could wrap). */
#include "cpio.h"
#include <stdbool.h>

#ifdef KEVLAR_HOST_TEST
#include <stdio.h>
#include <string.h>
#else
#include <kernel/printk.h>
#include <string.h>
#endif

#define CPIO_HDR_LEN 110 /* 6 bytes of magic + 13 fields of 8 hex digits */
#define CPIO_NFIELDS 13
#define CPIO_TRAILER "TRAILER!!!"

/* Header fields in archive order. */
enum {
	F_INO,
	F_MODE,
	F_UID,
	F_GID,
	F_NLINK,
	F_MTIME,
	F_FILESIZE,
	F_DEVMAJOR,
	F_DEVMINOR,
	F_RDEVMAJOR,
	F_RDEVMINOR,
	F_NAMESIZE,
	F_CHECK,
};

static const char *const field_names[CPIO_NFIELDS] = {
	"ino",	    "mode",	"uid",	     "gid",	  "nlink",    "mtime", "filesize",
	"devmajor", "devminor", "rdevmajor", "rdevminor", "namesize", "check",
};

static int fail(char *err, size_t errlen, size_t off, const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, "offset %zu: %s", off, what);
	return CPIO_EMALFORMED;
}

/* 8 hex digits (either case) -> *out; false if any is not a hex digit. */
static bool parse_hex8(const char *s, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		v = (v << 4) | d;
	}
	*out = v;
	return true;
}

/* Bytes of padding that bring off up to a multiple of 4. */
static size_t pad4(size_t off)
{
	return (4 - (off & 3)) & 3;
}

int cpio_parse(const void *buf, size_t len, cpio_entry_fn fn, void *ctx, char *err, size_t errlen)
{
	const unsigned char *p = buf;
	size_t off = 0;
	bool in_archive = false; /* a header was seen and no trailer yet */
	unsigned archive = 0;	 /* trailers seen */
	char msg[96];

	if (err && errlen)
		err[0] = '\0';
	if (len == 0)
		return fail(err, errlen, 0, "empty archive");

	for (;;) {
		if (!in_archive) {
			/* Between archives: skip NUL padding after a trailer. */
			size_t start = off;

			while (off < len && p[off] == 0)
				off++;
			if (off == len) {
				if (start == 0)
					return fail(err, errlen, 0, "no cpio header, only zeros");
				return 0;
			}
			if (off & 3)
				return fail(err, errlen, off, "broken padding between archives");
		}
		if (off == len)
			return fail(err, errlen, off, "archive ends without a TRAILER!!! entry");
		if (len - off >= 2 && p[off] == 0x1f && p[off + 1] == 0x8b)
			return fail(
				err, errlen, off,
				"gzip data, not a cpio header (compressed archives are not supported)");
		if (len - off < CPIO_HDR_LEN)
			return fail(err, errlen, off, "truncated header");

		const char *h = (const char *)p + off;
		bool crc;

		if (memcmp(h, "070701", 6) == 0) {
			crc = false;
		} else if (memcmp(h, "070702", 6) == 0) {
			crc = true;
		} else {
			if (memcmp(h, "070707", 6) == 0)
				return fail(err, errlen, off,
					    "old ASCII cpio (odc) format, only newc is supported");
			return fail(err, errlen, off, "bad magic (expected 070701 or 070702)");
		}

		uint32_t f[CPIO_NFIELDS];

		for (int i = 0; i < CPIO_NFIELDS; i++) {
			if (!parse_hex8(h + 6 + 8 * i, &f[i])) {
				snprintf(msg, sizeof(msg), "header field %s is not 8 hex digits",
					 field_names[i]);
				return fail(err, errlen, off + 6 + 8 * (size_t)i, msg);
			}
		}

		size_t name_off = off + CPIO_HDR_LEN;
		size_t namesize = f[F_NAMESIZE];
		size_t left = len - name_off;

		if (namesize == 0)
			return fail(err, errlen, off, "namesize is 0");
		if (namesize > left)
			return fail(err, errlen, name_off, "name runs past the end of the archive");
		const char *name = (const char *)p + name_off;
		if (name[namesize - 1] != '\0')
			return fail(err, errlen, name_off, "name is not NUL-terminated");
		if (strlen(name) != namesize - 1)
			return fail(err, errlen, name_off, "name contains a NUL byte");

		left -= namesize;
		size_t pad = pad4(CPIO_HDR_LEN + namesize); /* off is 4-aligned */
		if (pad > left)
			return fail(err, errlen, name_off + namesize,
				    "padding after the name runs past the end");
		left -= pad;
		size_t data_off = name_off + namesize + pad;
		size_t size = f[F_FILESIZE];

		if (size > left)
			return fail(err, errlen, data_off,
				    "file data runs past the end of the archive");
		left -= size;
		size_t dpad = pad4(size);
		bool trailer = strcmp(name, CPIO_TRAILER) == 0;

		/* After a trailer, padding is whatever NULs follow (checked by the
		 * skip above); after a member it must be there. */
		if (!trailer && dpad > left)
			return fail(err, errlen, data_off + size,
				    "padding after the data runs past the end");

		/* GNU cpio sums regular files only (symlinks carry 0). */
		if (crc && (f[F_MODE] & 0170000) == 0100000) {
			uint32_t sum = 0;

			for (size_t i = 0; i < size; i++)
				sum += p[data_off + i];
			if (sum != f[F_CHECK])
				return fail(err, errlen, off,
					    "070702 checksum of the file data does not match");
		}

		if (trailer) {
			in_archive = false;
			archive++;
			off = data_off + size;
			continue;
		}

		struct cpio_entry e = {
			.name = name,
			.namesize = namesize,
			.ino = f[F_INO],
			.mode = f[F_MODE],
			.uid = f[F_UID],
			.gid = f[F_GID],
			.nlink = f[F_NLINK],
			.mtime = f[F_MTIME],
			.devmajor = f[F_DEVMAJOR],
			.devminor = f[F_DEVMINOR],
			.rdevmajor = f[F_RDEVMAJOR],
			.rdevminor = f[F_RDEVMINOR],
			.data = p + data_off,
			.size = size,
			.offset = off,
			.archive = archive,
		};
		in_archive = true;
		off = data_off + size + dpad;
		if (fn) {
			int r = fn(&e, ctx);
			if (r)
				return r;
		}
	}
}
