/* Linux user ABI facts that differ per arch: x86_64.
 * [Linux arch/x86/include/uapi/asm/stat.h, fcntl (asm-generic)]. */
#ifndef HAL_ARCH_ABI_H
#define HAL_ARCH_ABI_H
#include <hal/types.h>

#define HAL_ELF_MACHINE 62 /* EM_X86_64 */
#define HAL_UTS_MACHINE "x86_64"
/* Open flags whose values differ between arches (x86_64 = asm-generic). */
#define HAL_O_DIRECT 040000
#define HAL_O_LARGEFILE 0100000
#define HAL_O_DIRECTORY 0200000
#define HAL_O_NOFOLLOW 0400000
/* clone(2) argument order: x86_64 is (flags, stack, parent_tid, child_tid, tls). */
#define HAL_CLONE_ARG_CHILD_TID 3
#define HAL_CLONE_ARG_TLS 4
/* ELF auxv AT_HWCAP value and AT_PLATFORM string. */
#define HAL_ELF_PLATFORM "x86_64"
/* Initial user stack size, bytes. */
#define HAL_USER_STACK_SIZE (8UL << 20)
/* Address-space randomization ranges, Linux's defaults for the arch
 * [Linux arch/x86/mm/mmap.c (mmap_rnd_bits), asm/elf.h (STACK_RND_MASK 0x3fffff), kernel/process.c arch_randomize_brk()]:
 * the mmap base and the PIE load bias move by up to 2^HAL_MMAP_RND_BITS
 * pages, the stack top by up to 2^HAL_STACK_RND_BITS pages, the heap start
 * by up to 2^HAL_BRK_RND_BITS pages. */
#define HAL_MMAP_RND_BITS 28
#define HAL_STACK_RND_BITS 22
#define HAL_BRK_RND_BITS 13 /* 32 MiB */

/* struct stat for fstat/newfstatat/stat/lstat (144 bytes). */
struct linux_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t __pad0;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks;
	int64_t st_atime_sec;
	uint64_t st_atime_nsec;
	int64_t st_mtime_sec;
	uint64_t st_mtime_nsec;
	int64_t st_ctime_sec;
	uint64_t st_ctime_nsec;
	int64_t __reserved
		[3]; /* Linux: __unused[3] (name clashes with the __unused attribute macro) */
};
_Static_assert(sizeof(struct linux_stat) == 144, "x86_64 struct stat");

/* struct semid64_ds after its struct ipc64_perm (arch/x86/include/uapi/
 * asm/sembuf.h, 64-bit): every time is followed by an unused word. */
struct hal_semid64_tail {
	int64_t sem_otime;
	uint64_t unused1;
	int64_t sem_ctime;
	uint64_t unused2;
	uint64_t sem_nsems, unused3, unused4;
};

/* struct epoll_event: packed on x86_64 (<uapi/linux/eventpoll.h> EPOLL_PACKED): its
 * size in bytes and the offset of its 64-bit data field. */
#define HAL_EPOLL_EVENT_SIZE 12
#define HAL_EPOLL_DATA_OFFSET 4

#endif
