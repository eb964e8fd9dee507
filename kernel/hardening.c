/* What CPU hardening is on (<kernel/hardening.h>): the HAL's part plus the
 * compiler's (stack protector, zero-initialised locals). */
#include <kernel/hardening.h>
#include <kernel/printk.h>
#include <kevlar/profile.h>
#include <string.h>

static const unsigned items[HARDEN_NR_ITEMS] = {
	HAL_HARDEN_USER_NX, HAL_HARDEN_USER_NOACCESS, HAL_HARDEN_KERNEL_WX,
	HARDEN_STACKPROT,   HARDEN_ZEROINIT,
};

unsigned hardening_active(void)
{
	unsigned on = hal_hardening();

#ifdef __SSP_STRONG__
	on |= HARDEN_STACKPROT;
#endif
#ifdef KEVLAR_PROFILE_FORTRESS
	on |= HARDEN_ZEROINIT;
#endif
	return on;
}

unsigned hardening_item(unsigned i, const char **name)
{
	unsigned bit = i < HARDEN_NR_ITEMS ? items[i] : 0;

	if (bit == HARDEN_STACKPROT)
		*name = "stackprot";
	else if (bit == HARDEN_ZEROINIT)
		*name = "zeroinit";
	else
		*name = bit ? hal_hardening_name(bit) : NULL;
	if (!*name)
		*name = "?";
	return bit;
}

static void append(char *buf, size_t size, const char *word)
{
	size_t len = strlen(buf);

	if (len)
		len += strlcpy(buf + len, " ", size - len);
	if (len < size)
		strlcpy(buf + len, word, size - len);
}

void hardening_log(void)
{
	char on[96] = "", off[96] = "";
	unsigned active = hardening_active();

	for (unsigned i = 0; i < HARDEN_NR_ITEMS; i++) {
		const char *name;

		if (hardening_item(i, &name) & active)
			append(on, sizeof(on), name);
		else
			append(off, sizeof(off), name);
	}
	printk("hardening: %s (off: %s)\n", *on ? on : "none", *off ? off : "none");
}
