/* The system call table of this arch, generated from <hal/arch/syscall_list.h>
 * (X(name, number) for every Linux syscall). Each handler is a WEAK
 * reference to sys_<name>: a syscall nobody implements links as NULL and
 * dispatch.c turns it into -ENOSYS. */
#include <hal/arch/syscall_list.h>
#include <kernel/syscall.h>

#include "syscall_internal.h"

#define X(name, nr) extern long sys_##name(const unsigned long *args) __attribute__((weak));
HAL_SYSCALL_LIST(X)
#undef X

const syscall_fn_t syscall_table[HAL_NR_SYSCALLS] = {
#define X(name, nr) [nr] = sys_##name,
	HAL_SYSCALL_LIST(X)
#undef X
};

const char *const syscall_names[HAL_NR_SYSCALLS] = {
#define X(name, nr) [nr] = #name,
	HAL_SYSCALL_LIST(X)
#undef X
};
