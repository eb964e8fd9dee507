/* Linux user ABI facts that differ per arch: arm64.
 * [Linux include/uapi/asm-generic/stat.h, arch/arm64/include/uapi/asm/fcntl.h]. */
#ifndef HAL_ARCH_ABI_H
#define HAL_ARCH_ABI_H
#include <hal/types.h>

#define HAL_ELF_MACHINE 183 /* EM_AARCH64 */
#define HAL_UTS_MACHINE "aarch64"
/* Open flags whose values differ between arches (arm64 moves these four). */
#define HAL_O_DIRECTORY 040000
#define HAL_O_NOFOLLOW 0100000
#define HAL_O_DIRECT 0200000
#define HAL_O_LARGEFILE 0400000
/* clone(2) argument order: arm64 (CLONE_BACKWARDS) is
 * (flags, stack, parent_tid, tls, child_tid). */
#define HAL_CLONE_ARG_TLS 3
#define HAL_CLONE_ARG_CHILD_TID 4
#define HAL_ELF_PLATFORM "aarch64"
#define HAL_USER_STACK_SIZE (8UL << 20)
/* Address-space randomization ranges, Linux's defaults for the arch
 * [Linux arch/arm64 Kconfig ARCH_MMAP_RND_BITS (18 for 4K pages), asm/elf.h STACK_RND_MASK 0x3ffff, kernel/process.c arch_randomize_brk()]:
 * the mmap base and the PIE load bias move by up to 2^HAL_MMAP_RND_BITS
 * pages, the stack top by up to 2^HAL_STACK_RND_BITS pages, the heap start
 * by up to 2^HAL_BRK_RND_BITS pages. */
#define HAL_MMAP_RND_BITS 18
#define HAL_STACK_RND_BITS 18
#define HAL_BRK_RND_BITS 18 /* 1 GiB */

/* struct stat for fstat/newfstatat (asm-generic, 128 bytes). */
struct linux_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint32_t st_mode;
	uint32_t st_nlink;
	uint32_t st_uid;
	uint32_t st_gid;
	uint64_t st_rdev;
	uint64_t __pad1;
	int64_t st_size;
	int32_t st_blksize;
	int32_t __pad2;
	int64_t st_blocks;
	int64_t st_atime_sec;
	uint64_t st_atime_nsec;
	int64_t st_mtime_sec;
	uint64_t st_mtime_nsec;
	int64_t st_ctime_sec;
	uint64_t st_ctime_nsec;
	uint32_t __unused4;
	uint32_t __unused5;
};
_Static_assert(sizeof(struct linux_stat) == 128, "asm-generic struct stat");

/* struct semid64_ds after its struct ipc64_perm (asm-generic/sembuf.h,
 * 64-bit): the times are adjacent. */
struct hal_semid64_tail {
	int64_t sem_otime;
	int64_t sem_ctime;
	uint64_t sem_nsems, unused3, unused4;
};

/* struct epoll_event: naturally aligned on arm64 (<uapi/linux/eventpoll.h> EPOLL_PACKED): its
 * size in bytes and the offset of its 64-bit data field. */
#define HAL_EPOLL_EVENT_SIZE 16
#define HAL_EPOLL_DATA_OFFSET 8

#endif
