/* Ring-2 services and the boundary the core calls them through
 * (DESIGN §1, §5; docs/safety-profiles.md).
 *
 * A *service* is code in services/ or drivers/: a file system, a device
 * driver. Each mounted file system (super block) or probed device is one
 * *service instance* (struct svc_instance). Every call from the core into a
 * service goes through svc_call():
 *
 *   Fortress, Balanced (SVC_CONTAIN): svc_call() records a recovery point
 *   (hal_recovery_save(), <hal/recover.h>) in a frame on the calling task.
 *   A panic(), a failed KASSERT or a kernel fault (bad pointer, undefined
 *   instruction) raised while the call runs — in the service or in core code
 *   it called — is *contained*: the core logs it with a backtrace, releases the
 *   mutexes taken during the call, marks the instance failed and resumes at the
 *   recovery point, so svc_call() returns -EIO (or the given failure value).
 *   Calls into a failed instance return -EIO at once, until the instance is
 *   torn down (umount) and created again (mount). Allocations made by the
 *   service (kmalloc while a call runs) are charged to its instance; the ones
 *   still live when a failed instance is torn down are freed by the core
 *   (svc_instance_release()), since the service's own teardown can no longer
 *   be trusted.
 *   Not contained: faults in IRQ context, in core code outside any service
 *   call, or in a call made with a NULL instance (core objects such as pipes).
 *
 *   Performance, Ludicrous: svc_call(inst, expr) is (expr): a direct call the
 *   compiler may inline; a service fault is a kernel panic.
 *
 * SERVICE_INIT(name, fn): services register an init function; the core calls
 * every one once, after the heap, scheduler and VFS are up, in link order.
 */
#ifndef KERNEL_SERVICE_H
#define KERNEL_SERVICE_H
#include <hal/types.h>
#include <hal/recover.h>
#include <kernel/cap.h>
#include <kernel/errno.h>
#include <kernel/list.h>
#include <kevlar/profile.h>

#if defined(KEVLAR_PROFILE_FORTRESS) || defined(KEVLAR_PROFILE_BALANCED)
#define SVC_CONTAIN 1
#endif

struct service_init {
	const char *name;
	int (*init)(void);
};
#define SERVICE_INIT(n, fn)                                                          \
	static const struct service_init __svc_##n __used __section(".service_init") \
		__aligned(8) = { .name = #n, .init = (fn) }

/* Run every SERVICE_INIT (kernel/main.c). */
void services_init(void);

/* One instance of a service (a mounted file system, a probed device). */
struct svc_instance {
	const char *name;	  /* the service: "tmpfs", "faultfs", ... */
	bool failed;		  /* a fault was contained: every call -EIO */
	unsigned long faults;	  /* faults contained in this instance */
	struct list_head charged; /* live allocations charged to it (SVC_CONTAIN) */
	size_t charged_bytes;	  /* their total size, bytes */
	uint64_t serial;	  /* unique per instance since boot (never 0) */
	struct svc_caps caps;	  /* its capability tokens, minted by the core (<kernel/cap.h>) */
};

/* Set up inst for service name (a string that outlives inst) and mint its
 * capability tokens. */
void svc_instance_init(struct svc_instance *inst, const char *name);
/* The end of an instance, after its own teardown ran (or, if it failed, was
 * skipped): its capability tokens become stale; a failed instance's allocations still charged to it are freed
 * (the memory the faulting call leaked, the state the service can no longer
 * free itself); a healthy instance's are only forgotten, since the core may
 * still hold objects a working service handed it. Returns the bytes freed. */
size_t svc_instance_release(struct svc_instance *inst);

/* The serial of the service instance whose call the current task is in
 * (the innermost one), or 0: outside any call, in a call with a NULL
 * instance, or in a profile without containment (Performance, Ludicrous). */
uint64_t svc_current_serial(void);

/* System-wide counters, for /proc/kevlar/services. */
struct svc_stats {
	unsigned long calls_contained; /* calls that returned -EIO after a fault */
	unsigned long bytes_reclaimed; /* freed by svc_instance_release() */
	size_t bytes_charged;	       /* live allocations charged to instances now */
	unsigned long instances_failed;
};
void svc_get_stats(struct svc_stats *out);

#ifdef SVC_CONTAIN
struct mutex;
#define SVC_MAX_LOCKS 8

/* A service call in progress (on the calling task's kernel stack). */
struct svc_frame {
	struct hal_recovery_point rp;
	struct svc_instance *inst;	    /* NULL: a core object, not contained */
	struct svc_frame *prev;		    /* the enclosing call, or NULL */
	struct mutex *locks[SVC_MAX_LOCKS]; /* taken during this call, still held */
	unsigned nlocks;
};

/* svc_call() internals: push returns false if inst has failed. */
bool svc_frame_push(struct svc_frame *f, struct svc_instance *inst);
void svc_frame_pop(struct svc_frame *f);

#define svc_call_or(inst, expr, failval)                           \
	({                                                         \
		struct svc_frame __svc_f;                          \
		__typeof__(expr) __svc_r = (failval);              \
		if (svc_frame_push(&__svc_f, (inst))) {            \
			if (hal_recovery_save(&__svc_f.rp) == 0) { \
				__svc_r = (expr);                  \
				svc_frame_pop(&__svc_f);           \
			}                                          \
		}                                                  \
		__svc_r;                                           \
	})
#define svc_call_void(inst, expr)                                  \
	do {                                                       \
		struct svc_frame __svc_f;                          \
		if (svc_frame_push(&__svc_f, (inst))) {            \
			if (hal_recovery_save(&__svc_f.rp) == 0) { \
				expr;                              \
				svc_frame_pop(&__svc_f);           \
			}                                          \
		}                                                  \
	} while (0)

/* The fault paths (kernel/panic.c): if the current task is inside a service
 * call that can be contained, contain it (never returns); else return. */
void svc_contain_fault(const char *what, uintptr_t fp);

/* kmalloc/kfree hooks (kernel/mm/kmalloc.c): charge an allocation made
 * inside a service call to its instance, and uncharge it when freed. */
void svc_charge(void *p, size_t size);
void svc_uncharge(void *p);
/* mutex hooks (kernel/sched/mutex.c). */
void svc_note_lock(struct mutex *m);
void svc_note_unlock(struct mutex *m);
#else
#define svc_call_or(inst, expr, failval) ((void)(inst), (expr))
#define svc_call_void(inst, expr) ((void)(inst), (expr))
static inline void svc_contain_fault(const char *what, uintptr_t fp)
{
	(void)what;
	(void)fp;
}
#endif

/* expr (a call into inst's service) returning an int-like -errno. */
#define svc_call(inst, expr) svc_call_or(inst, expr, -EIO)

#endif
