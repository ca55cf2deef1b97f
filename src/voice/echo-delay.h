/* Where the echo is: the delay from a far-end block to its echo in the near
 * end, found by correlating how their levels move from block to block.
 *
 * Why our own: status must show the delay and the ERLE (which lines the
 * far end up with its echo by that delay), and webrtc-audio-processing
 * 0.3's delay metrics say nothing for seconds: measured in
 * tests/integration/voice.sh, none for the first 5.5 s of far-end single
 * talk, so the status ERLE stayed unknown through most of the phase.  The
 * canceller itself still finds the delay its own way (delay-agnostic
 * mode); this only tells status where the echo is.
 *
 * How: each block's level in dB, and how it bends from block to block
 * (the second difference: the level's grain, which a noise-like voice has
 * in every block); the near end's grain correlated with the far end's k
 * blocks before, for every k, averaged over about two seconds of blocks
 * with sound.  The grain, not the level nor its change: a voice's
 * envelope rises and falls over several blocks and correlates at every
 * lag near the right one, and a steady rhythm (the test signal's
 * syllables every 500 ms, a song's beat) at the rhythm's period too:
 * measured with the level's change, the peak at the right lag 35.3 and
 * one at a period later 30.1, too close to tell.  The grain is clipped to
 * a few dB so that an onset counts as little more than any block.  The
 * peak, refined between its neighbours, is the delay, once it stands
 * clear of every lag not next to it and the near end's grain follows the
 * far end's closely enough (normalised: an echo alone reads 0.45 and more,
 * other speech or a talker over the echo less; echo-delay.c).
 *
 * 10 ms blocks; the far blocks given one by one, each near block after the
 * far block it is paired with.  No allocation, no lock: one owner. */
#ifndef CALLBRIDGE_VOICE_ECHO_DELAY_H
#define CALLBRIDGE_VOICE_ECHO_DELAY_H

#include <stdbool.h>
#include <stdint.h>

/* 640 ms: the longest delay found. */
#define CB_ECHO_DELAY_LAGS 64

struct cb_echo_delay {
	float far_db[CB_ECHO_DELAY_LAGS + 2];	/* by far block count */
	uint64_t far_count;
	float near_db[2];			/* the last two near blocks' levels */
	uint32_t near_seen;			/* near blocks so far, up to 2 */
	double corr[CB_ECHO_DELAY_LAGS];	/* near grain x far grain k blocks before */
	double far_power, near_power;		/* far grain squared, near grain squared */
	uint64_t updates;			/* blocks with sound averaged in */
};

void cb_echo_delay_reset(struct cb_echo_delay *d);
/* Mean square power of the next far block, and of the near block paired
 * with the last far block. */
void cb_echo_delay_far(struct cb_echo_delay *d, double power);
void cb_echo_delay_near(struct cb_echo_delay *d, double power);
/* The echo's delay in blocks after the far block paired with its near
 * block (fractional); false while it is not clear. */
bool cb_echo_delay_blocks(const struct cb_echo_delay *d, double *blocks);

#endif
