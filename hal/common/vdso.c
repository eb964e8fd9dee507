/* The kernel half of the vDSO (hal/include/hal/vdso.h): the frames the
 * core maps into every process, the symbol the signal code needs, and
 * the seqlock writer of the data page (layout: hal/common/vdso/vdso_data.h).
 *
 * The image is the shared object built from hal/<arch>/vdso/ and embedded
 * between __vdso_start and __vdso_end (build/vdso.bzl). It is copied into
 * frames of its own, so the partial last page holds zeros rather than
 * whatever kernel data follows the image.
 */
#include <hal/cpu.h>
#include <hal/frame.h>
#include <hal/mmu.h>
#include <hal/vdso.h>
#include <kernel/errno.h>
#include <string.h>

#include "hal/common/vdso/vdso_data.h"

#define VDSO_MAX_PAGES 4

extern const char __vdso_start[], __vdso_end[];

static paddr_t text_frames[VDSO_MAX_PAGES];
static unsigned text_pages;
static paddr_t data_frame;
static struct vdso_data *data; /* the data frame through the direct map */
static long sigreturn_off = -ENOENT;

/* ELF64 structures, only what the symbol lookup reads [System V gABI
 * "ELF Header", "Sections", "Symbol Table"]. */
struct elf64_shdr {
	uint32_t sh_name, sh_type;
	uint64_t sh_flags, sh_addr, sh_offset, sh_size;
	uint32_t sh_link, sh_info;
	uint64_t sh_addralign, sh_entsize;
};
struct elf64_sym {
	uint32_t st_name;
	uint8_t st_info, st_other;
	uint16_t st_shndx;
	uint64_t st_value, st_size;
};
#define SHT_DYNSYM 11

/* Image offset of dynamic symbol name (the image is linked at 0, so its
 * value is the offset), or -ENOENT. The image is our own build output;
 * the bounds checks only keep a broken build from reading past it. */
static long image_symbol(const char *img, size_t size, const char *name)
{
	uint64_t shoff;
	uint16_t shnum, shentsize;

	if (size < 64)
		return -ENOENT;
	memcpy(&shoff, img + 0x28, 8);
	memcpy(&shentsize, img + 0x3a, 2);
	memcpy(&shnum, img + 0x3c, 2);
	if (shentsize != sizeof(struct elf64_shdr) || shoff > size ||
	    (uint64_t)shnum * shentsize > size - shoff)
		return -ENOENT;
	for (unsigned i = 0; i < shnum; i++) {
		struct elf64_shdr sh, str;

		memcpy(&sh, img + shoff + i * sizeof(sh), sizeof(sh));
		if (sh.sh_type != SHT_DYNSYM || sh.sh_link >= shnum)
			continue;
		memcpy(&str, img + shoff + sh.sh_link * sizeof(str), sizeof(str));
		if (sh.sh_offset > size || sh.sh_size > size - sh.sh_offset ||
		    str.sh_offset > size || str.sh_size > size - str.sh_offset)
			return -ENOENT;
		for (uint64_t off = 0; off + sizeof(struct elf64_sym) <= sh.sh_size;
		     off += sizeof(struct elf64_sym)) {
			struct elf64_sym s;

			memcpy(&s, img + sh.sh_offset + off, sizeof(s));
			if (s.st_name < str.sh_size && s.st_value < size &&
			    strncmp(img + str.sh_offset + s.st_name, name,
				    str.sh_size - s.st_name) == 0)
				return (long)s.st_value;
		}
	}
	return -ENOENT;
}

int hal_vdso_init(void)
{
	size_t size = (size_t)(__vdso_end - __vdso_start);
	unsigned n = (unsigned)(PAGE_ALIGN_UP(size) / PAGE_SIZE);

	if (text_pages)
		return 0;
	if (size < 64 || memcmp(__vdso_start, "\177ELF", 4) || n > VDSO_MAX_PAGES)
		return -ENOEXEC;
	data_frame = frame_alloc(0); /* zeroed: clock_mode NONE until published */
	if (!data_frame)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		size_t off = (size_t)i * PAGE_SIZE;
		size_t len = size - off < PAGE_SIZE ? size - off : PAGE_SIZE;

		text_frames[i] = frame_alloc(0);
		if (!text_frames[i]) {
			while (i--)
				frame_free(text_frames[i], 0);
			frame_free(data_frame, 0);
			data_frame = 0;
			return -ENOMEM;
		}
		memcpy(hal_phys_to_virt(text_frames[i]), __vdso_start + off, len);
	}
	data = hal_phys_to_virt(data_frame);
	data->version = VDSO_DATA_VERSION;
	data->getcpu_mode = hal_arch_vdso_getcpu_mode();
	sigreturn_off = image_symbol(__vdso_start, size, "__kernel_rt_sigreturn");
	text_pages = n;
	return 0;
}

unsigned hal_vdso_text_pages(void)
{
	return text_pages;
}

paddr_t hal_vdso_text_page(unsigned idx)
{
	return idx < text_pages ? text_frames[idx] : 0;
}

paddr_t hal_vdso_data_page(void)
{
	return text_pages ? data_frame : 0;
}

long hal_vdso_sigreturn_offset(void)
{
	return text_pages ? sigreturn_off : -ENOENT;
}

#define STORE(field, v) __atomic_store_n(&data->field, (v), __ATOMIC_RELAXED)

void hal_vdso_publish(const struct hal_vdso_time *t)
{
	uint64_t cycle_base, mult, base_ns;
	uint32_t shift, mode, seq;
	irqflags_t f;

	if (!data)
		return;
	f = hal_irq_save();
	mode = hal_arch_vdso_clocksource(&cycle_base, &mult, &shift, &base_ns);
	seq = data->seq;
	/* Odd sequence first, visible before any field changes. */
	__atomic_store_n(&data->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	STORE(clock_mode, mode);
	STORE(cycle_base, cycle_base);
	STORE(mult, mult);
	STORE(shift, shift);
	STORE(base_ns, base_ns);
	STORE(realtime_offset_ns, t->realtime_offset_ns);
	STORE(coarse_mono_ns, t->coarse_mono_ns);
	STORE(coarse_res_ns, t->coarse_res_ns);
	/* Even again once every field is visible. */
	__atomic_store_n(&data->seq, seq + 2, __ATOMIC_RELEASE);
	hal_irq_restore(f);
}
