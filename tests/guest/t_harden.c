/* t_harden: the CPU hardening each safety profile promises is on, and only
 * that (DESIGN §5 "CPU hardening", docs/safety-profiles.md).
 *
 * Reads the profile from /proc/version ("... #1 SMP <profile>") and the live
 * state from /proc/kevlar/hardening ("name on|off" lines), and checks them
 * against the table:
 *
 *                   fortress  balanced  performance  ludicrous
 *   smep / pxn         on        on        off          off
 *   smap / pan         on        on        off          off
 *   wx                 on        on        on           off
 *   stackprot          on        on        off          off
 *   zeroinit           on        off       off          off
 *
 * That the switches really hold is proven by faultfs (t_fault: userptr,
 * textwrite). Under Linux (no /proc/kevlar) every check is skipped. */
#include "ktest.h"

static int read_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = 0;
    return 0;
}

/* The state of item name in the hardening file: 1 on, 0 off, -1 absent. */
static int state(const char *text, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, name, len) == 0 && p[len] == ' ')
            return strncmp(p + len + 1, "on", 2) == 0 ? 1 : 0;
    }
    return -1;
}

static void expect(const char *text, const char *item, const char *const names[], int want)
{
    char test[96];
    int got = -1;
    const char *found = names[0];
    for (int i = 0; names[i]; i++) {
        int s = state(text, names[i]);
        if (s >= 0) {
            got = s;
            found = names[i];
            break;
        }
    }
    snprintf(test, sizeof test, "harden.%s_%s", item, want ? "on" : "off");
    ktest_result(test, got == want, "%s is %s, want %s", found,
                 got < 0 ? "missing" : got ? "on" : "off", want ? "on" : "off");
}

int main(void)
{
    char version[512], text[1024];

    if (read_file("/proc/kevlar/hardening", text, sizeof text) != 0) {
        printf("KTEST SKIP harden.table no /proc/kevlar/hardening (not Kevlar)\n");
        return 0;
    }
    if (read_file("/proc/version", version, sizeof version) != 0) {
        ktest_result("harden.profile", 0, "cannot read /proc/version: %s", strerror(errno));
        return 1;
    }
    int fortress = strstr(version, "fortress") != NULL;
    int balanced = strstr(version, "balanced") != NULL;
    int performance = strstr(version, "performance") != NULL;
    int ludicrous = strstr(version, "ludicrous") != NULL;
    if (fortress + balanced + performance + ludicrous != 1) {
        ktest_result("harden.profile", 0, "no single profile in /proc/version: %s", version);
        return 1;
    }

    static const char *const user_nx[] = { "smep", "pxn", NULL };
    static const char *const user_noaccess[] = { "smap", "pan", "pan-ttbr0", NULL };
    static const char *const wx[] = { "wx", NULL };
    static const char *const stackprot[] = { "stackprot", NULL };
    static const char *const zeroinit[] = { "zeroinit", NULL };
    int hardened = fortress || balanced;

    expect(text, "user_nx", user_nx, hardened);
    expect(text, "user_noaccess", user_noaccess, hardened);
    expect(text, "kernel_wx", wx, !ludicrous);
    expect(text, "stackprot", stackprot, hardened);
    expect(text, "zeroinit", zeroinit, fortress);
    return ktest_nfail != 0;
}
