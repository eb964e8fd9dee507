/* Fold what ACPI says into the board's device tree (acpi_fdt_apply in
 * <kernel/acpi.h>; docs/porting.md "PC boards: ACPI"), with libfdt's
 * read-write API. The bindings written here are those of the PC boards'
 * trees (boards/q35/README.md): Linux's "intel,ce4100-ioapic" and
 * "pci-host-ecam-generic", and Kevlar's "kevlar," properties. */
#include <kernel/acpi.h>
#include <kernel/printk.h>
#include <libfdt.h>
#include <string.h>

/* The INIT-SIPI-SIPI start-up of an x86 application processor [Intel SDM
 * Vol. 3A §8.4.4.1; MP Specification 1.4 §B.4]: the `enable-method` of
 * /cpus/cpu@N on PC boards (Kevlar's name; Linux's x86 DT has none). */
#define ENABLE_METHOD_INIT_SIPI "intel,apic-init-sipi"

#define TRY(x)                       \
	do {                         \
		int err_ = (x);      \
		if (err_ < 0)        \
			return err_; \
	} while (0)

/* reg = <address size> in the parent's #address-cells/#size-cells (1 or
 * 2 each; the DT default 2/1 when absent [DT spec §2.3.5]). */
static int set_reg(void *fdt, int node, const uint32_t *pre, int npre, uint64_t addr, uint64_t size)
{
	int parent = fdt_parent_offset(fdt, node), ac, sc, n = 0;
	fdt32_t cells[8];

	if (parent < 0)
		return parent;
	ac = fdt_address_cells(fdt, parent);
	sc = fdt_size_cells(fdt, parent);
	if (ac < 0 || sc < 0 || ac - npre < 1 || ac - npre > 2 || sc > 2)
		return -FDT_ERR_BADNCELLS;
	for (int i = 0; i < npre; i++)
		cells[n++] = cpu_to_fdt32(pre[i]);
	if (ac - npre == 2)
		cells[n++] = cpu_to_fdt32((uint32_t)(addr >> 32));
	cells[n++] = cpu_to_fdt32((uint32_t)addr);
	if (sc == 2)
		cells[n++] = cpu_to_fdt32((uint32_t)(size >> 32));
	if (sc >= 1)
		cells[n++] = cpu_to_fdt32((uint32_t)size);
	return fdt_setprop(fdt, node, "reg", cells, n * (int)sizeof(cells[0]));
}

static int setprop_cells(void *fdt, int node, const char *name, const uint32_t *v, int n)
{
	fdt32_t cells[ACPI_MAX_OVERRIDES * 3];

	if (n > (int)(sizeof(cells) / sizeof(cells[0])))
		return -FDT_ERR_NOSPACE;
	for (int i = 0; i < n; i++)
		cells[i] = cpu_to_fdt32(v[i]);
	return fdt_setprop(fdt, node, name, cells, n * (int)sizeof(cells[0]));
}

/* The ISA IRQ `irq` as <GSI sense> after the MADT's overrides [ACPI 6.4
 * §5.2.12.5: without an override, ISA IRQ n is GSI n, edge, high]. */
static bool isa_irq(const struct acpi_info *info, unsigned irq, bool sci, uint32_t *gsi,
		    uint32_t *sense)
{
	bool found = false;

	*gsi = irq;
	*sense = sci ? 1 : 0; /* the SCI: level, active low [§5.2.9 SCI_INT] */
	for (unsigned i = 0; i < info->nr_overrides; i++) {
		const struct acpi_override *o = &info->overrides[i];

		if (o->bus == 0 && o->source == irq) {
			*gsi = o->gsi;
			*sense = acpi_inti_sense(o->flags, !sci);
			found = true;
		}
	}
	return found;
}

