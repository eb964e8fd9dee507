/* t_ipc.c - System V IPC [sysvipc(7)]: message queues, semaphore sets and
 * shared memory, with keys, IPC_PRIVATE, permissions, IPC_RMID and the
 * errors of bad inputs. */
#include "ktest.h"

#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

struct kmsg {
    long mtype;
    char mtext[64];
};

static void t_msg(void)
{
    struct kmsg m, r;
    key_t key = 0x4b560001;
    int q = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
    KTEST_CHECK("msg.get_create", q >= 0);
    KTEST_CHECK("msg.get_existing", msgget(key, 0600) == q);
    KTEST_ERRNO("msg.get_excl_eexist", msgget(key, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
    KTEST_ERRNO("msg.get_missing_enoent", msgget(0x4b56ffff, 0600), ENOENT);
    int p = msgget(IPC_PRIVATE, 0600);
    KTEST_CHECK("msg.get_private_new", p >= 0 && p != q && msgget(IPC_PRIVATE, 0600) != p);

    m.mtype = 2;
    strcpy(m.mtext, "two");
    KTEST_CHECK("msg.snd", msgsnd(q, &m, 4, 0) == 0);
    m.mtype = 1;
    strcpy(m.mtext, "one");
    KTEST_CHECK("msg.snd2", msgsnd(q, &m, 4, 0) == 0);
    m.mtype = 3;
    strcpy(m.mtext, "three");
    KTEST_CHECK("msg.snd3", msgsnd(q, &m, 6, 0) == 0);
    struct msqid_ds ds;
    KTEST_CHECK("msg.stat", msgctl(q, IPC_STAT, &ds) == 0 && ds.msg_qnum == 3 && ds.msg_cbytes == 14 &&
                                ds.msg_lspid == getpid() && (ds.msg_perm.mode & 0777) == 0600);
    ssize_t n = msgrcv(q, &r, sizeof r.mtext, 1, 0);
    KTEST_CHECK("msg.rcv_by_type", n == 4 && r.mtype == 1 && !strcmp(r.mtext, "one"));
    n = msgrcv(q, &r, sizeof r.mtext, -3, 0);
    KTEST_CHECK("msg.rcv_lowest_type", n == 4 && r.mtype == 2);
    KTEST_ERRNO("msg.rcv_small_e2big", msgrcv(q, &r, 2, 0, 0), E2BIG);
    n = msgrcv(q, &r, 2, 0, MSG_NOERROR);
    KTEST_CHECK("msg.rcv_noerror_truncates", n == 2 && r.mtype == 3 && !memcmp(r.mtext, "th", 2));
    KTEST_ERRNO("msg.rcv_empty_nowait_enomsg", msgrcv(q, &r, sizeof r.mtext, 0, IPC_NOWAIT), ENOMSG);
    m.mtype = 0;
    KTEST_ERRNO("msg.snd_type0_einval", msgsnd(q, &m, 4, 0), EINVAL);
    m.mtype = 1;
    KTEST_ERRNO("msg.snd_too_big_einval", msgsnd(q, &m, 8193, 0), EINVAL);
    KTEST_ERRNO("msg.snd_bad_ptr_efault", msgsnd(q, ktest_ptr(16), 4, 0), EFAULT);
    KTEST_ERRNO("msg.snd_bad_id_einval", msgsnd(0x7ffffff, &m, 4, 0), EINVAL);
    KTEST_ERRNO("msg.ctl_bad_cmd_einval", msgctl(q, 99, &ds), EINVAL);
    KTEST_ERRNO("msg.ctl_stat_efault", msgctl(q, IPC_STAT, ktest_ptr(16)), EFAULT);

    /* Fill the queue: a non-blocking send gets EAGAIN. */
    static char big[8200];
    struct { long t; char b[8192]; } *bm = (void *)big;
    bm->t = 5;
    int sent = 0;
    while (msgsnd(q, bm, 8192, IPC_NOWAIT) == 0)
        sent++;
    int e = errno;
    ktest_result("msg.full_nowait_eagain", e == EAGAIN && sent == 2, "sent=%d errno=%d", sent, e);
    KTEST_CHECK("msg.drain", msgrcv(q, bm, 8192, 5, IPC_NOWAIT) == 8192 && msgrcv(q, bm, 8192, 5, IPC_NOWAIT) == 8192);

    /* A blocked receiver wakes with EIDRM when the queue goes. */
    pid_t pid = fork();
    if (pid == 0) {
        alarm(20);
        ssize_t k = msgrcv(p, &r, sizeof r.mtext, 0, 0);
        _exit(k == -1 && errno == EIDRM ? 0 : 1);
    }
    usleep(100000);
    KTEST_CHECK("msg.rmid", msgctl(p, IPC_RMID, NULL) == 0);
    int st = 0;
    waitpid(pid, &st, 0);
    ktest_result("msg.rmid_wakes_eidrm", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));
    KTEST_ERRNO("msg.removed_einval", msgsnd(p, &m, 4, 0), EINVAL);

    /* A blocked receiver gets a message sent later. */
    pid = fork();
    if (pid == 0) {
        alarm(20);
        int q2 = msgget(key, 0);
        ssize_t k = msgrcv(q2, &r, sizeof r.mtext, 9, 0);
        _exit(k == 4 && !strcmp(r.mtext, "late") ? 0 : 1);
    }
    usleep(100000);
    m.mtype = 9;
    strcpy(m.mtext, "late");
    msgsnd(q, &m, 4, 0);
    waitpid(pid, &st, 0);
    ktest_result("msg.blocked_rcv_wakes", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));
    KTEST_CHECK("msg.rmid_keyed", msgctl(q, IPC_RMID, NULL) == 0 && msgget(key, 0) == -1 && errno == ENOENT);
}

