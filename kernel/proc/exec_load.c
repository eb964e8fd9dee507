/* Loading an ELF64 executable, and its program interpreter, into a fresh
 * address space. [elf(5)], [ld.so(8)], Linux fs/binfmt_elf.c
 * load_elf_binary(). The files are checked by kernel/proc/elf.c first;
 * here they are mapped into a new mm laid out as <kernel/mm.h> describes:
 *   - every PT_LOAD private at p_vaddr plus the image's load bias,
 *     file-backed for p_filesz bytes and zero after that (the bss tail in
 *     the last file page and the anonymous pages beyond);
 *   - the program: ET_EXEC at its own addresses; a PIE (ET_DYN with a
 *     PT_INTERP) at ELF_ET_DYN_BASE plus a random bias; an ET_DYN without
 *     PT_INTERP (static-pie, or ld.so run as a command) in the mmap area,
 *     as Linux 6.1 places "loaders" so that the program a loader maps
 *     cannot collide with it;
 *   - the interpreter named by PT_INTERP (glibc's ld-linux-*.so, musl's
 *     ld-musl-*.so.1) in the mmap area, where its entry point becomes the
 *     process's first instruction (AT_BASE is its load address);
 *   - brk starts at the first page after the program (plus a random
 *     offset), or at ELF_ET_DYN_BASE for a program run without a loader
 *     from the mmap area;
 *   - the stack is HAL_USER_STACK_SIZE bytes (grows down) ending at
 *     mm->stack_top.
 * Errors as Linux's: the program's problems are -ENOEXEC/-EIO; a missing
 * interpreter -ENOENT (from the lookup), one that is not an ELF file for
 * this machine or has bad program headers -ELIBBAD, with a console line
 * naming the program and the interpreter. */
#include <hal/arch/abi.h>
#include <kernel/elf.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/mm.h>
#include <kernel/printk.h>
#include <kernel/vfs.h>

#include "exec.h"

/* Where PIE programs are placed (Linux ELF_ET_DYN_BASE, 2/3 of a 47-bit
 * TASK_SIZE), before the random bias. */
#define ELF_ET_DYN_BASE 0x555555554000UL

/* One checked ELF file, its program header table, and where it went. */
struct elf_file {
	struct file *file;
	struct elf_image img;
	void *ph;	/* elf_phdrs_size(&img) bytes */
	uintptr_t bias; /* added to every p_vaddr */
	uintptr_t end;	/* highest byte mapped + 1 (biased) */
};

/* Read exactly len bytes at off: the count read (short at end of file) or
 * -errno. */
