/* The initial user stack of a new program, laid out as Linux's
 * create_elf_tables() does (fs/binfmt_elf.c), from the top down:
 *
 *   [random 0..PAGE_SIZE-1 bytes, 16-aligned, if randomized]
 *   8 zero bytes | execfn | argv and envp strings | platform string |
 *   16 random bytes (AT_RANDOM) | pad to 16 |
 *   auxv pairs ... AT_NULL | NULL | envp[] | NULL | argv[] | argc  <- sp
 *
 * sp is 16-byte aligned [System V ABI x86-64 §3.4.1 "Initial Stack and
 * Register State"; AAPCS64 requires the same alignment]. */
#include <hal/arch/abi.h>
#include <hal/context.h>
#include <hal/cpu.h>
#include <hal/usercopy.h>
#include <kernel/elf.h>
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/random.h>
#include <kernel/sched.h>
#include <kernel/task.h>
#include <string.h>

#include "exec.h"

/* Auxiliary vector types [getauxval(3)], include/uapi/linux/auxvec.h. */
#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_BASE 7
#define AT_FLAGS 8
#define AT_ENTRY 9
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_PLATFORM 15
#define AT_HWCAP 16
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_RANDOM 25
#define AT_HWCAP2 26
#define AT_EXECFN 31
#define AT_SYSINFO_EHDR 33
#define AT_MINSIGSTKSZ 51

#define NR_AUXV 21 /* at most this many pairs written below, AT_NULL included */

/* Words written to user memory through a small bounce buffer. */
struct word_writer {
	uintptr_t uaddr; /* where buf[0] goes */
	uint64_t buf[64];
	unsigned n;
	int err;
};

static void ww_flush(struct word_writer *w)
{
	if (w->n && !w->err && copy_to_user(w->uaddr, w->buf, w->n * sizeof(uint64_t)))
		w->err = -EFAULT;
	w->uaddr += w->n * sizeof(uint64_t);
	w->n = 0;
}

static void ww_put(struct word_writer *w, uint64_t v)
{
	w->buf[w->n++] = v;
	if (w->n == ARRAY_SIZE(w->buf))
		ww_flush(w);
}

/* Pointers to the n strings packed at kbuf, which live at ubase. */
static void put_string_ptrs(struct word_writer *w, const char *kbuf, uintptr_t ubase, unsigned n)
{
	size_t off = 0;
	for (unsigned i = 0; i < n; i++) {
		ww_put(w, ubase + off);
		off += strlen(kbuf + off) + 1;
	}
	ww_put(w, 0);
}

int exec_build_stack(const struct exec_image *im, const struct exec_args *a, const char *execfn,
		     uintptr_t *sp_out)
{
	const struct task *t = current;
	size_t execfn_len = strlen(execfn) + 1;
	size_t plat_len = sizeof(HAL_ELF_PLATFORM);
	uintptr_t p = im->stack_top;
	uintptr_t u_execfn, u_strings, u_platform, u_random, sp;
	uint8_t rnd[16];
	size_t words;
	struct word_writer w;

	/* Linux arch_align_stack(): a random offset inside the top page. */
	if (im->randomize) {
		uint16_t off;

		get_random_bytes(&off, sizeof off);
		p -= (off % PAGE_SIZE) & ~(uintptr_t)15;
	}
	p -= sizeof(uint64_t);
	/* End marker, then the strings. */
	if (clear_user(p, sizeof(uint64_t)))
		return -EFAULT;
	p -= execfn_len;
	u_execfn = p;
	p -= a->len;
	u_strings = p;
	p -= plat_len;
	u_platform = p;
	p = (p & ~(uintptr_t)15) - sizeof rnd;
	u_random = p;
	if (copy_to_user(u_execfn, execfn, execfn_len) || copy_to_user(u_strings, a->buf, a->len) ||
	    copy_to_user(u_platform, HAL_ELF_PLATFORM, plat_len))
		return -EFAULT;
	im->mm->arg_start = u_strings;
	im->mm->arg_end = u_strings + a->argv_len;
	im->mm->env_start = u_strings + a->argv_len;
	im->mm->env_end = u_strings + a->len;
	get_random_bytes(rnd, sizeof rnd);
	if (copy_to_user(u_random, rnd, sizeof rnd))
		return -EFAULT;

	/* argc, argv[] + NULL, envp[] + NULL, auxv. */
	words = 1 + (a->argc + 1) + (a->envc + 1) + 2 * NR_AUXV;
	sp = (p - words * sizeof(uint64_t)) & ~(uintptr_t)15;
	if (sp < im->stack_top - HAL_USER_STACK_SIZE + PAGE_SIZE)
		return -E2BIG;

	memset(&w, 0, sizeof w);
	w.uaddr = sp;
	ww_put(&w, a->argc);
	put_string_ptrs(&w, a->buf, u_strings, a->argc);
	put_string_ptrs(&w, a->buf + a->argv_len, u_strings + a->argv_len, a->envc);
	/* The pairs are built in mm->saved_auxv (also /proc/<pid>/auxv), then
	 * copied to the stack. */
	_Static_assert(2 * NR_AUXV <= MM_SAVED_AUXV_WORDS, "saved_auxv holds every pair");
	uint64_t *aux = im->mm->saved_auxv;
	unsigned naux = 0;
#define AUX(type, val)                         \
	do {                                   \
		aux[naux++] = (type);          \
		aux[naux++] = (uint64_t)(val); \
	} while (0)
	/* The vDSO's ELF header, if one is mapped [getauxval(3), vdso(7)]. */
	if (im->mm->vdso_base)
		AUX(AT_SYSINFO_EHDR, im->mm->vdso_base);
	AUX(AT_MINSIGSTKSZ, hal_signal_frame_size());
	AUX(AT_HWCAP, hal_elf_hwcap());
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_CLKTCK, SCHED_HZ);
	AUX(AT_PHDR, im->phdr);
	AUX(AT_PHENT, ELF_PHDR_SIZE);
	AUX(AT_PHNUM, im->phnum);
	AUX(AT_BASE, im->interp_base);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, im->prog_entry);
	AUX(AT_UID, t->uid);
	AUX(AT_EUID, t->euid);
	AUX(AT_GID, t->gid);
	AUX(AT_EGID, t->egid);
	/* Linux sets it when exec changed credentials (set-user-ID files,
	 * which this kernel does not honour) or they already differ; glibc
	 * and musl then ignore LD_* variables. */
	AUX(AT_SECURE, t->uid != t->euid || t->gid != t->egid);
	AUX(AT_RANDOM, u_random);
	AUX(AT_HWCAP2, hal_elf_hwcap2());
	AUX(AT_EXECFN, u_execfn);
	AUX(AT_PLATFORM, u_platform);
	AUX(AT_NULL, 0);
#undef AUX
	for (unsigned i = 0; i < naux; i++)
		ww_put(&w, aux[i]);
	ww_flush(&w);
	if (w.err)
		return w.err;
	*sp_out = sp;
	return 0;
}
