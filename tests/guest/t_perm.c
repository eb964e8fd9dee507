/* t_perm.c - file permissions for an unprivileged user, as Linux enforces
 * them: search permission along the path [path_resolution(7)], write and
 * search permission on the directory to add or remove a name, the sticky
 * bit [inode(7)], ownership for chmod/chown/utimes and O_NOATIME
 * [chmod(2)], [chown(2)], [utimensat(2)], [open(2)], set-group-ID
 * directories, S_ISUID/S_ISGID clearing, setfsuid [setfsuid(2)] and the
 * real ids of access(2). The root parent prepares; each check runs in a
 * child as uid/gid 65534 (ktest_in_child_relay). Must pass on Linux too. */
#include "ktest.h"

#include <grp.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/time.h>

#define NOBODY 65534
#define BASE "/tmp/perm"

static void mkfile(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    if (fd >= 0) {
        if (write(fd, "data", 4) != 4)
            ktest_result("perm.setup_write", 0, "%s errno=%d", path, errno);
        fchown(fd, uid, gid);
        fchmod(fd, mode);
        close(fd);
    }
}

static void mkdirx(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
    mkdir(path, 0700);
    chown(path, uid, gid);
    chmod(path, mode);
}

static int drop(void)
{
    gid_t none[1] = { 0 };
    return setgroups(0, none) || setgid(NOBODY) || setuid(NOBODY);
}

static int as_nobody(void *arg)
{
    struct stat st;
    int fd;

    (void)arg;
    if (drop()) {
        ktest_result("perm.drop_privileges", 0, "errno=%d", errno);
        return 1;
    }
    /* Search permission on every directory of the path. */
    KTEST_ERRNO("perm.access_no_search", access(BASE "/locked/file", F_OK), EACCES);
    KTEST_ERRNO("perm.stat_no_search", stat(BASE "/locked/file", &st), EACCES);
    KTEST_ERRNO("perm.open_no_search", open(BASE "/locked/file", O_RDONLY), EACCES);
    KTEST_ERRNO("perm.chdir_no_search", chdir(BASE "/locked"), EACCES);
    KTEST_ERRNO("perm.chmod_no_search", chmod(BASE "/locked/file", 0600), EACCES);
    KTEST_ERRNO("perm.listable_dir_not_searchable", stat(BASE "/listonly/file", &st), EACCES);

    /* Adding and removing names needs write permission on the directory. */
    fd = open(BASE "/sticky/mine", O_CREAT | O_WRONLY, 0644);
    if (fd >= 0)
        close(fd);
    KTEST_ERRNO("perm.unlink_unwritable_dir", unlink(BASE "/ro/file"), EACCES);
    KTEST_ERRNO("perm.rmdir_unwritable_dir", rmdir(BASE "/ro/sub"), EACCES);
    KTEST_ERRNO("perm.create_unwritable_dir", open(BASE "/ro/new", O_CREAT | O_WRONLY, 0644),
                EACCES);
    KTEST_ERRNO("perm.mkdir_unwritable_dir", mkdir(BASE "/ro/newdir", 0755), EACCES);
    KTEST_ERRNO("perm.symlink_unwritable_dir", symlink("x", BASE "/ro/link"), EACCES);
    KTEST_ERRNO("perm.rename_out_of_unwritable_dir",
                rename(BASE "/ro/file", BASE "/sticky/moved"), EACCES);
    KTEST_ERRNO("perm.link_into_unwritable_dir", link(BASE "/sticky/mine", BASE "/ro/hard"),
                EACCES);

    /* The sticky bit: only the owner of the file (or of the directory). */
    KTEST_ERRNO("perm.sticky_unlink_others", unlink(BASE "/sticky/roots"), EPERM);
    KTEST_ERRNO("perm.sticky_rename_others", rename(BASE "/sticky/roots", BASE "/sticky/x"),
                EPERM);
    KTEST_CHECK("perm.sticky_unlink_own", unlink(BASE "/sticky/mine") == 0);

    /* Ownership: chmod, chown, utimes, O_NOATIME. */
    KTEST_ERRNO("perm.chmod_not_owner", chmod(BASE "/open/roots", 0777), EPERM);
    KTEST_ERRNO("perm.chown_not_owner", chown(BASE "/open/roots", NOBODY, NOBODY), EPERM);
    KTEST_ERRNO("perm.chown_give_away", chown(BASE "/open/nobodys", 0, -1), EPERM);
    KTEST_ERRNO("perm.chgrp_foreign_group", chown(BASE "/open/nobodys", -1, 0), EPERM);
    KTEST_CHECK("perm.chgrp_own_group", chown(BASE "/open/nobodys", -1, NOBODY) == 0);
    KTEST_ERRNO("perm.utimes_now_no_write", utimes(BASE "/open/roots", NULL), EACCES);
    KTEST_CHECK("perm.utimes_now_with_write", utimes(BASE "/open/shared", NULL) == 0);
    struct timeval tv[2] = { { 1000, 0 }, { 1000, 0 } };
    KTEST_ERRNO("perm.utimes_explicit_not_owner", utimes(BASE "/open/shared", tv), EPERM);
    KTEST_ERRNO("perm.open_noatime_not_owner", open(BASE "/open/shared", O_RDONLY | O_NOATIME),
                EPERM);
    fd = open(BASE "/open/nobodys", O_RDONLY | O_NOATIME);
    KTEST_CHECK("perm.open_noatime_owner", fd >= 0);
    if (fd >= 0)
        close(fd);

    /* A read-only mount refuses before ownership is looked at. */
    KTEST_ERRNO("perm.chmod_rofs_before_eperm", chmod(BASE "/rofs", 0777), EROFS);

    /* An owner outside the file's group cannot set S_ISGID. */
    KTEST_CHECK("perm.chmod_sgid_dropped", chmod(BASE "/open/nobodys_g0", 02755) == 0 &&
                                               stat(BASE "/open/nobodys_g0", &st) == 0 &&
                                               (st.st_mode & 07777) == 0755);

    /* A write by a non-root user clears set-user-ID. */
    fd = open(BASE "/open/nobodys_suid", O_WRONLY);
    int w = fd >= 0 ? (int)write(fd, "x", 1) : -1;
    if (fd >= 0)
        close(fd);
    KTEST_CHECK("perm.write_clears_suid", w == 1 && stat(BASE "/open/nobodys_suid", &st) == 0 &&
                                              (st.st_mode & 07777) == 0755);

    /* An unprivileged setfsuid to a foreign id changes nothing. */
    int old = setfsuid(0);
    int now = setfsuid(-1);
    KTEST_CHECK("perm.setfsuid_unprivileged", old == NOBODY && now == NOBODY);
    return 0;
}

