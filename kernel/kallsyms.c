/* Kernel symbol lookup for backtraces.
 *
 * The build (build/kallsyms.py) fills the .kallsyms section, delimited by
 * the linker symbols __kallsyms_start/__kallsyms_end, with:
 *   u32 count; u32 reserved;
 *   count x { u64 addr; u32 name_off; u32 pad; }   sorted by addr
 *   NUL-terminated names; name_off is relative to the first name byte
 * (little-endian, the CPU's order on both arches). An all-zero section
 * (count 0) means "no symbols". Every read is bounds-checked against
 * __kallsyms_end: a corrupt table yields NULL, never a fault.
 */
#include <hal/types.h>
#include <kernel/printk.h>
#include <string.h>

extern const char __kallsyms_start[], __kallsyms_end[];

#define KSYM_HDR 8
#define KSYM_ENTRY 16

static uint64_t rd64(const char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t rd32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

const char *kallsyms_lookup(uintptr_t pc, uintptr_t *offset)
{
	const char *base = __kallsyms_start;
	size_t size = (size_t)(__kallsyms_end - __kallsyms_start);
	const char *entries, *names;
	size_t count, names_len, lo, hi;
	uint32_t name_off;

	if (size < KSYM_HDR)
		return NULL;
	count = rd32(base);
	if (count == 0 || count > (size - KSYM_HDR) / KSYM_ENTRY)
		return NULL;
	entries = base + KSYM_HDR;
	names = entries + count * KSYM_ENTRY;
	names_len = (size_t)(__kallsyms_end - names);
	if (pc < rd64(entries))
		return NULL;
	/* Last entry with addr <= pc. */
	lo = 0;
	hi = count;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (rd64(entries + mid * KSYM_ENTRY) <= pc)
			lo = mid;
		else
			hi = mid;
	}
	name_off = rd32(entries + lo * KSYM_ENTRY + 8);
	if (name_off >= names_len ||
	    strnlen(names + name_off, names_len - name_off) == names_len - name_off)
		return NULL;
	if (offset)
		*offset = pc - (uintptr_t)rd64(entries + lo * KSYM_ENTRY);
	return names + name_off;
}
