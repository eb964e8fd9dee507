/* The transport-neutral virtio device model [virtio-v1.2 §2, §3]:
 * a transport (virtio_mmio.c, virtio_pci.c) finds a device,
 * fills a struct virtio_device with its ops and calls
 * virtio_register_device(), which runs the initialization sequence
 * [§3.1.1] and hands the device to the device-class driver registered for
 * its device ID with VIRTIO_DRIVER_DECLARE (virtio_rng.c, ...).
 * Private to drivers/virtio/ (included as "virtio.h").
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_H
#define DRIVERS_VIRTIO_VIRTIO_H
#include <kernel/cap.h>
#include <kernel/service.h>
#include <hal/types.h>

/* Device IDs [virtio-v1.2 §5]. 0 is reserved (an empty transport slot). */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_ENTROPY 4

/* Device status field bits [virtio-v1.2 §2.1]. */
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER 2u
#define VIRTIO_STATUS_DRIVER_OK 4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED 128u

/* Reserved feature bits [virtio-v1.2 §6]. */
#define VIRTIO_F_VERSION_1 32 /* bit number: a "modern" (1.x) device */

#define VIRTIO_MAX_VQS 4

struct virtio_device;
struct virtio_driver;
struct virtqueue;

/* What a transport provides [virtio-v1.2 §4]. None may sleep; all are
 * called with interrupts masked or from the device's own probe. */
struct virtio_transport_ops {
	uint8_t (*get_status)(struct virtio_device *vdev);
	void (*set_status)(struct virtio_device *vdev, uint8_t status);
	/* Write 0 to the status and wait (bounded) for the device to read
	 * back 0 [§2.4.1]. 0, or -ETIMEDOUT: the device may still own its
	 * queues' memory, which must then never be reused. */
	int (*reset)(struct virtio_device *vdev);
	uint64_t (*get_features)(struct virtio_device *vdev); /* all 64 bits */
	void (*set_features)(struct virtio_device *vdev, uint64_t features);
	/* Maximum entries of queue idx; 0 if the queue does not exist. */
	uint32_t (*queue_max)(struct virtio_device *vdev, unsigned idx);
	/* Give queue idx its size (entries) and the physical addresses of its
	 * desc table, avail (driver) ring and used (device) ring, and enable
	 * it. 0 or -EBUSY (already enabled) / -EINVAL. */
	int (*queue_enable)(struct virtio_device *vdev, unsigned idx, unsigned num, paddr_t desc,
			    paddr_t avail, paddr_t used);
	/* Available buffer notification for queue idx [§2.7.13.4]. */
	void (*notify)(struct virtio_device *vdev, unsigned idx);
	/* Read len bytes (1, 2, 4 or 8; off aligned to len) of the device
	 * configuration space at off [§2.5] into *out (little-endian value),
	 * re-reading until the configuration generation is stable (§2.5.1).
	 * 0, or -EINVAL (outside the window the transport maps). */
	int (*read_config)(struct virtio_device *vdev, unsigned off, unsigned len, uint64_t *out);
};

/* Dispatch to the transport (DESIGN §5 "service dispatch"). Fortress and
 * Balanced call through vdev->ops. Performance and Ludicrous bind the two
 * transports, virtio-mmio and virtio-pci, at link time: a test of
 * vdev->pci and a direct call the compiler can see (//tests:dispatch_direct
 * checks the kernels' disassembly for the call to virtio_mmio_notify). A
 * third transport joins the test. */
