/* printf-style formatting for printk, snprintf and /proc text
 * (the contract in <kernel/printk.h>).
 *
 * Conversions: d i u x X o p s c %; length modifiers hh h l ll z t j;
 * flags '-' '0' '+' ' ' '#'; field width and precision, either may be '*'.
 * %p prints "0x" and the hex value (no pointer is dereferenced, so a bad
 * value cannot fault); %s of NULL prints "(null)". Output is truncated to
 * size - 1 bytes plus a NUL (size > 0); the return value is the length the
 * full output would have had, as in ISO C vsnprintf [printf(3)].
 */
#include <hal/types.h>
#include <kernel/printk.h>
#include <string.h>

struct out {
	char *buf;
	size_t size;
	size_t len; /* would-be length */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

#define F_LEFT 0x1
#define F_ZERO 0x2
#define F_PLUS 0x4
#define F_SPACE 0x8
#define F_ALT 0x10

static void put_str(struct out *o, const char *s, int width, int prec, unsigned flags)
{
	size_t n;

	if (!s)
		s = "(null)";
	n = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
	if (!(flags & F_LEFT))
		pad(o, ' ', width - (int)n);
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
	if (flags & F_LEFT)
		pad(o, ' ', width - (int)n);
}

/* Format an unsigned magnitude v in base with sign/prefix handling. */
static void put_num(struct out *o, unsigned long long v, bool neg, unsigned base, bool upper,
		    int width, int prec, unsigned flags, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, ndigits, zeros, plen = prefix ? (int)strlen(prefix) : 0;
	char sign = 0;

	if (neg)
		sign = '-';
	else if (flags & F_PLUS)
		sign = '+';
	else if (flags & F_SPACE)
		sign = ' ';
	if (sign)
		plen = 1;
	if (!(v == 0 && prec == 0)) {
		do {
			tmp[n++] = digits[v % base];
			v /= base;
		} while (v);
	}
	ndigits = n;
	zeros = prec > n ? prec - n : 0;
	/* '0' flag pads with zeros to the width unless a precision is given. */
	if ((flags & F_ZERO) && !(flags & F_LEFT) && prec < 0 && width > n + plen)
		zeros = width - n - plen;
	if (!(flags & F_LEFT))
		pad(o, ' ', width - (n + zeros + plen));
	if (sign)
		put(o, sign);
	else if (prefix)
		while (*prefix)
			put(o, *prefix++);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (flags & F_LEFT)
		pad(o, ' ', width - (ndigits + zeros + plen));
}

enum len_mod { LM_INT, LM_CHAR, LM_SHORT, LM_LONG, LM_LLONG, LM_SIZE };

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		unsigned flags = 0;
		int width = 0, prec = -1;
		enum len_mod lm = LM_INT;
		unsigned long long v;
		bool neg = false;
		unsigned base = 10;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				flags |= F_LEFT;
			else if (*fmt == '0')
				flags |= F_ZERO;
			else if (*fmt == '+')
				flags |= F_PLUS;
			else if (*fmt == ' ')
				flags |= F_SPACE;
			else if (*fmt == '#')
				flags |= F_ALT;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				flags |= F_LEFT;
				width = -width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				if (prec < 0)
					prec = -1;
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					prec = prec * 10 + (*fmt++ - '0');
			}
		}
		switch (*fmt) {
		case 'h':
			lm = LM_SHORT;
			if (*++fmt == 'h') {
				lm = LM_CHAR;
				fmt++;
			}
			break;
		case 'l':
			lm = LM_LONG;
			if (*++fmt == 'l') {
				lm = LM_LLONG;
				fmt++;
			}
			break;
		case 'z':
		case 't':
		case 'j':
			lm = LM_SIZE;
			fmt++;
			break;
		}
		switch (*fmt) {
		case '\0':
			fmt--; /* "%" at the end: stop after this round */
			continue;
		case '%': put(&o, '%'); continue;
		case 'c':
			if (!(flags & F_LEFT))
				pad(&o, ' ', width - 1);
			put(&o, (char)va_arg(ap, int));
			if (flags & F_LEFT)
				pad(&o, ' ', width - 1);
			continue;
		case 's': put_str(&o, va_arg(ap, const char *), width, prec, flags); continue;
		case 'p':
			v = (uintptr_t)va_arg(ap, void *);
			put_num(&o, v, false, 16, false, width, prec, flags & ~F_ZERO, "0x");
			continue;
		case 'd':
		case 'i': {
			long long s;

			switch (lm) {
			case LM_LONG: s = va_arg(ap, long); break;
			case LM_LLONG: s = va_arg(ap, long long); break;
			case LM_SIZE: s = va_arg(ap, ssize_t); break;
			case LM_SHORT: s = (short)va_arg(ap, int); break;
			case LM_CHAR: s = (signed char)va_arg(ap, int); break;
			default: s = va_arg(ap, int); break;
			}
			neg = s < 0;
			v = neg ? -(unsigned long long)s : (unsigned long long)s;
			put_num(&o, v, neg, 10, false, width, prec, flags, NULL);
			continue;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			switch (lm) {
			case LM_LONG: v = va_arg(ap, unsigned long); break;
			case LM_LLONG: v = va_arg(ap, unsigned long long); break;
			case LM_SIZE: v = va_arg(ap, size_t); break;
			case LM_SHORT: v = (unsigned short)va_arg(ap, unsigned); break;
			case LM_CHAR: v = (unsigned char)va_arg(ap, unsigned); break;
			default: v = va_arg(ap, unsigned); break;
			}
			base = *fmt == 'o' ? 8 : *fmt == 'u' ? 10 : 16;
			put_num(&o, v, false, base, *fmt == 'X', width, prec,
				flags & ~(F_PLUS | F_SPACE),
				(flags & F_ALT) && v ? (base == 16 ? (*fmt == 'X' ? "0X" : "0x") :
							base == 8  ? "0" :
								     NULL) :
						       NULL);
			continue;
		default:
			/* Unknown conversion: print it literally. */
			put(&o, '%');
			put(&o, *fmt);
			continue;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
