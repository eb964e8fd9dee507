"""The service API (docs/architecture.md "The service API"): the headers of
kernel/include/kernel/ that ring 2 (services/, drivers/) may include. //kernel:service_api
exports exactly these; //kernel:api (the rest: tasks, memory maps, scheduler, ...) is
the core's and invisible to ring 2; //tests:layering's include lint reads this list.
"""

SERVICE_API_HEADERS = [
    "blkdev.h",     # disks (add_disk) and token-checked block access
    "cap.h",        # capability tokens minted at registration
    "cmdline.h",    # the kernel command line (console=, faultinject=)
    "current.h",    # the calling task's fsuid/fsgid/umask, pending signals
    "device.h",     # DT devices, DRIVER_DECLARE, the dev_read_* accessors
    "errno.h",      # Linux errno values
    "hardening.h",  # the CPU hardening in force (read-only)
    "initramfs.h",  # what the initramfs service implements for the core
    "kmalloc.h",    # the kernel heap, total RAM
    "kthread.h",    # kernel threads of services (lwIP's timers)
    "list.h",       # intrusive lists
    "lock_debug.h", # Fortress lock checking behind spinlock.h and mutex.h
    "mutex.h",      # sleeping locks
    "netdevice.h",  # NIC drivers and the network stack: register_netdev, token-checked xmit/rx
    "net.h",        # the socket layer: struct socket, proto_ops, sock_register
    "pci.h",        # PCI functions found, for /proc/bus/pci/devices
    "printk.h",     # the console log, panic
    "random.h",     # the entropy pool, hwrng registration
    "service.h",    # SERVICE_INIT, svc_call instances, svc_page_alloc
    "spinlock.h",   # spinning locks (ticket locks, irqsave variants)
    "time.h",       # clocks
    "tty.h",        # the TTY layer a console driver feeds
    "vfs.h",        # VFS objects and operations, chrdev registration
    "wait.h",       # wait queues (sleep until, wake up)
]
