/* System call definitions. A handler is written once with
 * SYSCALL_DEFINEn(name, type, arg, ...) and becomes
 * `long sys_<name>(const unsigned long args[6])`. The per-arch number table
 * (<hal/arch/syscall_list.h>: X(name, number) for every Linux syscall of
 * that arch) is turned into the dispatch table in kernel/syscall/table.c
 * through weak references: a syscall listed there but not implemented
 * anywhere returns -ENOSYS (logged once). Arguments arrive as unsigned
 * long; user pointers stay integers (uintptr_t) and are only touched
 * through copy_from_user()/copy_to_user(). */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H
#include <hal/types.h>

typedef long (*syscall_fn_t)(const unsigned long *args);

#define __SC_DECL(name) long sys_##name(const unsigned long *args)

#define SYSCALL_DEFINE0(name)              \
	static long __do_sys_##name(void); \
	__SC_DECL(name);                   \
	__SC_DECL(name)                    \
	{                                  \
		(void)args;                \
		return __do_sys_##name();  \
	}                                  \
	static long __do_sys_##name(void)
#define SYSCALL_DEFINE1(name, t1, a1)                \
	static long __do_sys_##name(t1 a1);          \
	__SC_DECL(name);                             \
	__SC_DECL(name)                              \
	{                                            \
		return __do_sys_##name((t1)args[0]); \
	}                                            \
	static long __do_sys_##name(t1 a1)
#define SYSCALL_DEFINE2(name, t1, a1, t2, a2)                     \
	static long __do_sys_##name(t1 a1, t2 a2);                \
	__SC_DECL(name);                                          \
	__SC_DECL(name)                                           \
	{                                                         \
		return __do_sys_##name((t1)args[0], (t2)args[1]); \
	}                                                         \
	static long __do_sys_##name(t1 a1, t2 a2)
#define SYSCALL_DEFINE3(name, t1, a1, t2, a2, t3, a3)                          \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3);                      \
	__SC_DECL(name);                                                       \
	__SC_DECL(name)                                                        \
	{                                                                      \
		return __do_sys_##name((t1)args[0], (t2)args[1], (t3)args[2]); \
	}                                                                      \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3)
#define SYSCALL_DEFINE4(name, t1, a1, t2, a2, t3, a3, t4, a4)                               \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4);                            \
	__SC_DECL(name);                                                                    \
	__SC_DECL(name)                                                                     \
	{                                                                                   \
		return __do_sys_##name((t1)args[0], (t2)args[1], (t3)args[2], (t4)args[3]); \
	}                                                                                   \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4)
#define SYSCALL_DEFINE5(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5)                      \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5);                    \
	__SC_DECL(name);                                                                   \
	__SC_DECL(name)                                                                    \
	{                                                                                  \
		return __do_sys_##name((t1)args[0], (t2)args[1], (t3)args[2], (t4)args[3], \
				       (t5)args[4]);                                       \
	}                                                                                  \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5)
#define SYSCALL_DEFINE6(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6)              \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6);             \
	__SC_DECL(name);                                                                   \
	__SC_DECL(name)                                                                    \
	{                                                                                  \
		return __do_sys_##name((t1)args[0], (t2)args[1], (t3)args[2], (t4)args[3], \
				       (t5)args[4], (t6)args[5]);                          \
	}                                                                                  \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6)

/* Dispatch one system call (kernel/syscall/dispatch.c). */
long syscall_dispatch(unsigned long nr, const unsigned long *args);
/* Number of syscalls with an implementation on this arch / in this
 * arch's Linux table (for the boot log and reports). */
unsigned syscall_count_implemented(void);
unsigned syscall_count_listed(void);

/* System call counts since boot, for /proc/kevlar/syscalls (a test can
 * prove that the vDSO made none). Counted on entry, valid or not.
 * syscall_calls(nr): calls with number nr (0 if nr >= syscall_nr_limit());
 * syscall_calls_total(): all of them; syscall_name_of(nr): Linux name or
 * NULL. Each thread also counts its own in task.nr_syscalls. */
uint64_t syscall_calls(unsigned long nr);
uint64_t syscall_calls_total(void);
const char *syscall_name_of(unsigned long nr);
unsigned long syscall_nr_limit(void);

#endif
