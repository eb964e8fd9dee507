/* eth<n>: lwIP netifs over the core's network devices (<kernel/netdevice.h>),
 * configured as Linux's ipconfig does from the ip= parameter
 * [Documentation/admin-guide/nfs/nfsroot.rst "ip="]: a static address, or
 * DHCP through lwIP's client.
 *
 * Everything here runs with lwip_mutex held. Frames reach lwIP only in the
 * lwipd thread (eth_poll()): a device's interrupt wakes it, as NAPI's
 * softirq; frames leave through eth_linkoutput() in whatever call sends.
 * Every call into a device goes through the core with the service's network
 * token (net_svc.caps.net). */
#include <kernel/cmdline.h>
#include <kernel/kmalloc.h>
#include <kernel/netdevice.h>
#include <kernel/printk.h>
#include <kernel/time.h>

#include "inet.h"
#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/snmp.h"
#include "netif/ethernet.h"

#define ETH_RX_BUDGET 64	       /* frames per device per pass (NAPI's weight) */
#define ETH_LINK_POLL_NS 1000000000ull /* carrier checked every second */

struct eth_if {
	struct netif netif;
	struct net_device *dev;
	bool link;
	uint64_t link_checked_ns;
};

static struct eth_if *eth_ifs[NETDEV_MAX];
static uint8_t tx_frame[ETH_FRAME_MAX]; /* under lwip_mutex */

/* The parsed ip= parameter. */
static struct {
	bool given, dhcp;
	ip4_addr_t addr, gw, mask;
	char dev[IFNAMSIZ]; /* "" : the first device */
} ipcfg;

const char *eth_netif_name(const struct netif *n)
{
	for (int i = 0; i < NETDEV_MAX; i++)
		if (eth_ifs[i] && &eth_ifs[i]->netif == n)
			return eth_ifs[i]->dev->name;
	return NULL;
}

static void count_frame(struct netif *n, const uint8_t *frame, size_t len, bool out)
{
	bool multi = frame[0] & 1; /* group bit of the destination [IEEE 802.3] */

	(void)n;
	(void)multi;
	if (out) {
		MIB2_STATS_NETIF_ADD(n, ifoutoctets, len);
		if (multi)
			MIB2_STATS_NETIF_INC(n, ifoutnucastpkts);
		else
			MIB2_STATS_NETIF_INC(n, ifoutucastpkts);
	} else {
		MIB2_STATS_NETIF_ADD(n, ifinoctets, len);
		if (multi)
			MIB2_STATS_NETIF_INC(n, ifinnucastpkts);
		else
			MIB2_STATS_NETIF_INC(n, ifinucastpkts);
	}
}

/* lwIP's netif->linkoutput: one whole frame to the device. */
static err_t eth_linkoutput(struct netif *n, struct pbuf *p)
{
	struct eth_if *e = n->state;
	int r;

	if (p->tot_len > ETH_FRAME_MAX || p->tot_len < ETH_HLEN) {
		MIB2_STATS_NETIF_INC(n, ifouterrors);
		return ERR_BUF;
	}
	pbuf_copy_partial(p, tx_frame, p->tot_len, 0);
	r = netdev_xmit(net_svc.caps.net, e->dev, tx_frame, p->tot_len);
	if (r) {
		/* ring full: dropped (TCP retransmits); else the device is gone */
		if (r == -ENOBUFS)
			MIB2_STATS_NETIF_INC(n, ifoutdiscards);
		else
			MIB2_STATS_NETIF_INC(n, ifouterrors);
		return r == -ENOBUFS ? ERR_MEM : ERR_IF;
	}
	count_frame(n, tx_frame, p->tot_len, true);
	return ERR_OK;
}

static err_t eth_netif_init(struct netif *n)
{
	struct eth_if *e = n->state;

	n->name[0] = 'e';
	n->name[1] = 'n';
	n->output = etharp_output;
	n->linkoutput = eth_linkoutput;
	n->mtu = (u16_t)e->dev->mtu;
	n->hwaddr_len = ETH_ALEN;
	memcpy(n->hwaddr, e->dev->dev_addr, ETH_ALEN);
	n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	MIB2_INIT_NETIF(n, snmp_ifType_ethernet_csmacd, 0);
	return ERR_OK;
}

