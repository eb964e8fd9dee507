/* procfs internals. [proc(5)]
 *
 * The tree is described by static tables of struct proc_entry; per-process
 * directories (/proc/<pid>) and descriptor links (/proc/<pid>/fd/<n>) are
 * made on demand from the task list. Every inode handed to the VFS is an
 * instance of an entry for one task (pid + start time, so a reused pid is
 * a different process) and one fd; instances are cached on the super
 * block (the cache holds one reference) so repeated lookups give the same
 * inode number, and are dropped once their task or fd is gone and the VFS
 * no longer holds them.
 *
 * File contents are generated at open() into a kmalloc'd buffer and read
 * from it by offset (seq_file style).
 */
#ifndef SERVICES_PROCFS_PROCFS_H
#define SERVICES_PROCFS_PROCFS_H
#include <kernel/list.h>
#include <kernel/task.h>
#include <kernel/mutex.h>
#include <kernel/vfs.h>

#define PROC_SUPER_MAGIC 0x9fa0

/* A growing text buffer; on overflow the generator is run again with a
 * bigger one. */
struct seqbuf {
	char *buf;
	size_t len, cap;
	bool overflow;
};
void seq_printf(struct seqbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void seq_write(struct seqbuf *s, const void *data, size_t n);
/* Append what fn writes (fn(buf, room) fills at most room bytes with a
 * NUL-terminated text and returns its length) to s; a text that fills the
 * room marks s as overflowing, so it is generated again with more. 0. */
int seq_fill(struct seqbuf *s, size_t (*fn)(char *buf, size_t room));

enum proc_type { PE_DIR, PE_FILE, PE_LINK };
enum proc_dyn { DYN_NONE, DYN_PIDS, DYN_FDS, DYN_NS, DYN_TASKS, DYN_FDINFO };

struct proc_entry {
	const char *name;
	enum proc_type type;
	mode_t perm;
	bool per_task; /* needs the node's task */
	/* PE_DIR: static children and/or generated ones. */
	const struct proc_entry *children;
	size_t nchildren;
	enum proc_dyn dynamic;
	/* PE_FILE: fill s for task t (NULL unless per_task): 0 or -errno. */
	int (*show)(struct seqbuf *s, struct task *t);
	/* PE_FILE of a descriptor (fdinfo/<n>), instead of show. */
	int (*show_fd)(struct seqbuf *s, struct task *t, int fd);
	/* PE_FILE, optional: a write of buf[0..len) (e.g. comm). */
	ssize_t (*write)(struct task *t, const char *buf, size_t len);
	/* PE_FILE, optional, instead of show: open f as an object of the core
	 * (a namespace file, [setns(2)]); 0 or -errno. */
	int (*open)(struct file *f, struct task *t);
	/* PE_LINK: the target into buf (at most len bytes, no NUL needed);
	 * its length or -errno. fd is the node's descriptor number. */
	ssize_t (*readlink)(struct task *t, int fd, char *buf, size_t len);
	/* PE_LINK, optional: a magic link's open file (i_op->get_link_file). */
	int (*get_file)(struct task *t, int fd, struct file **out);
};

/* inode->i_private: one instance of an entry. */
struct proc_node {
	struct list_head list; /* in proc_sb.nodes */
	const struct proc_entry *entry;
	int pid;	   /* per-task entries */
	uint64_t start_ns; /* the task's, to detect pid reuse */
	int fd;		   /* fd links and the fd directory: -1 else */
	struct inode *inode;
};

struct proc_sb {
	/* lock (a mutex) guards nodes: lookups on several CPUs add to it,
	 * proc_gc() removes stale nodes (and drops them after unlocking). */
	struct mutex lock;
	struct list_head nodes;
};

/* The trees (tables.c). */
extern const struct proc_entry proc_root_entry;
extern const struct proc_entry proc_pid_entry;
extern const struct proc_entry proc_fd_entry;
extern const struct proc_entry proc_fdinfo_entry;
extern const struct proc_entry proc_tid_entry; /* /proc/<pid>/task/<tid> */
/* /proc/<pid>/ns/uts:[<inum>], what the link ns/uts points at (DYN_NS). */
extern const struct proc_entry proc_ns_uts_file_entry;

/* The live task a node refers to, with a reference (put_task() it), or
 * NULL if it exited and was reaped or its pid now names another process. */
struct task *proc_node_task(const struct proc_node *n);
/* Open file fd of task t with a reference (fput() it), or NULL: t's table
 * is held meanwhile (get_task_files()), so t's exit cannot free it. */
struct file *proc_task_fd_get(struct task *t, int fd);

/* File operations of generated files and link operations (file.c). */
extern const struct file_operations proc_file_fops;
extern const struct inode_operations proc_file_iops;
/* chmod/chown: -EPERM; times kept; size ignored (file.c). */
int proc_setattr(struct inode *inode, const struct iattr *attr);
extern const struct inode_operations proc_link_iops;
/* Directory operations (dir.c). */
extern const struct file_operations proc_dir_fops;
extern const struct inode_operations proc_dir_iops;

/* The cached inode for (entry, task, fd), made if missing; referenced
 * (caller iputs). NULL on -ENOMEM. t may be NULL for global entries. */
struct inode *proc_get_inode(struct super_block *sb, const struct proc_entry *e, struct task *t,
			     int fd);
/* Drop cached instances no one uses whose task or fd is gone. */
void proc_gc(struct super_block *sb);

/* Generators (pid_files.c, sys_files.c). */
int proc_show_pid_stat(struct seqbuf *s, struct task *t);
int proc_show_net_unix(struct seqbuf *s, struct task *t);
int proc_show_pid_status(struct seqbuf *s, struct task *t);
int proc_show_pid_statm(struct seqbuf *s, struct task *t);
int proc_show_pid_auxv(struct seqbuf *s, struct task *t);
int proc_get_fd_file(struct task *t, int fd, struct file **out);
int proc_show_pid_cmdline(struct seqbuf *s, struct task *t);
int proc_show_pid_comm(struct seqbuf *s, struct task *t);
ssize_t proc_write_pid_comm(struct task *t, const char *buf, size_t len);
int proc_show_pid_maps(struct seqbuf *s, struct task *t);
struct vm_area;
/* One /proc/<pid>/maps line for vma (path: a PATH_MAX scratch buffer). */
struct mm;
void proc_show_vma_header(struct seqbuf *s, struct mm *mm, struct vm_area *vma, char *path);
/* smaps.c */
int proc_show_pid_smaps(struct seqbuf *s, struct task *t);
int proc_show_pid_smaps_rollup(struct seqbuf *s, struct task *t);
int proc_show_pid_fdinfo(struct seqbuf *s, struct task *t, int fd);
int proc_show_mounts(struct seqbuf *s, struct task *t);
int proc_show_mountinfo(struct seqbuf *s, struct task *t);
int proc_show_pid_environ(struct seqbuf *s, struct task *t);
ssize_t proc_link_cwd(struct task *t, int fd, char *buf, size_t len);
int proc_show_boot_id(struct seqbuf *s, struct task *t);
int proc_show_uuid(struct seqbuf *s, struct task *t);
int proc_show_entropy_avail(struct seqbuf *s, struct task *t);
int proc_show_poolsize(struct seqbuf *s, struct task *t);
int proc_show_hostname(struct seqbuf *s, struct task *t);
int proc_show_domainname(struct seqbuf *s, struct task *t);
ssize_t proc_write_hostname(struct task *t, const char *buf, size_t len);
ssize_t proc_write_domainname(struct task *t, const char *buf, size_t len);
int proc_show_ngroups_max(struct seqbuf *s, struct task *t);
int proc_show_pipe_max_size(struct seqbuf *s, struct task *t);
ssize_t proc_write_pipe_max_size(struct task *t, const char *buf, size_t len);
int proc_show_cap_last_cap(struct seqbuf *s, struct task *t);
ssize_t proc_link_exe(struct task *t, int fd, char *buf, size_t len);
ssize_t proc_link_root(struct task *t, int fd, char *buf, size_t len);
ssize_t proc_link_fd(struct task *t, int fd, char *buf, size_t len);
ssize_t proc_link_self(struct task *t, int fd, char *buf, size_t len);
ssize_t proc_link_mounts(struct task *t, int fd, char *buf, size_t len);
ssize_t proc_link_net(struct task *t, int fd, char *buf, size_t len);
int proc_show_net_dev(struct seqbuf *s, struct task *t);
int proc_show_net_tcp(struct seqbuf *s, struct task *t);
int proc_show_net_udp(struct seqbuf *s, struct task *t);
int proc_show_net_route(struct seqbuf *s, struct task *t);
ssize_t proc_link_ns_uts(struct task *t, int fd, char *buf, size_t len);
int proc_open_ns_uts(struct file *f, struct task *t);
int proc_show_dmesg_restrict(struct seqbuf *s, struct task *t);

int proc_show_cpuinfo(struct seqbuf *s, struct task *t);
int proc_show_meminfo(struct seqbuf *s, struct task *t);
int proc_show_uptime(struct seqbuf *s, struct task *t);
int proc_show_version(struct seqbuf *s, struct task *t);
int proc_show_kevlar_acpi(struct seqbuf *s, struct task *t);
int proc_show_kevlar_hardening(struct seqbuf *s, struct task *t);
int proc_show_kevlar_services(struct seqbuf *s, struct task *t);
int proc_show_kevlar_smp(struct seqbuf *s, struct task *t);
int proc_show_kevlar_syscalls(struct seqbuf *s, struct task *t);
int proc_show_loadavg(struct seqbuf *s, struct task *t);
int proc_show_stat(struct seqbuf *s, struct task *t);
int proc_show_filesystems(struct seqbuf *s, struct task *t);
int proc_show_cmdline(struct seqbuf *s, struct task *t);
int proc_show_ostype(struct seqbuf *s, struct task *t);
int proc_show_osrelease(struct seqbuf *s, struct task *t);
int proc_show_pid_max(struct seqbuf *s, struct task *t);
int proc_show_hw_random(struct seqbuf *s, struct task *t);   /* driver_files.c */
int proc_show_partitions(struct seqbuf *s, struct task *t);  /* block_files.c */
int proc_show_pci_devices(struct seqbuf *s, struct task *t); /* pci_files.c */

/* Kernel identity shown by /proc/version and /proc/sys/kernel. */
#define PROC_OSRELEASE "6.1.0-kevlar"

#endif
