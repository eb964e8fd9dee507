/* Host stand-ins for what the VFS needs from the HAL and the rest of the
 * core (heap, usercopy on host pointers, a scheduler that never sleeps). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <stddef.h>
#include <hal/types.h>
#include <hal/cpu.h>
#include <kernel/errno.h>
#include <kernel/eventpoll.h>
#include <kernel/kmalloc.h>
#include <kernel/sched.h>
#include <kernel/task.h>
#include <kernel/signal.h>
#include <kernel/time.h>
#include <kernel/printk.h>

void *kmalloc(size_t n) { return malloc(n ? n : 1); }
void *kzalloc(size_t n) { return calloc(1, n ? n : 1); }
void *krealloc(void *p, size_t n) { return realloc(p, n); }
void kfree(void *p) { free(p); }
char *kstrdup(const char *s) { return strdup(s); }
void printk(const char *fmt, ...) { va_list ap; va_start(ap, fmt); vprintf(fmt, ap); va_end(ap); }
void panic(const char *fmt, ...) { va_list ap; va_start(ap, fmt); vprintf(fmt, ap); va_end(ap); printf("\n"); abort(); }
int copy_from_user(void *d, uintptr_t s, size_t n) { if (!s && n) return -EFAULT; memcpy(d, (void *)s, n); return 0; }
int copy_to_user(uintptr_t d, const void *s, size_t n) { if (!d && n) return -EFAULT; memcpy((void *)d, s, n); return 0; }
int clear_user(uintptr_t d, size_t n) { memset((void *)d, 0, n); return 0; }
long strncpy_from_user(char *d, uintptr_t s, size_t max) {
	if (!s) return -EFAULT;
	const char *p = (const char *)s; size_t i;
	for (i = 0; i < max; i++) { d[i] = p[i]; if (!p[i]) return (long)i; }
	return -ENAMETOOLONG;
}
static int irq_on = 1;
irqflags_t hal_irq_save(void) { int o = irq_on; irq_on = 0; return o; }
void hal_irq_restore(irqflags_t f) { irq_on = (int)f; }
bool hal_irq_enabled(void) { return irq_on; }
void wait_queue_init(struct wait_queue *wq) { spin_lock_init(&wq->lock, "wait_queue"); list_init(&wq->waiters); list_init(&wq->callbacks); }
void eventpoll_release(struct file *f) {}
void fsnotify_name(struct inode *dir, uint32_t mask, const char *name, size_t len, uint32_t cookie) {}
void fsnotify_inode(struct inode *inode, struct inode *parent, const char *name, size_t len, uint32_t mask) {}
uint32_t fsnotify_cookie(void) { return 1; }
void add_wait_entry(struct wait_queue *wq, struct wait_entry *we) { list_add_tail(&we->link, &wq->callbacks); }
void remove_wait_entry(struct wait_entry *we) { if (we->link.next) list_del(&we->link); }
void wake_up_task(struct task *t) {}
const char *anon_inode_name(const struct file *f) { return NULL; }
int sched_sleep(struct wait_queue *wq, uint64_t d, bool i) { printf("  [sched_sleep called -> EINTR]\n"); return -EINTR; }
/* The wait-queue protocol: nothing ever wakes a sleeper here, so a sleep
 * is interrupted at once, like sched_sleep() above. */
