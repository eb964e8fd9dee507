/* tmpfs mount options: "size=", "mode=", "uid=", "gid=". [tmpfs(5)] */
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <stdlib.h>
#include <string.h>

#include "tmpfs.h"

/* "size=" value: bytes with an optional k/m/g/t suffix, or a percentage
 * of RAM ("50%"). Rounded up to pages. -EINVAL if malformed. */
static int parse_size(const char *s, size_t len, uint64_t *out)
{
	char buf[32];
	char *end;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	unsigned long long v = strtoull(buf, &end, 10);
	unsigned shift = 0;
	switch (*end) {
	case '\0': break;
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	case 't':
	case 'T':
		shift = 40;
		end++;
		break;
	case '%':
		end++;
		if (*end || v > 100)
			return -EINVAL;
		*out = PAGE_ALIGN_UP(frame_total_bytes() / 100 * v);
		return 0;
	default: return -EINVAL;
	}
	if (*end)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift) / 2)
		return -EINVAL;
	v <<= shift;
	if (v > UINT64_MAX - PAGE_SIZE)
		return -EINVAL;
	*out = PAGE_ALIGN_UP(v);
	return 0;
}

/* An unsigned number in base (8 or 10) filling all of s[0..len). */
static int parse_num(const char *s, size_t len, int base, unsigned long max, unsigned long *out)
{
	char buf[24];
	char *end;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	unsigned long v = strtoul(buf, &end, base);
	if (*end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int tmpfs_parse_options(const char *data, struct tmpfs_opts *o)
{
	const char *p = data;

	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len;
		const char *val = eq ? eq + 1 : p + len;
		size_t vlen = eq ? len - klen - 1 : 0;
		unsigned long v;
		int r = 0;

		if (klen == 4 && !memcmp(p, "size", 4)) {
			r = parse_size(val, vlen, &o->max_bytes);
		} else if (klen == 4 && !memcmp(p, "mode", 4)) {
			r = parse_num(val, vlen, 8, 07777, &v);
			o->mode = (mode_t)v;
		} else if (klen == 3 && !memcmp(p, "uid", 3)) {
			r = parse_num(val, vlen, 10, UINT32_MAX, &v);
			o->uid = (uint32_t)v;
		} else if (klen == 3 && !memcmp(p, "gid", 3)) {
			r = parse_num(val, vlen, 10, UINT32_MAX, &v);
			o->gid = (uint32_t)v;
		}
		if (r) {
			printk("tmpfs: bad value for mount option '%.*s'\n", (int)len, p);
			return r;
		}
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}
