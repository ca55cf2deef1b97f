#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "audio/audio-ring.h"

int cb_audio_ring_init(struct cb_audio_ring *ring, uint32_t channels, uint32_t capacity_frames)
{
	uint32_t size = 1, need;

	memset(ring, 0, sizeof(*ring));
	if (channels == 0 || channels > 8 || capacity_frames == 0 || capacity_frames > (1u << 22))
		return -EINVAL;
	need = capacity_frames * channels * sizeof(float);
	while (size < need)
		size <<= 1;
	ring->data = calloc(1, size);
	if (ring->data == NULL)
		return -ENOMEM;
	ring->size = size;
	ring->channels = channels;
	ring->frame_bytes = channels * sizeof(float);
	spa_ringbuffer_init(&ring->rb);
	atomic_init(&ring->overrun_frames, 0);
	atomic_init(&ring->written_frames, 0);
	atomic_init(&ring->read_frames, 0);
	atomic_init(&ring->clock_offset, CB_AUDIO_RING_NO_CLOCK);
	return 0;
}

void cb_audio_ring_clear(struct cb_audio_ring *ring)
{
	free(ring->data);
	ring->data = NULL;
}

void cb_audio_ring_reset(struct cb_audio_ring *ring)
{
	spa_ringbuffer_init(&ring->rb);
	atomic_store(&ring->written_frames, 0);
	atomic_store(&ring->read_frames, 0);
	atomic_store(&ring->clock_offset, CB_AUDIO_RING_NO_CLOCK);
}

void cb_audio_ring_stamp(struct cb_audio_ring *ring, uint64_t clock_end)
{
	uint64_t w = atomic_load_explicit(&ring->written_frames, memory_order_relaxed);

	/* Two's complement: the offset may be negative, and stays exact
	 * across a wrap of either count. */
	atomic_store_explicit(&ring->clock_offset, (int64_t)(clock_end - w), memory_order_release);
}

bool cb_audio_ring_read_clock(struct cb_audio_ring *ring, int64_t *at)
{
	int64_t off = atomic_load_explicit(&ring->clock_offset, memory_order_acquire);
	uint64_t r = atomic_load_explicit(&ring->read_frames, memory_order_relaxed);

	if (off == CB_AUDIO_RING_NO_CLOCK)
		return false;
	*at = (int64_t)(r + (uint64_t)off);
	return true;
}

/* Whole frames only: the byte size is a power of two but a stereo frame of
 * 8 bytes and a mono one of 4 both divide it, so frames never straddle. */
static uint32_t space_frames(struct cb_audio_ring *ring, uint32_t *index)
{
	int32_t filled = spa_ringbuffer_get_write_index(&ring->rb, index);
	if (filled < 0 || (uint32_t)filled > ring->size)
		return 0;
	return (ring->size - (uint32_t)filled) / ring->frame_bytes;
}

uint32_t cb_audio_ring_space(struct cb_audio_ring *ring)
{
	uint32_t index;

	return space_frames(ring, &index);
}

uint32_t cb_audio_ring_push(struct cb_audio_ring *ring, const float *src, uint32_t frames)
{
	uint32_t index, space = space_frames(ring, &index), n = frames < space ? frames : space;

	if (n < frames)
		atomic_fetch_add_explicit(&ring->overrun_frames, frames - n, memory_order_relaxed);
	if (n == 0)
		return 0;
	spa_ringbuffer_write_data(&ring->rb, ring->data, ring->size, index & (ring->size - 1),
				  src, n * ring->frame_bytes);
	spa_ringbuffer_write_update(&ring->rb, (int32_t)(index + n * ring->frame_bytes));
	atomic_fetch_add_explicit(&ring->written_frames, n, memory_order_release);
	return n;
}

uint32_t cb_audio_ring_push_silence(struct cb_audio_ring *ring, uint32_t frames)
{
	uint32_t index, space = space_frames(ring, &index), n = frames < space ? frames : space;
	uint32_t offset, bytes, first;

	if (n < frames)
		atomic_fetch_add_explicit(&ring->overrun_frames, frames - n, memory_order_relaxed);
	if (n == 0)
		return 0;
	offset = index & (ring->size - 1);
	bytes = n * ring->frame_bytes;
	first = bytes < ring->size - offset ? bytes : ring->size - offset;
	memset((uint8_t *)ring->data + offset, 0, first);
	if (bytes > first)
		memset(ring->data, 0, bytes - first);
	spa_ringbuffer_write_update(&ring->rb, (int32_t)(index + bytes));
	atomic_fetch_add_explicit(&ring->written_frames, n, memory_order_release);
	return n;
}

uint32_t cb_audio_ring_avail(struct cb_audio_ring *ring)
{
	uint32_t index;
	int32_t filled = spa_ringbuffer_get_read_index(&ring->rb, &index);
	if (filled <= 0)
		return 0;
	return (uint32_t)filled / ring->frame_bytes;
}

uint32_t cb_audio_ring_pull(struct cb_audio_ring *ring, float *dst, uint32_t frames)
{
	uint32_t index, avail;
	int32_t filled = spa_ringbuffer_get_read_index(&ring->rb, &index);

	avail = filled > 0 ? (uint32_t)filled / ring->frame_bytes : 0;
	if (frames > avail)
		frames = avail;
	if (frames == 0)
		return 0;
	spa_ringbuffer_read_data(&ring->rb, ring->data, ring->size, index & (ring->size - 1),
				 dst, frames * ring->frame_bytes);
	spa_ringbuffer_read_update(&ring->rb, (int32_t)(index + frames * ring->frame_bytes));
	atomic_fetch_add_explicit(&ring->read_frames, frames, memory_order_release);
	return frames;
}

uint32_t cb_audio_ring_skip(struct cb_audio_ring *ring, uint32_t frames)
{
	uint32_t index, avail;
	int32_t filled = spa_ringbuffer_get_read_index(&ring->rb, &index);

	avail = filled > 0 ? (uint32_t)filled / ring->frame_bytes : 0;
	if (frames > avail)
		frames = avail;
	spa_ringbuffer_read_update(&ring->rb, (int32_t)(index + frames * ring->frame_bytes));
	atomic_fetch_add_explicit(&ring->read_frames, frames, memory_order_release);
	return frames;
}
