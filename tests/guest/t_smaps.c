/* t_smaps.c - /proc/self/smaps and smaps_rollup [proc(5)]: an anonymous
 * mapping's block (Size, Rss of the touched pages, Private_Dirty,
 * Anonymous, VmFlags), Locked for an mlock()ed one, a read-only tmpfs
 * file mapping's (dirty, private) pages, and the rollup's header and totals. */
#include "ktest.h"

#include <sys/mman.h>

static char buf[1 << 20];

static int slurp(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    size_t have = 0;
    ssize_t n;
    while ((n = read(fd, buf + have, sizeof buf - 1 - have)) > 0)
        have += (size_t)n;
    close(fd);
    buf[have] = 0;
    return (int)have;
}

/* Value in kB of field name in the block of the area starting at addr, or -1. */
static long field(void *addr, const char *name)
{
    char head[32];
    snprintf(head, sizeof head, "%08lx-", (unsigned long)addr);
    char *b = strstr(buf, head);
    if (!b)
        return -1;
    char *next = strstr(b + 1, "VmFlags:");
    char *f = strstr(b, name);
    if (!f || (next && f > next))
        return -1;
    return strtol(f + strlen(name), NULL, 10);
}

static const char *vmflags(void *addr)
{
    static char out[128];
    char head[32];
    snprintf(head, sizeof head, "%08lx-", (unsigned long)addr);
    char *b = strstr(buf, head);
    char *v = b ? strstr(b, "VmFlags:") : NULL;
    if (!v)
        return "";
    size_t n = strcspn(v, "\n");
    snprintf(out, sizeof out, "%.*s", (int)n, v);
    return out;
}

int main(void)
{
    size_t pg = 4096;
    char *a = mmap(NULL, 16 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 4; i++)
        a[i * pg] = 1;
    char *l = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int locked = mlock(l, 4 * pg) == 0;
    if (ktest_enter_scratch("smaps") != 0)
        return 1;
    int fd = open("f", O_CREAT | O_RDWR, 0644);
    static char data[3 * 4096];
    memset(data, 'x', sizeof data);
    write(fd, data, sizeof data);
    char *f = mmap(NULL, 3 * pg, PROT_READ, MAP_PRIVATE, fd, 0);
    volatile char sink = f[0] + f[pg] + f[2 * pg];
    (void)sink;

    char *sh = mmap(NULL, 8 * pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    sh[0] = sh[pg] = 1;

    int n = slurp("/proc/self/smaps");
    KTEST_CHECK("smaps.read", n > 0);
    ktest_result("smaps.anon_size_rss", field(a, "\nSize:") == 64 && field(a, "\nRss:") == 16 &&
                                            field(a, "\nPss:") == 16,
                 "Size %ld Rss %ld Pss %ld", field(a, "\nSize:"), field(a, "\nRss:"), field(a, "\nPss:"));
    ktest_result("smaps.anon_private_dirty", field(a, "\nPrivate_Dirty:") == 16 &&
                                                 field(a, "\nAnonymous:") == 16 &&
                                                 field(a, "\nShared_Clean:") == 0,
                 "Private_Dirty %ld Anonymous %ld", field(a, "\nPrivate_Dirty:"), field(a, "\nAnonymous:"));
    ktest_result("smaps.page_sizes", field(a, "\nKernelPageSize:") == 4 && field(a, "\nMMUPageSize:") == 4,
                 "KernelPageSize %ld", field(a, "\nKernelPageSize:"));
    ktest_result("smaps.vmflags", !strncmp(vmflags(a), "VmFlags: rd wr mr mw me ac", 26), "'%s'",
                 vmflags(a));
    ktest_result("smaps.locked", locked && field(l, "\nLocked:") == 16 && field(l, "\nRss:") == 16 &&
                                     strstr(vmflags(l), " lo "),
                 "mlock %d Locked %ld Rss %ld '%s'", locked, field(l, "\nLocked:"), field(l, "\nRss:"), vmflags(l));
    /* tmpfs pages are dirty (never written back), mapped once: private. */
    ktest_result("smaps.file_tmpfs", field(f, "\nRss:") == 12 && field(f, "\nPrivate_Dirty:") == 12 &&
                                         field(f, "\nShared_Dirty:") == 0 && field(f, "\nAnonymous:") == 0,
                 "Rss %ld Private_Dirty %ld Anonymous %ld", field(f, "\nRss:"), field(f, "\nPrivate_Dirty:"),
                 field(f, "\nAnonymous:"));
    ktest_result("smaps.shared_anon", field(sh, "\nRss:") == 8 && field(sh, "\nPrivate_Dirty:") == 8 &&
                                          field(sh, "\nAnonymous:") == 0 && strstr(vmflags(sh), " sh "),
                 "Rss %ld Private_Dirty %ld Anonymous %ld '%s'", field(sh, "\nRss:"),
                 field(sh, "\nPrivate_Dirty:"), field(sh, "\nAnonymous:"), vmflags(sh));
    KTEST_CHECK("smaps.stack_named", strstr(buf, "[stack]\nSize:") != NULL);
    /* Every block has the fields in Linux's order. */
    const char *order[] = { "\nSize:", "\nKernelPageSize:", "\nMMUPageSize:", "\nRss:", "\nPss:", "\nPss_Dirty:",
                            "\nShared_Clean:", "\nShared_Dirty:", "\nPrivate_Clean:", "\nPrivate_Dirty:",
                            "\nReferenced:", "\nAnonymous:", "\nLazyFree:", "\nAnonHugePages:",
                            "\nShmemPmdMapped:", "\nFilePmdMapped:", "\nShared_Hugetlb:", "\nPrivate_Hugetlb:",
                            "\nSwap:", "\nSwapPss:", "\nLocked:", "\nTHPeligible:", "\nVmFlags:" };
    char head[32];
    snprintf(head, sizeof head, "%08lx-", (unsigned long)a);
    char *p = strstr(buf, head);
    int in_order = p != NULL;
    for (size_t i = 0; p && i < sizeof order / sizeof order[0]; i++) {
        char *q = strstr(p, order[i]);
        if (!q)
            in_order = 0;
        p = q;
    }
    KTEST_CHECK("smaps.field_order", in_order);

    long sum = 0;
    for (char *r = buf; (r = strstr(r, "\nRss:")); r++)
        sum += strtol(r + 5, NULL, 10);
    n = slurp("/proc/self/smaps_rollup");
    char *nl = strchr(buf, '\n');
    int hdr = n > 0 && nl && nl - buf > 9 && !strncmp(nl - 8, "[rollup]", 8) && strstr(buf, " ---p 00000000 00:00 0 ");
    ktest_result("smaps.rollup_header", hdr, "'%.*s'", nl ? (int)(nl - buf) : 0, buf);
    char *r = strstr(buf, "\nRss:");
    long total = r ? strtol(r + 5, NULL, 10) : -1;
    ktest_result("smaps.rollup_rss", total >= 32 && total >= sum - 64 && total <= sum + 64,
                 "rollup Rss %ld, smaps sum %ld", total, sum);
    KTEST_CHECK("smaps.rollup_pss_anon", strstr(buf, "\nPss_Anon:") && strstr(buf, "\nPss_File:") &&
                                             strstr(buf, "\nPss_Shmem:"));
    return ktest_nfail ? 1 : 0;
}