static int fold_cpus(const struct acpi_info *info, void *fdt)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), child;

	if (!info->nr_cpus)
		return 0; /* a MADT without a usable CPU: the tree's stay */
	if (cpus == -FDT_ERR_NOTFOUND) {
		cpus = fdt_add_subnode(fdt, 0, "cpus");
		TRY(cpus);
		TRY(fdt_setprop_u32(fdt, cpus, "#address-cells", 1));
		TRY(fdt_setprop_u32(fdt, cpus, "#size-cells", 0));
	}
	TRY(cpus);
	while ((child = fdt_first_subnode(fdt, cpus)) >= 0) {
		TRY(fdt_del_node(fdt, child));
		cpus = fdt_path_offset(fdt, "/cpus");
		TRY(cpus);
	}
	/* fdt_add_subnode puts a node first among its siblings: add them
	 * backwards so that the tree lists them in MADT order (the boot
	 * CPU is normally first). */
	for (unsigned i = info->nr_cpus; i-- > 0;) {
		const struct acpi_cpu *c = &info->cpus[i];
		char name[24];
		int node;

		snprintf(name, sizeof(name), "cpu@%x", c->apic_id);
		node = fdt_add_subnode(fdt, cpus, name);
		TRY(node);
		TRY(fdt_setprop_string(fdt, node, "device_type", "cpu"));
		TRY(fdt_setprop_u32(fdt, node, "reg", c->apic_id));
		TRY(fdt_setprop_string(fdt, node, "enable-method", ENABLE_METHOD_INIT_SIPI));
		TRY(fdt_setprop_u32(fdt, node, "kevlar,acpi-uid", c->uid));
		if (c->x2apic)
			TRY(fdt_setprop_empty(fdt, node, "kevlar,x2apic"));
		/* This CPU's own local APIC NMI entry (one for every CPU goes
		 * on the local APIC node: fold_lapic). */
		for (unsigned k = 0; k < info->nr_nmis; k++) {
			const struct acpi_nmi *nmi = &info->nmis[k];
			uint32_t v[2] = { nmi->lint, acpi_inti_sense(nmi->flags, true) };

			if (nmi->uid == c->uid)
				TRY(setprop_cells(fdt, node, "kevlar,nmi-lint", v, 2));
		}
		/* Online-capable but not enabled: may be started later
		 * [ACPI 6.4 table 5.23]; "disabled" as for a hot-pluggable
		 * CPU in a DT [DT spec §3.8.1]. */
		TRY(fdt_setprop_string(fdt, node, "status", c->enabled ? "okay" : "disabled"));
		cpus = fdt_path_offset(fdt, "/cpus");
		TRY(cpus);
	}
	return 0;
}

static int fold_lapic(const struct acpi_info *info, void *fdt)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "intel,ce4100-lapic");
	char name[40];

	if (node < 0 || !info->lapic_address)
		return 0;
	TRY(set_reg(fdt, node, NULL, 0, info->lapic_address, 0x1000));
	for (unsigned k = 0; k < info->nr_nmis; k++) {
		const struct acpi_nmi *nmi = &info->nmis[k];
		uint32_t v[2] = { nmi->lint, acpi_inti_sense(nmi->flags, true) };

		if (nmi->uid == ACPI_NMI_ALL_CPUS)
			TRY(setprop_cells(fdt, node, "kevlar,nmi-lint", v, 2));
	}
	snprintf(name, sizeof(name), "interrupt-controller@%llx",
		 (unsigned long long)info->lapic_address);
	return fdt_set_name(fdt, node, name);
}

static int fold_ioapics(const struct acpi_info *info, void *fdt)
{
	int first = fdt_node_offset_by_compatible(fdt, -1, "intel,ce4100-ioapic");

	for (unsigned i = 0; i < info->nr_ioapics; i++) {
		const struct acpi_ioapic *io = &info->ioapics[i];
		uint32_t ov[ACPI_MAX_OVERRIDES * 3];
		int node, n = 0;
		char name[40];

		snprintf(name, sizeof(name), "interrupt-controller@%x", io->address);
		if (i == 0 && first >= 0) {
			node = first; /* keeps its phandle: the tree's interrupt-parent */
			TRY(fdt_set_name(fdt, node, name));
		} else {
			uint32_t ph;

			node = fdt_add_subnode(fdt, 0, name);
			TRY(node);
			TRY(fdt_setprop_string(fdt, node, "compatible", "intel,ce4100-ioapic"));
			TRY(fdt_setprop_empty(fdt, node, "interrupt-controller"));
			TRY(fdt_setprop_u32(fdt, node, "#address-cells", 0));
			TRY(fdt_setprop_u32(fdt, node, "#interrupt-cells", 2));
			TRY(fdt_generate_phandle(fdt, &ph));
			TRY(fdt_setprop_u32(fdt, node, "phandle", ph));
			if (i == 0)
				TRY(fdt_setprop_u32(fdt, 0, "interrupt-parent", ph));
		}
		TRY(set_reg(fdt, node, NULL, 0, io->address, 0x1000));
		TRY(fdt_setprop_u32(fdt, node, "kevlar,gsi-base", io->gsi_base));
		TRY(fdt_setprop_u32(fdt, node, "kevlar,ioapic-id", io->id));
		/* Overrides of ISA IRQs whose GSI this I/O APIC serves; a
		 * GSI's pin is GSI - gsi-base (the driver checks its range). */
		for (unsigned k = 0; k < info->nr_overrides; k++) {
			const struct acpi_override *o = &info->overrides[k];

			if (o->bus != 0 || o->gsi < io->gsi_base)
				continue;
			ov[n++] = o->source;
			ov[n++] = o->gsi;
			ov[n++] = acpi_inti_sense(o->flags, true);
		}
		if (n)
			TRY(setprop_cells(fdt, node, "kevlar,interrupt-overrides", ov, n));
		else
			fdt_delprop(fdt, node, "kevlar,interrupt-overrides");
		first = fdt_node_offset_by_compatible(fdt, -1, "intel,ce4100-ioapic");
	}
	return 0;
}

/* /isa children's `interrupts` are ISA IRQs (<irq sense>): rewrite them
 * through the overrides, so drivers get the GSI. */
