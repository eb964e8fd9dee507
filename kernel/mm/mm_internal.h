/* kernel/mm private: vm_area list helpers shared by mm.c, fault.c,
 * mmap.c and mremap.c. */
#ifndef KERNEL_MM_INTERNAL_H
#define KERNEL_MM_INTERNAL_H
#include <kernel/mm.h>

/* The area containing addr, or NULL. */
struct vm_area *vma_find(struct mm *mm, vaddr_t addr);
/* The first area ending above addr (it may contain addr), or NULL. */
struct vm_area *vma_next_from(struct mm *mm, vaddr_t addr);
/* The area after / before v in address order, or NULL. */
struct vm_area *vma_next(struct mm *mm, struct vm_area *v);
struct vm_area *vma_prev(struct mm *mm, struct vm_area *v);
/* A new area (not yet linked); takes a reference on file. NULL = -ENOMEM. */
struct vm_area *vma_alloc(vaddr_t start, vaddr_t end, unsigned flags, struct file *file,
			  off_t file_off, uint64_t file_size);
/* A shared anonymous object of nr_pages untouched pages, no references
 * yet. NULL = -ENOMEM. */
struct anon_shared *anon_shared_create(uint64_t nr_pages);
/* Drop a reference; the last frees the object and its frames. */
void anon_shared_put(struct anon_shared *a);
/* Make v map a (v->file_off is then the byte offset into it); takes a
 * reference, dropped by vma_destroy. */
void vma_set_anon(struct vm_area *v, struct anon_shared *a);
/* Link v into mm->areas, keeping them sorted. */
void vma_insert(struct mm *mm, struct vm_area *v);
/* Unlink and free v (drops its file reference). Pages must be gone. */
void vma_destroy(struct vm_area *v);
/* Split v at at (start < at < end, page aligned): v keeps [start, at), the
 * returned new area (linked after v) gets [at, end). NULL on -ENOMEM. */
struct vm_area *vma_split(struct mm *mm, struct vm_area *v, vaddr_t at);
/* Unmap every page of [start, end) inside v and drop its frame reference
 * (frames of VM_SPECIAL areas are not referenced by mappings). */
void vma_zap(struct mm *mm, struct vm_area *v, vaddr_t start, vaddr_t end);
/* Remove every area part inside [start, end), with its pages. 0 or -ENOMEM
 * (a split failed; nothing removed in that area). */
int vma_remove_range(struct mm *mm, vaddr_t start, vaddr_t end);
/* Is [start, end) free of areas? */
bool vma_range_free(struct mm *mm, vaddr_t start, vaddr_t end);
/* A free, page-aligned range of len bytes: top-down below mm->mmap_base,
 * then above it. 0 if none. */
vaddr_t vma_find_free(struct mm *mm, size_t len);
/* Set mm->stack_top and mm->mmap_base for a new program (layout.c; the
 * layout is described in <kernel/mm.h>). */
void mm_layout(struct mm *mm, bool randomize, uint64_t stack_rlimit);
/* Map the vDSO's data page and image, if the HAL has a vDSO, and the
 * trampoline page into a new mm, top-down below mm->mmap_base
 * (special.c); sets mm->vdso_base and mm->sigreturn. 0 or -ENOMEM (the
 * caller frees the mm). */
int mm_map_specials(struct mm *mm);
/* The frame backing page va of VM_SPECIAL area v, or 0 (special.c). */
paddr_t vma_special_page(const struct vm_area *v, vaddr_t va);
/* Fault in every page of [start, end) of areas with vm_flags, for reading
 * or (writable areas) writing; stops at the first failure (mm.c).
 * mm->mmap_lock held. */
void mm_populate(struct mm *mm, vaddr_t start, vaddr_t end, unsigned vm_flags);
/* mm_handle_fault() with mm->mmap_lock already held (fault.c). */
int mm_fault_locked(struct mm *mm, vaddr_t addr, unsigned access);
/* mm_map() with mm->mmap_lock already held (mm.c). */
long mm_map_locked(struct mm *mm, vaddr_t addr, size_t len, unsigned prot, unsigned flags,
		   struct file *file, off_t file_off, uint64_t file_size);
/* Private file areas mapping the file's own frames (file_frames.c). */
/* The file's frame for page va of v, referenced, if v may map it (v is
 * private, without VM_WRITE, and the page holds only file bytes); 0 if
 * not (then the fault fills a frame of its own). */
paddr_t vma_file_frame(struct vm_area *v, vaddr_t va);
/* Is pa, mapped at va in v, the file's own frame (not a private copy)? */
bool vma_is_file_frame(struct vm_area *v, vaddr_t va, paddr_t pa);
/* Unmap the file frames v maps (before v gains VM_WRITE): later accesses
 * fault in private copies. */
void vma_unshare_file_frames(struct mm *mm, struct vm_area *v);
/* HAL_PROT_* for a page of area flags (VM_*). */
unsigned vma_hal_prot(unsigned vm_flags);

#endif
