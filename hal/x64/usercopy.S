/* Raw user-memory accessors with fault fixup.
 *
 * Each access that may fault on a user address has an __ex_table entry
 * { fault_ip, fixup_ip }. trap.c's page-fault handler first lets the core
 * resolve the fault (demand paging); if it cannot, it resumes at fixup_ip.
 * REP MOVSB/STOSB fault precisely with %rcx = bytes not yet done [Intel SDM
 * Vol. 2B REP; Vol. 3A §6.5 "faults ... restart"], which is the result;
 * REP MOVSQ faults with %rcx = quadwords not yet done.
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
 * returns the number of bytes not copied (0 on success).
 *
 * Copies of 64 bytes or more: REP MOVSB up to an 8-byte aligned
 * destination, REP MOVSQ for the aligned bulk, REP MOVSB for the tail.
 * A fault in MOVSQ leaves %rcx = quadwords not done, but the faulting
 * quadword may straddle the page boundary with some of its bytes still
 * accessible; so the fixup turns what is left into bytes and finishes with
 * REP MOVSB, which stops at the exact first inaccessible byte. Register
 * use: %rcx = count of the running REP, %rdx = bytes after it. */
	.globl hal_user_copy
hal_user_copy:
	USER_ACCESS_BEGIN
	cmpq $64, %rdx
	jb .Lcopy_short
	movl %edi, %ecx
	negl %ecx
	andl $7, %ecx                   /* head: bytes to an aligned dst */
	subq %rcx, %rdx
.Lcopy_head:
	rep movsb
	movq %rdx, %rcx
	shrq $3, %rcx
	andl $7, %edx
.Lcopy_bulk:
	rep movsq
.Lcopy_short:
	movq %rdx, %rcx
	xorl %edx, %edx
.Lcopy_tail:
	rep movsb
.Lcopy_done:
	addq %rdx, %rcx                 /* after a head fault: + the rest */
	USER_ACCESS_END
	movq %rcx, %rax
	ret
.Lcopy_bulk_fault:
	leaq (%rdx, %rcx, 8), %rdx      /* bytes left, retried bytewise */
	jmp .Lcopy_short

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
	.quad .Lcopy_head, .Lcopy_done
	.quad .Lcopy_bulk, .Lcopy_bulk_fault
	.quad .Lcopy_tail, .Lcopy_done
	.quad .Lzero, .Lzero_done
