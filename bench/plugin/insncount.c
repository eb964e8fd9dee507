/* insncount.c - a QEMU TCG plugin that counts guest instructions per benchmark.
 *
 * Loaded by Debian's qemu-system-x86_64 / qemu-system-aarch64 (7.2):
 *
 *   -plugin bazel-bin/bench/plugin/libinsncount.so,arg=out=FILE[,arg=mem=off]
 *           [,arg=profile=K,arg=pcs=FILE]
 *
 * What is counted: every instruction every vCPU executes (kernel, user, interrupts,
 * other processes, the idle loop) while a region is open, so a figure is the whole
 * machine's cost of an operation. The guest program opens and closes regions with
 * marker instructions that are architectural no-ops on every kernel, so the same
 * static binary marks its loops identically under our kernel and under Linux
 * (bench/bench.c, BENCH_MARK):
 *
 *   x86_64:  nopl 0x4b56XXXX(%rax)    0f 1f 80 XX XX 56 4b   (a hinting NOP; no access)
 *   arm64:   movz xzr, #0x4bXX        0xd280001f | 0x4bXX << 5 (writes the zero register)
 *
 * XX = op << 4 | slot: op 1 opens region `slot` (0..15), 2 closes it (adding what
 * ran since it was opened to the slot's total: a slot may be opened and closed many
 * times), 3 emits the slot's totals as one line and clears them:
 *
 *   INSNS slot=S insns=N kernel=K user=U mem=M
 *
 * K and U split N by the address of the code (the upper half is the kernel on both
 * arches, for us as for Linux); M counts guest memory accesses (loads and stores;
 * mem=off drops it, about a third faster). Counting is per translation block with an
 * inline add, so a region's edges are exact to the block holding the marker (a few
 * instructions; nothing next to the thousands of iterations of a benchmark).
 *
 * profile=K adds, while a region is open and K regions have been emitted before (K is
 * the benchmark's 0-based position among the guest's BENCH lines: execve_static is 10
 * in bench.c), an execution count per translation block; at exit pcs=FILE gets
 * "vaddr insns" lines (instructions executed in blocks starting at vaddr, summed), for
 * bench/plugin/symbolize.py to attribute to functions.
 *
 * Single vCPU as bench/compare.sh runs it (-smp 1): the counters are plain, as the
 * API's inline ops are not atomic. QEMU plugin API: include/qemu/qemu-plugin.h of
 * QEMU 7.2 (tools/fetch-qemu.sh). */
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

enum { SLOTS = 16, OP_OPEN = 1, OP_CLOSE = 2, OP_EMIT = 3 };

struct counts {
    uint64_t kernel, user, mem;
};

static struct counts now;               /* since boot, bumped inline */
static struct counts opened[SLOTS];     /* `now` when the slot was last opened */
static struct counts total[SLOTS];      /* summed over the slot's open periods */
static bool is_open[SLOTS];
static unsigned n_open;                 /* slots open now */
static unsigned n_emitted;              /* INSNS lines so far */
static FILE *out;
static bool count_mem = true;
static bool arch_x86;

/* Profile: one record per translation, summed by vaddr at exit. */
struct tb_rec {
    uint64_t vaddr, n_insns, execs;
};
static int profile_k = -1;
static const char *pcs_path;
static struct tb_rec **tbs;
static size_t n_tbs, cap_tbs;
static pthread_mutex_t tbs_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_marker(unsigned int vcpu, void *udata)
{
    (void)vcpu;
    unsigned code = (unsigned)(uintptr_t)udata, op = code >> 4, slot = code & 15;
    switch (op) {
    case OP_OPEN:
        opened[slot] = now;
        n_open += !is_open[slot];
        is_open[slot] = true;
        break;
    case OP_CLOSE:
        if (!is_open[slot])
            break;
        total[slot].kernel += now.kernel - opened[slot].kernel;
        total[slot].user += now.user - opened[slot].user;
        total[slot].mem += now.mem - opened[slot].mem;
        is_open[slot] = false;
        n_open--;
        break;
    case OP_EMIT:
        fprintf(out, "INSNS slot=%u insns=%" PRIu64 " kernel=%" PRIu64 " user=%" PRIu64
                " mem=%" PRIu64 "\n", slot, total[slot].kernel + total[slot].user,
                total[slot].kernel, total[slot].user, count_mem ? total[slot].mem : 0);
        fflush(out);
        memset(&total[slot], 0, sizeof total[slot]);
        n_emitted++;
        break;
    }
}

