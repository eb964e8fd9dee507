/* IPv4 routes as Linux's ioctl interface and /proc/net/route show them
 * [route(8), proc(5)], over lwIP, which itself knows only each interface's
 * subnet and one default interface with its gateway:
 * - an interface's subnet is its own route (Linux's "proto kernel" route);
 * - the default route (0.0.0.0/0) is lwIP's default netif and its gateway;
 * - other routes (hosts, networks) live in a small table consulted by lwIP's
 *   hooks (port/lwipopts.h) for destinations outside every subnet: the
 *   longest matching prefix chooses the interface and the gateway ARP asks
 *   for.
 * Errors follow Linux's ip_rt_ioctl() / fib_table_insert(): -EAFNOSUPPORT,
 * -EINVAL (a mask that is not contiguous or leaves destination bits set, a
 * gateway route without a gateway), -ENODEV, -ENETUNREACH (the gateway is
 * on no interface's subnet), -EEXIST, -ESRCH (SIOCDELRT of a route that is
 * not there). Everything runs under lwip_mutex. */
#include <kernel/printk.h>

#include "inet.h"
#include "lwip/netif.h"

#define ROUTE_MAX 32

struct route {
	bool used;
	ip4_addr_t dst, mask, gw; /* gw 0: directly on the interface */
	struct netif *netif;
	int metric; /* Linux's priority: route(8)'s metric */
};

static struct route routes[ROUTE_MAX];

static bool is_lo(const struct netif *n)
{
	return n->name[0] == 'l' && n->name[1] == 'o';
}

static struct netif *netif_named(const char *name)
{
	struct netif *n;

	NETIF_FOREACH(n)
	{
		const char *dev = eth_netif_name(n);

		if ((dev && !strcmp(dev, name)) || (is_lo(n) && !strcmp(name, "lo")))
			return n;
	}
	return NULL;
}

/* The up interface whose subnet holds a, or NULL. */
static struct netif *netif_on_link(const ip4_addr_t *a)
{
	struct netif *n;

	NETIF_FOREACH(n)
	{
		if (netif_is_up(n) && !ip4_addr_isany_val(*netif_ip4_addr(n)) &&
		    ip4_addr_netcmp(a, netif_ip4_addr(n), netif_ip4_netmask(n)))
			return n;
	}
	return NULL;
}

static const struct route *lookup(const ip4_addr_t *dest)
{
	const struct route *best = NULL;

	for (unsigned i = 0; i < ROUTE_MAX; i++) {
		const struct route *r = &routes[i];

		if (!r->used || !netif_is_up(r->netif) || !ip4_addr_netcmp(dest, &r->dst, &r->mask))
			continue;
		if (!best || lwip_ntohl(ip4_addr_get_u32(&r->mask)) >
				     lwip_ntohl(ip4_addr_get_u32(&best->mask)))
			best = r;
	}
	return best;
}

/* lwIP's LWIP_HOOK_IP4_ROUTE_SRC: asked after every subnet missed. */
struct netif *net_route_ip4(const ip4_addr_t *src, const ip4_addr_t *dest)
{
	const struct route *r = lookup(dest);

	(void)src;
	return r ? r->netif : NULL;
}

/* lwIP's LWIP_HOOK_ETHARP_GET_GW: the next hop for an off-link dest. */
const ip4_addr_t *net_route_gw(struct netif *netif, const ip4_addr_t *dest)
{
	const struct route *r = lookup(dest);

	if (!r || r->netif != netif)
		return NULL; /* lwIP's default: the interface's gateway */
	return ip4_addr_isany_val(r->gw) ? dest : &r->gw;
}

static int sin_addr(const struct sockaddr_storage_16 *sa, ip4_addr_t *out, bool unspec_ok)
{
	struct sockaddr_in sin;

	memcpy(&sin, sa, sizeof(sin));
	if (sin.sin_family == AF_UNSPEC && unspec_ok) {
		ip4_addr_set_zero(out);
		return 0;
	}
	if (sin.sin_family != AF_INET)
		return -EAFNOSUPPORT;
	ip4_addr_set_u32(out, sin.sin_addr);
	return 0;
}

