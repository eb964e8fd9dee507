/* System V IPC (kernel/ipc/) as the rest of the core sees it. */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H

/* The last thread of process tgid is exiting: apply and drop its
 * semaphore adjustments (SEM_UNDO) [semop(2)]. Process context. */
void sem_exit_undo(int tgid);

#endif
