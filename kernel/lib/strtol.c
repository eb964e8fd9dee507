/* Number parsing for <stdlib.h>: ISO C strtoul/strtol/strtoull
 * ([strtoul(3)]) without errno: overflow saturates. */
#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>

/* Parse digits of base into *out; returns a pointer after the last digit
 * used, or NULL if none. Saturates at ULLONG_MAX and sets *overflow. */
static const char *parse_digits(const char *s, int base, unsigned long long *out, bool *overflow)
{
	unsigned long long v = 0;
	const char *start = s;

	*overflow = false;
	for (;; s++) {
		int d;

		if (isdigit(*s))
			d = *s - '0';
		else if (isalpha(*s))
			d = tolower(*s) - 'a' + 10;
		else
			break;
		if (d >= base)
			break;
		if (v > (ULLONG_MAX - (unsigned)d) / (unsigned)base) {
			*overflow = true;
			v = ULLONG_MAX;
		} else if (!*overflow) {
			v = v * (unsigned)base + (unsigned)d;
		}
	}
	*out = v;
	return s == start ? NULL : s;
}

/* Common front end: whitespace, sign, base prefix. */
static unsigned long long parse(const char *s, char **end, int base, bool *neg, bool *overflow)
{
	const char *p = s;
	const char *after;
	unsigned long long v;

	*neg = false;
	*overflow = false;
	if (base < 0 || base == 1 || base > 36) {
		if (end)
			*end = (char *)s;
		return 0;
	}
	while (isspace(*p))
		p++;
	if (*p == '+' || *p == '-') {
		*neg = *p == '-';
		p++;
	}
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    isxdigit(p[2])) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	after = parse_digits(p, base, &v, overflow);
	if (!after) {
		if (end)
			*end = (char *)s;
		*neg = false;
		return 0;
	}
	if (end)
		*end = (char *)after;
	return v;
}

unsigned long long strtoull(const char *s, char **end, int base)
{
	bool neg, overflow;
	unsigned long long v = parse(s, end, base, &neg, &overflow);

	if (overflow)
		return ULLONG_MAX;
	return neg ? -v : v;
}

unsigned long strtoul(const char *s, char **end, int base)
{
	bool neg, overflow;
	unsigned long long v = parse(s, end, base, &neg, &overflow);

	if (overflow || v > ULONG_MAX)
		return ULONG_MAX;
	return neg ? -(unsigned long)v : (unsigned long)v;
}

long strtol(const char *s, char **end, int base)
{
	bool neg, overflow;
	unsigned long long v = parse(s, end, base, &neg, &overflow);

	if (neg) {
		if (overflow || v > (unsigned long long)LONG_MAX + 1)
			return LONG_MIN;
		return (long)-v;
	}
	if (overflow || v > LONG_MAX)
		return LONG_MAX;
	return (long)v;
}
