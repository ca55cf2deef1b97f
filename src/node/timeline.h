/* A ring kept on the graph's timeline: a node's callback that missed a
 * cycle (no buffer, not scheduled) fills the frames it missed with silence
 * at its next cycle, so that the n-th frame of its ring is the n-th frame
 * of the graph since the ring started, whatever the callback saw.  A
 * remote node drops what it would have played in the cycles it missed
 * (its latency stays put).  What a track sends is not filled: the audio
 * of a skipped cycle was not lost (node/track-node.c, push_gap).
 *
 * Why: the echo canceller pairs the far end (the remote nodes' rings) and
 * the near end (a track's ring) frame by frame (pipeline/voice-stage.c).
 * A cycle one of them misses shifts every later pair by a quantum, a jump
 * of the echo's delay the canceller must find and learn again: measured in
 * tests/integration/voice.sh, a track missing one 128-frame cycle moved the
 * echo from 38.0 to 35.4 ms, and the far end's drop fell from 59 to 27 dB.
 *
 * Real-time safe: arithmetic on the callback's own fields. */
#ifndef CALLBRIDGE_NODE_TIMELINE_H
#define CALLBRIDGE_NODE_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>

#include <spa/node/io.h>

/* Larger gaps are no missed cycle but a stop (the graph paused, the node
 * moved to another driver): nothing is filled, the worker starts over. */
#define CB_TIMELINE_MAX_GAP 16384

struct cb_timeline {
	/* the process callback only */
	uint64_t next;		/* the graph position the next cycle should start at */
	bool valid;
};

/* At the start of a cycle: the frames missed since the last one (0 when
 * none, or when the gap is no missed cycle). */
static inline uint32_t cb_timeline_gap(struct cb_timeline *tl, const struct spa_io_position *pos)
{
	uint64_t p, gap = 0;

	if (pos == NULL)
		return 0;
	p = pos->clock.position;
	if (tl->valid && p > tl->next && p - tl->next <= CB_TIMELINE_MAX_GAP)
		gap = p - tl->next;
	tl->next = p + pos->clock.duration;
	tl->valid = true;
	return (uint32_t)gap;
}

#endif
