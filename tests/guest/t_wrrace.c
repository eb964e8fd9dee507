/* t_wrrace.c - concurrent writers to one file must not lose data.
 *
 * The pattern of LTP fcntl34/fcntl36: threads (and processes) each with
 * their own open file description append a block under an exclusive lock
 * (F_OFD_SETLKW / F_SETLKW): lseek(SEEK_END) then write. If the lock is
 * not enforced, a thread switch between the lseek and the write lets two
 * writers land on the same offset and the file comes out short (LTP:
 * "Short read ... returned only 0"). A sched_yield() inside the critical
 * section makes that switch certain. Also: O_APPEND writes from several
 * threads without locks are each atomic ([write(2)] O_APPEND), and
 * pwrite()s to disjoint ranges all land. Several rounds per run. */
#include "ktest.h"

#include <pthread.h>
#include <sched.h>

#define NTHREADS 3
#define NWRITES 40
#define BLOCK 4096
#define ROUNDS 5

static const char *path = "racefile";

struct worker {
    int id;
    int mode; /* 0: OFD lock + lseek END, 1: O_APPEND no lock, 2: pwrite slot */
    int err;
};

static void lock_ofd(int fd, short type)
{
    struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
    while (fcntl(fd, F_OFD_SETLKW, &fl) != 0 && errno == EINTR)
        ;
}

static void *writer(void *arg)
{
    struct worker *w = arg;
    char buf[BLOCK];
    int fd = open(path, w->mode == 1 ? O_WRONLY | O_APPEND : O_RDWR);

    if (fd < 0) {
        w->err = errno;
        return NULL;
    }
    memset(buf, 'A' + w->id, sizeof buf);
    for (int i = 0; i < NWRITES; i++) {
        ssize_t n;
        if (w->mode == 0) {
            lock_ofd(fd, F_WRLCK);
            lseek(fd, 0, SEEK_END);
            sched_yield();
            n = write(fd, buf, BLOCK);
            lock_ofd(fd, F_UNLCK);
        } else if (w->mode == 1) {
            n = write(fd, buf, BLOCK);
        } else {
            n = pwrite(fd, buf, BLOCK, (off_t)(i * NTHREADS + w->id) * BLOCK);
        }
        if (n != BLOCK) {
            w->err = n < 0 ? errno : EIO;
            break;
        }
        sched_yield();
    }
    close(fd);
    return NULL;
}

/* Every block whole (one writer's letter) and each writer's count right. */
static int verify(char *why, size_t whylen)
{
    int fd = open(path, O_RDONLY);
    char buf[BLOCK];
    int count[NTHREADS] = { 0 };
    long blocks = 0;
    ssize_t n;

    while ((n = read(fd, buf, BLOCK)) == BLOCK) {
        int id = buf[0] - 'A';
        if (id < 0 || id >= NTHREADS) {
            snprintf(why, whylen, "block %ld starts with byte %d", blocks, buf[0]);
            close(fd);
            return 0;
        }
        for (int k = 1; k < BLOCK; k++) {
            if (buf[k] != buf[0]) {
                snprintf(why, whylen, "block %ld torn at byte %d", blocks, k);
                close(fd);
                return 0;
            }
        }
        count[id]++;
        blocks++;
    }
    close(fd);
    if (n != 0 || blocks != NTHREADS * NWRITES) {
        snprintf(why, whylen, "short file: %ld whole blocks (want %d), last read %zd", blocks,
                 NTHREADS * NWRITES, n);
        return 0;
    }
    for (int i = 0; i < NTHREADS; i++) {
        if (count[i] != NWRITES) {
            snprintf(why, whylen, "writer %d has %d blocks (want %d)", i, count[i], NWRITES);
            return 0;
        }
    }
    return 1;
}

static void run_threads(const char *name, int mode)
{
    char why[160] = "";
    int ok = 1;

    for (int round = 0; round < ROUNDS && ok; round++) {
        pthread_t th[NTHREADS];
        struct worker w[NTHREADS];

        close(open(path, O_RDWR | O_CREAT | O_TRUNC, 0644));
        for (int i = 0; i < NTHREADS; i++) {
            w[i] = (struct worker){ .id = i, .mode = mode };
            pthread_create(&th[i], NULL, writer, &w[i]);
        }
        for (int i = 0; i < NTHREADS; i++) {
            pthread_join(th[i], NULL);
            if (w[i].err) {
                snprintf(why, sizeof why, "round %d writer %d: %s", round, i, strerror(w[i].err));
                ok = 0;
            }
        }
        if (ok && !verify(why, sizeof why)) {
            ok = 0;
            size_t l = strlen(why);
            snprintf(why + l, sizeof why - l, " (round %d)", round);
        }
    }
    ktest_result(name, ok, "%s", why);
}

/* Processes with POSIX record locks (F_SETLKW), the same pattern. */
static void run_processes(void)
{
    char why[160] = "";
    int ok = 1;
    pid_t pid[NTHREADS];

    close(open(path, O_RDWR | O_CREAT | O_TRUNC, 0644));
    for (int i = 0; i < NTHREADS; i++) {
        pid[i] = fork();
        if (pid[i] == 0) {
            char buf[BLOCK];
            int fd = open(path, O_RDWR);
            struct flock fl = { .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
            alarm(120);
            memset(buf, 'A' + i, sizeof buf);
            for (int k = 0; k < NWRITES; k++) {
                fl.l_type = F_WRLCK;
                if (fcntl(fd, F_SETLKW, &fl) != 0)
                    _exit(2);
                lseek(fd, 0, SEEK_END);
                sched_yield();
                if (write(fd, buf, BLOCK) != BLOCK)
                    _exit(3);
                fl.l_type = F_UNLCK;
                fcntl(fd, F_SETLK, &fl);
                sched_yield();
            }
            _exit(0);
        }
    }
    for (int i = 0; i < NTHREADS; i++) {
        int st;
        waitpid(pid[i], &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st)) {
            snprintf(why, sizeof why, "writer %d: %s", i, ktest_wstr(st));
            ok = 0;
        }
    }
    if (ok)
        ok = verify(why, sizeof why);
    ktest_result("wrrace.posix_lock_processes", ok, "%s", why);
}

int main(void)
{
    if (ktest_enter_scratch("wrrace") != 0) {
        ktest_result("wrrace.scratch", 0, "cannot enter scratch dir: %s", strerror(errno));
        return 1;
    }
    run_threads("wrrace.ofd_lock_lseek_end_write", 0);
    run_threads("wrrace.o_append_threads", 1);
    run_threads("wrrace.pwrite_disjoint_threads", 2);
    run_processes();
    unlink(path);
    return ktest_nfail ? 1 : 0;
}
