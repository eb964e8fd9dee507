/* <hal/arch/abi.h> for kernel/vfs/. The x86_64 struct linux_stat names a
 * padding field __unused, which <hal/types.h> defines as an attribute
 * macro; keep the macro out of the way while the header is read. */
#ifndef KERNEL_VFS_ABI_H
#define KERNEL_VFS_ABI_H
#include <hal/types.h>
#pragma push_macro("__unused")
#undef __unused
#include <hal/arch/abi.h>
#pragma pop_macro("__unused")
#endif
