/* The lock-free hand-over between a track's PipeWire process callback (the
 * only producer) and the media worker (the only consumer): interleaved float
 * frames in an spa_ringbuffer.  The producer never blocks or allocates; when
 * the ring is full it drops what is new and counts it, because the consumer
 * alone may move the read index. */
#ifndef CALLBRIDGE_TRACK_RING_H
#define CALLBRIDGE_TRACK_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <spa/utils/ringbuffer.h>

struct cb_track_ring {
	struct spa_ringbuffer rb;
	float *data;
	uint32_t size;		/* bytes, a power of two */
	uint32_t channels;
	uint32_t frame_bytes;
	atomic_uint_fast64_t overrun_frames;	/* dropped by the producer */
};

/* capacity_frames is rounded up so the byte size is a power of two. */
int cb_track_ring_init(struct cb_track_ring *ring, uint32_t channels, uint32_t capacity_frames);
void cb_track_ring_clear(struct cb_track_ring *ring);

/* Producer side (real-time safe). Returns frames stored. */
uint32_t cb_track_ring_push(struct cb_track_ring *ring, const float *src, uint32_t frames);
/* Producer side: frames of silence, for a buffer that came with no data. */
uint32_t cb_track_ring_push_silence(struct cb_track_ring *ring, uint32_t frames);

/* Consumer side. */
uint32_t cb_track_ring_avail(struct cb_track_ring *ring);
uint32_t cb_track_ring_pull(struct cb_track_ring *ring, float *dst, uint32_t frames);
uint32_t cb_track_ring_skip(struct cb_track_ring *ring, uint32_t frames);

#endif
