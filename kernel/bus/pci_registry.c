/* The PCI functions the bus drivers found (<kernel/pci.h>), for
 * /proc/bus/pci/devices. */
#include <kernel/errno.h>
#include <kernel/pci.h>
#include <kernel/spinlock.h>

#include "pci_registry.h"

#define PCI_MAX_FUNCS 256

/* Guards funcs[] and nr_funcs (appended by probes, read by procfs). */
static DEFINE_SPINLOCK(pci_registry_lock);
static struct pci_dev_info funcs[PCI_MAX_FUNCS];
static unsigned nr_funcs;

int pci_publish(const struct pci_dev_info *info)
{
	irqflags_t f = spin_lock_irqsave(&pci_registry_lock);
	int r = -ENOSPC;

	if (nr_funcs < PCI_MAX_FUNCS) {
		funcs[nr_funcs++] = *info;
		r = 0;
	}
	spin_unlock_irqrestore(&pci_registry_lock, f);
	return r;
}

bool pci_registry_get(unsigned i, struct pci_dev_info *out)
{
	irqflags_t f = spin_lock_irqsave(&pci_registry_lock);
	bool ok = i < nr_funcs;

	if (ok)
		*out = funcs[i];
	spin_unlock_irqrestore(&pci_registry_lock, f);
	return ok;
}
