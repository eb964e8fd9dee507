/* t_futex.c - futex(2): requeue, wake's argument checks, the
 * priority-inheritance operations (FUTEX_LOCK_PI, FUTEX_TRYLOCK_PI,
 * FUTEX_UNLOCK_PI, FUTEX_WAIT_REQUEUE_PI, FUTEX_CMP_REQUEUE_PI) and robust
 * lists (set_robust_list(2), get_robust_list(2), FUTEX_OWNER_DIED at
 * thread exit), raw and through glibc's PTHREAD_PRIO_INHERIT and robust
 * mutexes. Expected values are Linux 6.1's. */
#include "ktest.h"

#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>

#define BAD_KADDR ((void *)0xffff000000001000ul) /* kernel half on both arches */

static long fx(void *uaddr, int op, uint32_t val, long val2_or_ts, void *uaddr2, uint32_t val3)
{
    return syscall(SYS_futex, uaddr, op, val, val2_or_ts, uaddr2, val3);
}

static long gettid_(void)
{
    return syscall(SYS_gettid);
}

static void settle(void)
{
    usleep(100 * 1000); /* let the other threads reach their wait */
}

/* ---- plain futexes ---------------------------------------------------------- */

static uint32_t rq_a, rq_b;
static volatile int rq_ready;

static void *rq_waiter(void *arg)
{
    (void)arg;
    __atomic_fetch_add(&rq_ready, 1, __ATOMIC_SEQ_CST);
    struct timespec ts = {10, 0};
    long r = fx(&rq_a, FUTEX_WAIT_PRIVATE, 0, (long)&ts, NULL, 0);
    return (void *)r;
}

static void t_requeue(void)
{
    enum { N = 5 };
    pthread_t th[N];
    rq_a = rq_b = 0;
    rq_ready = 0;
    for (int i = 0; i < N; i++)
        pthread_create(&th[i], NULL, rq_waiter, NULL);
    while (rq_ready < N)
        usleep(1000);
    settle();
    /* wake 1, move 2 to rq_b: 3 */
    long r1 = fx(&rq_a, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2, &rq_b, 0);
    settle();
    long r2 = fx(&rq_b, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0);
    long r3 = fx(&rq_a, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0);
    int zeros = 0;
    for (int i = 0; i < N; i++) {
        void *ret;
        pthread_join(th[i], &ret);
        zeros += (long)ret == 0;
    }
    ktest_result("futex.cmp_requeue_counts", r1 == 3 && r2 == 2 && r3 == 2,
                 "cmp_requeue=%ld wake(b)=%ld wake(a)=%ld, want 3 2 2", r1, r2, r3);
    ktest_result("futex.cmp_requeue_all_woken", zeros == N, "%d of %d waiters returned 0", zeros, N);

    KTEST_ERRNO("futex.cmp_requeue_val3_eagain", fx(&rq_a, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &rq_b, 7), EAGAIN);
    KTEST_ERRNO("futex.cmp_requeue_negative_einval", fx(&rq_a, FUTEX_CMP_REQUEUE_PRIVATE, 1, -1, &rq_b, 0), EINVAL);
    KTEST_ERRNO("futex.requeue_negative_wake_einval", fx(&rq_a, FUTEX_REQUEUE_PRIVATE, (uint32_t)-1, 1, &rq_b, 0), EINVAL);
    KTEST_ERRNO("futex.cmp_requeue_efault", fx(&rq_a, FUTEX_CMP_REQUEUE, 1, 1, BAD_KADDR, 0), EFAULT);
}

/* The same between processes, on MAP_SHARED memory (shared futexes), as
 * LTP's futex_cmp_requeue01 does it. */
