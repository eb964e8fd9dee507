/* libFuzzer harness: the ELF64 executable checks execve runs
 * (kernel/proc/elf.c) on arbitrary bytes: the whole-file path (elf_parse)
 * and the two-step path execve uses (elf_parse_ehdr on the first bytes,
 * elf_parse_phdrs on the table read from phoff), for both machines, then
 * every PT_LOAD through elf_load_segment and the PT_INTERP path range.
 * Built and run by tools/fuzz-parsers.sh (docs/reliability.md).
 *
 * Every accepted image is checked against what elf.h promises (segments
 * and the interpreter path inside the file, filesz <= memsz, offset and
 * vaddr congruent modulo the page size), so a parser that lets a bad
 * file through is a finding as much as a crash is.
 */
#include <kernel/elf.h>
#include <kernel/errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_PAGE 4096u

static void check_image(const struct elf_image *img, const uint8_t *file, size_t len,
			const uint8_t *ph)
{
	if (img->has_interp) {
		if (img->interp_len < 2 || img->interp_offset > len ||
		    img->interp_len > len - img->interp_offset)
			abort();
		(void)file[img->interp_offset + img->interp_len - 1]; /* inside the block */
	}
	for (unsigned i = 0; i < img->phnum; i++) {
		struct elf_segment s;

		if (!elf_load_segment(img, ph, i, &s))
			continue;
		if (s.filesz > s.memsz || s.offset > len || s.filesz > len - s.offset)
			abort();
		if (s.offset % FUZZ_PAGE != s.vaddr % FUZZ_PAGE)
			abort();
		if (s.vaddr < img->lo || s.vaddr + s.memsz > img->hi)
			abort();
	}
}

static void run(const uint8_t *file, size_t len, uint16_t machine)
{
	struct elf_image img;
	int r;

	memset(&img, 0xa5, sizeof(img));
	r = elf_parse(len ? file : NULL, len, machine, &img);
	if (r == 0)
		check_image(&img, file, len, file + img.phoff);
	else if (r != -ENOEXEC && r != -EINVAL && r != -EIO && r != -ENOMEM && r != -ELIBBAD)
		abort();

	/* The execve path: header from the first bytes, then the table alone
	 * in its own exactly-sized block. */
	memset(&img, 0x5a, sizeof(img));
	if (elf_parse_ehdr(file, len, machine, &img) != 0)
		return;
	size_t want = elf_phdrs_size(&img);
	if (img.phoff > len || want > len - img.phoff)
		return; /* execve reads fewer bytes: elf_parse_phdrs gets -EIO input */
	uint8_t *ph = malloc(want ? want : 1);
	memcpy(ph, file + img.phoff, want);
	if (elf_parse_phdrs(&img, ph, want, len) == 0)
		check_image(&img, file, len, ph);
	free(ph);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);

	memcpy(copy, data, size);
	run(copy, size, 62 /* EM_X86_64 */);
	run(copy, size, 183 /* EM_AARCH64 */);
	free(copy);
	return 0;
}
