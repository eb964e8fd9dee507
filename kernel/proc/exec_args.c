/* execve(2) argument and environment strings, copied into one kernel
 * buffer before the old image is touched. Limits as Linux's fs/exec.c:
 * each string at most MAX_ARG_STRLEN (32 pages, else -E2BIG), strings and
 * their pointers together at most EXEC_ARG_MAX (-E2BIG). */
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <string.h>

#include "exec.h"

void exec_args_init(struct exec_args *a)
{
	memset(a, 0, sizeof *a);
	a->space = EXEC_ARG_MAX;
}

void exec_args_free(struct exec_args *a)
{
	kfree(a->buf);
	a->buf = NULL;
	a->len = a->cap = 0;
}

/* Make room for at least need more bytes. */
static int reserve(struct exec_args *a, size_t need)
{
	size_t cap;
	char *p;
	if (a->cap - a->len >= need)
		return 0;
	cap = a->cap ? a->cap : PAGE_SIZE;
	while (cap - a->len < need)
		cap *= 2;
	p = krealloc(a->buf, cap);
	if (!p)
		return -ENOMEM;
	a->buf = p;
	a->cap = cap;
	return 0;
}

/* Account one more string of n bytes (with its NUL) and its pointer. */
static int charge(struct exec_args *a, size_t n, bool is_argv)
{
	if (n + sizeof(uintptr_t) > a->space)
		return -E2BIG;
	a->space -= n + sizeof(uintptr_t);
	a->len += n;
	if (is_argv) {
		a->argc++;
		a->argv_len += n;
	} else {
		a->envc++;
	}
	return 0;
}

/* Copy one user string to the end of the buffer. */
static int add_user_string(struct exec_args *a, uintptr_t ustr, bool is_argv)
{
	size_t limit = MIN(EXEC_ARG_STRLEN_MAX, a->space);
	size_t room = MIN(limit, (size_t)PAGE_SIZE);
	long n;
	int r;

	for (;;) {
		r = reserve(a, room);
		if (r)
			return r;
		n = strncpy_from_user(a->buf + a->len, ustr, room);
		if (n >= 0)
			return charge(a, (size_t)n + 1, is_argv);
		if (n != -ENAMETOOLONG)
			return (int)n;
		if (room >= limit)
			return -E2BIG;
		room = MIN(room * 4, limit);
	}
}

int exec_args_copy_user(struct exec_args *a, uintptr_t uvec, bool is_argv)
{
	if (!uvec)
		return 0;
	for (size_t i = 0;; i++) {
		uint64_t ustr;
		int r;
		if (i > EXEC_ARG_MAX / sizeof(uintptr_t))
			return -E2BIG;
		if (copy_from_user(&ustr, uvec + i * sizeof(uint64_t), sizeof ustr))
			return -EFAULT;
		if (!ustr)
			return 0;
		r = add_user_string(a, (uintptr_t)ustr, is_argv);
		if (r)
			return r;
	}
}

static int add_kernel_string(struct exec_args *a, const char *s, bool is_argv)
{
	size_t n = strlen(s) + 1;
	int r;
	if (n > EXEC_ARG_STRLEN_MAX)
		return -E2BIG;
	r = reserve(a, n);
	if (r)
		return r;
	memcpy(a->buf + a->len, s, n);
	return charge(a, n, is_argv);
}

int exec_args_copy_kernel(struct exec_args *a, const char *const *vec, bool is_argv)
{
	if (!vec)
		return 0;
	for (; *vec; vec++) {
		int r = add_kernel_string(a, *vec, is_argv);
		if (r)
			return r;
	}
	return 0;
}

int exec_args_push_front(struct exec_args *a, const char *s)
{
	size_t n = strlen(s) + 1;
	int r;
	if (n > EXEC_ARG_STRLEN_MAX || n + sizeof(uintptr_t) > a->space)
		return -E2BIG;
	r = reserve(a, n);
	if (r)
		return r;
	memmove(a->buf + n, a->buf, a->len);
	memcpy(a->buf, s, n);
	a->len += n;
	a->argv_len += n;
	a->argc++;
	a->space -= n + sizeof(uintptr_t);
	return 0;
}

void exec_args_drop_front(struct exec_args *a)
{
	size_t n;
	if (!a->argc)
		return;
	n = strlen(a->buf) + 1;
	memmove(a->buf, a->buf + n, a->len - n);
	a->len -= n;
	a->argv_len -= n;
	a->argc--;
	a->space += n + sizeof(uintptr_t);
}
