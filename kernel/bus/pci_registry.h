/* The core side of <kernel/pci.h>. */
#ifndef KERNEL_BUS_PCI_REGISTRY_H
#define KERNEL_BUS_PCI_REGISTRY_H
#include <kernel/pci.h>

/* Copy the i-th published function into *out: false past the last. */
bool pci_registry_get(unsigned i, struct pci_dev_info *out);

#endif
