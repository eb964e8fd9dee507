/* ELF64 header and program header checks for execve. Contract and error
 * convention in <kernel/elf.h>. Every field is read byte by byte as
 * little endian, so the input needs no alignment and the code behaves the
 * same on any host (the host test runs it under ASan/UBSan).
 * [gABI "ELF Header", "Program Header"], Linux fs/binfmt_elf.c. */
#include <hal/types.h>
#include <kernel/elf.h>
#include <kernel/errno.h>

#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1

/* Largest load alignment honoured when placing an ET_DYN image. */
#define ELF_MAX_ALIGN (1ULL << 30)

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32);
}

int elf_parse_ehdr(const void *buf, size_t len, uint16_t machine, struct elf_image *img)
{
	const uint8_t *e = buf;
	uint16_t type, phentsize, phnum;
	uint64_t phoff;

	if (!buf || len < ELF_EHDR_SIZE)
		return -ENOEXEC;
	if (e[0] != 0x7f || e[1] != 'E' || e[2] != 'L' || e[3] != 'F')
		return -ENOEXEC;
	if (e[EI_CLASS] != ELFCLASS64 || e[EI_DATA] != ELFDATA2LSB || e[EI_VERSION] != EV_CURRENT)
		return -ENOEXEC;
	type = rd16(e + 16);
	if (type != ET_EXEC && type != ET_DYN)
		return -ENOEXEC;
	if (rd16(e + 18) != machine)
		return -ENOEXEC;
	phoff = rd64(e + 32);
	phentsize = rd16(e + 54);
	phnum = rd16(e + 56);
	if (phentsize != ELF_PHDR_SIZE)
		return -ENOEXEC;
	if (phnum == 0 || (size_t)phnum * ELF_PHDR_SIZE > ELF_PHDRS_MAX_BYTES)
		return -ENOEXEC;
	if (phoff > UINT64_MAX - (uint64_t)phnum * ELF_PHDR_SIZE)
		return -ENOEXEC;

	*img = (struct elf_image){ 0 };
	img->type = type;
	img->phnum = phnum;
	img->entry = rd64(e + 24);
	img->phoff = phoff;
	return 0;
}

size_t elf_phdrs_size(const struct elf_image *img)
{
	return (size_t)img->phnum * ELF_PHDR_SIZE;
}

struct raw_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz, align;
};

static void read_phdr(const uint8_t *p, struct raw_phdr *r)
{
	r->type = rd32(p);
	r->flags = rd32(p + 4);
	r->offset = rd64(p + 8);
	r->vaddr = rd64(p + 16);
	/* p_paddr at +24 is unused */
	r->filesz = rd64(p + 32);
	r->memsz = rd64(p + 40);
	r->align = rd64(p + 48);
}

/* Check one PT_LOAD; widen the image span. */
static int check_load(struct elf_image *img, const struct raw_phdr *r, uint64_t file_size)
{
	uint64_t start, end;

	if (r->filesz > r->memsz)
		return -ENOEXEC;
	if (r->offset > UINT64_MAX - r->filesz || r->vaddr > UINT64_MAX - r->memsz)
		return -ENOEXEC;
	/* mmap needs file offset and address at the same page offset. */
	if ((r->offset ^ r->vaddr) & (PAGE_SIZE - 1))
		return -ENOEXEC;
	if (r->memsz == 0)
		return 0;
	if (r->offset + r->filesz > file_size)
		return -EIO;
	end = r->vaddr + r->memsz;
	if (end > UINT64_MAX - PAGE_SIZE)
		return -ENOEXEC;
	start = PAGE_ALIGN_DOWN(r->vaddr);
	end = PAGE_ALIGN_UP(end);
	if (img->type == ET_EXEC && (start < USER_BASE || end > USER_TOP))
		return -ENOEXEC;
	if (start < img->lo)
		img->lo = start;
	if (end > img->hi)
		img->hi = end;
	if (r->align > img->max_align && r->align <= ELF_MAX_ALIGN && !(r->align & (r->align - 1)))
		img->max_align = r->align;
	img->nr_load++;
	return 0;
}

/* The first PT_INTERP names the program interpreter (the dynamic
 * loader): Linux load_elf_binary() takes 2..PATH_MAX bytes. */
static int check_interp(struct elf_image *img, const struct raw_phdr *r, uint64_t file_size)
{
	if (img->has_interp)
		return 0;
	if (r->filesz < 2 || r->filesz > ELF_INTERP_MAX)
		return -ENOEXEC;
	if (r->offset > file_size || r->filesz > file_size - r->offset)
		return -EIO;
	img->has_interp = true;
	img->interp_offset = r->offset;
	img->interp_len = r->filesz;
	return 0;
}

int elf_parse_phdrs(struct elf_image *img, const void *ph, size_t ph_len, uint64_t file_size)
{
	const uint8_t *base = ph;
	size_t size = elf_phdrs_size(img);
	bool have_phdr = false;
	struct raw_phdr r;
	int err;

	if (!ph || ph_len < size)
		return -EIO;
	img->lo = UINT64_MAX;
	img->hi = 0;
	img->max_align = PAGE_SIZE;
	img->nr_load = 0;
	img->phdr_vaddr = 0;
	img->exec_stack = false;
	img->has_interp = false;
	img->interp_offset = img->interp_len = 0;

	for (unsigned i = 0; i < img->phnum; i++) {
		read_phdr(base + (size_t)i * ELF_PHDR_SIZE, &r);
		switch (r.type) {
		case PT_INTERP:
			err = check_interp(img, &r, file_size);
			if (err)
				return err;
			break;
		case PT_PHDR:
			img->phdr_vaddr = r.vaddr;
			have_phdr = true;
			break;
		case PT_GNU_STACK: img->exec_stack = (r.flags & PF_X) != 0; break;
		case PT_LOAD:
			err = check_load(img, &r, file_size);
			if (err)
				return err;
			break;
		default: break;
		}
	}
	if (img->nr_load == 0)
		return -ENOEXEC;
	if (img->hi - img->lo > USER_TOP - USER_BASE)
		return -ENOEXEC;

	/* No PT_PHDR (static binaries): the table is mapped if a PT_LOAD's
	 * file part contains it. */
	if (!have_phdr) {
		for (unsigned i = 0; i < img->phnum; i++) {
			read_phdr(base + (size_t)i * ELF_PHDR_SIZE, &r);
			if (r.type == PT_LOAD && r.offset <= img->phoff &&
			    img->phoff + size <= r.offset + r.filesz) {
				img->phdr_vaddr = r.vaddr + (img->phoff - r.offset);
				break;
			}
		}
	}
	return 0;
}

int elf_parse(const void *file, size_t len, uint16_t machine, struct elf_image *img)
{
	size_t size;
	int err = elf_parse_ehdr(file, len, machine, img);
	if (err)
		return err;
	size = elf_phdrs_size(img);
	if (img->phoff > len || size > len - img->phoff)
		return -EIO;
	return elf_parse_phdrs(img, (const uint8_t *)file + img->phoff, size, len);
}

bool elf_load_segment(const struct elf_image *img, const void *ph, unsigned i,
		      struct elf_segment *seg)
{
	struct raw_phdr r;
	if (i >= img->phnum)
		return false;
	read_phdr((const uint8_t *)ph + (size_t)i * ELF_PHDR_SIZE, &r);
	if (r.type != PT_LOAD || r.memsz == 0)
		return false;
	seg->vaddr = r.vaddr;
	seg->memsz = r.memsz;
	seg->offset = r.offset;
	seg->filesz = r.filesz;
	seg->flags = r.flags;
	return true;
}
