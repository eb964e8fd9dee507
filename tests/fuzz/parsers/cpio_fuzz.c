/* libFuzzer harness: the initramfs cpio newc/crc parser
 * (services/initramfs/cpio.c, cpio_parse) on arbitrary bytes, as the kernel
 * gets them from the boot loader. Built and run by tools/fuzz-parsers.sh
 * (docs/reliability.md "Parser fuzzers").
 *
 * The input is copied into an exactly-sized heap block so that AddressSanitizer
 * sees any read past its end; every entry's name and data are read in full
 * so that a member pointing outside the buffer is caught too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "services/initramfs/cpio.h"

static int touch(const struct cpio_entry *e, void *ctx)
{
	unsigned *sum = ctx;
	const uint8_t *d = e->data;

	/* cpio.h: name is NUL-terminated with namesize bytes, data has size bytes */
	if (e->namesize == 0 || e->name[e->namesize - 1] != '\0' || strlen(e->name) + 1 != e->namesize)
		abort();
	for (size_t i = 0; i < e->size; i++)
		*sum += d[i];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	char err[96];
	unsigned sum = 0;
	int r;

	memcpy(copy, data, size);
	r = cpio_parse(size ? copy : NULL, size, touch, &sum, err, sizeof(err));
	/* Errors are CPIO_EMALFORMED with a NUL-terminated message. */
	if (r != 0 && (r != CPIO_EMALFORMED || !memchr(err, '\0', sizeof(err))))
		abort();
	free(copy);
	return 0;
}
