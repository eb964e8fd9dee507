/* Kernel threads for services (part of the service API): a ring-2 service
 * that must do work nobody asks for (lwIP's timers in services/net) runs
 * it on a thread of its own, as Linux's kthread_run() [include/linux/
 * kthread.h]. The thread has no user memory, no files and no parent (ppid
 * 0, as Linux's kthreadd children show it); it never exits. */
#ifndef KERNEL_KTHREAD_H
#define KERNEL_KTHREAD_H

/* Create a kernel thread named name (up to 15 characters shown in
 * /proc/<pid>/comm) that runs fn(arg) on its own kernel stack, and make
 * it runnable. fn must not return. 0, or -ENOMEM (no task or pid). May
 * sleep; process context. */
int kthread_run(const char *name, void (*fn)(void *), void *arg);

#endif