static void t_requeue_shared(void)
{
    enum { N = 4 };
    uint32_t *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t pid[N];
    w[0] = w[1] = 0;
    w[2] = 0; /* ready count */
    for (int i = 0; i < N; i++) {
        pid[i] = fork();
        if (pid[i] == 0) {
            struct timespec ts = {10, 0};
            __atomic_fetch_add(&w[2], 1, __ATOMIC_SEQ_CST);
            long r = fx(&w[0], FUTEX_WAIT, 0, (long)&ts, NULL, 0);
            _exit(r == 0 ? 0 : 1);
        }
    }
    while (__atomic_load_n(&w[2], __ATOMIC_SEQ_CST) < N)
        usleep(1000);
    settle();
    long r1 = fx(&w[0], FUTEX_CMP_REQUEUE, 1, 2, &w[1], 0);
    settle();
    long r2 = fx(&w[1], FUTEX_WAKE, INT_MAX, 0, NULL, 0);
    long r3 = fx(&w[0], FUTEX_WAKE, INT_MAX, 0, NULL, 0);
    int ok = 0;
    for (int i = 0; i < N; i++) {
        int st;
        waitpid(pid[i], &st, 0);
        ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
    ktest_result("futex.cmp_requeue_shared_processes", r1 == 3 && r2 == 2 && r3 == 1 && ok == N,
                 "cmp_requeue=%ld wake(b)=%ld wake(a)=%ld (want 3 2 1), %d of %d woken", r1, r2, r3, ok, N);
    munmap(w, 4096);
}

static uint32_t wk_word;
static void *wk_waiter(void *arg)
{
    (void)arg;
    struct timespec ts = {10, 0};
    return (void *)fx(&wk_word, FUTEX_WAIT_PRIVATE, 0, (long)&ts, NULL, 0);
}

static void t_wake_checks(void)
{
    uint32_t w[2] = {0, 0};
    KTEST_ERRNO("futex.wake_unaligned_einval", fx((char *)w + 1, FUTEX_WAKE, 1, 0, NULL, 0), EINVAL);
    KTEST_ERRNO("futex.wake_kernel_addr_efault", fx(BAD_KADDR, FUTEX_WAKE, 1, 0, NULL, 0), EFAULT);
    KTEST_ERRNO("futex.wake_shared_null_efault", fx(NULL, FUTEX_WAKE, 1, 0, NULL, 0), EFAULT);
    long r = fx(NULL, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0);
    ktest_result("futex.wake_private_unmapped_zero", r == 0, "returned %ld errno %d", r, errno);
    KTEST_ERRNO("futex.wake_bitset_zero_einval", fx(w, FUTEX_WAKE_BITSET, 1, 0, NULL, 0), EINVAL);
    KTEST_ERRNO("futex.wait_bitset_zero_einval", fx(w, FUTEX_WAIT_BITSET, 0, 0, NULL, 0), EINVAL);
    KTEST_ERRNO("futex.wake_clock_realtime_enosys", fx(w, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, 0, NULL, 0), ENOSYS);
    KTEST_ERRNO("futex.bad_op_enosys", fx(w, 99, 1, 0, NULL, 0), ENOSYS);
    KTEST_ERRNO("futex.fd_op_enosys", fx(w, FUTEX_FD, 1, 0, NULL, 0), ENOSYS);
    struct timespec bad = {0, 1000000000};
    KTEST_ERRNO("futex.wait_bad_timespec_einval", fx(w, FUTEX_WAIT, 0, (long)&bad, NULL, 0), EINVAL);
    KTEST_ERRNO("futex.wait_bad_timeout_ptr_efault", fx(w, FUTEX_WAIT, 0, (long)BAD_KADDR, NULL, 0), EFAULT);
    KTEST_ERRNO("futex.wait_value_differs_eagain", fx(w, FUTEX_WAIT, 1, 0, NULL, 0), EAGAIN);

    /* Linux counts after waking: FUTEX_WAKE with 0 wakes one waiter. */
    pthread_t a, b;
    wk_word = 0;
    pthread_create(&a, NULL, wk_waiter, NULL);
    pthread_create(&b, NULL, wk_waiter, NULL);
    settle();
    long n0 = fx(&wk_word, FUTEX_WAKE_PRIVATE, 0, 0, NULL, 0);
    long n1 = fx(&wk_word, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    ktest_result("futex.wake_zero_wakes_one", n0 == 1 && n1 == 1, "wake(0)=%ld then wake(max)=%ld, want 1 1", n0, n1);
}

/* ---- priority inheritance: raw -------------------------------------------------- */

static uint32_t pi_word;
static volatile int pi_phase;

static void *pi_holder(void *arg)
{
    (void)arg;
    long r = fx(&pi_word, FUTEX_LOCK_PI_PRIVATE, 0, 0, NULL, 0);
    pi_phase = 1;
    while (pi_phase != 2)
        usleep(1000);
    settle();
    long u = fx(&pi_word, FUTEX_UNLOCK_PI_PRIVATE, 0, 0, NULL, 0);
    return (void *)(r | u);
}

static void *pi_exiter(void *arg)
{
    (void)arg;
    long r = fx(&pi_word, FUTEX_LOCK_PI_PRIVATE, 0, 0, NULL, 0);
    pi_phase = 1;
    while (pi_phase != 2)
        usleep(1000);
    settle();
    return (void *)r; /* exits holding it, no robust list entry */
}

static uint32_t chain_word;
static volatile uint32_t chain_seen;

static void *chain_w1(void *arg)
{
    (void)arg;
    return (void *)fx(&chain_word, FUTEX_LOCK_PI_PRIVATE, 0, 0, NULL, 0); /* then exits holding it */
}

static void *chain_w2(void *arg)
{
    (void)arg;
    long r = fx(&chain_word, FUTEX_LOCK_PI_PRIVATE, 0, 0, NULL, 0);
    chain_seen = chain_word;
    if (r == 0 && (chain_seen & FUTEX_TID_MASK) != (uint32_t)gettid_())
        r = -2;
    if (r == 0)
        fx(&chain_word, FUTEX_UNLOCK_PI_PRIVATE, 0, 0, NULL, 0);
    return (void *)r;
}

/* The lock passes main -> w1 by unlock, then w1 exits holding it: w2, queued
 * behind w1 since the hand-over, must get it. */
static void t_pi_chain(void)
{
    pthread_t a, b;
    void *ra, *rb;
    chain_word = 0;
    fx(&chain_word, FUTEX_LOCK_PI_PRIVATE, 0, 0, NULL, 0);
    pthread_create(&a, NULL, chain_w1, NULL);
    settle();
    pthread_create(&b, NULL, chain_w2, NULL);
    settle();
    long u = fx(&chain_word, FUTEX_UNLOCK_PI_PRIVATE, 0, 0, NULL, 0);
    pthread_join(a, &ra);
    pthread_join(b, &rb);
    ktest_result("futex.lock_pi_handoff_then_owner_exit", u == 0 && ra == 0 && rb == 0 && chain_word == 0,
                 "unlock=%ld w1=%ld w2=%ld (word seen by w2 %#x) final=%#x", u, (long)ra, (long)rb, chain_seen,
                 chain_word);
}

static void t_pi_raw(void)
{
    long me = gettid_();
    pi_word = 0;
    long r = fx(&pi_word, FUTEX_LOCK_PI_PRIVATE, 0, 0, NULL, 0);
    ktest_result("futex.lock_pi_free", r == 0 && pi_word == (uint32_t)me, "r=%ld word=%#x tid=%ld", r, pi_word, me);
    KTEST_ERRNO("futex.lock_pi_self_edeadlk", fx(&pi_word, FUTEX_LOCK_PI_PRIVATE, 0, 0, NULL, 0), EDEADLK);
    KTEST_ERRNO("futex.trylock_pi_self_edeadlk", fx(&pi_word, FUTEX_TRYLOCK_PI_PRIVATE, 0, 0, NULL, 0), EDEADLK);
    r = fx(&pi_word, FUTEX_UNLOCK_PI_PRIVATE, 0, 0, NULL, 0);
    ktest_result("futex.unlock_pi", r == 0 && pi_word == 0, "r=%ld word=%#x", r, pi_word);
    KTEST_ERRNO("futex.unlock_pi_not_owner_eperm", fx(&pi_word, FUTEX_UNLOCK_PI_PRIVATE, 0, 0, NULL, 0), EPERM);
    r = fx(&pi_word, FUTEX_TRYLOCK_PI_PRIVATE, 0, 0, NULL, 0);
    ktest_result("futex.trylock_pi_free", r == 0 && pi_word == (uint32_t)me, "r=%ld word=%#x", r, pi_word);
    fx(&pi_word, FUTEX_UNLOCK_PI_PRIVATE, 0, 0, NULL, 0);

    pi_word = 0x3ffffff0; /* no such task */
    KTEST_ERRNO("futex.lock_pi_dead_owner_esrch", fx(&pi_word, FUTEX_LOCK_PI_PRIVATE, 0, 0, NULL, 0), ESRCH);
    KTEST_ERRNO("futex.trylock_pi_dead_owner_esrch", fx(&pi_word, FUTEX_TRYLOCK_PI_PRIVATE, 0, 0, NULL, 0), ESRCH);
    KTEST_ERRNO("futex.unlock_pi_other_eperm", fx(&pi_word, FUTEX_UNLOCK_PI_PRIVATE, 0, 0, NULL, 0), EPERM);
    KTEST_ERRNO("futex.lock_pi_unaligned_einval", fx((char *)&pi_word + 1, FUTEX_LOCK_PI, 0, 0, NULL, 0), EINVAL);
    KTEST_ERRNO("futex.lock_pi_efault", fx(BAD_KADDR, FUTEX_LOCK_PI, 0, 0, NULL, 0), EFAULT);
    KTEST_ERRNO("futex.unlock_pi_efault", fx(BAD_KADDR, FUTEX_UNLOCK_PI, 0, 0, NULL, 0), EFAULT);

    /* Contention: the holder unlocks, the kernel hands the lock over. */
    pthread_t th;
    pi_word = 0;
    pi_phase = 0;
    pthread_create(&th, NULL, pi_holder, NULL);
    while (pi_phase != 1)
        usleep(1000);
    uint32_t held = pi_word;
    KTEST_ERRNO("futex.trylock_pi_busy_eagain", fx(&pi_word, FUTEX_TRYLOCK_PI_PRIVATE, 0, 0, NULL, 0), EAGAIN);
    struct timespec now, abs;
    clock_gettime(CLOCK_REALTIME, &now);
    abs = now;
    abs.tv_nsec += 50 * 1000 * 1000;
    if (abs.tv_nsec >= 1000000000) {
        abs.tv_sec++;
        abs.tv_nsec -= 1000000000;
    }
    KTEST_ERRNO("futex.lock_pi_timeout", fx(&pi_word, FUTEX_LOCK_PI_PRIVATE, 0, (long)&abs, NULL, 0), ETIMEDOUT);
    pi_phase = 2;
    r = fx(&pi_word, FUTEX_LOCK_PI_PRIVATE, 0, 0, NULL, 0);
    uint32_t got = pi_word;
    void *tr;
    pthread_join(th, &tr);
    ktest_result("futex.lock_pi_contended_handoff",
                 r == 0 && (held & FUTEX_TID_MASK) != 0 && got == ((uint32_t)me | FUTEX_WAITERS) && tr == 0,
                 "r=%ld held=%#x after=%#x (want %#lx) holder=%ld", r, held, got, me | FUTEX_WAITERS, (long)tr);
    r = fx(&pi_word, FUTEX_UNLOCK_PI_PRIVATE, 0, 0, NULL, 0);
    ktest_result("futex.unlock_pi_no_waiters_zero", r == 0 && pi_word == 0, "r=%ld word=%#x", r, pi_word);

    /* The owner exits holding it: the queued waiter gets it. */
    pi_word = 0;
    pi_phase = 0;
    pthread_create(&th, NULL, pi_exiter, NULL);
    while (pi_phase != 1)
        usleep(1000);
    pi_phase = 2;
    r = fx(&pi_word, FUTEX_LOCK_PI_PRIVATE, 0, 0, NULL, 0);
    got = pi_word;
    pthread_join(th, NULL);
    ktest_result("futex.lock_pi_owner_exited", r == 0 && (got & FUTEX_TID_MASK) == (uint32_t)me,
                 "r=%ld errno=%d word=%#x tid=%ld", r, errno, got, me);
    pi_word = 0;
}

/* ---- WAIT_REQUEUE_PI / CMP_REQUEUE_PI -------------------------------------------- */

static uint32_t cv_word, cv_lock;
static volatile int cv_ready;
static volatile uint32_t cv_seen[4];

static void *rqpi_waiter(void *arg)
{
    long i = (long)arg;
    __atomic_fetch_add(&cv_ready, 1, __ATOMIC_SEQ_CST);
    long r = fx(&cv_word, FUTEX_WAIT_REQUEUE_PI_PRIVATE, 0, 0, &cv_lock, 0);
    if (r == 0) {
        cv_seen[i] = cv_lock;
        r = fx(&cv_lock, FUTEX_UNLOCK_PI_PRIVATE, 0, 0, NULL, 0);
    } else {
        r = errno;
    }
    return (void *)r;
}

static void t_requeue_pi(void)
{
    pthread_t th[2];
    void *ret[2];

    KTEST_ERRNO("futex.wait_requeue_pi_same_einval",
                fx(&cv_word, FUTEX_WAIT_REQUEUE_PI_PRIVATE, 0, 0, &cv_word, 0), EINVAL);
    KTEST_ERRNO("futex.wait_requeue_pi_value_eagain",
                fx(&cv_word, FUTEX_WAIT_REQUEUE_PI_PRIVATE, 1, 0, &cv_lock, 0), EAGAIN);
    KTEST_ERRNO("futex.cmp_requeue_pi_nr_wake_einval",
                fx(&cv_word, FUTEX_CMP_REQUEUE_PI_PRIVATE, 2, 1, &cv_lock, 0), EINVAL);
    KTEST_ERRNO("futex.cmp_requeue_pi_same_einval",
                fx(&cv_word, FUTEX_CMP_REQUEUE_PI_PRIVATE, 1, 1, &cv_word, 0), EINVAL);
    long r = fx(&cv_word, FUTEX_CMP_REQUEUE_PI_PRIVATE, 1, 1, &cv_lock, 0);
    ktest_result("futex.cmp_requeue_pi_nobody", r == 0, "returned %ld errno %d", r, errno);

    /* Lock free: the top waiter is given it at once. */
    cv_word = cv_lock = 0;
    cv_ready = 0;
    pthread_create(&th[0], NULL, rqpi_waiter, (void *)0);
    while (cv_ready < 1)
        usleep(1000);
    settle();
    KTEST_ERRNO("futex.cmp_requeue_on_requeue_pi_waiter_einval",
                fx(&cv_word, FUTEX_CMP_REQUEUE_PRIVATE, 0, 1, &cv_lock, 0), EINVAL);
    long r1 = fx(&cv_word, FUTEX_CMP_REQUEUE_PI_PRIVATE, 1, 0, &cv_lock, 0);
    pthread_join(th[0], &ret[0]);
    ktest_result("futex.cmp_requeue_pi_proxy_lock", r1 == 1 && ret[0] == 0 && cv_seen[0] == (uint32_t)0 + cv_seen[0] &&
                 (cv_seen[0] & FUTEX_TID_MASK) != 0 && cv_lock == 0,
                 "requeue=%ld waiter=%ld word seen=%#x after=%#x", r1, (long)ret[0], cv_seen[0], cv_lock);

    /* Lock held: both are moved behind the owner and get it in turn. */
    cv_word = cv_lock = 0;
    cv_ready = 0;
    fx(&cv_lock, FUTEX_LOCK_PI_PRIVATE, 0, 0, NULL, 0);
    for (long i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, rqpi_waiter, (void *)i);
    while (cv_ready < 2)
        usleep(1000);
    settle();
    long r2 = fx(&cv_word, FUTEX_CMP_REQUEUE_PI_PRIVATE, 1, INT_MAX, &cv_lock, 0);
    uint32_t after = cv_lock;
    long u = fx(&cv_lock, FUTEX_UNLOCK_PI_PRIVATE, 0, 0, NULL, 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], &ret[i]);
    ktest_result("futex.cmp_requeue_pi_behind_owner",
                 r2 == 2 && after == ((uint32_t)gettid_() | FUTEX_WAITERS) && u == 0 && ret[0] == 0 && ret[1] == 0 &&
                 cv_lock == 0,
                 "requeue=%ld word=%#x unlock=%ld waiters=%ld,%ld final=%#x", r2, after, u, (long)ret[0],
                 (long)ret[1], cv_lock);

    /* FUTEX_WAKE refuses a waiter that waits to be requeued to a PI futex. */
    cv_word = cv_lock = 0;
    cv_ready = 0;
    pthread_create(&th[0], NULL, rqpi_waiter, (void *)0);
    while (cv_ready < 1)
        usleep(1000);
    settle();
    errno = 0;
    long w = fx(&cv_word, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0);
    int we = errno;
    long r3 = fx(&cv_word, FUTEX_CMP_REQUEUE_PI_PRIVATE, 1, 0, &cv_lock, 0);
    pthread_join(th[0], &ret[0]);
    ktest_result("futex.wake_requeue_pi_waiter_einval", w == -1 && we == EINVAL && r3 == 1 && ret[0] == 0,
                 "wake=%ld errno=%d, then requeue=%ld waiter=%ld", w, we, r3, (long)ret[0]);
}

/* ---- glibc mutexes ---------------------------------------------------------------- */

static pthread_mutex_t pim;
static long pi_counter;

static void *pi_worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 2000; i++) {
        if (pthread_mutex_lock(&pim))
            return (void *)1;
        long v = pi_counter;
        if ((i & 63) == 0)
            sched_yield();
        pi_counter = v + 1;
        pthread_mutex_unlock(&pim);
    }
    return 0;
}

