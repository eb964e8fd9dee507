/* Memory barriers for memory shared with devices (coherent DMA: virtqueue
 * rings, descriptor tables, buffers), as Linux's dma_rmb()/dma_wmb()/mb().
 *
 * MMIO register accesses (<hal/mmio.h>) already order themselves against
 * earlier Normal-memory writes (a write to a doorbell is seen by the device
 * after the ring updates before it); these are for the ring protocol
 * itself: "write the entries, then the index" and "read the index, then
 * the entries" [virtio-v1.2 §2.7.13.3.1, §2.7.14].
 *
 * All three are compiler barriers too. Safe in any context (IRQ, masked).
 * Each arch implements them in hal/<arch>/io.c:
 *   arm64: DMB OSHLD / DMB OSHST / DSB SY [Arm ARM B2.3.5, C6.2.81 DMB, C6.2.83 DSB]
 *   x86_64: loads are not reordered with other loads, nor stores with other
 *   stores, for write-back memory [Intel SDM Vol. 3A §8.2.2], so the first
 *   two are compiler barriers only; hal_mb() is MFENCE [SDM Vol. 2B MFENCE].
 */
#ifndef HAL_BARRIER_H
#define HAL_BARRIER_H

/* Loads before it (e.g. a used-ring index) complete before loads after it
 * (the used-ring entries that index covers). Cacheable coherent memory. */
void hal_dma_rmb(void);
/* Stores before it (descriptors, avail-ring entries) are visible to a
 * coherent device before stores after it (the avail-ring index). */
void hal_dma_wmb(void);
/* Full barrier: every load and store before it, to any memory type
 * including device memory, completes before any after it. */
void hal_mb(void);

#endif
