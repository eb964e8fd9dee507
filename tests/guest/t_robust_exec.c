/* t_robust_exec.c - execve releases the old image's robust futexes: a
 * process that holds a robust mutex in shared memory and calls execve is,
 * for the mutex, a dead owner; a waiter gets EOWNERDEAD at once, not when
 * the new program exits [get_robust_list(2)], [pthread_mutexattr_setrobust(3)],
 * Linux's exec_mm_release(). Must pass on Linux too. */
#include "ktest.h"

#include <pthread.h>
#include <sys/mman.h>

int main(void)
{
    pthread_mutex_t *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pthread_mutexattr_t a;
    int p[2];

    if (m == MAP_FAILED || pipe(p)) {
        ktest_result("robust_exec.eownerdead", 0, "setup errno=%d", errno);
        return 1;
    }
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(m, &a);
    pid_t pid = fork();
    if (pid == 0) {
        char *argv[] = { "sleep", "10", NULL };
        pthread_mutex_lock(m);
        close(p[0]);
        close(p[1]); /* EOF: the lock is held */
        execv("/bin/sleep", argv);
        _exit(127);
    }
    close(p[1]);
    char c;
    while (read(p[0], &c, 1) < 0 && errno == EINTR)
        ;
    /* Give the exec time to happen, then wait for at most 5 s: the new
     * program sleeps 10 s, so only the exec can have released the lock. */
    usleep(300000);
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 5;
    int r = pthread_mutex_timedlock(m, &dl);
    ktest_result("robust_exec.eownerdead", r == EOWNERDEAD, "pthread_mutex_timedlock: %d (%s), want EOWNERDEAD",
                 r, strerror(r));
    if (r == EOWNERDEAD) {
        pthread_mutex_consistent(m);
        pthread_mutex_unlock(m);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return 0;
}
