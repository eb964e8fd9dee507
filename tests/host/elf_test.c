/* Host unit test of the ELF64 executable checks (kernel/proc/elf.c).
 * A minimal valid executable is built in memory; every truncation of it and
 * a set of targeted corruptions must give the documented -errno, and
 * random byte flips must never crash. Each input lives in its own
 * exactly-sized heap block, so under -fsanitize=address any read past the
 * end is caught. The real Debian BusyBox binaries are checked too when
 * found.
 *
 *   cc -DKEVLAR_HOST_TEST -I. -Ikernel/include -Ihal/include -Ihal/x64/include \
 *      -fsanitize=address,undefined kernel/proc/elf.c tests/host/elf_test.c \
 *      -o elf_test && ./elf_test [busybox-x86_64 [busybox-aarch64]]
 *
 * Exit status 0 only if every check passed.
 */
#include <kernel/elf.h>
#include <kernel/errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EM_X86_64 62
#define EM_AARCH64 183

#include "tests/host/check.h"

/* ---- building test images ------------------------------------------------ */

#define BASE 0x400000ULL
#define CODE_LEN 8
#define IMG_LEN (ELF_EHDR_SIZE + ELF_PHDR_SIZE + CODE_LEN) /* 128 */

static void w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void w32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void w64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_phdr(uint8_t *p, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
		     uint64_t filesz, uint64_t memsz, uint64_t align)
{
	w32(p, type);
	w32(p + 4, flags);
	w64(p + 8, off);
	w64(p + 16, vaddr);
	w64(p + 24, vaddr);
	w64(p + 32, filesz);
	w64(p + 40, memsz);
	w64(p + 48, align);
}

/* ehdr + one PT_LOAD (whole file at BASE, bss to BASE+0x2000) + code. */
static void build_min(uint8_t *b, uint16_t machine)
{
	memset(b, 0, IMG_LEN);
	b[0] = 0x7f;
	b[1] = 'E';
	b[2] = 'L';
	b[3] = 'F';
	b[4] = 2; /* ELFCLASS64 */
	b[5] = 1; /* ELFDATA2LSB */
	b[6] = 1; /* EV_CURRENT */
	w16(b + 16, ET_EXEC);
	w16(b + 18, machine);
	w32(b + 20, 1);
	w64(b + 24, BASE + ELF_EHDR_SIZE + ELF_PHDR_SIZE); /* entry: the code */
	w64(b + 32, ELF_EHDR_SIZE);                        /* phoff */
	w16(b + 52, ELF_EHDR_SIZE);
	w16(b + 54, ELF_PHDR_SIZE);
	w16(b + 56, 1);
	put_phdr(b + 64, PT_LOAD, PF_R | PF_X, 0, BASE, IMG_LEN, 0x2000, 0x1000);
	memset(b + 120, 0x90, CODE_LEN);
}

