/* The jitter buffer driven by an arbitrary schedule of puts and gets:
 * sequence numbers, timestamps, SSRC switches, durations, arrival times and
 * payload sizes all chosen by the fuzzer, RFC 2198 redundant copies among
 * the puts. Checks the slot contract (payload only for PLAY/FEC, inside
 * what was stored, duration bounded). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jitter/jitter-buffer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MS 1000000ull

static uint32_t take(const uint8_t **p, const uint8_t *end, int bytes)
{
	uint32_t v = 0;
	for (int i = 0; i < bytes; i++) {
		v = v << 8 | (*p < end ? **p : 0);
		if (*p < end)
			(*p)++;
	}
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t payload[CB_JITTER_MAX_PAYLOAD + 8];
	struct cb_jitter_buffer_config config = { .clock_rate = 48000, .target_ms = 40,
						  .max_ms = 1000 };
	struct cb_jitter_buffer *jb;
	const uint8_t *p = data, *end = data + size;
	uint64_t now = 5000 * MS;
	uint32_t queued = 0;
	int ops = 0;

	if (size > 0)
		config.target_ms = 5 + data[0] % 200;
	if (cb_jitter_buffer_new(&jb, &config) < 0)
		abort();
	while (p < end && ops++ < 4096) {
		uint8_t op = (uint8_t)take(&p, end, 1);
		now += (uint64_t)(op >> 3) * MS / 2;
		switch (op & 7) {
		case 0: case 1: case 2: {
			uint32_t ssrc = 0x1000 + (take(&p, end, 1) & 3);
			uint16_t seq = (uint16_t)take(&p, end, 2);
			uint32_t ts = take(&p, end, 4);
			uint32_t samples = take(&p, end, 2);
			size_t len = take(&p, end, 2) % sizeof(payload);
			memset(payload, (int)seq, len);
			if ((op & 7) == 2)	/* an RFC 2198 copy, as RED brings it */
				(void)cb_jitter_buffer_put_redundant(jb, ssrc, seq, ts, payload,
								     len, samples);
			else
				(void)cb_jitter_buffer_put(jb, ssrc, seq, ts, payload, len,
							   samples, now);
			break;
		}
		case 3: case 4: case 5: {
			struct cb_jitter_slot slot;
			double latency;
			cb_jitter_buffer_get_queued(jb, now, queued, &slot);
			if ((slot.action == CB_JITTER_PLAY || slot.action == CB_JITTER_FEC) &&
			    (slot.payload == NULL || slot.len == 0 ||
			     slot.len > CB_JITTER_MAX_PAYLOAD))
				abort();
			if (slot.action == CB_JITTER_PLAY || slot.action == CB_JITTER_FEC) {
				volatile uint8_t sink = 0;
				for (size_t i = 0; i < slot.len; i++)
					sink ^= slot.payload[i];
				(void)sink;
			}
			if (slot.samples > 48000 * 10)
				abort();
			queued = (queued + slot.samples) % 9600;
			(void)cb_jitter_buffer_latency(jb, now, queued, &latency);
			(void)cb_jitter_buffer_target_samples(jb);
			(void)cb_jitter_buffer_depth_samples(jb);
			break;
		}
		case 6: {
			struct cb_jitter_stats stats;
			cb_jitter_buffer_stats(jb, &stats);
			break;
		}
		default:
			if ((op >> 3) == 31)
				cb_jitter_buffer_reset(jb);
			else
				now += (uint64_t)take(&p, end, 2) * MS;
			break;
		}
	}
	cb_jitter_buffer_free(jb);
	return 0;
}
