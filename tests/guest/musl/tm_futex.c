/* tm_futex.c - musl's robust and priority-inheritance mutexes on the
 * kernel's robust lists and FUTEX_LOCK_PI/FUTEX_UNLOCK_PI (x86_64 only:
 * musl-gcc from musl-tools). musl reports ENOSYS for PTHREAD_PRIO_INHERIT
 * when the kernel lacks the PI operations. [futex(2)] */
#include "ktest.h"

#include <pthread.h>

static pthread_mutex_t m;
static volatile int phase;
static long counter;

static void *die_holding(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    phase = 1;
    while (phase != 2)
        usleep(1000);
    usleep(50000);
    return NULL; /* exits with the mutex held */
}

static void robust(const char *name, int protocol, int waiter)
{
    pthread_mutexattr_t at;
    pthread_t th;
    pthread_mutexattr_init(&at);
    pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
    int pr = pthread_mutexattr_setprotocol(&at, protocol);
    pthread_mutex_init(&m, &at);
    phase = 0;
    pthread_create(&th, NULL, die_holding, NULL);
    while (phase != 1)
        usleep(1000);
    phase = 2;
    if (!waiter)
        pthread_join(th, NULL);
    int l = pthread_mutex_lock(&m);
    int c = pthread_mutex_consistent(&m);
    int u = pthread_mutex_unlock(&m);
    int l2 = pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
    if (waiter)
        pthread_join(th, NULL);
    ktest_result(name, pr == 0 && l == EOWNERDEAD && c == 0 && u == 0 && l2 == 0,
                 "setprotocol=%d lock=%d (want EOWNERDEAD) consistent=%d unlock=%d relock=%d", pr, l, c, u, l2);
    pthread_mutex_destroy(&m);
}

static void *worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 2000; i++) {
        if (pthread_mutex_lock(&m))
            return (void *)1;
        long v = counter;
        if ((i & 63) == 0)
            sched_yield();
        counter = v + 1;
        pthread_mutex_unlock(&m);
    }
    return NULL;
}

int main(void)
{
    pthread_mutexattr_t at;
    pthread_t th[4];
    void *ret;
    int bad = 0;

    pthread_mutexattr_init(&at);
    int pr = pthread_mutexattr_setprotocol(&at, PTHREAD_PRIO_INHERIT);
    int in = pthread_mutex_init(&m, &at);
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, worker, NULL);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], &ret);
        bad += ret != NULL;
    }
    ktest_result("musl.futex_prio_inherit", pr == 0 && in == 0 && bad == 0 && counter == 8000,
                 "setprotocol=%d init=%d failed threads=%d counter=%ld (want 8000)", pr, in, bad, counter);
    pthread_mutex_destroy(&m);

    robust("musl.futex_robust_eownerdead", PTHREAD_PRIO_NONE, 0);
    robust("musl.futex_robust_waiter_eownerdead", PTHREAD_PRIO_NONE, 1);
    robust("musl.futex_robust_pi_eownerdead", PTHREAD_PRIO_INHERIT, 0);
    robust("musl.futex_robust_pi_waiter_eownerdead", PTHREAD_PRIO_INHERIT, 1);
    return 0;
}
