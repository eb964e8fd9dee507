/* /proc/<pid>/smaps and smaps_rollup [proc(5)]: per area (and summed) the
 * resident set from the page tables, in Linux 6.1's layout
 * (fs/proc/task_mmu.c show_smap(), show_smaps_rollup()).
 *
 * What this kernel can tell and what it approximates: a page is resident
 * when the page tables map it. Its map count is the frame's reference
 * count, less the reference of the page cache or of the shared anonymous
 * object (MAP_SHARED) for a page that is not a private copy. No dirty or accessed bits are kept: every
 * page counts as dirty (file data lives only in memory, as Linux's tmpfs
 * pages, which are dirty too), Referenced equals Rss, and Anonymous is the
 * pages of private anonymous areas plus the private copies (writable
 * pages of private file areas), as Linux's PageAnon. No huge pages, no
 * swap: those fields are 0.
 */
#include <hal/mmu.h>
#include <kernel/kmalloc.h>
#include <kernel/mm.h>

#include "procfs.h"

struct mem_size_stats {
	uint64_t resident, shared_clean, shared_dirty, private_clean, private_dirty;
	uint64_t anonymous, locked;
	uint64_t pss, pss_dirty, pss_anon, pss_file; /* << PSS_SHIFT */
};
#define PSS_SHIFT 12

struct walk {
	struct mem_size_stats *mss;
	const struct vm_area *vma;
};

static int smaps_page(void *ctx, vaddr_t va, paddr_t pa, unsigned prot)
{
	struct walk *w = ctx;
	struct mem_size_stats *m = w->mss;
	bool shared = w->vma->flags & VM_SHARED;
	bool anon = !shared && (!w->vma->file || (prot & HAL_PROT_WRITE));
	bool dirty = true;
	unsigned refs = frame_refcount(pa);

	if (!anon && refs > 1)
		refs--; /* the page cache's or the shared object's reference */
	uint64_t pss = ((uint64_t)PAGE_SIZE << PSS_SHIFT) / (refs ? refs : 1);

	m->resident += PAGE_SIZE;
	m->pss += pss;
	if (dirty)
		m->pss_dirty += pss;
	if (anon) {
		m->anonymous += PAGE_SIZE;
		m->pss_anon += pss;
	} else {
		m->pss_file += pss;
	}
	if (w->vma->flags & VM_LOCKED)
		m->locked += pss;
	if (refs > 1)
		*(dirty ? &m->shared_dirty : &m->shared_clean) += PAGE_SIZE;
	else
		*(dirty ? &m->private_dirty : &m->private_clean) += PAGE_SIZE;
	return 0;
}

static void smap_gather(struct mm *mm, const struct vm_area *vma, struct mem_size_stats *m)
{
	struct walk w = { m, vma };

	hal_walk_range(mm->as, vma->start, vma->end, smaps_page, &w);
}

#define KB(x) ((unsigned long long)((x) >> 10))

static void show_mss(struct seqbuf *s, const struct mem_size_stats *m, bool rollup)
{
	seq_printf(s,
		   "Rss:            %8llu kB\nPss:            %8llu kB\nPss_Dirty:      %8llu kB\n",
		   KB(m->resident), KB(m->pss >> PSS_SHIFT), KB(m->pss_dirty >> PSS_SHIFT));
	if (rollup)
		seq_printf(s,
			   "Pss_Anon:       %8llu kB\nPss_File:       %8llu kB\n"
			   "Pss_Shmem:      %8llu kB\n",
			   KB(m->pss_anon >> PSS_SHIFT), KB(m->pss_file >> PSS_SHIFT), 0ULL);
	seq_printf(s,
		   "Shared_Clean:   %8llu kB\nShared_Dirty:   %8llu kB\n"
		   "Private_Clean:  %8llu kB\nPrivate_Dirty:  %8llu kB\n"
		   "Referenced:     %8llu kB\nAnonymous:      %8llu kB\n"
		   "LazyFree:       %8llu kB\nAnonHugePages:  %8llu kB\n"
		   "ShmemPmdMapped: %8llu kB\nFilePmdMapped:  %8llu kB\n"
		   "Shared_Hugetlb: %8llu kB\nPrivate_Hugetlb: %7llu kB\n"
		   "Swap:           %8llu kB\nSwapPss:        %8llu kB\n"
		   "Locked:         %8llu kB\n",
		   KB(m->shared_clean), KB(m->shared_dirty), KB(m->private_clean),
		   KB(m->private_dirty), KB(m->resident), KB(m->anonymous), 0ULL, 0ULL, 0ULL, 0ULL,
		   0ULL, 0ULL, 0ULL, 0ULL, KB(m->locked >> PSS_SHIFT));
}

