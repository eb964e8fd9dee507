/* ELF64 executable parsing for execve (kernel/proc/elf.c): pure checks of
 * untrusted bytes, no I/O, no allocation; also built for the host tests
 * (tests/host/elf_test.c) with -DKEVLAR_HOST_TEST.
 * [System V ABI gABI ch. 4-5 (ELF header, program header)], [elf(5)].
 *
 * Errors: -ENOEXEC for anything that is not a loadable ELF64 executable of
 * the expected machine (bad magic/class/byte order/version/type/machine,
 * malformed program headers, a PT_INTERP whose size is not 2..ELF_INTERP_MAX
 * bytes); -EIO when the file is shorter than its headers say (a truncated
 * program header table, segment or interpreter name), as Linux's short
 * reads. The interpreter's name itself (NUL-terminated, read by the
 * caller from interp_offset) is checked by the caller.
 */
#ifndef KERNEL_ELF_H
#define KERNEL_ELF_H
#include <hal/types.h>

#define ELF_EHDR_SIZE 64	 /* sizeof(Elf64_Ehdr) */
#define ELF_PHDR_SIZE 56	 /* sizeof(Elf64_Phdr) */
#define ELF_PHDRS_MAX_BYTES 4096 /* Linux: the table must fit in one page */
#define ELF_INTERP_MAX 4096	 /* longest PT_INTERP, NUL included (Linux: PATH_MAX) */

#define ET_EXEC 2
#define ET_DYN 3
#define PT_LOAD 1
#define PT_INTERP 3
#define PT_PHDR 6
#define PT_GNU_RELRO 0x6474e552
#define PT_GNU_STACK 0x6474e551
#define PF_X 0x1
#define PF_W 0x2
#define PF_R 0x4

/* What execve needs to know about a checked executable. Addresses are the
 * file's (unrelocated: add the load bias for ET_DYN). */
struct elf_image {
	uint16_t type; /* ET_EXEC or ET_DYN */
	uint16_t phnum;
	uint64_t entry;	     /* e_entry */
	uint64_t phoff;	     /* file offset of the program header table */
	uint64_t phdr_vaddr; /* where the table is in memory (PT_PHDR, or the PT_LOAD
			       * holding it), 0 if not mapped */
	uint64_t lo, hi;     /* [lo, hi): page-aligned span of every PT_LOAD */
	uint64_t max_align;  /* largest PT_LOAD p_align (power of two >= PAGE_SIZE) */
	unsigned nr_load;    /* PT_LOAD segments with p_memsz > 0 */
	bool exec_stack;     /* PT_GNU_STACK asks for an executable stack */
	bool has_interp;     /* a PT_INTERP (the first one counts, as in Linux) */
	uint64_t interp_offset, interp_len; /* its file range: the loader's path
					     * with its NUL, 2..ELF_INTERP_MAX bytes */
};

/* One loadable segment. offset % PAGE_SIZE == vaddr % PAGE_SIZE. */
struct elf_segment {
	uint64_t vaddr, memsz;
	uint64_t offset, filesz; /* filesz <= memsz; offset + filesz <= file size */
	uint32_t flags;		 /* PF_R | PF_W | PF_X */
};

/* Step 1: check the ELF header in buf, the first len bytes of the file
 * (len < 64 is -ENOEXEC), for e_machine == machine. Fills type, phnum,
 * entry, phoff. The program header table is then
 * elf_phdrs_size(img) bytes at img->phoff. */
int elf_parse_ehdr(const void *buf, size_t len, uint16_t machine, struct elf_image *img);
size_t elf_phdrs_size(const struct elf_image *img);

/* Step 2: check the program header table ph (ph_len bytes read from
 * img->phoff; fewer than elf_phdrs_size() is -EIO) against the file size
 * in bytes, and fill the rest of *img. */
int elf_parse_phdrs(struct elf_image *img, const void *ph, size_t ph_len, uint64_t file_size);

/* Both steps on a whole file held in memory (len bytes). */
int elf_parse(const void *file, size_t len, uint16_t machine, struct elf_image *img);

/* Program header i of a table accepted by elf_parse_phdrs(): true and *seg
 * if it is a PT_LOAD with p_memsz > 0, false otherwise. */
bool elf_load_segment(const struct elf_image *img, const void *ph, unsigned i,
		      struct elf_segment *seg);

#endif
