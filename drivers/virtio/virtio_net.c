/* virtio-net, the network card [virtio-v1.2 §5.1]: receiveq1 (queue 0) and
 * transmitq1 (queue 1), registered with the core as eth<n>
 * (<kernel/netdevice.h>).
 *
 * Features used [§5.1.3]: VIRTIO_NET_F_MAC (the address in the
 * configuration space; without it a random locally administered one, as
 * Linux's eth_hw_addr_random()), VIRTIO_NET_F_STATUS (the link state in the
 * configuration space). No checksum offload, no segmentation offload and no
 * VIRTIO_NET_F_MRG_RXBUF: every frame fits one receive buffer (§5.1.6.3.1:
 * without MRG_RXBUF and the GUEST_TSO/UFO features the buffers must hold
 * 1526 bytes, header excluded, which they do).
 *
 * Every frame is a chain of two descriptors, the virtio_net_hdr and the
 * Ethernet frame, so legacy devices without VIRTIO_F_ANY_LAYOUT
 * (§5.1.6.6 legacy interface) work as modern ones. The header is 12 bytes
 * on a modern device, 10 on a legacy one without MRG_RXBUF (§5.1.6).
 *
 * Buffers: VNET_SLOT bytes per buffer, two per frame; the header at the slot's
 * start, the frame VNET_DATA_OFF further. Receive buffers are given back to
 * the device as soon as their frame is copied out (ops->rx, in the
 * network stack's thread: the interrupt only wakes it). Transmit buffers
 * come back through the used ring (reclaimed by the interrupt and before
 * each send).
 *
 * The device is untrusted: the virtqueue layer checks every used entry (id,
 * length within the chain); a received length shorter than the header plus
 * an Ethernet header gives the device up (virtio_fail(): console line,
 * FAILED; every later call -EIO).
 */
#include <hal/frame.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/netdevice.h>
#include <kernel/printk.h>
#include <kernel/random.h>
#include <kernel/spinlock.h>

#include "virtio.h"
#include "virtqueue.h"

/* Feature bits [§5.1.3]. */
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_STATUS 16

/* Configuration layout [§5.1.4]. */
#define VNET_CFG_MAC 0	  /* u8[6], if VIRTIO_NET_F_MAC */
#define VNET_CFG_STATUS 6 /* le16, if VIRTIO_NET_F_STATUS */
#define VIRTIO_NET_S_LINK_UP 1

#define VNET_RXQ 0
#define VNET_TXQ 1
#define VNET_RX_BUFS 64 /* 128 descriptors: the largest queue one ring frame holds */
#define VNET_TX_BUFS 32
#define VNET_SLOT 2048
#define VNET_DATA_OFF 16			/* after the header (12 or 10 bytes) */
#define VNET_RX_LEN (VNET_SLOT - VNET_DATA_OFF) /* >= 1526 [§5.1.6.3.1] */
#define VNET_SLOTS_PER_FRAME (PAGE_SIZE / VNET_SLOT)

_Static_assert(VNET_RX_LEN >= 1526, "[§5.1.6.3.1] receive buffers hold 1526 bytes");

struct vnet_buf {
	paddr_t pa; /* the slot: header at pa, frame at pa + VNET_DATA_OFF */
	bool busy;  /* transmit: owned by the device */
};

struct virtio_net {
	struct virtio_device *vdev;
	struct virtqueue *rxq, *txq;
	unsigned hdr_len; /* 12 (modern) or 10 (legacy) */
	/* Guards the queues and buffers: the stack's calls (process context)
	 * against the interrupt's transmit reclaim. */
	spinlock_t lock;
	struct vnet_buf rx[VNET_RX_BUFS], tx[VNET_TX_BUFS];
	paddr_t frames[(VNET_RX_BUFS + VNET_TX_BUFS) / VNET_SLOTS_PER_FRAME];
	unsigned nr_frames;
	unsigned long rx_dropped; /* runts and oversized frames, dropped */
	struct net_device ndev;
};

/* Give receive buffer i to the device: header and frame, both written by
 * the device [§5.1.6.3]. Lock held. */
static int vnet_rx_post(struct virtio_net *vn, unsigned i)
{
	struct virtqueue_buf b[2] = {
		{ vn->rx[i].pa, vn->hdr_len, true },
		{ vn->rx[i].pa + VNET_DATA_OFF, VNET_RX_LEN, true },
	};

	return virtqueue_add(vn->rxq, b, 2, &vn->rx[i]);
}

