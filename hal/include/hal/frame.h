/* Physical frames (4 KiB pages of RAM).
 *
 * The allocator policy lives in the core (kernel/mm/frame_alloc.c); the HAL
 * calls it for page tables. Contents are reached through the helpers below
 * so that a Fortress build can take the direct-map pointer away from
 * services (see docs/safety-profiles.md).
 */
#ifndef HAL_FRAME_H
#define HAL_FRAME_H
#include <hal/types.h>

#if __has_include(<kevlar/profile.h>)
#include <kevlar/profile.h>
#endif

/* Allocate 2^order contiguous, naturally aligned frames, zero-filled.
 * Returns the physical address or 0 when out of memory. Not from IRQ context.
 * Implemented by the core. Under Fortress and Balanced ring-2 code (services
 * and drivers, KEVLAR_RING=2) does not see it: it allocates with its
 * capability token through svc_page_alloc() (<kernel/cap.h>). */
#if !((defined(KEVLAR_PROFILE_FORTRESS) || defined(KEVLAR_PROFILE_BALANCED)) && \
      defined(KEVLAR_RING) && KEVLAR_RING >= 2)
paddr_t frame_alloc(unsigned order);
/* A new order-0 frame holding a copy of the page at src (fork's private
 * pages, copy-on-write): as frame_alloc(0) then frame_copy(), without
 * zeroing a frame every byte of which is then overwritten (Linux's
 * alloc_page() without __GFP_ZERO + copy_user_highpage()). Physical address
 * or 0 when out of memory. Implemented by the core. */
paddr_t frame_alloc_copy(paddr_t src);
#endif
/* Drop a reference to what frame_alloc(order) returned; the frames go
 * back to the allocator with the last reference. */
void frame_free(paddr_t pa, unsigned order);
/* Take one more reference to an allocated order-0 frame (a page that a
 * file and its shared mappings, or several address spaces, hold at once);
 * each reference is dropped with frame_free(pa, 0). 0, or -ENOMEM when
 * the frame already has 16383 extra references. Implemented by the core. */
int frame_get(paddr_t pa);

/* Instruction-cache coherence of an order-0 frame, for the arches that
 * must make it by hand before mapping a page executable (arm64: the D-side
 * cleaned to the point of unification, the I-side invalidated; Linux's
 * PG_dcache_clean). The HAL sets it after doing so; it is cleared when the
 * frame is allocated (frame_alloc() zeroes it with frame_zero(), which
 * itself leaves the flag alone) or written through frame_write(),
 * frame_write16(), frame_copy() or handed out by frame_kaddr(). (As on Linux,
 * user stores through a writable mapping are the program's to make
 * coherent.) Memory the allocator does not manage is never clean.
 * Implemented by the core. */
bool frame_icache_clean(paddr_t pa);
void frame_set_icache_clean(paddr_t pa, bool clean);

/* Copy len bytes at offset off of the frame at pa into/out of buf.
 * off + len <= PAGE_SIZE. */
void frame_read(paddr_t pa, size_t off, void *buf, size_t len);
void frame_write(paddr_t pa, size_t off, const void *buf, size_t len);
void frame_zero(paddr_t pa);
/* One single-copy-atomic 16-bit load or store (never torn, never split
 * into bytes) of the little-endian u16 at offset off of the frame at pa:
 * for memory a device writes or reads concurrently, such as a virtqueue's
 * avail->idx and used->idx [virtio-v1.2 §2.7.6, §2.7.8]. off must be even
 * and below PAGE_SIZE. No ordering: pair with <hal/barrier.h>. Safe in IRQ
 * context. Both supported arches are little-endian, so the value is the
 * device's little-endian number as is. */
uint16_t frame_read16(paddr_t pa, size_t off);
void frame_write16(paddr_t pa, size_t off, uint16_t v);
void frame_copy(paddr_t dst, paddr_t src); /* one whole page */

/* The frame's direct-map address. Under Fortress it does not exist for
 * ring-2 code (services and drivers, built with KEVLAR_RING=2): they must
 * use frame_read()/frame_write() (copy-semantic frames, DESIGN.md §5). */
#if !(defined(KEVLAR_PROFILE_FORTRESS) && defined(KEVLAR_RING) && KEVLAR_RING >= 2)
void *frame_kaddr(paddr_t pa);
#endif

#endif
