/* Network devices: the narrow interface between a NIC driver (ring 2, e.g.
 * drivers/virtio/virtio_net.c) and the network stack (ring 2,
 * services/net), with the core (kernel/net/netdevice.c) between them, after
 * Linux's struct net_device, register_netdev(), NAPI polling and
 * netif_carrier_on() [Documentation/networking/netdevices.rst].
 *
 * Driver side: fill a struct net_device (dev_addr, mtu, ops, priv, svc) and
 * register_netdev() it; it is named "eth0", "eth1", ... in registration
 * order. On a receive interrupt call netdev_rx_schedule(): the stack is
 * woken and pulls the frames with ops->rx in process context (as NAPI's
 * poll), so no frame is copied or allocated in IRQ context.
 *
 * Stack side: register once with netdev_register_stack(); its notify() runs
 * (any context, even IRQ: it may only wake a thread) when a device appears,
 * has frames or changes link state. The stack reaches a device only through
 * netdev_xmit(), netdev_receive() and netdev_link_ok(), each of which checks
 * the caller's network token (cap_net_t, <kernel/cap.h>) as blkdev_read()
 * checks the block token, and calls the driver through svc_call() on the
 * driver's instance, so a fault in the driver fails that call with -EIO.
 *
 * Frames are whole Ethernet frames without the FCS: 14 (header) to
 * ETH_FRAME_MAX bytes, in kernel memory.
 */
#ifndef KERNEL_NETDEVICE_H
#define KERNEL_NETDEVICE_H
#include <hal/types.h>
#include <kernel/cap.h>
#include <kernel/service.h>

#define ETH_ALEN 6
#define ETH_HLEN 14
#define ETH_DATA_LEN 1500
#define ETH_FRAME_MAX (ETH_HLEN + ETH_DATA_LEN) /* 1514 bytes */
#define NETDEV_MAX 4				/* devices the core keeps */
#define NETDEV_NAMSIZ 16			/* IFNAMSIZ */

struct net_device;

/* What a driver implements. None may sleep; each is called through
 * svc_call() on net_device.svc, in process context, and may be called
 * while the driver's interrupt handler runs on another CPU (the driver
 * locks its own state). */
struct net_device_ops {
	/* Queue one frame (len bytes, ETH_HLEN..ETH_FRAME_MAX) for sending;
	 * the frame is copied before the call returns. 0, -ENOBUFS (transmit
	 * ring full: dropped, as a full Linux qdisc drops), -EIO (device
	 * given up). */
	int (*xmit)(struct net_device *dev, const void *frame, size_t len);
	/* Take the next received frame into buf (room >= ETH_FRAME_MAX
	 * bytes) and give its buffer back to the device: its length, 0 when
	 * none is waiting, -EIO (device given up). */
	int (*rx)(struct net_device *dev, void *buf, size_t room);
	/* The carrier now (true: link up). May be NULL: always up. */
	bool (*link_ok)(struct net_device *dev);
};

struct net_device {
	/* set by the driver */
	uint8_t dev_addr[ETH_ALEN]; /* MAC address */
	unsigned mtu;		    /* bytes of IP packet; ETH_DATA_LEN */
	const struct net_device_ops *ops;
	void *priv;		  /* the driver's state */
	struct svc_instance *svc; /* the driver's instance (its calls are contained) */
	const char *bus_name;	  /* where it was found, for messages */
	/* set by the core */
	char name[NETDEV_NAMSIZ]; /* "eth0", ... */
	int index;		  /* 0-based registration order */
	/* the stack's own per-device state (its netif); the core never reads it */
	void *stack_priv;
};

/* Driver: add dev (fields above set). 0, -EINVAL (no ops/xmit/rx),
 * -ENOSPC (NETDEV_MAX devices already). Wakes the stack. Any context but
 * IRQ; interrupts may be masked (device probes). */
int register_netdev(struct net_device *dev);
/* Driver: frames or a link change are waiting; wakes the stack. Any
 * context, IRQ included. */
void netdev_rx_schedule(struct net_device *dev);

/* The stack. notify: see above (any context; only wakes). */
struct netdev_stack_ops {
	void (*notify)(void);
};
/* Register the stack (once; its instance holds the network token). */
void netdev_register_stack(struct svc_instance *svc, const struct netdev_stack_ops *ops);
/* Stack: the device registered index-th, or NULL. */
struct net_device *netdev_get(int index);
/* Stack: send a frame (see net_device_ops.xmit). 0, -EPERM (token
 * refused), -EINVAL (bad length), or the driver's -errno; -EIO also if the
 * driver faulted. */
int netdev_xmit(cap_net_t cap, struct net_device *dev, const void *frame, size_t len);
/* Stack: receive one frame into buf (room >= ETH_FRAME_MAX): its length
 * (ETH_HLEN..room), 0 (none), -EPERM, -EINVAL, -EIO (also for a length the
 * driver should never have returned). */
int netdev_receive(cap_net_t cap, struct net_device *dev, void *buf, size_t room);
/* Stack: the carrier (false if the token is refused or the driver faulted). */
bool netdev_link_ok(cap_net_t cap, struct net_device *dev);

#endif
