/* t_smprace.c - threads of one process sharing an mm, an fd table and
 * pipes, all changing them at once.
 *
 * At -smp 1 these pass on a correct uniprocessor kernel; they are written
 * so that, once secondary CPUs run tasks, a missing lock shows up as wrong
 * data, a duplicate fd, a torn pipe record or a crash instead of passing by
 * luck (docs/architecture.md "Locking"):
 *  - mm: threads mmap, fill, check and munmap their own regions while
 *    another thread mprotects areas next to them (the area list and page
 *    tables change under everyone); after munmap() returns, a sibling's
 *    touch of the old range gets SIGSEGV [munmap(2)];
 *  - fd table: threads open/dup/close on one table; no fd is ever handed
 *    to two of them at once [open(2)] "lowest-numbered file descriptor not
 *    currently open";
 *  - close while in use: a read(2) blocked on a pipe keeps its file when
 *    another thread closes the fd, and still returns the data written
 *    later (Linux: the open file description lives until the read ends);
 *  - pipes: writers of PIPE_BUF-sized records from several threads; every
 *    record arrives whole [pipe(7)] "writes of less than PIPE_BUF bytes
 *    must be atomic";
 *  - /proc of processes that exit while being read: no crash, each read
 *    succeeds or fails with ENOENT/ESRCH.
 * Iteration counts are small: TCG on a loaded 2-core machine. */
#include "ktest.h"

#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>

#define PAGE 4096
#define NTHREADS 4

/* ---- mm ---------------------------------------------------------------- */

#define MM_ROUNDS 60
#define MM_PAGES 8

static atomic_int mm_stop;
static char *mprot_base; /* areas the mprotect thread keeps splitting */

struct mm_worker {
    int id;
    char why[96];
};

static void *mm_churn(void *arg)
{
    struct mm_worker *w = arg;

    for (int r = 0; r < MM_ROUNDS; r++) {
        char *p = mmap(NULL, MM_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
        if (p == MAP_FAILED) {
            snprintf(w->why, sizeof w->why, "mmap round %d: %s", r, strerror(errno));
            return NULL;
        }
        for (int i = 0; i < MM_PAGES; i++)
            memset(p + i * PAGE, (w->id * 31 + r + i) & 0xff, PAGE);
        sched_yield();
        for (int i = 0; i < MM_PAGES; i++) {
            for (int k = 0; k < PAGE; k += 512) {
                if ((unsigned char)p[i * PAGE + k] != ((w->id * 31 + r + i) & 0xff)) {
                    snprintf(w->why, sizeof w->why, "round %d page %d byte %d changed", r, i,
                             k);
                    munmap(p, MM_PAGES * PAGE);
                    return NULL;
                }
            }
        }
        if (munmap(p, MM_PAGES * PAGE)) {
            snprintf(w->why, sizeof w->why, "munmap round %d: %s", r, strerror(errno));
            return NULL;
        }
    }
    return NULL;
}

/* Split and merge the areas of mprot_base (16 pages) page by page. */
static void *mm_mprotect(void *arg)
{
    (void)arg;
    while (!atomic_load(&mm_stop)) {
        for (int i = 0; i < 16; i += 2)
            mprotect(mprot_base + i * PAGE, PAGE, PROT_READ);
        sched_yield();
        mprotect(mprot_base, 16 * PAGE, PROT_READ | PROT_WRITE);
        mprot_base[(rand() % 16) * PAGE] = 1;
    }
    return NULL;
}

static void check_mm_churn(void)
{
    pthread_t th[NTHREADS], mp;
    struct mm_worker w[NTHREADS];
    int ok = 1;
    char why[128] = "";

    mprot_base = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                      0);
    if (mprot_base == MAP_FAILED) {
        ktest_result("smprace.mm_mmap_munmap_fault_threads", 0, "mmap: %s", strerror(errno));
        return;
    }
    atomic_store(&mm_stop, 0);
    pthread_create(&mp, NULL, mm_mprotect, NULL);
    for (int i = 0; i < NTHREADS; i++) {
        w[i] = (struct mm_worker){ .id = i };
        pthread_create(&th[i], NULL, mm_churn, &w[i]);
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(th[i], NULL);
        if (w[i].why[0] && ok) {
            snprintf(why, sizeof why, "thread %d: %s", i, w[i].why);
            ok = 0;
        }
    }
    atomic_store(&mm_stop, 1);
    pthread_join(mp, NULL);
    /* The mprotect thread's areas end as one read-write range. */
    if (ok && mprotect(mprot_base, 16 * PAGE, PROT_READ | PROT_WRITE) != 0) {
        snprintf(why, sizeof why, "final mprotect: %s", strerror(errno));
        ok = 0;
    }
    munmap(mprot_base, 16 * PAGE);
    ktest_result("smprace.mm_mmap_munmap_fault_threads", ok, "%s", why);
}

