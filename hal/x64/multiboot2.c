/* Multiboot2 boot (GRUB): the boot information is a list of 8-byte
 * aligned tags after an 8-byte header { total_size, reserved }
 * [Multiboot2 spec §3.6]. Used: type 1 (command line), 3 (module: the
 * first is the initrd), 6 (memory map, e820 types). */
#include <hal/boot.h>
#include <hal/mmu.h>
#include <kernel/errno.h>
#include "x64.h"

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_MMAP_RAM 1

struct mb2_tag {
	uint32_t type;
	uint32_t size; /* bytes, including this header; next tag 8-aligned */
};

struct mb2_tag_module {
	struct mb2_tag tag;
	uint32_t mod_start, mod_end; /* physical, end exclusive */
	char cmdline[];
};

struct mb2_tag_mmap {
	struct mb2_tag tag;
	uint32_t entry_size;
	uint32_t entry_version;
	/* entries follow */
};

struct mb2_mmap_entry {
	uint64_t base;
	uint64_t length;
	uint32_t type;
	uint32_t reserved;
};

int x64_mb2_parse(uint32_t mbi_pa, struct hal_boot_info *bi)
{
	const uint8_t *p = hal_phys_to_virt(mbi_pa);
	uint32_t total = *(const uint32_t *)p;
	bool have_module = false;

	if (total < 16)
		return -EINVAL;
	for (uint32_t off = 8; off + sizeof(struct mb2_tag) <= total;) {
		const struct mb2_tag *tag = (const struct mb2_tag *)(p + off);

		if (tag->type == MB2_TAG_END || tag->size < sizeof(*tag) || off + tag->size > total)
			break;
		switch (tag->type) {
		case MB2_TAG_CMDLINE:
			bi->cmdline = x64_boot_save_cmdline((const char *)(tag + 1), tag->size - sizeof(*tag));
			break;
		case MB2_TAG_MODULE:
			if (!have_module) {
				const struct mb2_tag_module *m = (const void *)tag;

				bi->initrd_base = m->mod_start;
				bi->initrd_size = m->mod_end - m->mod_start;
				have_module = true;
			}
			break;
		case MB2_TAG_MMAP: {
			const struct mb2_tag_mmap *mm = (const void *)tag;

			if (mm->entry_size < sizeof(struct mb2_mmap_entry))
				break;
			for (uint32_t e = sizeof(*mm); e + mm->entry_size <= tag->size; e += mm->entry_size) {
				const struct mb2_mmap_entry *me = (const void *)((const uint8_t *)tag + e);

				if (me->type == MB2_MMAP_RAM)
					x64_boot_add_ram(bi, me->base, me->length);
			}
			break;
		}
		default:
			break;
		}
		off += (tag->size + 7) & ~7u;
	}
	return 0;
}
