/* Ring-2 services (file systems, drivers above the HAL) register
 * themselves with SERVICE_INIT; the core calls every init function once,
 * after the heap, scheduler and VFS are up, in link order.
 *
 * svc_call(): every call from the core into a service goes through it.
 * In this version it is a direct call under every profile; containment
 * (unwinding a fault inside the service to the boundary and returning
 * -EIO) arrives with the safety-profile work (docs/safety-profiles.md). */
#ifndef KERNEL_SERVICE_H
#define KERNEL_SERVICE_H
#include <hal/types.h>

struct service_init {
	const char *name;
	int (*init)(void);
};
#define SERVICE_INIT(n, fn)                                                          \
	static const struct service_init __svc_##n __used __section(".service_init")  \
		__aligned(8) = { .name = #n, .init = (fn) }

/* Run every SERVICE_INIT (kernel/main.c). */
void services_init(void);

#define svc_call(sb, expr) (expr)

#endif