/* Take back the transmit buffers the device is done with. Lock held. */
static void vnet_tx_reclaim(struct virtio_net *vn)
{
	struct vnet_buf *b;
	uint32_t len;
	int err;

	while ((b = virtqueue_get_buf(vn->txq, &len, &err)))
		b->busy = false;
}

/* Interrupt: the receive queue wakes the stack, which pulls the frames. */
static void vnet_rx_irq(struct virtqueue *vq)
{
	struct virtio_net *vn = vq->priv;

	netdev_rx_schedule(&vn->ndev);
}

static void vnet_tx_irq(struct virtqueue *vq)
{
	struct virtio_net *vn = vq->priv;
	irqflags_t f = spin_lock_irqsave(&vn->lock);

	vnet_tx_reclaim(vn);
	spin_unlock_irqrestore(&vn->lock, f);
}

static int vnet_xmit(struct net_device *dev, const void *frame, size_t len)
{
	struct virtio_net *vn = dev->priv;
	uint8_t hdr[12] = { 0 }; /* no checksum or segmentation offload [§5.1.6.2] */
	struct vnet_buf *b = NULL;
	irqflags_t f;
	int err;

	if (len < ETH_HLEN || len > ETH_FRAME_MAX)
		return -EINVAL;
	f = spin_lock_irqsave(&vn->lock);
	if (vn->vdev->failed) {
		err = -EIO;
		goto out;
	}
	vnet_tx_reclaim(vn);
	for (unsigned i = 0; i < VNET_TX_BUFS && !b; i++)
		if (!vn->tx[i].busy)
			b = &vn->tx[i];
	err = -ENOBUFS;
	if (!b)
		goto out;
	frame_write(b->pa, 0, hdr, vn->hdr_len);
	frame_write(b->pa, VNET_DATA_OFF, frame, len);
	{
		struct virtqueue_buf bufs[2] = {
			{ b->pa, vn->hdr_len, false },
			{ b->pa + VNET_DATA_OFF, (uint32_t)len, false },
		};

		err = virtqueue_add(vn->txq, bufs, 2, b);
	}
	if (!err) {
		b->busy = true;
		virtqueue_kick(vn->txq);
	} else if (err == -ENOSPC) {
		err = -ENOBUFS;
	}
out:
	spin_unlock_irqrestore(&vn->lock, f);
	return err;
}

static int vnet_rx(struct net_device *dev, void *buf, size_t room)
{
	struct virtio_net *vn = dev->priv;
	struct vnet_buf *b;
	uint32_t len = 0;
	irqflags_t f;
	char why[96];
	int err, r;

	f = spin_lock_irqsave(&vn->lock);
	for (;;) {
		b = virtqueue_get_buf(vn->rxq, &len, &err);
		if (!b) {
			r = err ? err : (vn->vdev->failed ? -EIO : 0);
			break;
		}
		/* The virtqueue layer bounded len by the chain (header + buffer). */
		if (len < vn->hdr_len) {
			snprintf(why, sizeof(why),
				 "receive length %u is shorter than the %u-byte header", len,
				 vn->hdr_len);
			virtio_fail(vn->vdev, why);
			r = -EIO;
			break;
		}
		len -= vn->hdr_len;
		if (len >= ETH_HLEN && len <= room)
			frame_read(b->pa, VNET_DATA_OFF, buf, len);
		r = vnet_rx_post(vn, (unsigned)(b - vn->rx));
		if (!r)
			virtqueue_kick(vn->rxq);
		if (r)
			break;
		if (len >= ETH_HLEN && len <= room) {
			r = (int)len;
			break;
		}
		vn->rx_dropped++; /* a runt: dropped, as Linux's eth_type_trans would */
	}
	spin_unlock_irqrestore(&vn->lock, f);
	return r;
}

static bool vnet_link_ok(struct net_device *dev)
{
	struct virtio_net *vn = dev->priv;
	uint64_t st = VIRTIO_NET_S_LINK_UP;
	irqflags_t f;

	if (vn->vdev->failed)
		return false;
	if (!(vn->vdev->features & (1ull << VIRTIO_NET_F_STATUS)))
		return true; /* [§5.1.4.2] without it the link is assumed up */
	f = spin_lock_irqsave(&vn->lock);
	if (VIRTIO_OP(vn->vdev, read_config, VNET_CFG_STATUS, 2, &st))
		st = 0;
	spin_unlock_irqrestore(&vn->lock, f);
	return st & VIRTIO_NET_S_LINK_UP;
}