/* Linux's bad_mask(): not contiguous ones, or address bits outside it. */
static bool bad_mask(const ip4_addr_t *mask, const ip4_addr_t *dst)
{
	uint32_t inv = ~ip4_addr_get_u32(mask);

	if (ip4_addr_get_u32(dst) & inv)
		return true;
	inv = lwip_ntohl(inv);
	return (inv & (inv + 1)) != 0;
}

struct route_req {
	ip4_addr_t dst, mask, gw;
	struct netif *netif; /* NULL: none named */
	int metric;
	bool has_gw;
};

static int parse(const struct krtentry *k, bool del, struct route_req *q)
{
	int err = sin_addr(&k->rt_dst, &q->dst, false);

	if (err)
		return err;
	if (k->rt_flags & RTF_HOST)
		ip4_addr_set_u32(&q->mask, 0xffffffffu);
	else if ((err = sin_addr(&k->rt_genmask, &q->mask, true)))
		return err;
	if (bad_mask(&q->mask, &q->dst))
		return -EINVAL;
	q->has_gw = k->rt_flags & RTF_GATEWAY;
	ip4_addr_set_zero(&q->gw);
	if (q->has_gw && (err = sin_addr(&k->rt_gateway, &q->gw, false)))
		return err;
	if (q->has_gw && ip4_addr_isany_val(q->gw) && !del)
		return -EINVAL;
	q->netif = NULL;
	if (k->rt_dev[0] && !(q->netif = netif_named(k->rt_dev)))
		return -ENODEV;
	q->metric = k->rt_metric > 0 ? k->rt_metric - 1 : 0; /* route(8) passes metric + 1 */
	return 0;
}

static int add_default(struct route_req *q)
{
	struct netif *n = q->netif;

	if (netif_default && !ip4_addr_isany_val(*netif_ip4_gw(netif_default)))
		return -EEXIST;
	if (!q->has_gw)
		return n ? (netif_set_default(n), 0) : -ENODEV;
	if (!n)
		n = netif_on_link(&q->gw);
	if (!n || !ip4_addr_netcmp(&q->gw, netif_ip4_addr(n), netif_ip4_netmask(n)))
		return -ENETUNREACH;
	netif_set_gw(n, &q->gw);
	netif_set_default(n);
	return 0;
}

static int del_default(struct route_req *q)
{
	struct netif *n = netif_default;

	if (!n || ip4_addr_isany_val(*netif_ip4_gw(n)) || (q->netif && q->netif != n) ||
	    (q->has_gw && !ip4_addr_isany_val(q->gw) && !ip4_addr_cmp(&q->gw, netif_ip4_gw(n))))
		return -ESRCH;
	netif_set_gw(n, IP4_ADDR_ANY4);
	netif_set_default(NULL);
	return 0;
}

static int route_add(struct route_req *q)
{
	struct route *slot = NULL;

	if (ip4_addr_isany_val(q->mask))
		return add_default(q);
	if (q->has_gw) {
		struct netif *n = netif_on_link(&q->gw);

		if (!n || (q->netif && q->netif != n))
			return -ENETUNREACH;
		q->netif = n;
	} else if (!q->netif) {
		return -ENODEV;
	}
	for (unsigned i = 0; i < ROUTE_MAX; i++) {
		struct route *r = &routes[i];

		if (r->used && ip4_addr_cmp(&r->dst, &q->dst) && ip4_addr_cmp(&r->mask, &q->mask) &&
		    r->metric == q->metric)
			return -EEXIST;
		if (!r->used && !slot)
			slot = r;
	}
	if (!slot)
		return -ENOBUFS;
	*slot = (struct route){ .used = true,
				.dst = q->dst,
				.mask = q->mask,
				.gw = q->gw,
				.netif = q->netif,
				.metric = q->metric };
	return 0;
}

