/* Ring-2 service start-up: run every SERVICE_INIT entry of the
 * .service_init section once, in link order (see <kernel/service.h>).
 * A failing init is logged and the boot goes on without that service. */
#include <kernel/printk.h>
#include <kernel/service.h>

extern const struct service_init __service_init_start[], __service_init_end[];

void services_init(void)
{
	for (const struct service_init *s = __service_init_start; s < __service_init_end; s++) {
		int err;

		if (!s->init)
			continue;
		err = s->init();
		if (err)
			printk("service %s: init failed (%d)\n", s->name ? s->name : "?", err);
	}
}
