/* /proc/driver/: driver status files, as Linux's /proc/driver/rtc
 * ("name<TAB>: value" lines).
 *
 * /proc/driver/hw_random: the kernel pool's hardware random source
 * (struct hwrng, <kernel/random.h>). Linux shows the first two as
 * /sys/devices/virtual/misc/hw_random/rng_{current,available}; Kevlar has
 * no sysfs yet, and adds the counters that prove the device is driven:
 *   rng_current   : virtio_rng.0      ("none" without a source)
 *   rng_available : virtio_rng.0
 *   bytes_mixed   : 256               (bytes from the device in the pool)
 *   requests      : 3                 (on-demand refills asked for)
 *   state         : ok                ("failed": the driver gave up on it)
 */
#include <kernel/random.h>

#include "procfs.h"

int proc_show_hw_random(struct seqbuf *s, struct task *t)
{
	struct hwrng_stats st;

	if (hwrng_stats(&st)) {
		seq_printf(s, "rng_current\t: none\nrng_available\t: \nbytes_mixed\t: 0\n"
			      "requests\t: 0\nstate\t\t: none\n");
		return 0;
	}
	seq_printf(s,
		   "rng_current\t: %s\nrng_available\t: %s\nbytes_mixed\t: %llu\n"
		   "requests\t: %llu\nstate\t\t: %s\n",
		   st.failed ? "none" : st.name, st.name, (unsigned long long)st.bytes_mixed,
		   (unsigned long long)st.requests, st.failed ? "failed" : "ok");
	return 0;
}