static void *try_other(void *arg)
{
    return (void *)(long)pthread_mutex_trylock((pthread_mutex_t *)arg);
}

static void t_pi_mutex(void)
{
    pthread_mutexattr_t at;
    pthread_mutexattr_init(&at);
    int r = pthread_mutexattr_setprotocol(&at, PTHREAD_PRIO_INHERIT);
    pthread_mutex_init(&pim, &at);
    int l = pthread_mutex_lock(&pim);
    pthread_t th[4];
    void *ret;
    pthread_create(&th[0], NULL, try_other, &pim);
    pthread_join(th[0], &ret);
    int u = pthread_mutex_unlock(&pim);
    ktest_result("futex.glibc_prio_inherit_lock", r == 0 && l == 0 && u == 0 && (long)ret == EBUSY,
                 "setprotocol=%d lock=%d unlock=%d trylock from other=%ld", r, l, u, (long)ret);

    pi_counter = 0;
    int bad = 0;
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, pi_worker, NULL);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], &ret);
        bad += ret != 0;
    }
    ktest_result("futex.glibc_prio_inherit_contended", bad == 0 && pi_counter == 8000,
                 "counter=%ld want 8000, %d threads failed", pi_counter, bad);
    pthread_mutex_destroy(&pim);
}

static pthread_mutex_t rbm;
static volatile int rb_phase;

