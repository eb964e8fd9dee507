/* t_vmfill.c - the whole user address space in PROT_NONE pieces, as musl's
 * libc-test t_vmfill() does before its malloc-oom tests: mmap the largest
 * piece that still fits, halving down to one page, until nothing fits; then
 * mprotect and munmap every piece. Linux does each call in time that follows
 * the pages actually present, not the size of the range [munmap(2)], and
 * another process keeps getting the CPU meanwhile (a spinning child reports
 * how long it was kept off the CPU through a pipe).
 *
 * Checks:
 *   vmfill.mremap       a 256 GiB untouched area with 16 pages touched moves
 *                       (MREMAP_FIXED) in under 5 s, its pages with it
 *   vmfill.fill         the space fills (at least 2^40 bytes) and mmap then fails
 *   vmfill.mprotect     mprotect(PROT_READ) and back on every piece succeeds
 *   vmfill.sparse_touch pages touched far apart in the largest piece read back
 *   vmfill.munmap       munmap of every piece succeeds; mincore then says ENOMEM
 *   vmfill.remap        an ordinary mapping works again afterwards
 *   vmfill.fast         fill + mprotect + munmap took less than 20 s (TCG)
 *   vmfill.child_ran    the child ran during the run (if it took more than
 *                       10 heartbeats) and was never kept off the CPU for 1 s
 *                       or more
 */
#include "ktest.h"

#include <stdint.h>
#include <sys/mman.h>

#ifndef MREMAP_FIXED
#define MREMAP_FIXED 2
#endif

#define MAX_PIECES 65536
#define REPORT_NS 20000000LL /* child heartbeat: every 20 ms of its own running */
#define GAP_LIMIT_NS 1000000000LL
#define FAST_LIMIT_NS 20000000000LL

static struct {
    char *p;
    size_t len;
} piece[MAX_PIECES];

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One child message: when it last ran before a gap, and how long the gap was. */
struct beat {
    int64_t at, gap;
};

static void spinner(int fd)
{
    int64_t last = now_ns(), reported = last, maxgap = 0, maxat = last;

    for (;;) {
        int64_t t = now_ns();

        if (t - last > maxgap) {
            maxgap = t - last;
            maxat = last;
        }
        last = t;
        if (t - reported >= REPORT_NS) {
            struct beat b = { maxat, maxgap };

            if (write(fd, &b, sizeof b) != sizeof b)
                _exit(1);
            maxgap = 0;
            maxat = t;
            reported = t;
        }
    }
}

