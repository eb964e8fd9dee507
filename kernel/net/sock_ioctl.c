/* Socket ioctls answered by a ring-2 service (<kernel/net.h>): SIOCINQ/
 * SIOCOUTQ of a service's family, and the interface requests of
 * [netdevice(7)] on any socket, as Linux's sock_ioctl() / dev_ioctl() (glibc's
 * if_nametoindex() asks an AF_UNIX socket). The service never touches user
 * memory: the argument is copied here. Also /proc/net/dev's lines. */
#include <hal/usercopy.h>
#include <kernel/kmalloc.h>
#include <kernel/net.h>
#include <kernel/sock_core.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>
#include <string.h>

#include "net_internal.h"

#define IFCONF_MAX 8192 /* bytes of struct ifreq one SIOCGIFCONF returns at most (204 interfaces) */

/* struct ifconf of 64-bit Linux */
/* The interfaces' owner: written once at boot by its init, read by ioctls and procfs. */
static spinlock_t netdev_lock = SPINLOCK_INIT("netdev_lock");
static struct svc_instance *netdev_svc;
static const struct netdev_ops *netdev;

static const struct netdev_ops *netdev_get(struct svc_instance **svc)
{
	const struct netdev_ops *ops;

	spin_lock(&netdev_lock);
	ops = netdev;
	*svc = netdev_svc;
	spin_unlock(&netdev_lock);
	return ops;
}

static long netdev_call(unsigned cmd, void *karg)
{
	struct svc_instance *svc;
	const struct netdev_ops *ops = netdev_get(&svc);

	if (!ops)
		return cmd == SIOCGIFCONF ? (((struct kifconf *)karg)->len = 0, 0) : -ENODEV;
	return svc_call_or(svc, ops->ioctl(cmd, karg), -EIO);
}

struct ifconf64 {
	int32_t ifc_len;
	uint32_t pad;
	uint64_t ifc_buf;
};

static long ioctl_int(struct socket *sock, unsigned cmd, uintptr_t uarg)
{
	int32_t v = 0;
	long r = SOCK_CALL(sock, sock->ops->queue_len(sock, cmd, &v));

	if (!r && copy_to_user(uarg, &v, sizeof(v)))
		r = -EFAULT;
	return r;
}

static long ioctl_ifreq(unsigned cmd, uintptr_t uarg, bool set)
{
	struct ifreq ifr;
	long r;

	/* [netdevice(7)] "Setting ... is a privileged operation" (CAP_NET_ADMIN) */
	if (set && current && current->euid != 0)
		return -EPERM;
	if (copy_from_user(&ifr, uarg, sizeof(ifr)))
		return -EFAULT;
	ifr.ifr_name[IFNAMSIZ - 1] = 0;
	r = netdev_call(cmd, &ifr);
	if (!r && !set && copy_to_user(uarg, &ifr, sizeof(ifr)))
		r = -EFAULT;
	return r;
}

static long ioctl_ifconf(uintptr_t uarg)
{
	struct ifconf64 ifc;
	struct kifconf k;
	long r;

	if (copy_from_user(&ifc, uarg, sizeof(ifc)))
		return -EFAULT;
	if (ifc.ifc_len < 0)
		ifc.ifc_len = 0; /* Linux treats a negative length as none */
	k.len = ifc.ifc_len > IFCONF_MAX ? IFCONF_MAX : ifc.ifc_len;
	k.buf = NULL;
	if (ifc.ifc_buf) {
		k.buf = kzalloc(k.len ? (size_t)k.len : 1);
		if (!k.buf)
			return -ENOMEM;
	}
	r = netdev_call(SIOCGIFCONF, &k);
	if (!r && k.buf && k.len > 0 && copy_to_user((uintptr_t)ifc.ifc_buf, k.buf, (size_t)k.len))
		r = -EFAULT;
	ifc.ifc_len = k.len;
	if (!r && copy_to_user(uarg, &ifc, sizeof(ifc)))
		r = -EFAULT;
	kfree(k.buf);
	return r;
}

/* struct rtentry of 64-bit Linux (include/uapi/linux/route.h), as route(8)
 * passes it: rt_dev is a user pointer to the device name. */