static void *rb_die(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&rbm);
    rb_phase = 1;
    while (rb_phase != 2)
        usleep(1000);
    settle();
    return NULL; /* exits holding the mutex */
}

static void *rb_die_now(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&rbm);
    return NULL;
}

static void robust_case(const char *name, int protocol, int waiter)
{
    pthread_mutexattr_t at;
    pthread_mutexattr_init(&at);
    pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
    pthread_mutexattr_setprotocol(&at, protocol);
    pthread_mutex_init(&rbm, &at);
    pthread_t th;
    rb_phase = 0;
    pthread_create(&th, NULL, rb_die, NULL);
    while (rb_phase != 1)
        usleep(1000);
    rb_phase = 2;
    if (!waiter)
        pthread_join(th, NULL);
    int l = pthread_mutex_lock(&rbm); /* with waiter: blocks until the owner dies */
    int c = pthread_mutex_consistent(&rbm);
    int u = pthread_mutex_unlock(&rbm);
    int l2 = pthread_mutex_lock(&rbm);
    int u2 = pthread_mutex_unlock(&rbm);
    if (waiter)
        pthread_join(th, NULL);
    ktest_result(name, l == EOWNERDEAD && c == 0 && u == 0 && l2 == 0 && u2 == 0,
                 "lock=%d (want EOWNERDEAD) consistent=%d unlock=%d relock=%d unlock=%d", l, c, u, l2, u2);
    pthread_mutex_destroy(&rbm);
}

