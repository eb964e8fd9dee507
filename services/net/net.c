/* services/net: lwIP 2.1.3 (NO_SYS = 1) as a ring-2 service; AF_INET
 * sockets with Linux's semantics on top (af_inet.c, tcp.c, udp.c,
 * sockopt.c). docs/architecture.md "Sockets".
 *
 * One mutex, lwip_mutex, serialises every entry into lwIP: the socket
 * calls (each one a svc_call() of the socket layer on net_svc) and the
 * "lwipd" kernel thread, which runs lwIP's timeouts (TCP's 250 ms timer:
 * delayed ACKs, retransmissions, TIME_WAIT, keepalive) and lo's queue,
 * itself inside svc_call_void() so a fault there is contained as well. */
#include <stdarg.h>
#include <kernel/kmalloc.h>
#include <kernel/kthread.h>
#include <kernel/netdevice.h>
#include <kernel/printk.h>
#include <kernel/random.h>
#include <kernel/time.h>

#include "inet.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"

/* Guards lwIP (all its globals, pcbs, pbufs) and every inet_sock. */
struct mutex lwip_mutex = MUTEX_INIT(lwip_mutex, "lwip_mutex");
/* The network service's instance: the socket layer calls our ops through
 * svc_call() on it (net_proto_family.svc). */
struct svc_instance net_svc;

/* ---- lwIP's port (arch/cc.h, sys_arch) ----------------------------------------------- */

void *lwip_port_malloc(size_t size)
{
	return kmalloc(size ? size : 1);
}

void lwip_port_free(void *p)
{
	kfree(p);
}

void *lwip_port_calloc(size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	return kzalloc(n * size ? n * size : 1);
}

uint32_t lwip_port_rand(void)
{
	uint32_t r;

	get_random_bytes(&r, sizeof(r));
	return r;
}

void lwip_port_diag(const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("lwip: %s", buf);
}

void lwip_port_assert(const char *msg, const char *file, int line)
{
	panic("lwip: assertion \"%s\" failed at %s:%d", msg, file, line);
}

/* [lwIP sys.h] milliseconds of a monotonic clock, wrapping at 2^32. */
u32_t sys_now(void)
{
	return (u32_t)(time_monotonic_ns() / 1000000);
}

/* ---- the lock and lo ------------------------------------------------------------------- */

void net_loop_poll(void)
{
	/* Delivering a packet on lo may queue more (the answer): run until
	 * quiet, bounded so a storm cannot hold the lock forever (the rest
	 * waits for the next call or lwipd). */
	for (int round = 0; round < 64; round++) {
		struct netif *n;
		bool pending = false;

		NETIF_FOREACH(n)
		{
			if (n->loop_first)
				pending = true;
		}
		if (!pending)
			return;
		netif_poll_all();
	}
}

void net_lock(void)
{
	mutex_lock(&lwip_mutex);
}

void net_unlock(void)
{
	net_loop_poll();
	mutex_unlock(&lwip_mutex);
}

uint64_t inet_deadline(uint64_t timeo_ns)
{
	return timeo_ns ? time_monotonic_ns() + timeo_ns : 0;
}

int inet_sleep(struct inet_sock *sk, uint64_t deadline_ns)
{
	unsigned gen = sk->wake_gen;
	int r;

	/* What lo delivers now may be what the caller waits for: if it woke
	 * sk, return so the caller tests its condition again. */
	net_loop_poll();
	if (sk->wake_gen != gen)
		return 0;
	r = sched_sleep_mutex(&sk->wq, &lwip_mutex, deadline_ns, true);
	if (r == -ETIMEDOUT)
		return -EAGAIN;
	if (r)
		return deadline_ns ? -EINTR : -ERESTARTSYS;
	return 0;
}

/* ---- lwipd: timeouts, lo and the network devices ------------------------------------ */

/* lwipd sleeps here; a device's interrupt (frames waiting), a new device
 * or a link change wakes it through the core (netdev_stack_ops.notify). */
static struct wait_queue lwipd_wq;
static volatile bool lwipd_kicked;

static void lwipd_notify(void)
{
	__atomic_store_n(&lwipd_kicked, true, __ATOMIC_SEQ_CST);
	wake_up(&lwipd_wq);
}

static const struct netdev_stack_ops net_stack_ops = {
	.notify = lwipd_notify,
};

static void lwipd_tick(void)
{
	mutex_lock(&lwip_mutex);
	/* cleared before looking, so a notify from now on is not lost */
	__atomic_store_n(&lwipd_kicked, false, __ATOMIC_SEQ_CST);
	if (eth_poll())
		lwipd_notify(); /* the budget ran out: another pass */
	sys_check_timeouts();
	net_loop_poll();
	eth_dhcp_report();
	mutex_unlock(&lwip_mutex);
}

static void lwipd(void *arg)
{
	(void)arg;
	for (;;) {
		uint32_t ms;

		svc_call_void(&net_svc, lwipd_tick());
		mutex_lock(&lwip_mutex);
		ms = sys_timeouts_sleeptime();
		mutex_unlock(&lwip_mutex);
		/* lwIP's timers are 250 ms (TCP) and longer; wake at the next
		 * one, at least every second (a timeout armed meanwhile by a
		 * socket call is then at most that late), at most every 10 ms. */
		if (ms > 1000)
			ms = 1000;
		if (ms < 10)
			ms = 10;
		prepare_to_wait(&lwipd_wq, time_monotonic_ns() + (uint64_t)ms * 1000000, false);
		if (!__atomic_load_n(&lwipd_kicked, __ATOMIC_SEQ_CST))
			sched_wait();
		finish_wait(&lwipd_wq);
	}
}

/* ip=dhcp: wait for the lease as Linux's ipconfig does before init runs,
 * NET_DHCP_WAIT_MS at most (then boot goes on and the client keeps
 * trying). */
#define NET_DHCP_WAIT_MS 10000

static void net_dhcp_wait(void)
{
	for (int ms = 0; ms < NET_DHCP_WAIT_MS; ms += 20) {
		bool pending;

		mutex_lock(&lwip_mutex);
		pending = eth_dhcp_pending();
		mutex_unlock(&lwip_mutex);
		if (!pending)
			return;
		sched_sleep_until(time_monotonic_ns() + 20000000ull, false);
	}
	printk("IP-Config: no DHCP answer within %u s; still trying\n", NET_DHCP_WAIT_MS / 1000);
}

static int net_init(void)
{
	int err;

	svc_instance_init(&net_svc, "net");
	wait_queue_init(&lwipd_wq);
	mutex_lock(&lwip_mutex);
	lwip_init(); /* also brings lo up: 127.0.0.1/8 (LWIP_HAVE_LOOPIF) */
	eth_init();
	/* the devices found so far (drivers probe before services start) */
	svc_call_void(&net_svc, (void)eth_poll());
	mutex_unlock(&lwip_mutex);
	netdev_register_stack(&net_svc, &net_stack_ops);
	err = inet_init();
	if (err) {
		pr_err("net: cannot register AF_INET (%d)\n", err);
		return err;
	}
	err = kthread_run("lwipd", lwipd, NULL);
	if (err)
		pr_err("net: no lwipd thread (%d): TCP timers will not run\n", err);
	printk("net: lwIP " LWIP_VERSION_STRING ", lo 127.0.0.1/8 up\n");
	net_dhcp_wait();
	return 0;
}
SERVICE_INIT(net, net_init);