/* Linux's inet_make_mask(inet_abc_len(addr)): the classful netmask, used
 * when ip= gives none and by SIOCSIFADDR [devinet_ioctl()]. */
void eth_classful_mask(const ip4_addr_t *a, ip4_addr_t *mask)
{
	uint32_t h = lwip_ntohl(ip4_addr_get_u32(a));

	if ((h >> 31) == 0)
		h = 0xff000000u; /* class A */
	else if ((h >> 30) == 2)
		h = 0xffff0000u; /* class B */
	else
		h = 0xffffff00u; /* class C (and D/E: Linux gives those /32; unused here) */
	ip4_addr_set_u32(mask, lwip_htonl(h));
}

/* ip=<client>:<server>:<gw>:<netmask>:<hostname>:<device>:<autoconf>:...
 * or ip=dhcp|on|any|off|none [nfsroot.rst]. Fields may be empty. */
static void parse_ip_param(void)
{
	const char *s = cmdline_get("ip");
	char f[7][IFNAMSIZ + 16];
	unsigned nf = 0, k = 0;

	if (!s || !*s)
		return;
	memset(f, 0, sizeof(f));
	for (const char *p = s;; p++) {
		if (*p == ':' || *p == 0) {
			if (++nf == 7 || *p == 0)
				break;
			k = 0;
			continue;
		}
		if (k + 1 < sizeof(f[0]))
			f[nf][k++] = *p;
	}
	if (nf <= 1) { /* one word: the autoconf method alone */
		if (!strcmp(f[0], "off") || !strcmp(f[0], "none"))
			return;
		if (!strcmp(f[0], "dhcp") || !strcmp(f[0], "on") || !strcmp(f[0], "any")) {
			ipcfg.given = ipcfg.dhcp = true;
			return;
		}
	}
	if (!strcmp(f[6], "dhcp") || !strcmp(f[6], "on") || !strcmp(f[6], "any")) {
		ipcfg.dhcp = true;
	} else if (f[6][0] && strcmp(f[6], "off") && strcmp(f[6], "none") &&
		   strcmp(f[6], "static")) {
		printk("IP-Config: autoconfiguration \"%s\" not supported (dhcp, off)\n", f[6]);
		return;
	}
	if (!ipcfg.dhcp) {
		if (!ip4addr_aton(f[0], &ipcfg.addr) ||
		    (f[2][0] && !ip4addr_aton(f[2], &ipcfg.gw)) ||
		    (f[3][0] && !ip4addr_aton(f[3], &ipcfg.mask))) {
			printk("IP-Config: cannot parse ip=%s\n", s);
			return;
		}
		if (!f[3][0])
			eth_classful_mask(&ipcfg.addr, &ipcfg.mask);
	}
	snprintf(ipcfg.dev, sizeof(ipcfg.dev), "%s", f[5]);
	ipcfg.given = true;
}

static void print_config(struct eth_if *e)
{
	char a[16], m[16], g[16];

	ip4addr_ntoa_r(netif_ip4_addr(&e->netif), a, sizeof(a));
	ip4addr_ntoa_r(netif_ip4_netmask(&e->netif), m, sizeof(m));
	ip4addr_ntoa_r(netif_ip4_gw(&e->netif), g, sizeof(g));
	printk("IP-Config: Complete: device=%s, ipaddr=%s, mask=%s, gw=%s%s\n", e->dev->name, a, m,
	       g, ipcfg.dhcp ? " (DHCP)" : "");
}

/* Apply ip= to e if it names it (or names none and e is eth0). */
static void configure(struct eth_if *e)
{
	if (!ipcfg.given)
		return;
	if (ipcfg.dev[0] ? strcmp(ipcfg.dev, e->dev->name) : e->dev->index != 0)
		return;
	netif_set_up(&e->netif);
	if (ipcfg.dhcp) {
		err_t err = dhcp_start(&e->netif);

		if (err != ERR_OK)
			printk("IP-Config: %s: DHCP did not start (lwIP error %d)\n", e->dev->name,
			       err);
		return;
	}
	netif_set_addr(&e->netif, &ipcfg.addr, &ipcfg.mask, &ipcfg.gw);
	if (!ip4_addr_isany_val(ipcfg.gw))
		netif_set_default(&e->netif);
	print_config(e);
}