static void on_tb_exec(unsigned int vcpu, void *udata)
{
    (void)vcpu;
    if (n_open && n_emitted == (unsigned)profile_k)
        ((struct tb_rec *)udata)->execs++;
}

/* The marker's code (op << 4 | slot), or -1 if insn is not a marker. */
static int marker_code(struct qemu_plugin_insn *insn)
{
    const uint8_t *b = qemu_plugin_insn_data(insn);
    size_t n = qemu_plugin_insn_size(insn);
    if (arch_x86) {
        if (n == 7 && b[0] == 0x0f && b[1] == 0x1f && b[2] == 0x80 && b[5] == 0x56 &&
            b[6] == 0x4b && b[4] == 0)
            return b[3];
        return -1;
    }
    if (n != 4)
        return -1;
    uint32_t w = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
    if ((w & 0xffe0001f) == 0xd280001f && ((w >> 5) & 0xff00) == 0x4b00)
        return (w >> 5) & 0xff;
    return -1;
}

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
    bool kernel = vaddr >> 63;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
                                             kernel ? &now.kernel : &now.user, n);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        if (count_mem)
            qemu_plugin_register_vcpu_mem_inline(insn, QEMU_PLUGIN_MEM_RW,
                                                 QEMU_PLUGIN_INLINE_ADD_U64, &now.mem, 1);
        int code = marker_code(insn);
        if (code >= 0 && (code >> 4) >= OP_OPEN && (code >> 4) <= OP_EMIT)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker, QEMU_PLUGIN_CB_NO_REGS,
                                                   (void *)(uintptr_t)code);
    }
    if (profile_k >= 0) {
        struct tb_rec *r = calloc(1, sizeof *r);
        if (!r)
            return;
        r->vaddr = vaddr;
        r->n_insns = n;
        pthread_mutex_lock(&tbs_lock);
        if (n_tbs == cap_tbs) {
            size_t cap = cap_tbs ? 2 * cap_tbs : 4096;
            struct tb_rec **t = realloc(tbs, cap * sizeof *t);
            if (t) {
                tbs = t;
                cap_tbs = cap;
            }
        }
        if (n_tbs < cap_tbs)
            tbs[n_tbs++] = r;
        pthread_mutex_unlock(&tbs_lock);
        qemu_plugin_register_vcpu_tb_exec_cb(tb, on_tb_exec, QEMU_PLUGIN_CB_NO_REGS, r);
    }
}

static int by_vaddr(const void *a, const void *b)
{
    const struct tb_rec *x = *(struct tb_rec *const *)a, *y = *(struct tb_rec *const *)b;
    return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

static void plugin_exit(qemu_plugin_id_t id, void *udata)
{
    (void)id;
    (void)udata;
    if (profile_k < 0 || !pcs_path)
        return;
    FILE *f = fopen(pcs_path, "w");
    if (!f)
        return;
    qsort(tbs, n_tbs, sizeof *tbs, by_vaddr);
    for (size_t i = 0; i < n_tbs;) {
        uint64_t v = tbs[i]->vaddr, insns = 0;
        for (; i < n_tbs && tbs[i]->vaddr == v; i++)
            insns += tbs[i]->execs * tbs[i]->n_insns;
        if (insns)
            fprintf(f, "%016" PRIx64 " %" PRIu64 "\n", v, insns);
    }
    fclose(f);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    out = stderr;
    if (!strcmp(info->target_name, "x86_64"))
        arch_x86 = true;
    else if (strcmp(info->target_name, "aarch64")) {
        fprintf(stderr, "insncount: no marker defined for %s\n", info->target_name);
        return -1;
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *eq = strchr(a, '=');
        if (!eq)
            goto bad;
        size_t k = (size_t)(eq - a);
        const char *v = eq + 1;
        if (k == 3 && !strncmp(a, "out", 3)) {
            out = fopen(v, "w");
            if (!out) {
                perror(v);
                return -1;
            }
        } else if (k == 3 && !strncmp(a, "mem", 3)) {
            if (!qemu_plugin_bool_parse("mem", v, &count_mem))
                goto bad;
        } else if (k == 7 && !strncmp(a, "profile", 7)) {
            profile_k = atoi(v);
            if (profile_k < 0)
                goto bad;
        } else if (k == 3 && !strncmp(a, "pcs", 3)) {
            pcs_path = v;
        } else {
            goto bad;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
bad:
    fprintf(stderr, "insncount: bad argument (out=FILE mem=on|off profile=K pcs=FILE)\n");
    return -1;
}
