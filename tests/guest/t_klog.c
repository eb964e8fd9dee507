/* t_klog.c - the kernel log through syslog(2) (glibc klogctl): actions,
 * the "<level>" line format, bad inputs and the rights of a user without
 * CAP_SYSLOG. */
#include "ktest.h"

#include <sys/klog.h>

#define SYSLOG_ACTION_CLOSE 0
#define SYSLOG_ACTION_OPEN 1
#define SYSLOG_ACTION_READ 2
#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_READ_CLEAR 4
#define SYSLOG_ACTION_CLEAR 5
#define SYSLOG_ACTION_CONSOLE_OFF 6
#define SYSLOG_ACTION_CONSOLE_ON 7
#define SYSLOG_ACTION_CONSOLE_LEVEL 8
#define SYSLOG_ACTION_SIZE_UNREAD 9
#define SYSLOG_ACTION_SIZE_BUFFER 10

static char logbuf[1 << 20];

/* Every line of the log begins with "<level>". */
static int lines_have_levels(const char *s, int n)
{
    int lines = 0;
    for (int i = 0; i < n;) {
        if (s[i] != '<' || i + 2 >= n || s[i + 1] < '0' || s[i + 1] > '9')
            return 0;
        lines++;
        while (i < n && s[i] != '\n')
            i++;
        i++;
    }
    return lines;
}

static void t_read(void)
{
    int size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
    ktest_result("klog.size_buffer", size >= 4096, "size=%d errno=%d", size, errno);
    if (size <= 0 || size > (int)sizeof logbuf)
        size = sizeof logbuf;
    int n = klogctl(SYSLOG_ACTION_READ_ALL, logbuf, size);
    int lines = n > 0 ? lines_have_levels(logbuf, n) : 0;
    ktest_result("klog.read_all", n > 0 && lines > 0, "n=%d lines=%d first='%.20s'", n, lines, n > 0 ? logbuf : "");
    int m = klogctl(SYSLOG_ACTION_READ_ALL, logbuf, 64);
    ktest_result("klog.read_all_small_whole_lines", m >= 0 && m <= 64 && (m == 0 || logbuf[m - 1] == '\n'),
                 "m=%d", m);
    KTEST_CHECK("klog.read_all_len0", klogctl(SYSLOG_ACTION_READ_ALL, logbuf, 0) == 0);
    KTEST_ERRNO("klog.read_all_null_einval", klogctl(SYSLOG_ACTION_READ_ALL, NULL, 10), EINVAL);
    KTEST_ERRNO("klog.read_all_neg_einval", klogctl(SYSLOG_ACTION_READ_ALL, logbuf, -1), EINVAL);
    KTEST_ERRNO("klog.read_all_efault", klogctl(SYSLOG_ACTION_READ_ALL, ktest_ptr(16), 4096), EFAULT);
    KTEST_ERRNO("klog.read_null_einval", klogctl(SYSLOG_ACTION_READ, NULL, 10), EINVAL);
    KTEST_CHECK("klog.read_len0", klogctl(SYSLOG_ACTION_READ, logbuf, 0) == 0);
    KTEST_CHECK("klog.size_unread", klogctl(SYSLOG_ACTION_SIZE_UNREAD, NULL, 0) >= 0);
    KTEST_ERRNO("klog.bad_type_einval", klogctl(11, NULL, 0), EINVAL);
    KTEST_ERRNO("klog.neg_type_einval", klogctl(-1, NULL, 0), EINVAL);
    KTEST_ERRNO("klog.console_level_0_einval", klogctl(SYSLOG_ACTION_CONSOLE_LEVEL, NULL, 0), EINVAL);
    KTEST_ERRNO("klog.console_level_9_einval", klogctl(SYSLOG_ACTION_CONSOLE_LEVEL, NULL, 9), EINVAL);
    KTEST_CHECK("klog.console_off_on", klogctl(SYSLOG_ACTION_CONSOLE_OFF, NULL, 0) == 0 &&
                                           klogctl(SYSLOG_ACTION_CONSOLE_ON, NULL, 0) == 0);
    KTEST_CHECK("klog.open_close", klogctl(SYSLOG_ACTION_OPEN, NULL, 0) == 0 &&
                                       klogctl(SYSLOG_ACTION_CLOSE, NULL, 0) == 0);
}

/* READ consumes: after reading everything unread, nothing is left. Then
 * CLEAR empties what READ_ALL shows (guest only: on a host this would clear
 * the machine's own log). */
static void t_consume(void)
{
    int unread = klogctl(SYSLOG_ACTION_SIZE_UNREAD, NULL, 0);
    int got = 0;
    while (unread > 0 && got < unread) {
        int n = klogctl(SYSLOG_ACTION_READ, logbuf, sizeof logbuf);
        if (n <= 0)
            break;
        got += n;
    }
    int left = klogctl(SYSLOG_ACTION_SIZE_UNREAD, NULL, 0);
    ktest_result("klog.read_consumes", unread >= 0 && got >= unread && left < 512, "unread=%d got=%d left=%d",
                 unread, got, left);
    if (!ktest_is_guest())
        return;
    int before = klogctl(SYSLOG_ACTION_READ_ALL, logbuf, sizeof logbuf);
    KTEST_CHECK("klog.clear", klogctl(SYSLOG_ACTION_CLEAR, NULL, 0) == 0);
    int after = klogctl(SYSLOG_ACTION_READ_ALL, logbuf, sizeof logbuf);
    ktest_result("klog.clear_empties_read_all", after >= 0 && after < before && after < 512,
                 "before=%d after=%d", before, after);
}

static int fn_user(void *arg)
{
    (void)arg;
    if (setgid(65534) != 0 || setuid(65534) != 0)
        return 1;
    FILE *f = fopen("/proc/sys/kernel/dmesg_restrict", "r");
    int restrict_ = 0;
    if (f) {
        if (fscanf(f, "%d", &restrict_) != 1)
            restrict_ = 0;
        fclose(f);
    }
    int n = klogctl(SYSLOG_ACTION_READ_ALL, logbuf, 4096);
    if (restrict_)
        ktest_result("klog.user_read_all", n == -1 && errno == EPERM, "dmesg_restrict=1: n=%d errno=%d", n, errno);
    else
        ktest_result("klog.user_read_all", n > 0, "n=%d errno=%d", n, errno);
    KTEST_ERRNO("klog.user_clear_eperm", klogctl(SYSLOG_ACTION_CLEAR, NULL, 0), EPERM);
    KTEST_ERRNO("klog.user_read_eperm", klogctl(SYSLOG_ACTION_READ, logbuf, 10), EPERM);
    KTEST_ERRNO("klog.user_size_unread_eperm", klogctl(SYSLOG_ACTION_SIZE_UNREAD, NULL, 0), EPERM);
    KTEST_ERRNO("klog.user_console_level_eperm", klogctl(SYSLOG_ACTION_CONSOLE_LEVEL, NULL, 7), EPERM);
    KTEST_ERRNO("klog.user_open_eperm", klogctl(SYSLOG_ACTION_OPEN, NULL, 0), EPERM);
    if (restrict_)
        KTEST_ERRNO("klog.user_size_buffer", klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0), EPERM);
    else
        KTEST_CHECK("klog.user_size_buffer", klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0) > 0);
    return 0;
}

int main(void)
{
    t_read();
    int st = ktest_in_child_relay(fn_user, NULL, 30);
    ktest_result("klog.user_child", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));
    t_consume();
    return ktest_nfail ? 1 : 0;
}