static void t_sem(void)
{
    int s = semget(IPC_PRIVATE, 3, 0600);
    union semun a;
    struct sembuf op[2];
    KTEST_CHECK("sem.get", s >= 0);
    KTEST_ERRNO("sem.get_zero_einval", semget(IPC_PRIVATE, 0, 0600), EINVAL);
    KTEST_ERRNO("sem.get_neg_einval", semget(IPC_PRIVATE, -1, 0600), EINVAL);
    a.val = 5;
    KTEST_CHECK("sem.setval_getval", semctl(s, 0, SETVAL, a) == 0 && semctl(s, 0, GETVAL) == 5);
    a.val = 40000;
    KTEST_ERRNO("sem.setval_erange", semctl(s, 0, SETVAL, a), ERANGE);
    KTEST_ERRNO("sem.getval_bad_num_einval", semctl(s, 3, GETVAL), EINVAL);
    op[0] = (struct sembuf){0, -2, 0};
    op[1] = (struct sembuf){1, 1, 0};
    KTEST_CHECK("sem.op_atomic", semop(s, op, 2) == 0 && semctl(s, 0, GETVAL) == 3 && semctl(s, 1, GETVAL) == 1 &&
                                     semctl(s, 0, GETPID) == getpid());
    op[0] = (struct sembuf){1, 1, 0};
    op[1] = (struct sembuf){0, -4, IPC_NOWAIT};
    KTEST_ERRNO("sem.op_nowait_eagain", semop(s, op, 2), EAGAIN);
    KTEST_CHECK("sem.op_all_or_nothing", semctl(s, 1, GETVAL) == 1);
    op[0] = (struct sembuf){5, 1, 0};
    KTEST_ERRNO("sem.op_bad_num_efbig", semop(s, op, 1), EFBIG);
    KTEST_ERRNO("sem.op_zero_nsops_einval", semop(s, op, 0), EINVAL);
    KTEST_ERRNO("sem.op_too_many_e2big", semop(s, op, 501), E2BIG);
    KTEST_ERRNO("sem.op_bad_ptr_efault", semop(s, ktest_ptr(16), 1), EFAULT);
    op[0] = (struct sembuf){2, 32767, 0};
    op[1] = (struct sembuf){2, 1, 0};
    KTEST_ERRNO("sem.op_erange", semop(s, op, 2), ERANGE);
    op[0] = (struct sembuf){0, -10, 0};
    struct timespec ts = {0, 50000000};
    KTEST_ERRNO("sem.timedop_timeout_eagain", semtimedop(s, op, 1, &ts), EAGAIN);
    ts.tv_nsec = -1;
    KTEST_ERRNO("sem.timedop_bad_timeout_einval", semtimedop(s, op, 1, &ts), EINVAL);

    unsigned short vals[3] = {1, 2, 0}, got[3] = {9, 9, 9};
    a.array = vals;
    KTEST_CHECK("sem.setall", semctl(s, 0, SETALL, a) == 0);
    a.array = got;
    KTEST_CHECK("sem.getall", semctl(s, 0, GETALL, a) == 0 && got[0] == 1 && got[1] == 2 && got[2] == 0);
    struct semid_ds ds;
    a.buf = &ds;
    KTEST_CHECK("sem.stat", semctl(s, 0, IPC_STAT, a) == 0 && ds.sem_nsems == 3);

    /* SEM_UNDO: the child's decrement is undone when it exits. */
    pid_t pid = fork();
    if (pid == 0) {
        struct sembuf d = {1, -2, SEM_UNDO};
        _exit(semop(s, &d, 1) == 0 && semctl(s, 1, GETVAL) == 0 ? 0 : 1);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    ktest_result("sem.undo_at_exit", WIFEXITED(st) && WEXITSTATUS(st) == 0 && semctl(s, 1, GETVAL) == 2,
                 "%s val=%d", ktest_wstr(st), semctl(s, 1, GETVAL));

    /* A waiter for zero wakes when the value reaches zero. */
    pid = fork();
    if (pid == 0) {
        alarm(20);
        struct sembuf z = {0, 0, 0};
        _exit(semop(s, &z, 1) == 0 ? 0 : 1);
    }
    usleep(100000);
    ktest_result("sem.zcnt", semctl(s, 0, GETZCNT) == 1, "zcnt=%d", semctl(s, 0, GETZCNT));
    op[0] = (struct sembuf){0, -1, 0};
    semop(s, op, 1);
    waitpid(pid, &st, 0);
    ktest_result("sem.wait_zero_wakes", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));

    pid = fork();
    if (pid == 0) {
        alarm(20);
        struct sembuf d = {2, -1, 0};
        _exit(semop(s, &d, 1) == -1 && errno == EIDRM ? 0 : 1);
    }
    usleep(100000);
    KTEST_CHECK("sem.ncnt", semctl(s, 2, GETNCNT) == 1);
    KTEST_CHECK("sem.rmid", semctl(s, 0, IPC_RMID) == 0);
    waitpid(pid, &st, 0);
    ktest_result("sem.rmid_wakes_eidrm", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));
    KTEST_ERRNO("sem.removed_einval", semctl(s, 0, GETVAL), EINVAL);
}