/* After munmap() has returned in one thread, another thread's touch of
 * the range faults. */
static sigjmp_buf segv_jmp;
static volatile char *volatile unmapped_page;
static atomic_int unmap_state; /* 0 mapped, 1 touched, 2 unmapped */

static void on_segv(int sig)
{
    (void)sig;
    siglongjmp(segv_jmp, 1);
}

static void *toucher(void *arg)
{
    int *result = arg;
    struct sigaction sa = { .sa_handler = on_segv };

    sigaction(SIGSEGV, &sa, NULL);
    unmapped_page[0] = 42; /* fault it in: now a TLB may hold it */
    atomic_store(&unmap_state, 1);
    while (atomic_load(&unmap_state) != 2)
        sched_yield();
    if (sigsetjmp(segv_jmp, 1) == 0) {
        unmapped_page[0] = 43;
        *result = 0; /* the store went through */
    } else {
        *result = 1;
    }
    return NULL;
}

static void check_munmap_then_touch(void)
{
    int good = 0, rounds = 20;

    for (int r = 0; r < rounds; r++) {
        pthread_t th;
        int result = -1;
        char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        if (p == MAP_FAILED)
            break;
        unmapped_page = p;
        atomic_store(&unmap_state, 0);
        pthread_create(&th, NULL, toucher, &result);
        while (atomic_load(&unmap_state) != 1)
            sched_yield();
        munmap(p, PAGE);
        atomic_store(&unmap_state, 2);
        pthread_join(th, NULL);
        good += result == 1;
    }
    signal(SIGSEGV, SIG_DFL);
    ktest_result("smprace.munmap_then_sibling_touch_segv", good == rounds,
                 "%d of %d touches after munmap faulted", good, rounds);
}

/* ---- fd table ---------------------------------------------------------- */

#define FD_ROUNDS 300
#define FD_MAX 1024
static atomic_int fd_owner[FD_MAX];

struct fd_worker {
    int id;
    char why[96];
};

static void *fd_churn(void *arg)
{
    struct fd_worker *w = arg;

    for (int r = 0; r < FD_ROUNDS; r++) {
        int fd = (r & 1) ? open("/dev/null", O_RDONLY) : dup(0);
        int expect = 0;

        if (fd < 0 || fd >= FD_MAX) {
            snprintf(w->why, sizeof w->why, "round %d: fd %d (%s)", r, fd, strerror(errno));
            return NULL;
        }
        if (!atomic_compare_exchange_strong(&fd_owner[fd], &expect, w->id + 1)) {
            snprintf(w->why, sizeof w->why, "fd %d handed out while thread %d had it", fd,
                     expect - 1);
            return NULL;
        }
        if (fcntl(fd, F_GETFD) < 0) {
            snprintf(w->why, sizeof w->why, "fd %d not open: %s", fd, strerror(errno));
            return NULL;
        }
        if (r % 7 == 0)
            sched_yield();
        atomic_store(&fd_owner[fd], 0);
        if (close(fd)) {
            snprintf(w->why, sizeof w->why, "close %d: %s", fd, strerror(errno));
            return NULL;
        }
    }
    return NULL;
}