static const struct net_device_ops vnet_ops = {
	.xmit = vnet_xmit,
	.rx = vnet_rx,
	.link_ok = vnet_link_ok,
};

static void vnet_read_mac(struct virtio_net *vn)
{
	uint8_t *mac = vn->ndev.dev_addr;
	uint64_t v;

	if (vn->vdev->features & (1ull << VIRTIO_NET_F_MAC)) {
		for (unsigned i = 0; i < ETH_ALEN; i++) {
			if (VIRTIO_OP(vn->vdev, read_config, VNET_CFG_MAC + i, 1, &v))
				break;
			mac[i] = (uint8_t)v;
			if (i == ETH_ALEN - 1)
				return;
		}
	}
	/* Linux's eth_random_addr(): locally administered, unicast. */
	get_random_bytes(mac, ETH_ALEN);
	mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
}

/* Frames for the buffers: two slots each. */
static int vnet_alloc_bufs(struct virtio_net *vn)
{
	unsigned n = 0;

	for (unsigned i = 0; i < VNET_RX_BUFS + VNET_TX_BUFS; i++) {
		struct vnet_buf *b = i < VNET_RX_BUFS ? &vn->rx[i] : &vn->tx[i - VNET_RX_BUFS];

		if (i % VNET_SLOTS_PER_FRAME == 0) {
			int err = svc_page_alloc(vn->vdev->page_cap, 0, &vn->frames[n]);

			if (err)
				return err;
			vn->nr_frames = ++n;
		}
		b->pa = vn->frames[n - 1] + (i % VNET_SLOTS_PER_FRAME) * VNET_SLOT;
	}
	return 0;
}

static int vnet_probe(struct virtio_device *vdev)
{
	struct virtio_net *vn = kzalloc(sizeof(*vn));
	int err;

	if (!vn)
		return -ENOMEM;
	vdev->priv = vn;
	vn->vdev = vdev;
	spin_lock_init(&vn->lock, "virtio_net.lock");
	vn->hdr_len = vdev->legacy ? 10 : 12;
	err = vnet_alloc_bufs(vn);
	if (err)
		return err;
	err = virtqueue_create(vdev, VNET_RXQ, 2 * VNET_RX_BUFS, vnet_rx_irq, &vn->rxq);
	if (!err)
		err = virtqueue_create(vdev, VNET_TXQ, 2 * VNET_TX_BUFS, vnet_tx_irq, &vn->txq);
	if (err == -ENOENT)
		virtio_fail(vdev, "receiveq1 or transmitq1 has queue size 0 (QueueNumMax)");
	if (err)
		return err;
	vn->rxq->priv = vn;
	vn->txq->priv = vn;
	/* Post as many receive buffers as the queue takes (a small queue
	 * gets fewer). */
	for (unsigned i = 0; i < VNET_RX_BUFS && vn->rxq->num_free >= 2; i++) {
		err = vnet_rx_post(vn, i);
		if (err)
			return err;
	}
	vnet_read_mac(vn);
	vn->ndev.mtu = ETH_DATA_LEN;
	vn->ndev.ops = &vnet_ops;
	vn->ndev.priv = vn;
	vn->ndev.svc = vdev->svc;
	vn->ndev.bus_name = vdev->bus_name;
	virtio_device_ready(vdev); /* before the first notification [§3.1.1] */
	virtqueue_kick(vn->rxq);
	err = register_netdev(&vn->ndev);
	if (err)
		return err;
	printk("virtio-net: %s at %s: %s, %u receive buffers%s%s\n", vdev->name, vdev->bus_name,
	       vn->ndev.name, VNET_RX_BUFS - vn->rxq->num_free / 2,
	       (vdev->features & (1ull << VIRTIO_NET_F_STATUS)) ? ", link status" : "",
	       vdev->legacy ? ", legacy interface" : "");
	return 0;
}

/* After a failed probe, with the device reset and the queues gone. */
static void vnet_remove(struct virtio_device *vdev)
{
	struct virtio_net *vn = vdev->priv;

	if (!vn)
		return;
	for (unsigned i = 0; i < vn->nr_frames; i++)
		frame_free(vn->frames[i], 0);
	kfree(vn);
	vdev->priv = NULL;
}

static const uint32_t vnet_ids[] = { VIRTIO_ID_NET, 0 };

VIRTIO_DRIVER_DECLARE(virtio_net, vnet_ids,
		      (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS), vnet_probe,
		      vnet_remove);