void prepare_to_wait(struct wait_queue *wq, uint64_t d, bool i) {}
int sched_wait(void) { printf("  [sched_wait called -> EINTR]\n"); return -EINTR; }
void finish_wait(struct wait_queue *wq) {}
int sched_sleep_locked(struct wait_queue *wq, spinlock_t *l, uint64_t d, bool i) { return sched_sleep(wq, d, i); }
int sched_sleep_until(uint64_t d, bool i) { return sched_sleep(NULL, d, i); }
void wake_up(struct wait_queue *wq) {}
int last_signal;
int send_signal(struct task *t, int sig, const struct linux_siginfo *info) { last_signal = sig; return 0; }
int send_group_signal(struct task *t, int sig, const struct linux_siginfo *info) { last_signal = sig; return 0; }
int kill_pgrp(int pgid, int sig, const struct linux_siginfo *info) { return -ESRCH; }
struct task *task_lookup(int pid) { return pid == (current ? current->tid : -1) ? current : NULL; }
/* One task that never goes away: references are not counted. */
struct task *get_task(struct task *t) { return t; }
void put_task(struct task *t) {}
#include <kernel/fdtable.h>
struct files *get_task_files(struct task *t) { return t->files ? files_get(t->files) : NULL; }
struct fs_struct *get_task_fs(struct task *t) { return t->fs ? fs_get(t->fs) : NULL; }
/* One task, nothing sleeps: a mutex is only ever free. */
#include <kernel/mutex.h>
void mutex_lock(struct mutex *m) { if (m->owner) panic("mutex %s taken twice", m->name); m->owner = current ? current : (struct task *)m; }
void mutex_unlock(struct mutex *m) { m->owner = NULL; }
void mutex_init(struct mutex *m, const char *name) { m->owner = NULL; m->name = name; wait_queue_init(&m->wq); }
void hal_cpu_relax(void) {}
/* sendfile's copy loop (kernel/vfs/sendfile.c): no signals, nothing else to run on the host. */
bool current_signal_pending(void) { return false; }
void cond_resched(void) {}
int sched_sleep_mutex(struct wait_queue *wq, struct mutex *m, uint64_t d, bool i) { return sched_sleep(wq, d, i); }
int64_t time_realtime_ns(void) { return 1700000000LL * 1000000000LL; }
uint64_t hal_timer_now_ns(void) { static uint64_t t; return t += 1000; }
uint64_t frame_total_bytes(void) { return 64 << 20; }
/* One CPU: `current` is host_cpu.curr (<kernel/percpu.h>). */
static struct percpu host_cpu;
void *hal_percpu_get(void) { return &host_cpu; }
void hal_percpu_set(void *p) {}

/* Frames: host pages; the "physical address" is the host pointer. Each
 * frame carries its reference count in front of it. */
#include <hal/frame.h>
struct host_frame { long refs; long pad[511]; char data[4096]; };
paddr_t frame_alloc(unsigned order)
{
	struct host_frame *f = order ? NULL : calloc(1, sizeof(*f));
	if (!f)
		return 0;
	f->refs = 1;
	return (paddr_t)(uintptr_t)f->data;
}
static struct host_frame *host_frame_of(paddr_t pa)
{
	return (struct host_frame *)((char *)(uintptr_t)pa - offsetof(struct host_frame, data));
}
void frame_free(paddr_t pa, unsigned order)
{
	if (pa && --host_frame_of(pa)->refs == 0)
		free(host_frame_of(pa));
	(void)order;
}
int frame_get(paddr_t pa) { host_frame_of(pa)->refs++; return 0; }
void frame_read(paddr_t pa, size_t off, void *buf, size_t len) { memcpy(buf, (char *)(uintptr_t)pa + off, len); }
void frame_write(paddr_t pa, size_t off, const void *buf, size_t len) { memcpy((char *)(uintptr_t)pa + off, buf, len); }
/* The direct map of the host's frames: their address is their "pa". */
void *hal_phys_to_virt(paddr_t pa) { return (void *)(uintptr_t)pa; }

/* The service boundary (<kernel/service.h>): nothing faults inside a service
 * on the host, so a recovery point is never resumed. */
#include <kernel/service.h>
int hal_recovery_save(struct hal_recovery_point *rp) { (void)rp; return 0; }
#ifdef SVC_CONTAIN
bool svc_frame_push(struct svc_frame *f, struct svc_instance *inst) { (void)f; return !(inst && inst->failed); }
void svc_frame_pop(struct svc_frame *f) { (void)f; }
#endif
void svc_instance_init(struct svc_instance *inst, const char *name)
{
	memset(inst, 0, sizeof(*inst));
	inst->name = name;
	list_init(&inst->charged);
}
size_t svc_instance_release(struct svc_instance *inst) { (void)inst; return 0; }
/* Page allocation for services (<kernel/cap.h>): no tokens are checked on the host. */
int svc_page_alloc(cap_page_alloc_t cap, unsigned order, paddr_t *pa)
{
	(void)cap;
	*pa = frame_alloc(order);
	return *pa ? 0 : -ENOMEM;
}

/* <kernel/current.h> (kernel/proc/current.c in the kernel). */
uint32_t current_fsuid(void) { return current ? current->euid : 0; }
uint32_t current_fsgid(void) { return current ? current->egid : 0; }
/* kernel/proc/groups.c, without supplementary groups. */
bool in_group_real_p(uint32_t gid) { return !current || current->gid == gid; }
bool in_group_p(uint32_t gid) { return !current || current->fsgid == gid; }
/* dnotify (kernel/events/dnotify.c) is not linked: no directory is watched on the host. */
#include <kernel/eventpoll.h>
void dnotify_flush(struct file *f, struct files *tab) {}
long dnotify_fcntl(struct file *f, unsigned long arg) { return -EINVAL; }
