/* Private to kernel/syscall: the generated table (table.c). */
#ifndef KERNEL_SYSCALL_INTERNAL_H
#define KERNEL_SYSCALL_INTERNAL_H
#include <hal/arch/syscall_list.h>
#include <kernel/syscall.h>

/* Handler per syscall number (NULL: not implemented) and its name (NULL:
 * no syscall with that number on this arch). */
extern const syscall_fn_t syscall_table[HAL_NR_SYSCALLS];
extern const char *const syscall_names[HAL_NR_SYSCALLS];

#endif