static void t_shm(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    key_t key = 0x4b560002;
    int id = shmget(key, 10000, IPC_CREAT | IPC_EXCL | 0600);
    KTEST_CHECK("shm.get", id >= 0);
    KTEST_ERRNO("shm.get_bigger_einval", shmget(key, 20000, 0600), EINVAL);
    KTEST_CHECK("shm.get_smaller_ok", shmget(key, 100, 0600) == id);
    KTEST_ERRNO("shm.get_zero_einval", shmget(IPC_PRIVATE, 0, 0600), EINVAL);
    char *a = shmat(id, NULL, 0), *b = shmat(id, NULL, SHM_RDONLY);
    KTEST_CHECK("shm.at", a != (void *)-1 && b != (void *)-1 && a != b);
    KTEST_CHECK("shm.zero_filled", a[0] == 0 && a[9999] == 0);
    strcpy(a + 5000, "shared");
    KTEST_CHECK("shm.shared_between_attaches", !strcmp(b + 5000, "shared"));
    struct shmid_ds ds;
    KTEST_CHECK("shm.stat", shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_segsz == 10000 && ds.shm_nattch == 2 &&
                                ds.shm_cpid == getpid());
    pid_t pid = fork();
    if (pid == 0) {
        strcpy(a, "from child");
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    KTEST_CHECK("shm.fork_shares", !strcmp(a, "from child"));
    KTEST_ERRNO("shm.at_unaligned_einval", shmat(id, a + 1, 0), EINVAL);
    KTEST_ERRNO("shm.at_in_use_einval", shmat(id, a, 0), EINVAL);
    char *c = shmat(id, a + 1, SHM_RND | SHM_REMAP);
    KTEST_CHECK("shm.at_rnd_remap", c == a && !strcmp(c, "from child"));
    KTEST_ERRNO("shm.at_bad_id_einval", shmat(0x7ffffff, NULL, 0), EINVAL);
    KTEST_ERRNO("shm.dt_not_shm_einval", shmdt(&ds), EINVAL);
    KTEST_ERRNO("shm.dt_unaligned_einval", shmdt(a + 1), EINVAL);
    KTEST_CHECK("shm.dt", shmdt(b) == 0 && shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_nattch == 1);
    KTEST_CHECK("shm.rmid_attached", shmctl(id, IPC_RMID, NULL) == 0);
    KTEST_CHECK("shm.rmid_still_mapped", !strcmp(a, "from child"));
    KTEST_ERRNO("shm.rmid_key_gone", shmget(key, 100, 0600), ENOENT);
    KTEST_CHECK("shm.rmid_dest_flag", shmctl(id, IPC_STAT, &ds) == 0 && (ds.shm_perm.mode & 01000));
    KTEST_CHECK("shm.dt_last", shmdt(a) == 0);
    KTEST_ERRNO("shm.freed_einval", shmctl(id, IPC_STAT, &ds), EINVAL);
    KTEST_ERRNO("shm.ctl_bad_cmd_einval", shmctl(0, 99, &ds), EINVAL);
    (void)pg;
}

/* Permissions: a segment of mode 0600 is closed to another user. */
static int fn_user(void *arg)
{
    int *ids = arg;
    struct kmsg m = {1, "x"};
    if (setgid(65534) != 0 || setuid(65534) != 0)
        return 1;
    KTEST_ERRNO("ipc.user_msgsnd_eacces", msgsnd(ids[0], &m, 1, 0), EACCES);
    KTEST_ERRNO("ipc.user_msgget_key_eacces", msgget(0x4b560003, 0600), EACCES);
    KTEST_ERRNO("ipc.user_semop_eacces", semop(ids[1], &(struct sembuf){0, 1, 0}, 1), EACCES);
    KTEST_ERRNO("ipc.user_shmat_eacces", shmat(ids[2], NULL, 0), EACCES);
    KTEST_ERRNO("ipc.user_rmid_eperm", msgctl(ids[0], IPC_RMID, NULL), EPERM);
    KTEST_CHECK("ipc.user_readable_msg", msgget(0x4b560004, 0) == ids[3]);
    return 0;
}

int main(void)
{
    t_msg();
    t_sem();
    t_shm();
    int ids[4];
    ids[0] = msgget(0x4b560003, IPC_CREAT | 0600);
    ids[1] = semget(IPC_PRIVATE, 1, 0600);
    ids[2] = shmget(IPC_PRIVATE, 4096, 0600);
    ids[3] = msgget(0x4b560004, IPC_CREAT | 0644);
    int st = ktest_in_child_relay(fn_user, ids, 30);
    ktest_result("ipc.user_child", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));
    msgctl(ids[0], IPC_RMID, NULL);
    semctl(ids[1], 0, IPC_RMID);
    shmctl(ids[2], IPC_RMID, NULL);
    msgctl(ids[3], IPC_RMID, NULL);
    return ktest_nfail ? 1 : 0;
}
