/* The lock-free hand-over of interleaved float frames between exactly one
 * producer and one consumer thread, on an spa_ringbuffer: a track's PipeWire
 * process callback feeding the media worker, or the receive worker feeding a
 * remote's process callback.  Neither side blocks or allocates.  A full ring
 * drops what is new and counts it, because only the consumer may move the
 * read index. */
#ifndef CALLBRIDGE_AUDIO_RING_H
#define CALLBRIDGE_AUDIO_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <spa/utils/ringbuffer.h>

struct cb_audio_ring {
	struct spa_ringbuffer rb;
	float *data;
	uint32_t size;		/* bytes, a power of two */
	uint32_t channels;
	uint32_t frame_bytes;
	atomic_uint_fast64_t overrun_frames;	/* dropped by the producer */
	/* Frames ever stored (producer) and ever taken, pulled or skipped
	 * (consumer): positions in the ring's stream, which a mark or an
	 * "open" names and any thread may read. */
	atomic_uint_fast64_t written_frames;
	atomic_uint_fast64_t read_frames;
};

/* capacity_frames is rounded up so the byte size is a power of two. */
int cb_audio_ring_init(struct cb_audio_ring *ring, uint32_t channels, uint32_t capacity_frames);
void cb_audio_ring_clear(struct cb_audio_ring *ring);
/* Empties the ring for a new user; only while neither side touches it. */
void cb_audio_ring_reset(struct cb_audio_ring *ring);

/* Producer side (real-time safe). Returns frames stored. */
uint32_t cb_audio_ring_push(struct cb_audio_ring *ring, const float *src, uint32_t frames);
/* Producer side: frames of silence, for a buffer that came with no data. */
uint32_t cb_audio_ring_push_silence(struct cb_audio_ring *ring, uint32_t frames);

/* Producer side: frames that fit now. */
uint32_t cb_audio_ring_space(struct cb_audio_ring *ring);

/* Consumer side. */
uint32_t cb_audio_ring_avail(struct cb_audio_ring *ring);
uint32_t cb_audio_ring_pull(struct cb_audio_ring *ring, float *dst, uint32_t frames);
uint32_t cb_audio_ring_skip(struct cb_audio_ring *ring, uint32_t frames);

#endif