int main(void)
{
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    int fds[2];
    pid_t child;
    size_t n = 0, total = 0, m;
    int64_t t0, t1;
    int ok;

    if (pipe(fds)) {
        ktest_result("vmfill.fill", 0, "pipe: %s", strerror(errno));
        return 1;
    }
    child = fork();
    if (child == 0) {
        close(fds[0]);
        spinner(fds[1]);
    }
    close(fds[1]);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    usleep(50000); /* let the child start */

    t0 = now_ns();
    /* mremap of a huge sparse area: the cost follows the pages present. */
    {
        const size_t len = (size_t)1 << 38, gap = (size_t)1 << 34;
        char *a = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        int good = a != MAP_FAILED;
        int64_t dt = 0;

        for (size_t i = 0; good && i < 16; i++)
            a[i * gap] = (char)(i + 1);
        if (good) {
            int64_t s0 = now_ns();
            char *b = mremap(a, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, a + len);

            dt = now_ns() - s0;
            good = b == a + len;
            for (size_t i = 0; good && i < 16; i++)
                good = b[i * gap] == (char)(i + 1);
            unsigned char vec;
            good = good && mincore(a, page, &vec) == -1 && errno == ENOMEM;
        }
        ktest_result("vmfill.mremap", good && dt < 5000000000LL, "ok=%d, %lld ms (errno %d)", good,
                     (long long)(dt / 1000000), errno);
        if (a != MAP_FAILED)
            munmap(a, 2 * len);
    }
    /* Fill: the largest piece that fits, halving on failure. */
    for (m = (size_t)1 << 47; m >= page && n < MAX_PIECES;) {
        char *p = mmap(NULL, m, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

        if (p == MAP_FAILED) {
            m /= 2;
            continue;
        }
        piece[n].p = p;
        piece[n].len = m;
        n++;
        total += m;
    }
    errno = 0;
    void *last = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int last_err = errno;
    ktest_result("vmfill.fill", n < MAX_PIECES && total >= (size_t)1 << 40 && last == MAP_FAILED &&
                                    last_err == ENOMEM,
                 "%zu pieces, %zu GiB, then mmap=%p errno=%d", n, total >> 30, last, last_err);

    /* mprotect every piece both ways. */
    ok = 1;
    for (size_t i = 0; i < n; i++) {
        if (mprotect(piece[i].p, piece[i].len, PROT_READ) ||
            mprotect(piece[i].p, piece[i].len, PROT_NONE))
            ok = 0;
    }
    ktest_result("vmfill.mprotect", ok, "mprotect failed: %s", strerror(errno));

    /* Some page tables in the largest piece: 64 pages 1 GiB apart. */
    size_t big = 0;
    for (size_t i = 1; i < n; i++)
        if (piece[i].len > piece[big].len)
            big = i;
    size_t step = (size_t)1 << 30, touched = 0;
    ok = n > 0;
    for (size_t off = 0; ok && off + page <= piece[big].len && touched < 64; off += step, touched++) {
        volatile char *q = piece[big].p + off;

        if (mprotect((void *)q, page, PROT_READ | PROT_WRITE)) {
            ok = 0;
            break;
        }
        *q = (char)(touched + 1);
    }
    for (size_t off = 0, i = 0; ok && i < touched; off += step, i++)
        ok = piece[big].p[off] == (char)(i + 1);
    ktest_result("vmfill.sparse_touch", ok && touched > 0, "%zu pages touched", touched);

    ok = 1;
    for (size_t i = 0; i < n; i++)
        if (munmap(piece[i].p, piece[i].len))
            ok = 0;
    t1 = now_ns();
    unsigned char vec;
    errno = 0;
    int mc = n ? mincore(piece[big].p, page, &vec) : -1;
    ktest_result("vmfill.munmap", ok && mc == -1 && errno == ENOMEM, "munmap ok=%d mincore=%d errno=%d",
                 ok, mc, errno);

    char *again = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ok = again != MAP_FAILED;
    if (ok) {
        again[3 * page] = 7;
        ok = again[3 * page] == 7 && !munmap(again, 4 * page);
    }
    ktest_result("vmfill.remap", ok, "mmap after munmap: %s", strerror(errno));

    ktest_result("vmfill.fast", t1 - t0 < FAST_LIMIT_NS, "%lld ms for %zu pieces, %zu GiB",
                 (long long)((t1 - t0) / 1000000), n, total >> 30);

    /* The child's reports over [t0, t1]: beats inside it, and the longest
     * time it was kept off the CPU there. */
    usleep(50000);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    struct beat b;
    long beats = 0;
    int64_t worst = 0;
    while (read(fds[0], &b, sizeof b) == sizeof b) {
        if (b.at + b.gap < t0 || b.at > t1)
            continue;
        beats++;
        if (b.gap > worst)
            worst = b.gap;
    }
    /* (A run shorter than 10 heartbeats need not contain one: Linux's.) */
    ktest_result("vmfill.child_ran", (beats > 0 || t1 - t0 < 10 * REPORT_NS) && worst < GAP_LIMIT_NS,
                 "%ld beats in %lld ms, longest gap %lld ms", beats, (long long)((t1 - t0) / 1000000),
                 (long long)(worst / 1000000));
    printf("vmfill: %zu pieces, %zu GiB, %lld ms, child beats %ld, longest gap %lld ms\n", n,
           total >> 30, (long long)((t1 - t0) / 1000000), beats, (long long)(worst / 1000000));
    fflush(stdout);
    return ktest_nfail ? 1 : 0;
}