static int route_del(struct route_req *q)
{
	if (ip4_addr_isany_val(q->mask))
		return del_default(q);
	for (unsigned i = 0; i < ROUTE_MAX; i++) {
		struct route *r = &routes[i];

		if (!r->used || !ip4_addr_cmp(&r->dst, &q->dst) ||
		    !ip4_addr_cmp(&r->mask, &q->mask))
			continue;
		if ((q->netif && q->netif != r->netif) ||
		    (q->has_gw && !ip4_addr_isany_val(q->gw) && !ip4_addr_cmp(&q->gw, &r->gw)))
			continue;
		r->used = false;
		return 0;
	}
	return -ESRCH;
}

/* netdev_ops.ioctl's SIOCADDRT/SIOCDELRT; lwip_mutex held. */
long net_route_ioctl(unsigned cmd, const struct krtentry *k)
{
	struct route_req q;
	int err = parse(k, cmd == SIOCDELRT, &q);

	if (err)
		return err;
	return cmd == SIOCADDRT ? route_add(&q) : route_del(&q);
}

/* An interface going away or down keeps its table routes (Linux drops
 * them; lookup() skips interfaces that are down). */

/* One line padded to 127 columns and a newline, as Linux's seq_pad(). */
bool net_proc_line(char *buf, size_t room, size_t *len, const char *line)
{
	int k = snprintf(buf + *len, room - *len, "%-127s\n", line);

	if (k < 0 || (size_t)k >= room - *len)
		return false;
	*len += (size_t)k;
	return true;
}

static bool route_line(char *buf, size_t room, size_t *len, const char *dev, const ip4_addr_t *dst,
		       const ip4_addr_t *gw, const ip4_addr_t *mask, unsigned flags, int metric)
{
	char line[160];

	/* fib_route_seq_show(): __be32 values with %08X */
	snprintf(line, sizeof(line), "%s\t%08X\t%08X\t%04X\t%d\t%u\t%d\t%08X\t%d\t%u\t%u", dev,
		 ip4_addr_get_u32(dst), ip4_addr_get_u32(gw), flags, 0, 0u, metric,
		 ip4_addr_get_u32(mask), 0, 0u, 0u);
	return net_proc_line(buf, room, len, line);
}

static const ip4_addr_t zero4;

/* netdev_ops.route_show: /proc/net/route's lines after the header. */
size_t net_route_show(char *buf, size_t room)
{
	struct netif *n;
	size_t len = 0;
	bool ok = true;

	net_lock();
	n = netif_default;
	if (n && eth_netif_name(n) && netif_is_up(n) && !ip4_addr_isany_val(*netif_ip4_gw(n)))
		ok = route_line(buf, room, &len, eth_netif_name(n), &zero4, netif_ip4_gw(n), &zero4,
				RTF_UP | RTF_GATEWAY, 0);
	NETIF_FOREACH(n)
	{
		ip4_addr_t net;

		if (!ok || !eth_netif_name(n) || !netif_is_up(n) ||
		    ip4_addr_isany_val(*netif_ip4_addr(n)))
			continue;
		ip4_addr_set_u32(&net, ip4_addr_get_u32(netif_ip4_addr(n)) &
					       ip4_addr_get_u32(netif_ip4_netmask(n)));
		ok = route_line(buf, room, &len, eth_netif_name(n), &net, &zero4,
				netif_ip4_netmask(n), RTF_UP, 0);
	}
	for (unsigned i = 0; ok && i < ROUTE_MAX; i++) {
		const struct route *r = &routes[i];
		const char *dev;
		unsigned flags = RTF_UP;

		if (!r->used)
			continue;
		dev = eth_netif_name(r->netif);
		if (!ip4_addr_isany_val(r->gw))
			flags |= RTF_GATEWAY;
		if (ip4_addr_get_u32(&r->mask) == 0xffffffffu)
			flags |= RTF_HOST;
		ok = route_line(buf, room, &len, dev ? dev : "lo", &r->dst, &r->gw, &r->mask, flags,
				r->metric);
	}
	net_unlock();
	return ok ? len : room - 1;
}
