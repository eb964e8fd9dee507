/* /proc/bus/pci/devices: one line per PCI function, as Linux's
 * drivers/pci/proc.c proc_bus_pci_dev_show():
 *
 *   BBDD<TAB>VVVVDDDD<TAB>irq  then 7 x "<TAB>%16llx" (BAR address | flags)
 *   then 7 x "<TAB>%16llx" (BAR sizes), then "<TAB>driver".
 *
 * BBDD: bus and devfn in hex; VVVVDDDD: vendor and device IDs. */
#include "../bus/pci_registry.h"
#include "procfs.h"

int proc_show_pci_devices(struct seqbuf *s, struct task *t)
{
	struct pci_dev_info d;

	(void)t;
	for (unsigned i = 0; pci_registry_get(i, &d); i++) {
		seq_printf(s, "%02x%02x\t%04x%04x\t%x", d.bus, d.devfn, d.vendor, d.device, d.irq);
		for (int r = 0; r < PCI_NUM_RESOURCES; r++)
			seq_printf(s, "\t%16llx", (unsigned long long)d.start[r]);
		for (int r = 0; r < PCI_NUM_RESOURCES; r++)
			seq_printf(s, "\t%16llx", (unsigned long long)d.size[r]);
		seq_printf(s, "\t%s\n", d.driver ? d.driver : "");
	}
	return 0;
}
