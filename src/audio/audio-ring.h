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
	/* Where the frames sit on the producer's clock (the graph's, for the
	 * rings a node's callback fills): frame i is at i + clock_offset, as
	 * of the producer's last stamp (CB_AUDIO_RING_NO_CLOCK: none yet).  A
	 * ring that keeps to the clock keeps it constant; frames lost, doubled
	 * or dropped when full move it, and a consumer pairing two rings by
	 * time (pipeline/voice-stage.c) sees by how much. */
	atomic_int_least64_t clock_offset;
};

#define CB_AUDIO_RING_NO_CLOCK INT64_MIN

/* capacity_frames is rounded up so the byte size is a power of two. */
int cb_audio_ring_init(struct cb_audio_ring *ring, uint32_t channels, uint32_t capacity_frames);
void cb_audio_ring_clear(struct cb_audio_ring *ring);
/* Empties the ring for a new user; only while neither side touches it. */
void cb_audio_ring_reset(struct cb_audio_ring *ring);

/* Producer side (real-time safe). Returns frames stored. */
uint32_t cb_audio_ring_push(struct cb_audio_ring *ring, const float *src, uint32_t frames);
/* Producer side: frames of silence, for a buffer that came with no data. */
uint32_t cb_audio_ring_push_silence(struct cb_audio_ring *ring, uint32_t frames);

/* Producer side (real-time safe): what it has written ends at clock_end. */
void cb_audio_ring_stamp(struct cb_audio_ring *ring, uint64_t clock_end);

/* Producer side: frames that fit now. */
uint32_t cb_audio_ring_space(struct cb_audio_ring *ring);

/* Consumer side. */
uint32_t cb_audio_ring_avail(struct cb_audio_ring *ring);
uint32_t cb_audio_ring_pull(struct cb_audio_ring *ring, float *dst, uint32_t frames);
uint32_t cb_audio_ring_skip(struct cb_audio_ring *ring, uint32_t frames);
/* Consumer side: the clock position of the next frame to read, by the
 * last stamp (exact when no frame went astray between the two); false when
 * never stamped. */
bool cb_audio_ring_read_clock(struct cb_audio_ring *ring, int64_t *at);

#endif