static void attach(int i, struct net_device *dev)
{
	struct eth_if *e = kzalloc(sizeof(*e));

	if (!e) {
		printk("net: %s: out of memory, interface not added\n", dev->name);
		return;
	}
	e->dev = dev;
	if (!netif_add(&e->netif, NULL, NULL, NULL, e, eth_netif_init, ethernet_input)) {
		printk("net: %s: lwIP refused the interface\n", dev->name);
		kfree(e);
		return;
	}
	dev->stack_priv = e;
	eth_ifs[i] = e;
	e->link = netdev_link_ok(net_svc.caps.net, dev);
	if (e->link)
		netif_set_link_up(&e->netif);
	configure(e);
}

/* Frames waiting on e's device into lwIP, at most ETH_RX_BUDGET: true if
 * the budget ran out (more may wait). */
static bool rx_drain(struct eth_if *e)
{
	for (int i = 0; i < ETH_RX_BUDGET; i++) {
		struct pbuf *p = pbuf_alloc(PBUF_RAW, ETH_FRAME_MAX, PBUF_RAM);
		int r;

		if (!p)
			return true; /* out of memory: the device keeps them */
		r = netdev_receive(net_svc.caps.net, e->dev, p->payload, ETH_FRAME_MAX);
		if (r <= 0) {
			pbuf_free(p);
			return false;
		}
		pbuf_realloc(p, (u16_t)r);
		count_frame(&e->netif, p->payload, (size_t)r, false);
		/* Linux drops what a down interface receives */
		if (!netif_is_up(&e->netif)) {
			MIB2_STATS_NETIF_INC(&e->netif, ifindiscards);
			pbuf_free(p);
			continue;
		}
		if (e->netif.input(p, &e->netif) != ERR_OK)
			pbuf_free(p);
	}
	return true;
}

static void link_poll(struct eth_if *e)
{
	uint64_t now = time_monotonic_ns();
	bool up;

	if (now - e->link_checked_ns < ETH_LINK_POLL_NS)
		return;
	e->link_checked_ns = now;
	up = netdev_link_ok(net_svc.caps.net, e->dev);
	if (up == e->link)
		return;
	e->link = up;
	printk("net: %s: link %s\n", e->dev->name, up ? "up" : "down");
	if (up)
		netif_set_link_up(&e->netif);
	else
		netif_set_link_down(&e->netif);
}

bool eth_poll(void)
{
	bool more = false;

	for (int i = 0; i < NETDEV_MAX; i++) {
		struct net_device *dev = netdev_get(i);

		if (!dev)
			break;
		if (!eth_ifs[i])
			attach(i, dev);
		if (!eth_ifs[i])
			continue;
		if (rx_drain(eth_ifs[i]))
			more = true;
		link_poll(eth_ifs[i]);
	}
	return more;
}

bool eth_dhcp_pending(void)
{
	for (int i = 0; i < NETDEV_MAX; i++) {
		struct eth_if *e = eth_ifs[i];

		if (e && ipcfg.dhcp && netif_dhcp_data(&e->netif) &&
		    !dhcp_supplied_address(&e->netif))
			return true;
	}
	return false;
}

/* Print the leases DHCP got (once each). */
void eth_dhcp_report(void)
{
	static bool reported[NETDEV_MAX];

	for (int i = 0; i < NETDEV_MAX; i++) {
		struct eth_if *e = eth_ifs[i];

		if (e && !reported[i] && ipcfg.dhcp && dhcp_supplied_address(&e->netif)) {
			reported[i] = true;
			if (!netif_default && !ip4_addr_isany_val(*netif_ip4_gw(&e->netif)))
				netif_set_default(&e->netif);
			print_config(e);
		}
	}
}

void eth_init(void)
{
	parse_ip_param();
}
