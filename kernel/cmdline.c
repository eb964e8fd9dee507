/* Kernel command-line parsing (see <kernel/cmdline.h>), following
 * Linux's init/main.c and lib/cmdline.c (next_arg): words split at
 * whitespace outside double quotes; quotes are removed; "--" ends the
 * kernel's part. Parameters the kernel does not handle go to init:
 * "key=value" into its environment, plain words into its arguments.
 */
#include <kernel/board.h>
#include <kernel/cmdline.h>
#include <string.h>

#define MAX_PARAMS 64
#define MAX_INIT_ARGS 32

struct param {
	const char *key;
	const char *val; /* "" for a bare word */
};

static char full[BOARD_CMDLINE_MAX];
static char buf[BOARD_CMDLINE_MAX];
static struct param params[MAX_PARAMS];
static unsigned nr_params;
static const char *init_argv[MAX_INIT_ARGS + 1];
static const char *init_envp[MAX_INIT_ARGS + 1];

/* Parameters of the kernel itself (not passed to init). Anything with a
 * '.' (module.param) is the kernel's too, as in Linux. */
static const char *const kernel_params[] = {
	"console",    "earlycon",	 "rdinit",	"init",
	"quiet",      "debug",		 "loglevel",	"root",
	"rootfstype", "rootwait",	 "rootflags",	"ro",
	"rw",	      "panic",		 "nokaslr",	"initrd",
	"mem",	      "nosmp",		 "maxcpus",	"nr_cpus",
	"norandmaps", "ignore_loglevel", "semihosting",
};

static bool is_kernel_param(const char *key)
{
	if (strchr(key, '.'))
		return true;
	for (unsigned i = 0; i < ARRAY_SIZE(kernel_params); i++) {
		if (!strcmp(key, kernel_params[i]))
			return true;
	}
	return false;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Cut the next word out of *p (in place); NULL at the end. */
static char *next_word(char **p)
{
	char *s = *p, *w, *d;
	bool quoted = false;

	while (is_space(*s))
		s++;
	if (!*s)
		return NULL;
	w = d = s;
	for (; *s && (quoted || !is_space(*s)); s++) {
		if (*s == '"') {
			quoted = !quoted;
			continue;
		}
		*d++ = *s;
	}
	if (*s)
		s++;
	*d = '\0';
	*p = s;
	return w;
}

void cmdline_parse(const char *s)
{
	char *p = buf, *w;
	unsigned nargv = 0, nenvp = 0;
	bool rest_to_init = false;

	strlcpy(full, s ? s : "", sizeof(full));
	strlcpy(buf, full, sizeof(buf));
	nr_params = 0;
	while ((w = next_word(&p))) {
		char *eq;

		if (rest_to_init) {
			if (nargv < MAX_INIT_ARGS)
				init_argv[nargv++] = w;
			continue;
		}
		if (!strcmp(w, "--")) {
			rest_to_init = true;
			continue;
		}
		eq = strchr(w, '=');
		if (eq)
			*eq = '\0';
		if (nr_params < MAX_PARAMS) {
			params[nr_params].key = w;
			params[nr_params].val = eq ? eq + 1 : "";
			nr_params++;
		}
		if (is_kernel_param(w))
			continue;
		if (eq) {
			*eq = '='; /* the whole "key=value" goes to the environment */
			if (nenvp < MAX_INIT_ARGS)
				init_envp[nenvp++] = w;
		} else if (nargv < MAX_INIT_ARGS) {
			init_argv[nargv++] = w;
		}
	}
	init_argv[nargv] = NULL;
	init_envp[nenvp] = NULL;
}

/* Compare a stored key (which may still be followed by "=value" when it
 * was also passed to init) with key. */
static bool key_is(const char *stored, const char *key)
{
	size_t n = strlen(key);

	return !strncmp(stored, key, n) && (stored[n] == '\0' || stored[n] == '=');
}

const char *cmdline_get(const char *key)
{
	const char *val = NULL;

	for (unsigned i = 0; i < nr_params; i++) {
		if (key_is(params[i].key, key))
			val = params[i].val;
	}
	return val;
}

const char *cmdline_full(void)
{
	return full;
}

const char *const *cmdline_init_argv(void)
{
	return init_argv;
}

const char *const *cmdline_init_envp(void)
{
	return init_envp;
}
