/* Raw user-memory accessors with fault fixup.
 *
 * Each access that may fault on a user address has an __ex_table entry
 * { fault_ip, fixup_ip }. trap.c's page-fault handler first lets the core
 * resolve the fault (demand paging); if it cannot, it resumes at fixup_ip.
 * REP MOVSB/STOSB fault precisely with %rcx = bytes not yet done [Intel SDM
 * Vol. 2B REP; Vol. 3A §6.5 "faults ... restart"], which is the result.
 *
 * With SMAP on (hal_cpu_hardening), user pages are reachable only with
 * RFLAGS.AC set: STAC/CLAC bracket the access [Intel SDM Vol. 3A §4.6.1].
 */
#include "x64.h"

.macro USER_ACCESS_BEGIN
	testb $1, x64_smap_enabled(%rip)
	jz 91f
	stac
91:
.endm

.macro USER_ACCESS_END
	testb $1, x64_smap_enabled(%rip)
	jz 92f
	clac
92:
.endm

	.text

/* size_t hal_user_copy(void *dst, const void *src, size_t n):
 * returns the number of bytes not copied (0 on success). */
	.globl hal_user_copy
hal_user_copy:
	movq %rdx, %rcx
	USER_ACCESS_BEGIN
.Lcopy:
	rep movsb
.Lcopy_done:
	USER_ACCESS_END
	movq %rcx, %rax
	ret

/* size_t x64_user_zero(void *udst, size_t n): bytes not zeroed. */
	.globl x64_user_zero
x64_user_zero:
	movq %rsi, %rcx
	xorl %eax, %eax
	USER_ACCESS_BEGIN
.Lzero:
	rep stosb
.Lzero_done:
	USER_ACCESS_END
	movq %rcx, %rax
	ret

	.section __ex_table, "a"
	.balign 8
	.quad .Lcopy, .Lcopy_done
	.quad .Lzero, .Lzero_done
