/* Network devices between their drivers and the network stack
 * (<kernel/netdevice.h>): the device table, the stack's wake-up, and the
 * token-checked calls from the stack into a driver. */
#include <kernel/errno.h>
#include <kernel/netdevice.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>

/* The registered devices and the stack: written at registration (boot),
 * read by the stack's thread. */
static spinlock_t netdev_table_lock = SPINLOCK_INIT("netdev_table_lock");
static struct net_device *netdevs[NETDEV_MAX];
static int nr_netdevs;
static const struct netdev_stack_ops *stack_ops;

static void notify_stack(void)
{
	irqflags_t f = spin_lock_irqsave(&netdev_table_lock);
	const struct netdev_stack_ops *ops = stack_ops;

	spin_unlock_irqrestore(&netdev_table_lock, f);
	if (ops)
		ops->notify();
}

int register_netdev(struct net_device *dev)
{
	irqflags_t f;
	int r = 0;

	if (!dev || !dev->ops || !dev->ops->xmit || !dev->ops->rx)
		return -EINVAL;
	f = spin_lock_irqsave(&netdev_table_lock);
	if (nr_netdevs == NETDEV_MAX) {
		r = -ENOSPC;
	} else {
		dev->index = nr_netdevs;
		snprintf(dev->name, sizeof(dev->name), "eth%d", nr_netdevs);
		netdevs[nr_netdevs++] = dev;
	}
	spin_unlock_irqrestore(&netdev_table_lock, f);
	if (r)
		return r;
	printk("net: %s: %02x:%02x:%02x:%02x:%02x:%02x at %s\n", dev->name, dev->dev_addr[0],
	       dev->dev_addr[1], dev->dev_addr[2], dev->dev_addr[3], dev->dev_addr[4],
	       dev->dev_addr[5], dev->bus_name ? dev->bus_name : "?");
	notify_stack();
	return 0;
}

void netdev_rx_schedule(struct net_device *dev)
{
	(void)dev;
	notify_stack();
}

void netdev_register_stack(struct svc_instance *svc, const struct netdev_stack_ops *ops)
{
	irqflags_t f = spin_lock_irqsave(&netdev_table_lock);

	(void)svc; /* its token is what the calls below check */
	stack_ops = ops;
	spin_unlock_irqrestore(&netdev_table_lock, f);
}

struct net_device *netdev_get(int index)
{
	struct net_device *dev = NULL;
	irqflags_t f = spin_lock_irqsave(&netdev_table_lock);

	if (index >= 0 && index < nr_netdevs)
		dev = netdevs[index];
	spin_unlock_irqrestore(&netdev_table_lock, f);
	return dev;
}

int netdev_xmit(cap_net_t cap, struct net_device *dev, const void *frame, size_t len)
{
	int r = cap_check_net(cap, "netdev xmit");

	if (r)
		return r;
	if (!dev || !frame || len < ETH_HLEN || len > ETH_FRAME_MAX)
		return -EINVAL;
	return svc_call(dev->svc, dev->ops->xmit(dev, frame, len));
}

int netdev_receive(cap_net_t cap, struct net_device *dev, void *buf, size_t room)
{
	int r = cap_check_net(cap, "netdev receive");

	if (r)
		return r;
	if (!dev || !buf || room < ETH_FRAME_MAX)
		return -EINVAL;
	r = svc_call(dev->svc, dev->ops->rx(dev, buf, room));
	if (r > 0 && (r < ETH_HLEN || (size_t)r > room))
		return -EIO;
	return r;
}

bool netdev_link_ok(cap_net_t cap, struct net_device *dev)
{
	if (cap_check_net(cap, "netdev link") || !dev)
		return false;
	if (!dev->ops->link_ok)
		return true;
	return svc_call_or(dev->svc, dev->ops->link_ok(dev), false);
}
