/* User address spaces: struct mm = page tables (struct hal_aspace) +
 * a sorted list of vm_areas, demand paging, brk and mmap.
 * [mmap(2)], [munmap(2)], [mprotect(2)], [brk(2)].
 * Pages are 4 KiB; lengths are bytes unless named *_pages.
 * fork copies every present private page eagerly in this version; pages
 * of MAP_SHARED areas are shared with the child (frame references). */
#ifndef KERNEL_MM_H
#define KERNEL_MM_H
#include <hal/types.h>
#include <kernel/kmalloc.h>
#include <hal/boot.h>
#include <hal/mmu.h>
#include <kernel/list.h>
#include <kernel/mutex.h>

struct file;

/* PROT_* and MAP_* as Linux defines them (mman-common.h). */
#define PROT_NONE 0x0
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_GROWSDOWN 0x0100
#define MAP_DENYWRITE 0x0800
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE 0x8000
#define MAP_STACK 0x20000
#define MAP_FIXED_NOREPLACE 0x100000

#define VM_READ 0x1
#define VM_WRITE 0x2
#define VM_EXEC 0x4
#define VM_SHARED 0x8
#define VM_GROWSDOWN 0x10
#define VM_STACK 0x20
#define VM_HEAP 0x40
#define VM_SPECIAL \
	0x80		     /* pages not owned by the mm (signal trampoline, vDSO):
			 * vm_area.special gives them; never freed, copied
			 * by reference on fork */
#define VM_LOCKED 0x200	     /* mlock(2): counted in VmLck, pages faulted in */
#define VM_LOCKONFAULT 0x400 /* mlock2(MLOCK_ONFAULT): locked as they fault in */
#define VM_MAYWRITE \
	0x100 /* mprotect may add VM_WRITE (a shared file mapping
			   * needs a file open for writing) [mprotect(2) EACCES] */

/* The user layout of a new program (mm_create(), kernel/mm/layout.c), from
 * the top down, as Linux lays it out [Linux mm/util.c mmap_base(),
 * fs/binfmt_elf.c load_elf_binary(), arch_align_stack()]:
 *   stack_top: USER_TOP less a random 0..2^HAL_STACK_RND_BITS pages;
 *   the stack (HAL_USER_STACK_SIZE bytes, grows down), then a gap of
 *   RLIMIT_STACK + MM_STACK_GUARD_GAP (+ the stack's random range),
 *   clamped to [MM_MMAP_GAP_MIN, 5/6 of the address space];
 *   mmap_base: below the gap, less a random 0..2^HAL_MMAP_RND_BITS pages.
 *   mmap without a usable hint searches top-down below it; the first
 *   areas there are the vDSO's data page [vvar] and image [vdso] and the
 *   signal-return trampoline page [sigpage] (mm_create), then the program
 *   interpreter and the libraries it maps;
 *   the program itself: ET_EXEC at its own addresses, ET_DYN at
 *   ELF_ET_DYN_BASE (kernel/proc/exec_load.c) plus a random
 *   0..2^HAL_MMAP_RND_BITS pages; the heap from brk_start, the first page
 *   after the program plus a random 0..HAL_BRK_RND_BYTES.
 * Without randomization (Linux's `norandmaps` boot parameter, or
 * personality(2) ADDR_NO_RANDOMIZE) every random term is 0. */
#define MM_STACK_GUARD_GAP (1UL << 20) /* Linux stack_guard_gap: 256 pages */
#define MM_MMAP_GAP_MIN (128UL << 20)  /* Linux MIN_GAP */
#define MM_SAVED_AUXV_WORDS 48	       /* Linux AT_VECTOR_SIZE on x86_64/arm64 */

/* Where the pages of a VM_SPECIAL area come from. */
struct vm_special {
	const char *name;	       /* as /proc/<pid>/maps shows it: "[vdso]" */
	paddr_t (*page)(unsigned idx); /* frame of page idx of the object, 0 if none */
};

/* The pages of a MAP_SHARED | MAP_ANONYMOUS mapping: one object for every
 * area (and every forked copy of it) that maps it, so all see the same
 * frames. Frames are allocated on first touch; each mapping of a page
 * holds a frame reference, the object holds one more. */
struct anon_shared {
	unsigned refcount; /* areas pointing here */
	uint64_t nr_pages; /* size of the mapping created by mmap */
	paddr_t pages[];   /* 0 = not yet touched */
};