/* access(2) checks with the real ids: real nobody, effective root. */
static int real_nobody(void *arg)
{
    (void)arg;
    if (setresgid(NOBODY, 0, 0) || setresuid(NOBODY, 0, 0)) {
        ktest_result("perm.access_real_ids", 0, "setresuid errno=%d", errno);
        return 1;
    }
    KTEST_ERRNO("perm.access_real_ids", access(BASE "/open/roots", R_OK), EACCES);
    KTEST_ERRNO("perm.access_real_ids_walk", access(BASE "/locked/file", F_OK), EACCES);
    KTEST_CHECK("perm.faccessat_eaccess", faccessat(AT_FDCWD, BASE "/open/roots", R_OK,
                                                    AT_EACCESS) == 0);
    return 0;
}

/* setfsuid as root: the file-system id alone decides new files' owner. */
static int fsuid_root(void *arg)
{
    struct stat st;
    (void)arg;
    int old = setfsuid(4321);
    int cur = setfsuid(-1);
    int fd = open(BASE "/open/by_fsuid", O_CREAT | O_WRONLY, 0644);
    if (fd >= 0)
        close(fd);
    int back = setfsuid(0);
    KTEST_CHECK("perm.setfsuid_root", old == 0 && cur == 4321 && back == 4321 && fd >= 0 &&
                                          stat(BASE "/open/by_fsuid", &st) == 0 &&
                                          st.st_uid == 4321 && geteuid() == 0);
    return 0;
}

int main(void)
{
    struct stat st;

    mkdir(BASE, 0755);
    mkdirx(BASE "/locked", 0700, 0, 0);
    mkfile(BASE "/locked/file", 0644, 0, 0);
    mkdirx(BASE "/listonly", 0744, 0, 0);
    mkfile(BASE "/listonly/file", 0644, 0, 0);
    mkdirx(BASE "/ro", 0755, 0, 0);
    mkfile(BASE "/ro/file", 0666, NOBODY, NOBODY);
    mkdirx(BASE "/ro/sub", 0777, NOBODY, NOBODY);
    mkdirx(BASE "/sticky", 01777, 0, 0);
    mkfile(BASE "/sticky/roots", 0666, 0, 0);
    mkdirx(BASE "/open", 0777, 0, 0);
    mkfile(BASE "/open/roots", 0600, 0, 0);
    mkfile(BASE "/open/shared", 0666, 0, 0);
    mkfile(BASE "/open/nobodys", 0644, NOBODY, NOBODY);
    mkfile(BASE "/open/nobodys_g0", 0755, NOBODY, 0);
    mkfile(BASE "/open/nobodys_suid", 04755, NOBODY, NOBODY);
    mkdirx(BASE "/rofs", 0755, NOBODY, NOBODY);
    int ro = mount("tmpfs", BASE "/rofs", "tmpfs", MS_RDONLY, NULL);
    ktest_result("perm.setup_rofs", ro == 0, "mount errno=%d", errno);

    int s = ktest_in_child_relay(as_nobody, NULL, 60);
    ktest_result("perm.run_as_nobody", s >= 0 && WIFEXITED(s) && WEXITSTATUS(s) == 0, "%s",
                 ktest_wstr(s));
    s = ktest_in_child_relay(real_nobody, NULL, 30);
    ktest_result("perm.run_real_nobody", s >= 0 && WIFEXITED(s) && WEXITSTATUS(s) == 0, "%s",
                 ktest_wstr(s));
    s = ktest_in_child_relay(fsuid_root, NULL, 30);
    ktest_result("perm.run_fsuid_root", s >= 0 && WIFEXITED(s) && WEXITSTATUS(s) == 0, "%s",
                 ktest_wstr(s));

    /* A set-group-ID directory hands its group down, and the bit to
     * subdirectories (root creates here: the rule is the directory's). */
    mkdirx(BASE "/sgid", 02775, 0, 1234);
    int fd = open(BASE "/sgid/g", O_CREAT | O_WRONLY, 0644);
    if (fd >= 0)
        close(fd);
    mkdir(BASE "/sgid/d", 0755);
    struct stat sf, sd;
    KTEST_CHECK("perm.sgid_dir_group", stat(BASE "/sgid/g", &sf) == 0 && sf.st_gid == 1234);
    KTEST_CHECK("perm.sgid_dir_subdir", stat(BASE "/sgid/d", &sd) == 0 && sd.st_gid == 1234 &&
                                            (sd.st_mode & S_ISGID));

    umount(BASE "/rofs");
    (void)st;
    return 0;
}