static void check_fd_table(void)
{
    pthread_t th[NTHREADS];
    struct fd_worker w[NTHREADS];
    int ok = 1;
    char why[128] = "";

    for (int i = 0; i < NTHREADS; i++) {
        w[i] = (struct fd_worker){ .id = i };
        pthread_create(&th[i], NULL, fd_churn, &w[i]);
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(th[i], NULL);
        if (w[i].why[0] && ok) {
            snprintf(why, sizeof why, "thread %d: %s", i, w[i].why);
            ok = 0;
        }
    }
    ktest_result("smprace.fd_table_open_dup_close_threads", ok, "%s", why);
}

/* ---- close while in use -------------------------------------------------- */

struct blocked_read {
    int fd;
    atomic_int started;
    ssize_t n;
    int err;
    char buf[16];
};

static void *blocked_reader(void *arg)
{
    struct blocked_read *b = arg;

    atomic_store(&b->started, 1);
    b->n = read(b->fd, b->buf, sizeof b->buf);
    b->err = b->n < 0 ? errno : 0;
    return NULL;
}

static void check_close_while_reading(void)
{
    int p[2];
    pthread_t th;
    struct blocked_read b = { 0 };
    int reused, ok;

    if (pipe(p)) {
        ktest_result("smprace.close_fd_while_read_blocked", 0, "pipe: %s", strerror(errno));
        return;
    }
    b.fd = p[0];
    pthread_create(&th, NULL, blocked_reader, &b);
    while (!atomic_load(&b.started))
        sched_yield();
    usleep(50000); /* let it block in read() */
    close(p[0]);
    reused = open("/dev/null", O_RDONLY); /* takes the freed number */
    write(p[1], "hello", 5);
    pthread_join(th, NULL);
    ok = b.n == 5 && memcmp(b.buf, "hello", 5) == 0 && reused == p[0];
    ktest_result("smprace.close_fd_while_read_blocked", ok,
                 "read returned %zd (%s), reopen got fd %d (closed %d)", b.n, strerror(b.err),
                 reused, p[0]);
    close(reused);
    close(p[1]);
}

/* Readers of /dev/zero on a descriptor another thread keeps closing and
 * reopening: each read returns a full buffer of zeros or fails with EBADF. */
static atomic_int cr_stop;
static int cr_fd;

static void *close_reopen(void *arg)
{
    (void)arg;
    for (int i = 0; i < 300; i++) {
        close(cr_fd);
        int fd = open("/dev/zero", O_RDONLY);
        if (fd != cr_fd && fd >= 0) {
            dup2(fd, cr_fd);
            close(fd);
        }
        sched_yield();
    }
    atomic_store(&cr_stop, 1);
    return NULL;
}

static void check_close_reopen_reads(void)
{
    pthread_t th;
    long reads = 0, badf = 0, bad = 0;
    char buf[256];
    char why[96] = "";

    cr_fd = open("/dev/zero", O_RDONLY);
    atomic_store(&cr_stop, 0);
    pthread_create(&th, NULL, close_reopen, NULL);
    while (!atomic_load(&cr_stop)) {
        memset(buf, 1, sizeof buf);
        ssize_t n = read(cr_fd, buf, sizeof buf);
        if (n < 0 && errno == EBADF) {
            badf++;
        } else if (n != (ssize_t)sizeof buf || buf[0] || buf[sizeof buf - 1]) {
            if (!bad++)
                snprintf(why, sizeof why, "read returned %zd (%s)", n,
                         n < 0 ? strerror(errno) : "data");
        }
        reads++;
    }
    pthread_join(th, NULL);
    close(cr_fd);
    ktest_result("smprace.read_while_other_thread_closes", bad == 0 && reads > 0,
                 "%ld reads, %ld EBADF, %ld bad: %s", reads, badf, bad, why);
}

/* ---- pipes ------------------------------------------------------------- */

#define REC 4096 /* PIPE_BUF */
#define RECS_PER_WRITER 24

static int pipe_w;