struct vm_area {
	struct list_head list;	  /* in mm->areas, sorted by start */
	vaddr_t start, end;	  /* [start, end), page aligned */
	unsigned flags;		  /* VM_* */
	struct file *file;	  /* backing file or NULL */
	struct anon_shared *anon; /* shared anonymous pages, or NULL */
	off_t file_off;		  /* offset of start in file or anon, bytes */
	uint64_t file_size;	  /* bytes of the file to map from file_off; the rest is zero */
	const struct vm_special *special; /* VM_SPECIAL: the page source (file_off
					   * is the byte offset into it) */
};

struct mm {
	struct hal_aspace *as;
	struct list_head areas;
	/* mmap_lock: held by the calls that change the areas or the page
	 * tables of a range (mmap, munmap, mprotect, mremap, brk, madvise,
	 * mlock, fork of this mm), so that their preemption points
	 * (mm_cond_resched()) let no other task sharing the mm (CLONE_VM)
	 * change it meanwhile, and by every page fault (kernel/mm/fault.c),
	 * so a sibling thread's fault on another CPU never sees an area half
	 * changed. Readers of another task's areas (/proc, process_vm_*)
	 * take it too. Never held across a user-memory copy. */
	struct mutex mmap_lock;
	vaddr_t brk_start, brk; /* heap: [brk_start, brk) */
	vaddr_t mmap_base;	/* top-down search starts below this */
	vaddr_t stack_top;
	/* The argv and envp strings execve put on the stack: [arg_start,
	 * arg_end) and [env_start, env_end), NUL-separated; /proc/<pid>/cmdline
	 * and environ read them from there [proc(5)]. */
	vaddr_t arg_start, arg_end, env_start, env_end;
	unsigned refcount; /* atomic: tasks using it (CLONE_VM, vfork) and
			    * get_task_mm() holders */
	uint64_t rss_pages;
	vaddr_t vdso_base;     /* AT_SYSINFO_EHDR, 0 if no vDSO is mapped */
	unsigned def_flags;    /* VM_LOCKED[|VM_LOCKONFAULT] after mlockall(MCL_FUTURE):
				  * given to every new area; not inherited by fork */
	struct file *exe_file; /* the executable (referenced; its deny_write_access()
				  * keeps writers out while a process runs it:
				  * [execve(2)] ETXTBSY), or NULL */
	uint64_t saved_auxv[MM_SAVED_AUXV_WORDS]; /* the auxiliary vector exec gave the
						     * program: (type, value) pairs up to
						     * and with AT_NULL, /proc/<pid>/auxv */
	vaddr_t sigreturn;			  /* return address of handlers without SA_RESTORER:
				  * the vDSO's trampoline if it has one, else
				  * the [sigpage] trampoline */
};

/* A new empty address space for a program, laid out as described above
 * (randomized if randomize; stack_rlimit: RLIMIT_STACK in bytes, for the
 * gap below the stack), with the signal trampoline page, and the vDSO and
 * its data page if the HAL has them, mapped. NULL on -ENOMEM. */
struct mm *mm_create(bool randomize, uint64_t stack_rlimit);
/* Is address-space randomization on for the system? False after the
 * `norandmaps` boot parameter [kernel-parameters], as Linux's
 * randomize_va_space = 0. (A task also opts out with personality(2)
 * ADDR_NO_RANDOMIZE; exec checks both.) */
bool mm_randomize_va(void);
/* A uniformly random multiple of PAGE_SIZE in [0, 2^bits pages), bytes. */
uint64_t mm_random_pages(unsigned bits);
/* A free range of len bytes (page aligned) starting at a multiple of align
 * (a power of two >= PAGE_SIZE), searched top-down below mm->mmap_base as
 * mmap(2) without a hint does. The start, or 0 if there is none. */
vaddr_t mm_find_free(struct mm *mm, size_t len, size_t align);
/* Is [start, start + len) free of areas? */
bool mm_range_free(struct mm *mm, vaddr_t start, size_t len);
/* Take / release mm->mmap_lock (sleeping; process context). */
void mm_lock(struct mm *mm);
void mm_unlock(struct mm *mm);
/* A preemption point (cond_resched()) inside a long operation on mm: it
 * yields only if no other task can change mm meanwhile, that is when the
 * caller holds mm->mmap_lock or mm has no users left (teardown). */
bool mm_may_yield(const struct mm *mm);
void mm_cond_resched(struct mm *mm);
/* Copy for fork(): same areas, private pages copied. NULL on -ENOMEM. */
struct mm *mm_fork(struct mm *src);
/* One more reference to mm (atomic; the caller holds one already). */
void mm_get(struct mm *mm);
/* Users of mm right now (racy by nature: a hint such as "is the mm shared"). */
unsigned mm_users(const struct mm *mm);
/* Drop a reference; the last one frees every page and the tables. */
void mm_put(struct mm *mm);
/* Make mm current on this CPU. */
void mm_activate(struct mm *mm);