static int fold_isa_irqs(const struct acpi_info *info, void *fdt)
{
	int isa = fdt_path_offset(fdt, "/isa"), child;

	if (isa < 0)
		return 0;
	fdt_for_each_subnode(child, fdt, isa) {
		const fdt32_t *p;
		uint32_t v[2], gsi, sense;
		int len;

		p = fdt_getprop(fdt, child, "interrupts", &len);
		if (!p || len != 8)
			continue;
		if (!isa_irq(info, fdt32_to_cpu(p[0]), false, &gsi, &sense))
			continue;
		v[0] = gsi;
		v[1] = sense;
		/* Same size: the tree's layout and offsets do not move. */
		TRY(setprop_cells(fdt, child, "interrupts", v, 2));
	}
	return 0;
}

/* A node under /isa for an I/O-space register, found by compatible or
 * created; renamed <base>@<port>. */
static int isa_port_node(void *fdt, const char *compat, const char *base, uint64_t port,
			 unsigned size)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, compat), isa;
	const uint32_t space_io = 1;
	char name[32];

	snprintf(name, sizeof(name), "%s@%llx", base, (unsigned long long)port);
	if (node < 0) {
		isa = fdt_path_offset(fdt, "/isa");
		TRY(isa);
		node = fdt_add_subnode(fdt, isa, name);
		TRY(node);
		TRY(fdt_setprop_string(fdt, node, "compatible", compat));
	} else {
		TRY(fdt_set_name(fdt, node, name));
	}
	TRY(set_reg(fdt, node, &space_io, 1, port, size));
	return node;
}

static int fold_power(const struct acpi_info *info, void *fdt)
{
	int node;

	if (!info->have_fadt)
		return 0;
	if (info->pm1a_cnt.space == ACPI_GAS_IO && info->pm1a_cnt.address &&
	    info->pm1a_cnt.address <= 0xffff) {
		uint32_t v[2];
		unsigned len = info->pm1_cnt_len >= 2 ? info->pm1_cnt_len : 2;

		node = isa_port_node(fdt, "kevlar,acpi-pm1-poweroff", "poweroff",
				     info->pm1a_cnt.address, len);
		TRY(node);
		if (info->have_s5)
			TRY(fdt_setprop_u32(fdt, node, "kevlar,slp-typ", info->s5_slp_typ));
		else
			fdt_delprop(fdt, node, "kevlar,slp-typ");
		isa_irq(info, info->sci_irq, true, &v[0], &v[1]);
		TRY(setprop_cells(fdt, node, "kevlar,sci", v, 2));
	}
	if (info->have_reset && info->reset_reg.space == ACPI_GAS_IO &&
	    info->reset_reg.address <= 0xffff) {
		node = isa_port_node(fdt, "kevlar,acpi-reset", "reset", info->reset_reg.address, 1);
		TRY(node);
		TRY(fdt_setprop_u32(fdt, node, "kevlar,reset-value", info->reset_value));
	}
	return 0;
}

static int fold_mcfg(const struct acpi_info *info, void *fdt)
{
	for (unsigned i = 0; i < info->nr_mcfg; i++) {
		const struct acpi_mcfg *m = &info->mcfg[i];
		uint64_t base = m->base + ((uint64_t)m->bus_start << 20);
		uint64_t size = (uint64_t)(m->bus_end - m->bus_start + 1) << 20;
		uint32_t range[2] = { m->bus_start, m->bus_end };
		char name[32];
		int node;

		snprintf(name, sizeof(name), "pcie@%llx", (unsigned long long)base);
		node = fdt_add_subnode(fdt, 0, name);
		TRY(node);
		/* Linux's Documentation/devicetree/bindings/pci/host-generic-
		 * pci.yaml, without `ranges`: on a PC the windows are in the
		 * DSDT's _CRS (AML), and the firmware assigned the BARs. */
		TRY(fdt_setprop_string(fdt, node, "compatible", "pci-host-ecam-generic"));
		TRY(fdt_setprop_string(fdt, node, "device_type", "pci"));
		TRY(set_reg(fdt, node, NULL, 0, base, size));
		TRY(setprop_cells(fdt, node, "bus-range", range, 2));
		TRY(fdt_setprop_u32(fdt, node, "linux,pci-domain", m->segment));
		TRY(fdt_setprop_u32(fdt, node, "#address-cells", 3));
		TRY(fdt_setprop_u32(fdt, node, "#size-cells", 2));
	}
	return 0;
}

int acpi_fdt_apply(const struct acpi_info *info, void *fdt)
{
	if (info->have_madt) {
		TRY(fold_cpus(info, fdt));
		TRY(fold_lapic(info, fdt));
		TRY(fold_ioapics(info, fdt));
		TRY(fold_isa_irqs(info, fdt));
	}
	TRY(fold_power(info, fdt));
	TRY(fold_mcfg(info, fdt));
	return 0;
}
