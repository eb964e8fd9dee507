/* ACPI at boot, for kernel_main (kernel/acpi/acpi_boot.c). */
#ifndef KERNEL_ACPI_ACPI_BOOT_H
#define KERNEL_ACPI_ACPI_BOOT_H
#include <hal/boot.h>
#include <stddef.h>

/* Find the RSDP from bi, read the tables, log them, and write the board
 * tree dtb folded with what ACPI says into buf (size bytes, 8-aligned).
 * Returns 0 (buf holds the tree to use) or a negative errno: then dtb is
 * to be used unchanged (its values are the board's fallback). */
int acpi_boot_fold(const struct hal_boot_info *bi, const void *dtb, void *buf, size_t size);

#endif