/* VmFlags: Linux's two-letter mnemonics for the flags this kernel keeps. */
static void show_vma_flags(struct seqbuf *s, const struct vm_area *v)
{
	bool shared = v->flags & VM_SHARED;

	seq_printf(s, "VmFlags: ");
	if (v->flags & VM_READ)
		seq_printf(s, "rd ");
	if (v->flags & VM_WRITE)
		seq_printf(s, "wr ");
	if (v->flags & VM_EXEC)
		seq_printf(s, "ex ");
	if (shared)
		seq_printf(s, "sh ");
	seq_printf(s, "mr ");
	if (v->flags & VM_MAYWRITE)
		seq_printf(s, "mw ");
	seq_printf(s, "me ");
	if (shared)
		seq_printf(s, "ms ");
	if (v->flags & VM_GROWSDOWN)
		seq_printf(s, "gd ");
	if (v->flags & VM_LOCKED)
		seq_printf(s, "lo ");
	if (!shared && (v->flags & VM_WRITE))
		seq_printf(s, "ac "); /* VM_ACCOUNT: private writable memory */
	seq_printf(s, "\n");
}

int proc_show_pid_smaps(struct seqbuf *s, struct task *t)
{
	struct mm *mm = get_task_mm(t);
	struct vm_area *vma;
	char *path;

	if (!mm)
		return 0;
	path = kmalloc(PATH_MAX);
	if (!path) {
		mm_put(mm);
		return -ENOMEM;
	}
	mm_lock(mm);
	list_for_each_entry(vma, &mm->areas, list) {
		struct mem_size_stats m = { 0 };

		smap_gather(mm, vma, &m);
		proc_show_vma_header(s, mm, vma, path);
		seq_printf(
			s,
			"Size:           %8llu kB\nKernelPageSize: %8llu kB\nMMUPageSize:    %8llu kB\n",
			KB(vma->end - vma->start), KB(PAGE_SIZE), KB(PAGE_SIZE));
		show_mss(s, &m, false);
		seq_printf(s, "THPeligible:    0\n");
		show_vma_flags(s, vma);
	}
	mm_unlock(mm);
	mm_put(mm);
	kfree(path);
	return 0;
}

int proc_show_pid_smaps_rollup(struct seqbuf *s, struct task *t)
{
	struct mm *mm = get_task_mm(t);
	struct vm_area *vma;
	struct mem_size_stats m = { 0 };
	vaddr_t first = 0, last = 0;

	if (!mm)
		return 0;
	mm_lock(mm);
	list_for_each_entry(vma, &mm->areas, list) {
		if (!first)
			first = vma->start;
		last = vma->end;
		smap_gather(mm, vma, &m);
	}
	mm_unlock(mm);
	mm_put(mm);
	int n0 = (int)s->len;
	seq_printf(s, "%08llx-%08llx ---p 00000000 00:00 0 ", (unsigned long long)first,
		   (unsigned long long)last);
	int w = (int)s->len - n0;
	seq_printf(s, "%*s[rollup]\n", w < 73 ? 73 - w : 1, "");
	show_mss(s, &m, true);
	return 0;
}
