/* Namespaces [namespaces(7)]. This version has the UTS namespace
 * [uts_namespaces(7)] (kernel/proc/uts.c): host and domain name per group
 * of processes, made by unshare(CLONE_NEWUTS), joined with setns(2)
 * through the file /proc/<pid>/ns/uts names. */
#ifndef KERNEL_NS_H
#define KERNEL_NS_H
#include <hal/types.h>

struct file;
struct task;

/* The inode number that names t's UTS namespace ("uts:[<inum>]"; the
 * initial namespace is 4026531838, PROC_UTS_INIT_INO, as on Linux). */
uint64_t uts_ns_inum(struct task *t);
/* Make f (being opened) a namespace file for t's UTS namespace: it holds a
 * reference to the namespace until closed, and setns(2) accepts it. Called
 * from a file system's open (procfs); replaces f's operations. 0. */
int uts_ns_file_open(struct file *f, struct task *t);
/* t's host name (domain false) or NIS domain name (true) into out[len]
 * with NUL, as uname(2) shows them. */
void uts_ns_name(struct task *t, bool domain, char *out, size_t len);
/* Set the calling task's host or domain name from name[0..len) (a kernel
 * buffer), as /proc/sys/kernel/hostname writes do (Linux's proc_dostring):
 * up to the first newline or NUL, cut to 64 bytes. 0, or -EPERM (not
 * root). */
int uts_ns_set_name(bool domain, const char *name, size_t len);

#endif
