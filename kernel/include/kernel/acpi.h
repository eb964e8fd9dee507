/* ACPI static tables as a board description (docs/architecture.md "ACPI").
 *
 * PCs have no firmware device tree; they describe CPUs, interrupt
 * controllers, power control and the PCIe configuration window in ACPI
 * tables [ACPI 6.4 §5.2]. The core reads the few tables it needs and folds
 * them into the board's built-in device tree at boot (acpi_fdt_apply), so
 * that drivers see one description on every board, as on arm64.
 *
 * Everything here is pure parsing with no asm and no hardware address:
 * physical memory is reached through the caller's map() callback (the HAL
 * at boot, a fixture in tests/host/acpi_test.c). Tables are untrusted: a
 * table whose signature, length or checksum is wrong, that does not fit
 * in what map() gives, that overlaps a table already accepted, or whose
 * contents are inconsistent (an entry running past the end, a length too
 * short for its fields) is reported through report() and skipped as a
 * whole; nothing of it is used.
 */
#ifndef KERNEL_ACPI_H
#define KERNEL_ACPI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_CPUS 256
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_OVERRIDES 32
#define ACPI_MAX_NMIS 16
#define ACPI_MAX_MCFG 8
#define ACPI_MAX_TABLES 64	      /* XSDT/RSDT entries looked at */
#define ACPI_MAX_TABLE_LEN (4u << 20) /* bytes; larger is refused */
#define ACPI_RSDP_V1_LEN 20
#define ACPI_RSDP_V2_LEN 36

/* Generic Address Structure [ACPI 6.4 §5.2.3.2]. */
#define ACPI_GAS_MEMORY 0
#define ACPI_GAS_IO 1
struct acpi_gas {
	uint8_t space; /* ACPI_GAS_MEMORY, ACPI_GAS_IO, ... */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
};

/* MADT Processor Local APIC (type 0) or Local x2APIC (type 9) entry
 * [ACPI 6.4 §5.2.12.2, §5.2.12.12]. Entries with neither flag set are
 * dropped ("not usable"). */
struct acpi_cpu {
	uint32_t apic_id;    /* the CPU's (x2)APIC ID: its DT `reg` */
	uint32_t uid;	     /* ACPI processor UID */
	bool enabled;	     /* flag bit 0: usable now */
	bool online_capable; /* flag bit 1: may be enabled later */
	bool x2apic;	     /* came from a type 9 entry */
};

/* MADT I/O APIC entry (type 1) [ACPI 6.4 §5.2.12.3]. */
struct acpi_ioapic {
	uint8_t id;
	uint32_t address;  /* physical, of its 4 KiB register window */
	uint32_t gsi_base; /* first global system interrupt it serves */
};

/* MADT Interrupt Source Override (type 2) [ACPI 6.4 §5.2.12.5]: ISA IRQ
 * `source` is GSI `gsi` with the MPS INTI flags `flags` (bits 1:0
 * polarity: 0 bus default, 1 high, 3 low; bits 3:2 trigger: 0 bus default,
 * 1 edge, 3 level). */
struct acpi_override {
	uint8_t bus; /* 0 = ISA */
	uint8_t source;
	uint32_t gsi;
	uint16_t flags;
};

/* MADT Local APIC NMI (type 4) or Local x2APIC NMI (type 10)
 * [ACPI 6.4 §5.2.12.7, §5.2.12.13]: which LINT pin of which CPU (by UID,
 * ACPI_NMI_ALL_CPUS = all) is the NMI, with its INTI flags. */
#define ACPI_NMI_ALL_CPUS 0xffffffffu
struct acpi_nmi {
	uint32_t uid;
	uint8_t lint; /* 0 or 1 */
	uint16_t flags;
};

/* MCFG entry [PCI Firmware Specification 3.2 §4.1.2, table 4-3]: ECAM
 * for buses bus_start..bus_end of `segment`, at base + (bus << 20). */
struct acpi_mcfg {
	uint64_t base; /* address of bus 0's configuration space */
	uint16_t segment;
	uint8_t bus_start, bus_end;
};

struct acpi_info {
	uint8_t revision; /* RSDP revision: 0 = ACPI 1.0 (RSDT), 2+ = XSDT */
	char oem_id[7];
	unsigned nr_tables; /* tables accepted (RSDT/XSDT and DSDT included) */
	unsigned nr_bad;    /* tables reported and skipped */

	bool have_madt;
	uint64_t lapic_address; /* MADT field, or its type 5 override */
	bool pcat_compat;	/* MADT flag 0: 8259 PICs present */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	unsigned nr_cpus;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned nr_ioapics;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	unsigned nr_overrides;
	struct acpi_nmi nmis[ACPI_MAX_NMIS];
	unsigned nr_nmis;

