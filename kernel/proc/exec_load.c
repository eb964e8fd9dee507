/* Loading a static ELF64 executable into a fresh address space.
 * [elf(5)], Linux fs/binfmt_elf.c load_elf_binary(). The file is checked
 * by kernel/proc/elf.c first; here it is mapped:
 *   - every PT_LOAD private at p_vaddr (+ bias for ET_DYN, static-pie),
 *     file-backed for p_filesz bytes and zero after that (the bss tail in
 *     the last file page and the anonymous pages beyond);
 *   - brk starts at the first page after the highest segment;
 *   - the stack is HAL_USER_STACK_SIZE bytes (grows down) ending at
 *     mm->stack_top (USER_TOP, from mm_create), above the signal
 *     trampoline page and the mmap area (MM_MMAP_BASE, kernel/mm). */
#include <hal/arch/abi.h>
#include <kernel/elf.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/mm.h>
#include <kernel/vfs.h>

#include "exec.h"

/* Where ET_DYN executables are placed (Linux ELF_ET_DYN_BASE, 2/3 of a
 * 47-bit TASK_SIZE). */
#define ELF_ET_DYN_BASE 0x555555554000UL
/* Program images must end below the mmap area. */
#define IMAGE_LIMIT MM_MMAP_BASE

_Static_assert(ELF_ET_DYN_BASE < IMAGE_LIMIT, "ET_DYN base below the mmap area");
_Static_assert(SIGTRAMP_ADDR + PAGE_SIZE <= USER_TOP - HAL_USER_STACK_SIZE,
	       "the stack must not cover the signal trampoline page");
_Static_assert(SIGTRAMP_ADDR + PAGE_SIZE < VDSO_ADDR - PAGE_SIZE &&
		       VDSO_ADDR + 0x10000 <= USER_TOP - HAL_USER_STACK_SIZE,
	       "the vDSO lies between the trampoline and the lowest stack page");

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

/* Load bias: 0 for ET_EXEC; for ET_DYN the image's lowest page goes to
 * ELF_ET_DYN_BASE rounded down to its largest p_align. */
static int load_bias(const struct elf_image *img, uintptr_t limit, uintptr_t *bias)
{
	if (img->type == ET_EXEC) {
		*bias = 0;
		if (img->hi > limit)
			return -ENOMEM;
		return 0;
	}
	if (img->lo > ELF_ET_DYN_BASE)
		return -ENOEXEC;
	*bias = (ELF_ET_DYN_BASE - img->lo) & ~(uintptr_t)(img->max_align - 1);
	if (*bias + img->lo < USER_BASE || img->hi - img->lo > limit - (*bias + img->lo))
		return -ENOMEM;
	return 0;
}

int exec_load_elf(struct file *f, const void *hdr, size_t hdr_len, uint64_t file_size,
		  struct exec_image *im)
{
	uintptr_t stack_top, stack_bottom;
	struct elf_image img;
	struct elf_segment seg;
	struct mm *mm = NULL;
	uintptr_t bias, max_end = 0;
	void *ph = NULL;
	size_t size;
	ssize_t n;
	long lr;
	int r;

	r = elf_parse_ehdr(hdr, hdr_len, HAL_ELF_MACHINE, &img);
	if (r)
		return r;
	size = elf_phdrs_size(&img);
	ph = kmalloc(size);
	if (!ph)
		return -ENOMEM;
	n = read_full(f, ph, size, (off_t)img.phoff);
	if (n < 0) {
		r = (int)n;
		goto out;
	}
	r = elf_parse_phdrs(&img, ph, (size_t)n, file_size);
	if (r)
		goto out;
	r = load_bias(&img, IMAGE_LIMIT, &bias);
	if (r)
		goto out;

	r = -ENOMEM;
	mm = mm_create();
	if (!mm)
		goto out;
	for (unsigned i = 0; i < img.phnum; i++) {
		if (!elf_load_segment(&img, ph, i, &seg))
			continue;
		r = map_segment(mm, f, &seg, bias);
		if (r)
			goto out;
		if (seg.vaddr + bias + seg.memsz > max_end)
			max_end = seg.vaddr + bias + seg.memsz;
	}

	mm->brk_start = mm->brk = PAGE_ALIGN_UP(max_end);
	stack_top = mm->stack_top;
	stack_bottom = stack_top - HAL_USER_STACK_SIZE;
	lr = mm_map(mm, stack_bottom, HAL_USER_STACK_SIZE,
		    PROT_READ | PROT_WRITE | (img.exec_stack ? PROT_EXEC : 0),
		    MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_STACK, NULL, 0, 0);
	if (lr < 0) {
		r = (int)lr;
		goto out;
	}

	im->mm = mm;
	im->entry = img.entry + bias;
	im->phdr = img.phdr_vaddr ? img.phdr_vaddr + bias : img.lo + bias + img.phoff;
	im->phnum = img.phnum;
	im->stack_top = stack_top;
	r = 0;
out:
	if (r && mm)
		mm_put(mm);
	kfree(ph);
	return r;
}