/* elf_parse on an exactly-sized heap copy of src[0..len). */
static int parse_copy(const uint8_t *src, size_t len, uint16_t machine, struct elf_image *img)
{
	uint8_t *p = malloc(len ? len : 1);
	int r;
	memcpy(p, src, len);
	r = elf_parse(len ? p : NULL, len, machine, img);
	if (!len) /* also the zero-length non-NULL case */
		r = r == elf_parse(p, 0, machine, img) ? r : 999;
	free(p);
	return r;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_valid(void)
{
	uint8_t b[IMG_LEN];
	struct elf_image img;
	struct elf_segment seg;
	int r;

	build_min(b, EM_X86_64);
	r = parse_copy(b, sizeof b, EM_X86_64, &img);
	CHECK(r == 0, "valid image: %d", r);
	CHECK(img.type == ET_EXEC, "type %u", img.type);
	CHECK(img.entry == BASE + 120, "entry %#llx", (unsigned long long)img.entry);
	CHECK(img.phnum == 1 && img.phoff == 64, "phnum %u phoff %llu", img.phnum,
	      (unsigned long long)img.phoff);
	CHECK(img.phdr_vaddr == BASE + 64, "phdr_vaddr %#llx", (unsigned long long)img.phdr_vaddr);
	CHECK(img.lo == BASE && img.hi == BASE + 0x2000, "span %#llx-%#llx",
	      (unsigned long long)img.lo, (unsigned long long)img.hi);
	CHECK(img.nr_load == 1 && img.max_align == 0x1000, "nr_load %u align %#llx", img.nr_load,
	      (unsigned long long)img.max_align);
	CHECK(!img.exec_stack, "exec_stack");
	CHECK(elf_load_segment(&img, b + 64, 0, &seg), "segment 0");
	CHECK(seg.vaddr == BASE && seg.memsz == 0x2000 && seg.offset == 0 && seg.filesz == IMG_LEN &&
		      seg.flags == (PF_R | PF_X),
	      "segment fields");
	CHECK(!elf_load_segment(&img, b + 64, 1, &seg), "segment 1 does not exist");

	/* The same image for the other machine. */
	r = parse_copy(b, sizeof b, EM_AARCH64, &img);
	CHECK(r == -ENOEXEC, "x86_64 image on arm64: %d", r);
	build_min(b, EM_AARCH64);
	CHECK(parse_copy(b, sizeof b, EM_AARCH64, &img) == 0, "arm64 image on arm64");
	CHECK(parse_copy(b, sizeof b, EM_X86_64, &img) == -ENOEXEC, "arm64 image on x86_64");

	/* Two-step API with the file size given separately. */
	build_min(b, EM_X86_64);
	r = elf_parse_ehdr(b, sizeof b, EM_X86_64, &img);
	CHECK(r == 0 && elf_phdrs_size(&img) == 56, "ehdr step %d", r);
	r = elf_parse_phdrs(&img, b + 64, 56, IMG_LEN);
	CHECK(r == 0, "phdrs step %d", r);
	r = elf_parse_phdrs(&img, b + 64, 55, IMG_LEN);
	CHECK(r == -EIO, "short phdr read %d", r);
	r = elf_parse_phdrs(&img, b + 64, 56, IMG_LEN - 1);
	CHECK(r == -EIO, "segment past the file size %d", r);
}

/* Every prefix of the valid image: no ELF header -> ENOEXEC, cut program
 * headers or segment -> EIO; longer files (zero padded) are fine. */
static void test_truncation(void)
{
	uint8_t b[200];
	struct elf_image img;

	memset(b, 0, sizeof b);
	build_min(b, EM_X86_64);
	for (size_t len = 0; len <= sizeof b; len++) {
		int want = len < ELF_EHDR_SIZE ? -ENOEXEC : len < IMG_LEN ? -EIO : 0;
		int r = parse_copy(b, len, EM_X86_64, &img);
		CHECK(r == want, "truncated to %zu: got %d want %d", len, r, want);
	}
}

/* A corruption: apply fn to a fresh valid image, expect want. */
static void corrupt(const char *what, void (*fn)(uint8_t *b), int want)
{
	uint8_t b[IMG_LEN];
	struct elf_image img;
	int r;
	build_min(b, EM_X86_64);
	fn(b);
	r = parse_copy(b, sizeof b, EM_X86_64, &img);
	CHECK(r == want, "%s: got %d want %d", what, r, want);
}

static void c_magic0(uint8_t *b) { b[0] = 0x7e; }
static void c_magic3(uint8_t *b) { b[3] = 'f'; }
static void c_class32(uint8_t *b) { b[4] = 1; }
static void c_bigendian(uint8_t *b) { b[5] = 2; }
static void c_version(uint8_t *b) { b[6] = 0; }
static void c_machine(uint8_t *b) { w16(b + 18, 3); /* EM_386 */ }
static void c_rel(uint8_t *b) { w16(b + 16, 1); /* ET_REL */ }
static void c_core(uint8_t *b) { w16(b + 16, 4); /* ET_CORE */ }
static void c_phentsize(uint8_t *b) { w16(b + 54, 32); }
static void c_phnum0(uint8_t *b) { w16(b + 56, 0); }
static void c_phnum_huge(uint8_t *b) { w16(b + 56, 0xffff); }
static void c_phnum_max_short(uint8_t *b) { w16(b + 56, 73); /* 4088 bytes: fits the limit, not the file */ }
static void c_phnum_over(uint8_t *b) { w16(b + 56, 74); /* 4144 bytes > 4096 */ }
static void c_phoff_past(uint8_t *b) { w64(b + 32, 1000); }
static void c_phoff_end(uint8_t *b) { w64(b + 32, IMG_LEN - 55); }
static void c_phoff_wrap(uint8_t *b) { w64(b + 32, UINT64_MAX - 8); }
static void c_filesz_gt_memsz(uint8_t *b) { w64(b + 64 + 40, 16); }
static void c_off_overflow(uint8_t *b)
{
	w64(b + 64 + 8, UINT64_MAX - 63);  /* + p_filesz 128 wraps */
	w64(b + 64 + 16, BASE + 0xfc0);    /* same page offset (0xfc0) */
}
static void c_filesz_past(uint8_t *b) { w64(b + 64 + 32, IMG_LEN + 1); }
static void c_misaligned(uint8_t *b) { w64(b + 64 + 16, BASE + 8); }
static void c_low_vaddr(uint8_t *b) { w64(b + 64 + 16, 0); }
static void c_high_vaddr(uint8_t *b) { w64(b + 64 + 16, 0x800000000000ULL); }
static void c_vaddr_wrap(uint8_t *b)
{
	w64(b + 64 + 16, UINT64_MAX & ~0xfffULL);
	w64(b + 64 + 40, 0x2000);
}
static void c_interp(uint8_t *b) { w32(b + 64, PT_INTERP); }
static void c_no_load(uint8_t *b) { w32(b + 64, 4 /* PT_NOTE */); }
static void c_memsz0(uint8_t *b)
{
	w64(b + 64 + 32, 0);
	w64(b + 64 + 40, 0);
}
static void c_dyn(uint8_t *b)
{
	w16(b + 16, ET_DYN);
	w64(b + 64 + 16, 0); /* static-pie linked at 0 */
	w64(b + 24, 120);
}
static void c_gnu_stack_x(uint8_t *b) { (void)b; }

static void test_corruptions(void)
{
	corrupt("bad magic byte 0", c_magic0, -ENOEXEC);
	corrupt("bad magic byte 3", c_magic3, -ENOEXEC);
	corrupt("ELFCLASS32", c_class32, -ENOEXEC);
	corrupt("big endian", c_bigendian, -ENOEXEC);
	corrupt("EI_VERSION 0", c_version, -ENOEXEC);
	corrupt("wrong machine", c_machine, -ENOEXEC);
	corrupt("ET_REL", c_rel, -ENOEXEC);
	corrupt("ET_CORE", c_core, -ENOEXEC);
	corrupt("e_phentsize 32", c_phentsize, -ENOEXEC);
	corrupt("e_phnum 0", c_phnum0, -ENOEXEC);
	corrupt("e_phnum 65535", c_phnum_huge, -ENOEXEC);
	corrupt("e_phnum 73, table past EOF", c_phnum_max_short, -EIO);
	corrupt("e_phnum 74 (> 4096 bytes)", c_phnum_over, -ENOEXEC);
	corrupt("e_phoff past EOF", c_phoff_past, -EIO);
	corrupt("table ends 1 byte past EOF", c_phoff_end, -EIO);
	corrupt("e_phoff + size wraps", c_phoff_wrap, -ENOEXEC);
	corrupt("p_filesz > p_memsz", c_filesz_gt_memsz, -ENOEXEC);
	corrupt("p_offset + p_filesz wraps", c_off_overflow, -ENOEXEC);
	corrupt("segment past EOF", c_filesz_past, -EIO);
	corrupt("offset/vaddr page offsets differ", c_misaligned, -ENOEXEC);
	corrupt("ET_EXEC below USER_BASE", c_low_vaddr, -ENOEXEC);
	corrupt("ET_EXEC above USER_TOP", c_high_vaddr, -ENOEXEC);
	corrupt("p_vaddr + p_memsz wraps", c_vaddr_wrap, -ENOEXEC);
	corrupt("the only PT_LOAD made a PT_INTERP", c_interp, -ENOEXEC);
	corrupt("no PT_LOAD", c_no_load, -ENOEXEC);
	corrupt("only an empty PT_LOAD", c_memsz0, -ENOEXEC);
	corrupt("ET_DYN (static-pie) at 0", c_dyn, 0);
	corrupt("unchanged", c_gnu_stack_x, 0);
}

/* Two program headers: PT_PHDR gives the table address; PT_GNU_STACK. */
static void test_phdr_and_stack(void)
{
	uint8_t b[64 + 3 * 56 + 8];
	struct elf_image img;
	int r;

	memset(b, 0, sizeof b);
	build_min(b, EM_X86_64);
	w16(b + 56, 3);
	put_phdr(b + 64, PT_PHDR, PF_R, 64, BASE + 64, 3 * 56, 3 * 56, 8);
	put_phdr(b + 120, PT_LOAD, PF_R | PF_X, 0, BASE, sizeof b, sizeof b, 0x200000);
	put_phdr(b + 176, PT_GNU_STACK, PF_R | PF_W | PF_X, 0, 0, 0, 0, 16);
	r = parse_copy(b, sizeof b, EM_X86_64, &img);
	CHECK(r == 0, "3 phdrs: %d", r);
	CHECK(img.phdr_vaddr == BASE + 64, "PT_PHDR vaddr %#llx", (unsigned long long)img.phdr_vaddr);
	CHECK(img.exec_stack, "PT_GNU_STACK PF_X");
	CHECK(img.max_align == 0x200000, "max_align %#llx", (unsigned long long)img.max_align);
	CHECK(img.nr_load == 1, "nr_load %u", img.nr_load);
}

/* PT_INTERP: the first one names the loader (2..ELF_INTERP_MAX bytes, inside
 * the file); the caller reads and checks the name. */
static int parse_interp(uint64_t off, uint64_t len, bool second, struct elf_image *img)
{
	uint8_t b[64 + 3 * 56 + 32];

	memset(b, 0, sizeof b);
	build_min(b, EM_X86_64);
	w16(b + 56, 3);
	put_phdr(b + 64, PT_INTERP, PF_R, off, BASE + off, len, len, 1);
	put_phdr(b + 120, PT_LOAD, PF_R | PF_X, 0, BASE, sizeof b, sizeof b, 0x1000);
	put_phdr(b + 176, second ? PT_INTERP : PT_GNU_STACK, PF_R, 8, BASE + 8, 4, 4, 1);
	memcpy(b + 64 + 3 * 56, "/lib/ld.so", 11);
	return parse_copy(b, sizeof b, EM_X86_64, img);
}

static void test_interp(void)
{
	struct elf_image img;
	int r;

	r = parse_interp(64 + 3 * 56, 11, false, &img);
	CHECK(r == 0 && img.has_interp && img.interp_offset == 64 + 3 * 56 && img.interp_len == 11,
	      "PT_INTERP accepted: %d %d %llu", r, img.has_interp, (unsigned long long)img.interp_len);
	r = parse_interp(64 + 3 * 56, 11, true, &img);
	CHECK(r == 0 && img.interp_offset == 64 + 3 * 56, "two PT_INTERP: the first counts (%d)", r);
	CHECK(parse_interp(64 + 3 * 56, 1, false, &img) == -ENOEXEC, "1-byte PT_INTERP");
	CHECK(parse_interp(0, ELF_INTERP_MAX + 1, false, &img) == -ENOEXEC, "PT_INTERP > PATH_MAX");
	CHECK(parse_interp(64 + 3 * 56, 64, false, &img) == -EIO, "PT_INTERP past EOF");
	CHECK(parse_interp(UINT64_MAX - 4, 11, false, &img) == -EIO, "PT_INTERP offset wraps");
	r = parse_interp(64 + 3 * 56, 11, false, &img);
	CHECK(r == 0, "reparse");
}

/* Random corruption (fixed seed): any result but a crash, an out-of-bounds
 * read or an undocumented errno. */
static void test_fuzz(void)
{
	uint8_t b[IMG_LEN];
	struct elf_image img;
	unsigned seed = 12345;
	for (int i = 0; i < 20000; i++) {
		int r;
		build_min(b, EM_X86_64);
		for (int k = 0; k < 1 + (i % 4); k++) {
			seed = seed * 1103515245 + 12345;
			b[(seed >> 8) % IMG_LEN] ^= (uint8_t)(1 + ((seed >> 20) % 255));
		}
		seed = seed * 1103515245 + 12345;
		r = parse_copy(b, ELF_EHDR_SIZE + (seed >> 8) % (IMG_LEN - ELF_EHDR_SIZE + 1), EM_X86_64,
			       &img);
		CHECK(r == 0 || r == -ENOEXEC || r == -EIO, "fuzz %d: %d", i, r);
		if (r == 0)
			CHECK(img.nr_load >= 1 && img.lo < img.hi, "fuzz %d: accepted a bad span", i);
	}
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	long n;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n);
	if (!p || fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return p;
}

/* A real static BusyBox: accepted for its own machine only, and the
 * program headers are where static glibc expects them (AT_PHDR). */
static void test_busybox(const char *const *paths, uint16_t machine, uint16_t other)
{
	struct elf_image img;
	struct elf_segment seg;
	size_t len = 0;
	uint8_t *p = NULL;
	const char *used = NULL;
	int r;

	for (; *paths && !p; paths++)
		if ((p = read_file(*paths, &len)))
			used = *paths;
	if (!p) {
		printf("SKIP busybox for machine %u: not found\n", machine);
		return;
	}
	r = elf_parse(p, len, machine, &img);
	CHECK(r == 0, "%s: %d", used, r);
	CHECK(img.type == ET_EXEC && img.nr_load >= 2, "%s: type %u nr_load %u", used, img.type,
	      img.nr_load);
	CHECK(img.phdr_vaddr == img.lo + img.phoff, "%s: phdr_vaddr %#llx", used,
	      (unsigned long long)img.phdr_vaddr);
	CHECK(img.entry >= img.lo && img.entry < img.hi, "%s: entry outside the image", used);
	for (unsigned i = 0, n = 0; i < img.phnum; i++)
		if (elf_load_segment(&img, p + img.phoff, i, &seg)) {
			n++;
			CHECK(seg.offset + seg.filesz <= len && seg.filesz <= seg.memsz,
			      "%s: segment %u", used, i);
			if (i + 1 == img.phnum)
				CHECK(n == img.nr_load, "%s: load count", used);
		}
	r = elf_parse(p, len, other, &img);
	CHECK(r == -ENOEXEC, "%s on the other machine: %d", used, r);
	free(p);
}

int main(int argc, char **argv)
{
	const char *x64[] = { argc > 1 ? argv[1] : ".deps/busybox/busybox-x86_64",
			      "tests/testdata/busybox-x86_64", "/bin/busybox", NULL };
	const char *a64[] = { argc > 2 ? argv[2] : ".deps/busybox/busybox-aarch64",
			      "tests/testdata/busybox-aarch64", NULL };

	test_valid();
	test_truncation();
	test_corruptions();
	test_phdr_and_stack();
	test_interp();
	test_fuzz();
	test_busybox(x64, EM_X86_64, EM_AARCH64);
	test_busybox(a64, EM_AARCH64, EM_X86_64);
	printf("elf_test: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