	/* FADT [ACPI 6.4 §5.2.9]. */
	bool have_fadt;
	uint16_t sci_irq;	   /* SCI_INT: an ISA IRQ (before overrides) */
	struct acpi_gas pm1a_cnt;  /* PM1a control block (space 0 if none) */
	uint8_t pm1_cnt_len;	   /* bytes */
	bool have_reset;	   /* FADT flag RESET_REG_SUP and a register */
	struct acpi_gas reset_reg; /* RESET_REG */
	uint8_t reset_value;	   /* RESET_VALUE */
	uint16_t iapc_boot_arch;   /* IAPC_BOOT_ARCH flags */
	uint32_t fadt_flags;

	/* DSDT: \_S5's SLP_TYPa, found by the usual AML byte pattern. */
	bool have_s5;
	uint8_t s5_slp_typ;

	struct acpi_mcfg mcfg[ACPI_MAX_MCFG];
	unsigned nr_mcfg;
};

/* Where the parser reads physical memory and says what it rejected.
 *   map(ctx, pa, len): a pointer to the len bytes at physical pa, or NULL
 *     when they cannot be read (out of range, not mapped). Called for a
 *     header first, then for the whole table.
 *   report(ctx, msg): one line (no newline) about a table it skipped or
 *     something it found; may be NULL. */
struct acpi_ops {
	const void *(*map)(void *ctx, uint64_t pa, uint64_t len);
	void (*report)(void *ctx, const char *msg);
	void *ctx;
};

/* Is `p` (len bytes) a valid RSDP: signature "RSD PTR ", ACPI 1.0
 * checksum over 20 bytes and, for revision >= 2, the extended checksum
 * over its Length (36..len bytes) [ACPI 6.4 §5.2.5.3]? */
bool acpi_rsdp_valid(const void *p, size_t len);

/* The offset of the first valid RSDP on a 16-byte boundary in
 * buf[0, len) [ACPI 6.4 §5.2.5.1], or -1. */
long acpi_rsdp_scan(const void *buf, size_t len);

/* Read the RSDP (rsdp, len bytes: a copy or a mapping), then the XSDT
 * (or, for revision 0 or an XSDT that fails its checks, the RSDT) and the
 * MADT, FADT, DSDT and MCFG it lists, into *out (zeroed first). Returns 0,
 * -EINVAL if the RSDP is invalid, -ENOENT if no root table could be used.
 * Bad tables are reported and skipped; the others are still read. */
int acpi_parse(const void *rsdp, size_t len, const struct acpi_ops *ops, struct acpi_info *out);

/* SLP_TYPa of \_S5 in AML (a DSDT's body): `Name (_S5, Package () {
 * typ_a, ... })` [ACPI 6.4 §7.4.2, §20.2.5]. Returns 0 and *typ, or
 * -ENOENT. Bounded by len, never reads outside it. */
int acpi_find_s5(const uint8_t *aml, size_t len, uint8_t *typ);

/* DT binding sense of an override's INTI flags for the I/O APIC's
 * two-cell specifier (boards/q35/README.md): 0 edge rising, 1 level low,
 * 2 level high, 3 edge falling; bus defaults are the ISA ones (edge, high)
 * unless isa is false (then level, low: PCI and the SCI). */
unsigned acpi_inti_sense(uint16_t flags, bool isa);

/* Fold *info into the flattened tree at fdt (writable, bufsize bytes,
 * opened with fdt_open_into) [docs/porting.md "PC boards: ACPI"]:
 *   /cpus/cpu@<apic-id>  replaces every /cpus child: reg = APIC ID,
 *                        enable-method = "intel,apic-init-sipi";
 *   the local APIC node  reg, kevlar,nmi-lint = <lint sense> (the NMI
 *                        entry for all CPUs; a CPU's own goes on its node);
 *   I/O APICs            "intel,ce4100-ioapic" nodes: the tree's first one
 *                        is rewritten in place (its phandle stays), others
 *                        added; kevlar,gsi-base and
 *                        kevlar,interrupt-overrides (<isa-irq gsi sense>...);
 *   /isa/poweroff@<port> PM1a control, kevlar,slp-typ from \_S5, the SCI;
 *   /isa/reset@<port>    the FADT reset register ("kevlar,acpi-reset"),
 *                        kevlar,reset-value (I/O space only);
 *   /pcie@<ecam>         one per MCFG entry, "pci-host-ecam-generic".
 * Returns 0 or a negative libfdt error (FDT_ERR_NOSPACE: bufsize too
 * small); on error the tree may be half-written and must not be used. */
int acpi_fdt_apply(const struct acpi_info *info, void *fdt);

/* Set by the core at boot (kernel/acpi/acpi_boot.c): what ACPI described,
 * or NULL (no RSDP, acpi=off, nothing usable). For /proc/kevlar/acpi. */
const struct acpi_info *acpi_boot_info(void);

#endif
