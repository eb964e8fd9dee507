/* lwIP sys_arch for NO_SYS = 1: only time (sys_now()) is needed. */
#ifndef KEVLAR_LWIP_SYS_ARCH_H
#define KEVLAR_LWIP_SYS_ARCH_H
#endif