static void t_robust_mutex(void)
{
    robust_case("futex.glibc_robust_eownerdead", PTHREAD_PRIO_NONE, 0);
    robust_case("futex.glibc_robust_waiter_eownerdead", PTHREAD_PRIO_NONE, 1);
    robust_case("futex.glibc_robust_pi_eownerdead", PTHREAD_PRIO_INHERIT, 0);
    robust_case("futex.glibc_robust_pi_waiter_eownerdead", PTHREAD_PRIO_INHERIT, 1);

    /* Not made consistent: unlocking makes it unrecoverable. */
    pthread_mutexattr_t at;
    pthread_mutexattr_init(&at);
    pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&rbm, &at);
    pthread_t th;
    pthread_create(&th, NULL, rb_die_now, NULL);
    pthread_join(th, NULL);
    int l = pthread_mutex_lock(&rbm);
    pthread_mutex_unlock(&rbm);
    int l2 = pthread_mutex_lock(&rbm);
    ktest_result("futex.glibc_robust_notrecoverable", l == EOWNERDEAD && l2 == ENOTRECOVERABLE,
                 "lock=%d relock=%d (want ENOTRECOVERABLE)", l, l2);

    /* Between processes: a child dies holding a shared robust mutex. */
    pthread_mutex_t *pm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pthread_mutexattr_setpshared(&at, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(pm, &at);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_mutex_lock(pm);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    l = pthread_mutex_lock(pm);
    int c = pthread_mutex_consistent(pm);
    pthread_mutex_unlock(pm);
    ktest_result("futex.glibc_robust_pshared_child_died", l == EOWNERDEAD && c == 0, "lock=%d consistent=%d", l, c);
    munmap(pm, 4096);
}

