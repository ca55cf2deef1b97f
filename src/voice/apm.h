/* The voice processor of one track: echo cancellation against a far-end
 * reference, noise suppression, adaptive digital gain control and a
 * high-pass filter, from webrtc-audio-processing 0.3 (the library
 * PipeWire's echo-cancel module uses).  The library is C++; apm.cc is the
 * one C++ file of the tree and this is its C face, so everything else stays
 * C11.
 *
 * Audio goes in 10 ms blocks at 48 kHz (CB_APM_BLOCK frames), the only
 * block the library takes; the library runs 48 kHz natively (it splits it
 * into three bands and cancels echo in the lowest 8 kHz, suppressing the
 * upper bands with the same gains).  One processor is owned by one thread
 * at a time; nothing here is real-time safe (the library allocates on
 * reconfiguration). */
#ifndef CALLBRIDGE_VOICE_APM_H
#define CALLBRIDGE_VOICE_APM_H

#include <stdbool.h>
#include <stdint.h>

#define CB_APM_RATE 48000
#define CB_APM_BLOCK 480		/* frames per 10 ms block */
#define CB_APM_MAX_CHANNELS 2

enum cb_apm_noise {
	CB_APM_NOISE_OFF = 0,
	CB_APM_NOISE_LOW,
	CB_APM_NOISE_MODERATE,
	CB_APM_NOISE_HIGH,
	CB_APM_NOISE_VERY_HIGH,
};

struct cb_apm_settings {
	uint32_t channels;		/* of the near end (the track): 1 or 2 */
	bool echo_cancel;
	/* Playback-to-capture delay of the far end in ms; negative: unknown,
	 * found by the library's delay-agnostic estimator. */
	int echo_delay_ms;
	enum cb_apm_noise noise;
	bool gain_control;
	int gain_target_dbfs;		/* -31..0: the AGC's target peak level */
	bool high_pass;
};

/* What the processor found, for status. */
struct cb_apm_status {
	bool echo_valid;		/* the canceller has run long enough to say */
	float erle_db;			/* echo return loss enhancement, last second */
	int delay_ms;			/* the far end's delay it found (or was given) */
	float gain_db;			/* what the processing did to the level: mostly the AGC */
	bool voice;			/* voice in the last block */
};

struct cb_apm;

/* Whether any of the stages is on: a track whose settings say no pays
 * nothing, not even a processor. */
bool cb_apm_settings_active(const struct cb_apm_settings *s);

int cb_apm_new(struct cb_apm **out, const struct cb_apm_settings *s);
void cb_apm_free(struct cb_apm *a);
/* New settings for a running processor (a reload): stages go on and off
 * and change level in place; the canceller keeps what it learnt unless the
 * delay mode changes.  Same channel count only. */
int cb_apm_update(struct cb_apm *a, const struct cb_apm_settings *s);

/* One block of the far end (mono, CB_APM_BLOCK frames): what the call
 * plays, as it leaves the bridge. */
int cb_apm_far(struct cb_apm *a, const float *mono);
/* One block of the near end, interleaved, processed in place. */
int cb_apm_process(struct cb_apm *a, float *interleaved);

void cb_apm_get_status(struct cb_apm *a, struct cb_apm_status *st);

/* The near end is paired with the far end `ms` early (the send worker
 * pairs near block n with far block n - lead, pipeline/voice-stage.c): a
 * given delay is told to the canceller that much shorter, and the delay
 * status shows is the playback-to-capture one. */
void cb_apm_set_lead(struct cb_apm *a, int ms);

#endif