/* Map [addr, addr+len) with prot (PROT_*) and flags (MAP_*). file may be
 * NULL (anonymous); a file mapping takes its own reference (fget()).
 * file_off page aligned; file_size: bytes of file data visible from
 * file_off (the rest of the range reads as zeros — for ELF bss).
 * Without MAP_FIXED, addr is a hint. Returns the address or -errno
 * (-ENOMEM, -EINVAL, -EEXIST for MAP_FIXED_NOREPLACE). */
long mm_map(struct mm *mm, vaddr_t addr, size_t len, unsigned prot, unsigned flags,
	    struct file *file, off_t file_off, uint64_t file_size);
/* Unmap [addr, addr+len): 0 or -EINVAL. */
int mm_unmap(struct mm *mm, vaddr_t addr, size_t len);
/* Change protection: 0, -ENOMEM (hole in the range), -EINVAL. */
int mm_protect(struct mm *mm, vaddr_t addr, size_t len, unsigned prot);
/* brk(2): returns the new break (the old one if the request fails). */
vaddr_t mm_brk(struct mm *mm, vaddr_t new_brk);
/* Resolve a fault at addr for access (HAL_FAULT_*): 0, -EFAULT (no area
 * or an access it forbids: SIGSEGV), or -EIO (the area's file or shared
 * object has no page there, e.g. past end of file: SIGBUS). Takes
 * mm->mmap_lock (sleeps if a sibling holds it); process context. */
int mm_handle_fault(struct mm *mm, vaddr_t addr, unsigned access);
/* Total mapped bytes (VmSize) for /proc. */
uint64_t mm_vsize(const struct mm *mm);
/* Bytes in areas locked by mlock(2)/mlockall(2) (VmLck) for /proc. */
uint64_t mm_locked_bytes(const struct mm *mm);

/* Shared anonymous objects for System V shared memory (kernel/ipc/shm.c;
 * kernel/mm/shared.c). mm_shared_create(): nr_pages zero-filled on first
 * touch, one reference for the caller; NULL on -ENOMEM. mm_shared_put():
 * drop it (the last reference, of the caller or of a mapping, frees the
 * pages). mm_map_shared(): map all of a (len bytes, page multiple) with
 * prot at addr (exactly there if fixed, replacing what was mapped; else a
 * hint, 0 = anywhere); the address or -errno as mm_map(). mm_shared_at():
 * the object whose start the area starting at addr maps, or NULL.
 * mm_unmap_shared(): unmap the attachment of a at addr (its areas from
 * addr on, as far as they continue the object from its start). */
struct anon_shared *mm_shared_create(uint64_t nr_pages);
void mm_shared_put(struct anon_shared *a);
long mm_map_shared(struct mm *mm, vaddr_t addr, size_t len, unsigned prot, bool fixed,
		   struct anon_shared *a);
struct anon_shared *mm_shared_at(struct mm *mm, vaddr_t addr);
void mm_unmap_shared(struct mm *mm, vaddr_t addr, struct anon_shared *a);
/* Is any byte of [addr, addr+len) mapped? (Out of range counts as used.) */
bool mm_range_in_use(struct mm *mm, vaddr_t addr, size_t len);

/* Free physical memory for /proc/meminfo and sysinfo(2), bytes (the total:
 * frame_total_bytes(), <kernel/kmalloc.h>). */
uint64_t frame_free_bytes(void);
/* References to an allocated order-0 frame (1 + frame_get()s): the
 * address spaces and page-cache entries holding it; 0 for memory the
 * allocator does not manage (the vDSO's). For /proc/<pid>/smaps. */
unsigned frame_refcount(paddr_t pa);
/* Initialise the frame allocator with RAM minus reserved ranges. */
void frame_alloc_init(const struct hal_mem_range *ram, unsigned nr_ram,
		      const struct hal_mem_range *reserved, unsigned nr_reserved);

/* Read up to len bytes at user address addr of mm into buf (kernel
 * memory), faulting pages in as a read by mm's owner would (Linux's
 * access_remote_vm(), mm/memory.c). Stops at the first page the owner could
 * not read. Returns the bytes copied (0..len). Process context. */
size_t mm_read_remote(struct mm *mm, vaddr_t addr, void *buf, size_t len);
/* May current read t's memory and private /proc files (Linux's
 * ptrace_may_access(PTRACE_MODE_READ_FSCREDS) as far as this kernel has
 * credentials: root, or the same real, effective and saved ids)? */
struct task;
bool task_may_access_mm(const struct task *t);

#endif