static ssize_t read_full(struct file *f, void *buf, size_t len, off_t off)
{
	size_t done = 0;
	while (done < len) {
		off_t pos = off + (off_t)done;
		ssize_t n = vfs_read(f, (char *)buf + done, len - done, &pos);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* Check the ELF header in hdr (hdr_len bytes from the start of e->file)
 * and read and check its program header table. 0, -ENOEXEC, -EIO,
 * -ENOMEM; e->ph is set (kfree it) whenever it was allocated. */
static int elf_file_read(struct elf_file *e, const void *hdr, size_t hdr_len)
{
	size_t size;
	ssize_t n;
	int r;

	e->ph = NULL;
	r = elf_parse_ehdr(hdr, hdr_len, HAL_ELF_MACHINE, &e->img);
	if (r)
		return r;
	size = elf_phdrs_size(&e->img);
	e->ph = kmalloc(size);
	if (!e->ph)
		return -ENOMEM;
	n = read_full(e->file, e->ph, size, (off_t)e->img.phoff);
	if (n < 0)
		return (int)n;
	return elf_parse_phdrs(&e->img, e->ph, (size_t)n, e->file->inode->size);
}

static unsigned seg_prot(uint32_t flags)
{
	return ((flags & PF_R) ? PROT_READ : 0) | ((flags & PF_W) ? PROT_WRITE : 0) |
	       ((flags & PF_X) ? PROT_EXEC : 0);
}

/* Map one segment (vaddr already biased). Returns 0 or -errno. */
static int map_segment(struct mm *mm, struct file *f, const struct elf_segment *s, uintptr_t bias)
{
	uintptr_t vaddr = s->vaddr + bias;
	uintptr_t start = PAGE_ALIGN_DOWN(vaddr);
	uintptr_t pgoff = vaddr - start;
	uintptr_t end = PAGE_ALIGN_UP(vaddr + s->memsz);
	long r;

	if (s->filesz)
		r = mm_map(mm, start, end - start, seg_prot(s->flags), MAP_PRIVATE | MAP_FIXED, f,
			   (off_t)(s->offset - pgoff), pgoff + s->filesz);
	else
		r = mm_map(mm, start, end - start, seg_prot(s->flags),
			   MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, NULL, 0, 0);
	return r < 0 ? (int)r : 0;
}

/* Choose e->bias: ET_EXEC 0; at_dyn_base: ELF_ET_DYN_BASE plus a random
 * 0..2^HAL_MMAP_RND_BITS pages, rounded down to the image's alignment;
 * otherwise a free range of the mmap area. The image must fit below
 * mm->mmap_base without covering anything mapped: -ENOMEM if not. */
static int choose_bias(struct mm *mm, struct elf_file *e, bool at_dyn_base, bool randomize)
{
	const struct elf_image *img = &e->img;
	uintptr_t span = img->hi - img->lo, start;

	if (img->type == ET_EXEC)
		start = img->lo;
	else if (at_dyn_base)
		start = (ELF_ET_DYN_BASE + (randomize ? mm_random_pages(HAL_MMAP_RND_BITS) : 0)) &
			~(uintptr_t)(img->max_align - 1);
	else if (!(start = mm_find_free(mm, span, img->max_align)))
		return -ENOMEM;
	if (start < USER_BASE || start > mm->mmap_base || span > mm->mmap_base - start ||
	    !mm_range_free(mm, start, span))
		return -ENOMEM;
	e->bias = start - img->lo;
	return 0;
}

/* Map every PT_LOAD of e at e->bias; sets e->end. */
static int map_image(struct mm *mm, struct elf_file *e)
{
	struct elf_segment seg;
	int r;

	e->end = 0;
	for (unsigned i = 0; i < e->img.phnum; i++) {
		if (!elf_load_segment(&e->img, e->ph, i, &seg))
			continue;
		r = map_segment(mm, e->file, &seg, e->bias);
		if (r)
			return r;
		e->end = MAX(e->end, seg.vaddr + e->bias + seg.memsz);
	}
	return 0;
}

/* Open and check the program interpreter named by prog's PT_INTERP.
 * On success *interp holds it (file and ph to release by the caller). */
static int open_interp(const char *path, struct elf_file *prog, struct elf_file *interp)
{
	size_t len = prog->img.interp_len;
	char *name = kmalloc(len);
	char *hdr = kmalloc(EXEC_HDR_SIZE);
	off_t pos = 0;
	ssize_t n;
	int r = -ENOMEM;

	interp->file = NULL;
	interp->ph = NULL;
	if (!name || !hdr)
		goto out;
	n = read_full(prog->file, name, len, (off_t)prog->img.interp_offset);
	r = n < 0 ? (int)n : (size_t)n < len ? -EIO : 0;
	if (r)
		goto out;
	/* Linux: the name must end with its NUL inside the segment. */
	if (name[len - 1] != '\0') {
		pr_err("execve: %s: PT_INTERP is not NUL-terminated\n", path);
		r = -ENOEXEC;
		goto out;
	}
	interp->file = exec_open(name, &r);
	if (!interp->file) {
		pr_err("execve: %s: cannot open ELF interpreter %s (error %d)\n", path, name, -r);
		goto out;
	}
	n = vfs_read(interp->file, hdr, EXEC_HDR_SIZE, &pos);
	if (n < ELF_EHDR_SIZE) {
		r = n < 0 ? (int)n : -EIO; /* Linux: a short read of the ELF header */
		goto out;
	}
	r = elf_file_read(interp, hdr, (size_t)n);
	/* Linux: any fault in the interpreter's headers, a truncated
	 * program header table included, is -ELIBBAD. */
	if (r == -ENOEXEC || r == -EIO) {
		pr_err("execve: %s: ELF interpreter %s is not a valid %s executable\n", path, name,
		       HAL_ELF_PLATFORM);
		r = -ELIBBAD;
	}
out:
	kfree(name);
	kfree(hdr);
	return r;
}

int exec_load_elf(struct file *f, const void *hdr, size_t hdr_len, const char *path, bool randomize,
		  uint64_t stack_rlimit, struct exec_image *im)
{
	struct elf_file prog = { .file = f }, interp = { 0 };
	bool has_interp;
	uintptr_t stack_bottom;
	struct mm *mm = NULL;
	long lr;
	int r;

	r = elf_file_read(&prog, hdr, hdr_len);
	if (r)
		goto out;
	has_interp = prog.img.has_interp;
	if (has_interp) {
		r = open_interp(path, &prog, &interp);
		if (r)
			goto out;
	}

	r = -ENOMEM;
	mm = mm_create(randomize, stack_rlimit);
	if (!mm)
		goto out;
	r = choose_bias(mm, &prog, has_interp, randomize);
	if (!r)
		r = map_image(mm, &prog);
	if (!r && has_interp) {
		r = choose_bias(mm, &interp, false, randomize);
		if (!r)
			r = map_image(mm, &interp);
	}
	if (r)
		goto out;

	if (prog.img.type == ET_DYN && !has_interp)
		mm->brk_start = ELF_ET_DYN_BASE; /* Linux 6.1: a loader's heap */
	else
		mm->brk_start = PAGE_ALIGN_UP(prog.end);
	if (randomize)
		mm->brk_start += mm_random_pages(HAL_BRK_RND_BITS);
	mm->brk = mm->brk_start;

	stack_bottom = mm->stack_top - HAL_USER_STACK_SIZE;
	lr = mm_map(mm, stack_bottom, HAL_USER_STACK_SIZE,
		    PROT_READ | PROT_WRITE | (prog.img.exec_stack ? PROT_EXEC : 0),
		    MAP_PRIVATE | MAP_FIXED_NOREPLACE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_STACK,
		    NULL, 0, 0);
	if (lr < 0) {
		r = (int)lr;
		goto out;
	}

	im->mm = mm;
	im->prog_entry = prog.img.entry + prog.bias;
	im->entry = has_interp ? interp.img.entry + interp.bias : im->prog_entry;
	im->interp_base = has_interp ? interp.bias : 0;
	im->phdr = prog.img.phdr_vaddr ? prog.img.phdr_vaddr + prog.bias :
					 prog.img.lo + prog.bias + prog.img.phoff;
	im->phnum = prog.img.phnum;
	im->stack_top = mm->stack_top;
	im->randomize = randomize;
	r = 0;
out:
	if (r && mm)
		mm_put(mm);
	/* Linux denies writing the interpreter only while loading it; its
	 * mappings keep the file, so lift the denial explicitly. */
	allow_write_access(interp.file);
	if (interp.file)
		fput(interp.file);
	kfree(interp.ph);
	kfree(prog.ph);
	return r;
}
