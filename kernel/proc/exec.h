/* Private to kernel/proc: the pieces of execve(2) — the argument and
 * environment strings (exec_args.c), loading an ELF executable into a new
 * mm (exec_load.c) and building the initial user stack (exec_stack.c).
 * [execve(2)], Linux fs/exec.c and fs/binfmt_elf.c. */
#ifndef KERNEL_PROC_EXEC_H
#define KERNEL_PROC_EXEC_H
#include <hal/types.h>

struct file;
struct mm;

/* Linux: strings + pointers may use a quarter of the 8 MiB stack limit;
 * one string at most 32 pages (MAX_ARG_STRLEN). */
#define EXEC_ARG_MAX (2UL << 20)
#define EXEC_ARG_STRLEN_MAX (PAGE_SIZE * 32)
/* Linux BINPRM_BUF_SIZE: the bytes read to recognise the format. */
#define EXEC_HDR_SIZE 256

/* argv then envp strings, packed with their NULs in buf. */
struct exec_args {
	char *buf;
	size_t len, cap;
	unsigned argc, envc;
	size_t argv_len; /* bytes of buf holding the argv strings */
	size_t space;	 /* what is left of EXEC_ARG_MAX (strings and pointers) */
};

void exec_args_init(struct exec_args *a);
void exec_args_free(struct exec_args *a);
/* Append the strings of a NULL-terminated vector of user pointers at uvec
 * (0: an empty vector) as argv (is_argv) or envp strings. argv must be
 * complete before envp is added. 0, -EFAULT, -E2BIG, -ENOMEM. */
int exec_args_copy_user(struct exec_args *a, uintptr_t uvec, bool is_argv);
/* The same from a kernel vector (NULL: empty). */
int exec_args_copy_kernel(struct exec_args *a, const char *const *vec, bool is_argv);
/* Insert s as the new argv[0] / remove argv[0] (#! scripts). */
int exec_args_push_front(struct exec_args *a, const char *s);
void exec_args_drop_front(struct exec_args *a);

/* A loaded executable: its new address space and where things are. */
struct exec_image {
	struct mm *mm;
	uintptr_t entry;       /* user pc to start at: the interpreter's entry
				* if there is one, else the program's */
	uintptr_t prog_entry;  /* AT_ENTRY: the program's entry point */
	uintptr_t interp_base; /* AT_BASE: the interpreter's load bias, 0 if none */
	uintptr_t phdr;	       /* AT_PHDR */
	unsigned phnum;	       /* AT_PHNUM */
	uintptr_t stack_top;   /* highest address (exclusive) of the stack mapping */
	bool randomize;	       /* address-space randomization is on for it */
};

/* Open path for execution: a regular file with an execute bit
 * ([path_resolution(7)]: even root needs one x bit). The file, or NULL
 * and *err = -ENOENT, -EACCES, ... from the lookup. */
struct file *exec_open(const char *path, int *err);

/* Load the ELF executable f (its first hdr_len bytes in hdr; path names it
 * in console messages) and the interpreter its PT_INTERP names into a new
 * mm laid out as <kernel/mm.h> says (randomized if randomize;
 * stack_rlimit: RLIMIT_STACK in bytes). Returns 0 and *im, or -ENOEXEC,
 * -EIO, -ENOMEM, -ELIBBAD (a bad interpreter) or the interpreter's lookup
 * error (-ENOENT, -EACCES...); the mm is freed on failure. */
int exec_load_elf(struct file *f, const void *hdr, size_t hdr_len, const char *path, bool randomize,
		  uint64_t stack_rlimit, struct exec_image *im);

/* With im->mm active and current's: write the strings, AT_RANDOM bytes,
 * auxv, envp, argv and argc at the top of the stack [System V ABI x86-64
 * §3.4.1, AArch64 likewise]. *sp = the 16-byte aligned address of argc.
 * 0 or -EFAULT/-ENOMEM (a page could not be provided). */
int exec_build_stack(const struct exec_image *im, const struct exec_args *a, const char *execfn,
		     uintptr_t *sp);

#endif