#if !defined(SVC_CONTAIN) && !defined(KEVLAR_HOST_TEST)
#define VIRTIO_DIRECT_DISPATCH 1
#endif
#ifdef VIRTIO_DIRECT_DISPATCH
#define VIRTIO_OP(vdev, op, ...)                                \
	((vdev)->pci ? virtio_pci_##op((vdev), ##__VA_ARGS__) : \
		       virtio_mmio_##op((vdev), ##__VA_ARGS__))
#else
#define VIRTIO_OP(vdev, op, ...) (vdev)->ops->op((vdev), ##__VA_ARGS__)
#endif

/* The transports' operations (virtio_mmio.c, virtio_pci.c), for the
 * direct binding above; everyone else goes through struct
 * virtio_transport_ops. */
uint8_t virtio_mmio_get_status(struct virtio_device *vdev);
void virtio_mmio_set_status(struct virtio_device *vdev, uint8_t status);
int virtio_mmio_reset(struct virtio_device *vdev);
uint64_t virtio_mmio_get_features(struct virtio_device *vdev);
void virtio_mmio_set_features(struct virtio_device *vdev, uint64_t features);
uint32_t virtio_mmio_queue_max(struct virtio_device *vdev, unsigned idx);
int virtio_mmio_queue_enable(struct virtio_device *vdev, unsigned idx, unsigned num, paddr_t desc,
			     paddr_t avail, paddr_t used);
void virtio_mmio_notify(struct virtio_device *vdev, unsigned idx);
int virtio_mmio_read_config(struct virtio_device *vdev, unsigned off, unsigned len, uint64_t *out);
uint8_t virtio_pci_get_status(struct virtio_device *vdev);
void virtio_pci_set_status(struct virtio_device *vdev, uint8_t status);
int virtio_pci_reset(struct virtio_device *vdev);
uint64_t virtio_pci_get_features(struct virtio_device *vdev);
void virtio_pci_set_features(struct virtio_device *vdev, uint64_t features);
uint32_t virtio_pci_queue_max(struct virtio_device *vdev, unsigned idx);
int virtio_pci_queue_enable(struct virtio_device *vdev, unsigned idx, unsigned num, paddr_t desc,
			    paddr_t avail, paddr_t used);
void virtio_pci_notify(struct virtio_device *vdev, unsigned idx);
int virtio_pci_read_config(struct virtio_device *vdev, unsigned off, unsigned len, uint64_t *out);

struct virtio_device {
	char name[12];	      /* "virtio0": index in registration order */
	const char *bus_name; /* where the transport found it (DT node name) */
	uint32_t device_id;   /* [§5] */
	const struct virtio_transport_ops *ops;
	void *transport;   /* the transport's state */
	uint64_t features; /* negotiated */
	const struct virtio_driver *driver;
	void *priv; /* the device-class driver's state */
	struct virtqueue *vqs[VIRTIO_MAX_VQS];
	/* A legacy (pre-1.0) device [§4.2.4]: no VIRTIO_F_VERSION_1 and no
	 * FEATURES_OK step [§3.1.2]; the transport lays its queues out. */
	bool legacy;
	bool pci;	 /* found by virtio_pci.c (VIRTIO_DIRECT_DISPATCH) */
	bool failed;	 /* given up: FAILED set, queues dead */
	bool leak_rings; /* reset did not complete: never free ring memory */
	/* The transport's device instance's page-allocation token (<kernel/cap.h>),
	 * for ring memory and buffers. */
	cap_page_alloc_t page_cap;
	/* The transport's device instance (calls into class drivers from the
	 * core, e.g. the block layer, go through it) and its block token. */
	struct svc_instance *svc;
};

/* A device-class driver, keyed by virtio device ID (the virtio analogue of
 * DRIVER_DECLARE's compatible strings): transports of every kind find it
 * with virtio_find_driver(). */
struct virtio_driver {
	const char *name;    /* "virtio-rng" */
	const uint32_t *ids; /* device IDs, terminated by 0 */
	uint64_t features;   /* device-specific feature bits it accepts */
	/* Set up queues and state; call virtio_device_ready() before the first
	 * notification [§3.1.1 step 8]. 0 or -errno (the core then sets
	 * FAILED and frees the queues). Runs with interrupts masked. */
	int (*probe)(struct virtio_device *vdev);
	/* Free what probe allocated (vdev->priv); called after a failed
	 * probe once the device is reset and its queues are freed. Never
	 * called if the reset did not complete (then everything the device
	 * could write is kept forever). May be NULL. */
	void (*remove)(struct virtio_device *vdev);
};

#define VIRTIO_DRIVER_DECLARE(n, idtable, feat, probefn, removefn)                                \
	static const struct virtio_driver __virtio_driver_##n __used __section(".virtio_drivers") \
		__aligned(8) = { .name = #n,                                                      \
				 .ids = (idtable),                                                \
				 .features = (feat),                                              \
				 .probe = (probefn),                                              \
				 .remove = (removefn) }

/* The driver registered for device_id, or NULL. */
const struct virtio_driver *virtio_find_driver(uint32_t device_id);

/* Run the initialization sequence [§3.1.1] on a device a transport found
 * (ops, transport, device_id, bus_name set; ID non-zero): reset,
 * ACKNOWLEDGE, DRIVER, feature negotiation (VIRTIO_F_VERSION_1 required),
 * FEATURES_OK, then the class driver's probe, then DRIVER_OK.
 * 0; -ENODEV (no driver for the ID: reported on the console); -EIO (the
 * device refused the features or broke): FAILED is set, queues freed,
 * reported. Not from IRQ context; runs with interrupts masked. */
int virtio_register_device(struct virtio_device *vdev);

/* Set DRIVER_OK [§3.1.1 step 8]: the device is live. Idempotent. */
void virtio_device_ready(struct virtio_device *vdev);

/* Give up on a device that broke the protocol: print
 * "virtio: <name> at <bus>: <why>; device not used", set FAILED, mark
 * its queues broken. Any context. */
void virtio_fail(struct virtio_device *vdev, const char *why);

/* The transport saw a used-buffer notification [§2.7.14]: run every
 * queue's callback. IRQ context. */
void virtio_interrupt(struct virtio_device *vdev);

#endif