static void *pipe_writer(void *arg)
{
    int id = (int)(long)arg;
    char rec[REC];

    memset(rec, 'a' + id, sizeof rec);
    for (int i = 0; i < RECS_PER_WRITER; i++) {
        if (write(pipe_w, rec, REC) != REC)
            return (void *)1;
        if (i % 5 == 0)
            sched_yield();
    }
    return NULL;
}

static void check_pipe_writers(void)
{
    int p[2], ok = 1, count[NTHREADS] = { 0 };
    pthread_t th[NTHREADS];
    char rec[REC], why[96] = "";
    long total = 0;

    if (pipe(p)) {
        ktest_result("smprace.pipe_writers_atomic_records", 0, "pipe: %s", strerror(errno));
        return;
    }
    pipe_w = p[1];
    for (long i = 0; i < NTHREADS; i++)
        pthread_create(&th[i], NULL, pipe_writer, (void *)i);
    while (total < NTHREADS * RECS_PER_WRITER) {
        size_t got = 0;
        while (got < REC) {
            ssize_t n = read(p[0], rec + got, REC - got);
            if (n <= 0) {
                snprintf(why, sizeof why, "read: %zd %s", n, strerror(errno));
                ok = 0;
                goto out;
            }
            got += (size_t)n;
        }
        int id = rec[0] - 'a';
        for (int k = 1; k < REC && ok; k++) {
            if (rec[k] != rec[0]) {
                snprintf(why, sizeof why, "record %ld torn at byte %d", total, k);
                ok = 0;
            }
        }
        if (!ok || id < 0 || id >= NTHREADS) {
            if (ok)
                snprintf(why, sizeof why, "record %ld starts with %d", total, rec[0]);
            ok = 0;
            goto out;
        }
        count[id]++;
        total++;
    }
out:
    for (int i = 0; i < NTHREADS; i++) {
        void *r;
        if (!ok)
            break; /* writers may be blocked on a full pipe: closing below ends them */
        pthread_join(th[i], &r);
        if (r || count[i] != RECS_PER_WRITER) {
            snprintf(why, sizeof why, "writer %d: %d records%s", i, count[i],
                     r ? ", write failed" : "");
            ok = 0;
        }
    }
    close(p[0]);
    close(p[1]);
    ktest_result("smprace.pipe_writers_atomic_records", ok, "%s", why);
}

/* ---- /proc of exiting processes ------------------------------------------ */

static void check_proc_of_exiting(void)
{
    static const char *const files[] = { "maps", "status", "stat", "statm", "environ", "cwd" };
    char path[64], buf[4096];
    int bad = 0, reads = 0;
    char why[96] = "";

    for (int r = 0; r < 30; r++) {
        pid_t pid = fork();
        if (pid == 0) {
            sched_yield();
            _exit(0);
        }
        for (unsigned f = 0; f < sizeof files / sizeof files[0]; f++) {
            snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, files[f]);
            if (f == 5) {
                ssize_t n = readlink(path, buf, sizeof buf);
                if (n < 0 && errno != ENOENT && errno != ESRCH && !bad++)
                    snprintf(why, sizeof why, "readlink %s: %s", path, strerror(errno));
                reads++;
                continue;
            }
            int fd = open(path, O_RDONLY);
            if (fd < 0) {
                if (errno != ENOENT && errno != ESRCH && !bad++)
                    snprintf(why, sizeof why, "open %s: %s", path, strerror(errno));
                continue;
            }
            while (read(fd, buf, sizeof buf) > 0)
                ;
            close(fd);
            reads++;
        }
        waitpid(pid, NULL, 0);
    }
    ktest_result("smprace.proc_files_of_exiting_process", bad == 0 && reads > 0,
                 "%d reads: %s", reads, why);
}

int main(void)
{
    alarm(170);
    check_mm_churn();
    check_munmap_then_touch();
    check_fd_table();
    check_close_while_reading();
    check_close_reopen_reads();
    check_pipe_writers();
    check_proc_of_exiting();
    return ktest_nfail ? 1 : 0;
}
