/* mark.h - region markers for the instruction-counting QEMU plugin
 * (bench/plugin/insncount.c), shared by bench.c and scale.c. */
#ifndef BENCH_MARK_H
#define BENCH_MARK_H

/* Markers for bench/plugin/insncount.c: op (open 1, close 2, emit 3) << 4 | slot.
 * x86_64: nopl 0x4b56XXXX(%rax); arm64: movz xzr, #0x4bXX. Both do nothing. */
#if defined(__x86_64__)
#define BENCH_MARK(op, slot) \
    __asm__ volatile(".byte 0x0f, 0x1f, 0x80, %c0, 0x00, 0x56, 0x4b" ::"i"((op) << 4 | (slot)) : "memory")
#elif defined(__aarch64__)
#define BENCH_MARK(op, slot) \
    __asm__ volatile(".inst 0xd280001f | ((0x4b00 | %c0) << 5)" ::"i"((op) << 4 | (slot)) : "memory")
#else
#define BENCH_MARK(op, slot) ((void)0)
#endif
#define REGION_OPEN(slot) BENCH_MARK(1, slot)
#define REGION_CLOSE(slot) BENCH_MARK(2, slot)
#define REGION_EMIT(slot) BENCH_MARK(3, slot)

#endif