/* ---- robust list syscalls ----------------------------------------------------- */

struct rlh {
    void *next;
    long off;
    void *pending;
};

static void t_robust_syscalls(void)
{
    void *head = NULL;
    size_t len = 0;
    long r = syscall(SYS_get_robust_list, 0, &head, &len);
    ktest_result("futex.get_robust_list_self", r == 0 && head != NULL && len == 24,
                 "r=%ld head=%p len=%zu (glibc registers one per thread)", r, head, len);
    KTEST_ERRNO("futex.set_robust_list_len_einval", syscall(SYS_set_robust_list, head, 23), EINVAL);
    KTEST_ERRNO("futex.set_robust_list_len0_einval", syscall(SYS_set_robust_list, head, 0), EINVAL);
    KTEST_ERRNO("futex.get_robust_list_no_pid_esrch", syscall(SYS_get_robust_list, INT_MAX, &head, &len), ESRCH);
    KTEST_ERRNO("futex.get_robust_list_neg_pid_esrch", syscall(SYS_get_robust_list, -5, &head, &len), ESRCH);
    KTEST_ERRNO("futex.get_robust_list_bad_head_efault", syscall(SYS_get_robust_list, 0, BAD_KADDR, &len), EFAULT);
    KTEST_ERRNO("futex.get_robust_list_bad_len_efault", syscall(SYS_get_robust_list, 0, &head, BAD_KADDR), EFAULT);
    r = syscall(SYS_get_robust_list, getppid(), &head, &len);
    ktest_result("futex.get_robust_list_other_root", r == 0, "r=%ld errno=%d", r, errno);

    /* Unprivileged: another user's list is refused. */
    pid_t pid = fork();
    if (pid == 0) {
        if (setresuid(65534, 65534, 65534))
            _exit(3);
        long rr = syscall(SYS_get_robust_list, 1, &head, &len);
        _exit(rr == -1 && errno == EPERM ? 0 : 1);
    }
    int st;
    waitpid(pid, &st, 0);
    ktest_result("futex.get_robust_list_eperm", WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %s",
                 ktest_wstr(st));

    /* A hand-made list in a shared page: an entry that links to itself
     * (the walk must end anyway), list_op_pending, and a word not ours. */
    uint32_t *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid = fork();
    if (pid == 0) {
        uint32_t me = (uint32_t)gettid_();
        struct rlh *hh = (struct rlh *)(sh + 16);
        void **ent = (void **)(sh + 32);
        *ent = ent; /* cycle */
        sh[34] = me | FUTEX_WAITERS;
        void **pend = (void **)(sh + 40);
        sh[42] = me;
        sh[50] = 12345; /* not ours: untouched */
        hh->next = ent;
        hh->off = 8;
        hh->pending = pend;
        syscall(SYS_set_robust_list, hh, sizeof *hh);
        _exit(0);
    }
    waitpid(pid, &st, 0);
    ktest_result("futex.robust_exit_owner_died",
                 WIFEXITED(st) && sh[34] == (FUTEX_WAITERS | FUTEX_OWNER_DIED) && sh[42] == FUTEX_OWNER_DIED &&
                 sh[50] == 12345,
                 "child %s entry=%#x pending=%#x", ktest_wstr(st), sh[34], sh[42]);
    munmap(sh, 4096);
}

int main(void)
{
    t_requeue();
    t_requeue_shared();
    t_wake_checks();
    t_pi_raw();
    t_pi_chain();
    t_requeue_pi();
    t_pi_mutex();
    t_robust_mutex();
    t_robust_syscalls();
    return 0;
}