struct rtentry64 {
	uint64_t rt_pad1;
	struct sockaddr_storage_16 rt_dst, rt_gateway, rt_genmask;
	uint16_t rt_flags;
	int16_t rt_pad2;
	uint64_t rt_pad3;
	uint64_t rt_pad4;
	int16_t rt_metric;
	uint64_t rt_dev;
	uint64_t rt_mtu, rt_window;
	uint16_t rt_irtt;
};
_Static_assert(sizeof(struct rtentry64) == 120, "struct rtentry is 120 bytes on 64-bit Linux");

static long ioctl_rtentry(unsigned cmd, uintptr_t uarg)
{
	struct rtentry64 rt;
	struct krtentry k;
	long n;

	/* [route(8)] changing the table needs CAP_NET_ADMIN (Linux's ip_rt_ioctl) */
	if (current && current->euid != 0)
		return -EPERM;
	if (copy_from_user(&rt, uarg, sizeof(rt)))
		return -EFAULT;
	memset(&k, 0, sizeof(k));
	k.rt_dst = rt.rt_dst;
	k.rt_gateway = rt.rt_gateway;
	k.rt_genmask = rt.rt_genmask;
	k.rt_flags = rt.rt_flags;
	k.rt_metric = rt.rt_metric;
	if (rt.rt_dev) {
		n = strncpy_from_user(k.rt_dev, (uintptr_t)rt.rt_dev, sizeof(k.rt_dev));
		if (n == -ENAMETOOLONG)
			return -ENODEV; /* no interface has so long a name */
		if (n < 0)
			return n;
	}
	return netdev_call(cmd, &k);
}

long sock_ioctl_svc(struct socket *sock, unsigned cmd, unsigned long arg)
{
	uintptr_t uarg = (uintptr_t)arg;

	switch (cmd) {
	case SIOCINQ:
	case SIOCOUTQ:
		if (!sock->svc)
			return -ENOIOCTLCMD; /* the core's own family answers */
		if (!sock->ops->queue_len)
			return -ENOTTY;
		return ioctl_int(sock, cmd, uarg);
	case SIOCGIFCONF: return ioctl_ifconf(uarg);
	case SIOCADDRT:
	case SIOCDELRT: return ioctl_rtentry(cmd, uarg);
	case SIOCGIFNAME:
	case SIOCGIFFLAGS:
	case SIOCGIFADDR:
	case SIOCGIFDSTADDR:
	case SIOCGIFBRDADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFMETRIC:
	case SIOCGIFMTU:
	case SIOCGIFHWADDR:
	case SIOCGIFINDEX:
	case SIOCGIFTXQLEN:
	case SIOCGIFMAP: return ioctl_ifreq(cmd, uarg, false);
	case SIOCSIFFLAGS:
	case SIOCSIFADDR:
	case SIOCSIFBRDADDR:
	case SIOCSIFNETMASK:
	case SIOCSIFMTU: return ioctl_ifreq(cmd, uarg, true);
	default: return -ENOIOCTLCMD;
	}
}

/* ---- /proc/net/dev and /proc/net/tcp ---------------------------------------------- */

void sock_register_netdev(struct svc_instance *svc, const struct netdev_ops *ops)
{
	spin_lock(&netdev_lock);
	netdev_svc = svc;
	netdev = ops;
	spin_unlock(&netdev_lock);
}

enum netdev_file { NET_DEV, NET_TCP, NET_UDP, NET_ROUTE };

static size_t netdev_fill(char *buf, size_t room, enum netdev_file which)
{
	struct svc_instance *svc;
	const struct netdev_ops *ops = netdev_get(&svc);
	size_t (*fn)(char *, size_t) = NULL;

	if (ops) {
		switch (which) {
		case NET_DEV: fn = ops->show; break;
		case NET_TCP: fn = ops->tcp_show; break;
		case NET_UDP: fn = ops->udp_show; break;
		case NET_ROUTE: fn = ops->route_show; break;
		}
	}
	size_t n;

	if (!room)
		return 0;
	buf[0] = 0;
	if (!fn)
		return 0;
	n = svc_call_or(svc, fn(buf, room), (size_t)0);
	if (!n)
		buf[0] = 0;
	return n;
}

size_t sock_netdev_show(char *buf, size_t room)
{
	return netdev_fill(buf, room, NET_DEV);
}

size_t sock_net_tcp_show(char *buf, size_t room)
{
	return netdev_fill(buf, room, NET_TCP);
}

size_t sock_net_udp_show(char *buf, size_t room)
{
	return netdev_fill(buf, room, NET_UDP);
}

size_t sock_net_route_show(char *buf, size_t room)
{
	return netdev_fill(buf, room, NET_ROUTE);
}
