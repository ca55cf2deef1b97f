// The C face of webrtc-audio-processing 0.3 (see apm.h): the one C++ file
// of the tree.  No exception leaves it: the library does not throw, and the
// only allocation (new) is made nothrow.
#include <cerrno>
#include <cmath>
#include <algorithm>
#include <cstring>
#include <new>

#include <webrtc/common.h>
#include <webrtc/modules/audio_processing/include/audio_processing.h>

extern "C" {
#include "voice/apm.h"
#include "voice/echo-delay.h"
}

// The AGC's digital compression gain (the library's default is 9 dB) and
// its limiter keep a -6 dBFS tone unclipped while lifting a -40 dBFS one:
// the adaptive stage finds the gain, the compressor caps the peaks.
static const int kCompressionGainDb = 9;

// 640 ms of far block powers: the longest echo delay the ERLE lines up.
#define ERLE_HISTORY 64

struct cb_apm {
	webrtc::AudioProcessing *apm;
	struct cb_apm_settings settings;
	webrtc::StreamConfig near_config;
	webrtc::StreamConfig far_config;
	float planes[CB_APM_MAX_CHANNELS][CB_APM_BLOCK];
	float far_plane[CB_APM_BLOCK];
	bool far_seen;			// any far block since the last delay change
	uint64_t blocks;
	// Level in and out over voice blocks, smoothed, for the gain status.
	double in_power;
	double out_power;
	bool voice;
	int errors;
	// The echo return loss enhancement, measured here: the level in and
	// out over blocks of far-end single talk, smoothed over about a
	// second.  (0.3's own figure counts double talk in: a near-end
	// talker drags it to 0 dB, and its average stays "not measured" for
	// seconds.)  Single talk: the mic no louder than the far end, as it
	// was the echo's delay ago, times the echo path's loss (ERL) makes it
	// alone, within 3 dB.  Both sides aligned by the delay found and
	// smoothed alike, so a syllable's onset is no talker.
	double far_hist[ERLE_HISTORY];	// far block powers, by far block count
	uint64_t far_count;
	struct cb_echo_delay finder;	// our own estimate of it (voice/echo-delay.h)
	int delay_ms;			// the echo's delay as paired, last found (-1: not yet)
	int lead_ms;			// how far ahead the near end is paired (cb_apm_set_lead)
	uint32_t delay_blocks;		// the same in blocks
	double far_level;		// the far end the delay ago, smoothed
	double mic_level;		// the mic before processing, smoothed alike
	double erl;			// mic over far in echo alone (the lowest ratio seen)
	uint64_t far_blocks;		// blocks with the far end playing
	double erle_in;
	double erle_out;
	uint64_t erle_blocks;
};

// What 0.3's delay estimate misses of the playback-to-capture delay: its
// median is the echo's offset behind the canceller's own buffering.
// Measured offline (tests/unit/voice): true 20, 40, 60, 100, 150, 250 ms
// reported 8, 28, 48, 88, 140, 240 ms.
static const int kDelayReportOffsetMs = 12;

// -120 dBFS as a block power: the quietest level the ERLE counts.
static const double kPowerFloor = 1e-12;

// A playback-to-capture delay as the canceller sees it, the near end
// paired lead_ms early (negative stays: not known).
static int paired_ms(const struct cb_apm *a, int ms)
{
	return ms < 0 ? ms : std::max(ms - a->lead_ms, 0);
}

// The echo's delay for the ERLE, as paired (negative: not known yet).  A
// delay found anew starts the ERLE over: what it measured lined up the
// wrong far end, and its echo-path loss (the lowest level ratio seen, which
// rises 2 dB a second) would keep it from counting the right one for
// seconds: seen, status 21 dB for the rest of a phase whose echo went down
// 51 dB, after the library's early 22 ms gave way to the 40 ms found.
static void set_delay(struct cb_apm *a, int ms)
{
	uint32_t blocks = ms >= 0 ? (uint32_t)std::min((ms + 5) / 10, ERLE_HISTORY - 3) : 0;

	if (blocks != a->delay_blocks || (ms < 0) != (a->delay_ms < 0)) {
		a->erl = a->erle_in = a->erle_out = 0.0;
		a->erle_blocks = a->far_blocks = 0;
	}
	a->delay_ms = ms;
	a->delay_blocks = blocks;
}

static webrtc::NoiseSuppression::Level noise_level(enum cb_apm_noise n)
{
	switch (n) {
	case CB_APM_NOISE_LOW:
		return webrtc::NoiseSuppression::kLow;
	case CB_APM_NOISE_HIGH:
		return webrtc::NoiseSuppression::kHigh;
	case CB_APM_NOISE_VERY_HIGH:
		return webrtc::NoiseSuppression::kVeryHigh;
	default:
		return webrtc::NoiseSuppression::kModerate;
	}
}

extern "C" bool cb_apm_settings_active(const struct cb_apm_settings *s)
{
	return s->echo_cancel || s->noise != CB_APM_NOISE_OFF || s->gain_control || s->high_pass;
}

// Everything but the delay mode, which is a constructor option.
static int apply(struct cb_apm *a, const struct cb_apm_settings *s)
{
	webrtc::AudioProcessing *p = a->apm;
	int err = 0;

	// The extended filter (longer echo paths, as a room and a graph
	// have) and the delay-agnostic estimator when the delay is unknown.
	webrtc::Config extra;
	extra.Set<webrtc::ExtendedFilter>(new webrtc::ExtendedFilter(true));
	extra.Set<webrtc::DelayAgnostic>(new webrtc::DelayAgnostic(s->echo_delay_ms < 0));
	p->SetExtraOptions(extra);

	err |= p->echo_cancellation()->Enable(s->echo_cancel);
	if (s->echo_cancel) {
		err |= p->echo_cancellation()->set_suppression_level(
			webrtc::EchoCancellation::kLowSuppression);
		err |= p->echo_cancellation()->enable_metrics(true);
		err |= p->echo_cancellation()->enable_delay_logging(true);
		err |= p->echo_cancellation()->enable_drift_compensation(false);
	}
	err |= p->noise_suppression()->Enable(s->noise != CB_APM_NOISE_OFF);
	if (s->noise != CB_APM_NOISE_OFF)
		err |= p->noise_suppression()->set_level(noise_level(s->noise));
	err |= p->gain_control()->Enable(s->gain_control);
	if (s->gain_control) {
		err |= p->gain_control()->set_mode(webrtc::GainControl::kAdaptiveDigital);
		// The library counts the target as a positive number of dB
		// below full scale.
		err |= p->gain_control()->set_target_level_dbfs(-s->gain_target_dbfs);
		err |= p->gain_control()->set_compression_gain_db(kCompressionGainDb);
		err |= p->gain_control()->enable_limiter(true);
	}
	err |= p->high_pass_filter()->Enable(s->high_pass);
	// Voice detection always: status says whether someone speaks.
	err |= p->voice_detection()->Enable(true);
	err |= p->voice_detection()->set_likelihood(webrtc::VoiceDetection::kModerateLikelihood);
	return err ? -EINVAL : 0;
}

extern "C" int cb_apm_new(struct cb_apm **out, const struct cb_apm_settings *s)
{
	struct cb_apm *a;
	int res;

	if (s->channels < 1 || s->channels > CB_APM_MAX_CHANNELS)
		return -EINVAL;
	a = new (std::nothrow) cb_apm();
	if (a == NULL)
		return -ENOMEM;
	webrtc::Config config;
	config.Set<webrtc::ExtendedFilter>(new webrtc::ExtendedFilter(true));
	config.Set<webrtc::DelayAgnostic>(new webrtc::DelayAgnostic(s->echo_delay_ms < 0));
	a->apm = webrtc::AudioProcessing::Create(config);
	if (a->apm == NULL) {
		delete a;
		return -ENOMEM;
	}
	a->settings = *s;
	set_delay(a, paired_ms(a, s->echo_delay_ms));
	a->near_config = webrtc::StreamConfig(CB_APM_RATE, (int)s->channels);
	a->far_config = webrtc::StreamConfig(CB_APM_RATE, 1);
	webrtc::ProcessingConfig pc = { { a->near_config, a->near_config, a->far_config,
					  a->far_config } };
	if (a->apm->Initialize(pc) != webrtc::AudioProcessing::kNoError ||
	    (res = apply(a, s)) < 0) {
		cb_apm_free(a);
		return -EINVAL;
	}
	*out = a;
	return 0;
}

extern "C" void cb_apm_free(struct cb_apm *a)
{
	if (a == NULL)
		return;
	delete a->apm;
	delete a;
}

extern "C" int cb_apm_update(struct cb_apm *a, const struct cb_apm_settings *s)
{
	if (s->channels != a->settings.channels)
		return -EINVAL;
	// A new echo path or none: what status measured was of the old one.
	if (s->echo_cancel != a->settings.echo_cancel || s->echo_delay_ms != a->settings.echo_delay_ms) {
		a->erl = a->erle_in = a->erle_out = 0.0;
		a->erle_blocks = a->far_blocks = 0;
		cb_echo_delay_reset(&a->finder);
		set_delay(a, paired_ms(a, s->echo_delay_ms));
	}
	a->settings = *s;
	return apply(a, s);
}

static double block_power(const float *x, uint32_t n)
{
	double sum = 0.0;
	for (uint32_t i = 0; i < n; i++)
		sum += (double)x[i] * x[i];
	return sum / n;
}

extern "C" int cb_apm_far(struct cb_apm *a, const float *mono)
{
	const float *planes[1] = { a->far_plane };
	float *outs[1] = { a->far_plane };

	if (!a->settings.echo_cancel)
		return 0;
	std::memcpy(a->far_plane, mono, sizeof(a->far_plane));
	a->far_seen = true;
	a->far_hist[a->far_count % ERLE_HISTORY] = block_power(mono, CB_APM_BLOCK);
	cb_echo_delay_far(&a->finder, a->far_hist[a->far_count++ % ERLE_HISTORY]);
	if (a->apm->ProcessReverseStream(planes, a->far_config, a->far_config, outs) !=
	    webrtc::AudioProcessing::kNoError) {
		a->errors++;
		return -EIO;
	}
	return 0;
}

// The ERLE over far-end single talk (see struct cb_apm): double talk is
// the near end's own level, not what the canceller removed.
static void measure_erle(struct cb_apm *a, double pin, double pout)
{
	const double k_level = 0.5, k_erle = 0.02;
	uint64_t at;
	double far = 0.0, ratio;

	// The far block paired with this one was the last given; the echo
	// in this one left the delay before (the largest of three blocks
	// around it: the delay is known to a block or so).
	if (a->far_count == 0)
		return;
	at = a->far_count - 1;
	for (int d = -1; d <= 1; d++) {
		uint64_t back = (uint64_t)a->delay_blocks + (uint64_t)(d + 1);

		if (back >= 1 && back - 1 <= at && back - 1 < ERLE_HISTORY)
			far = std::fmax(far, a->far_hist[(at - (back - 1)) % ERLE_HISTORY]);
	}
	a->far_level += k_level * (far - a->far_level);
	a->mic_level += k_level * (pin - a->mic_level);
	// -60 dBFS: the far end plays.
	if (a->far_level < 1e-6 || a->mic_level < 1e-12)
		return;
	ratio = a->mic_level / a->far_level;
	// Down fast, up slowly (2 dB a second): the echo alone gives the
	// lowest ratio; a talker raises it for a while only.  After 200 ms of
	// far end (the delay is found by then, or given).
	if (++a->far_blocks < 20)
		return;
	if (a->erl <= 0.0)
		a->erl = ratio;
	else if (ratio < a->erl)
		a->erl += 0.1 * (ratio - a->erl);
	else
		a->erl *= 1.0046;
	if (ratio > 2.0 * a->erl)
		return;
	a->erle_in += k_erle * (pin - a->erle_in);
	a->erle_out += k_erle * (pout - a->erle_out);
	a->erle_blocks++;
}

// The echo's delay as paired, for the ERLE and status: the one given, or
// found: ours when it is clear (within 2 s of far-end single talk), else
// the library's (which says nothing for the first seconds: echo-delay.h).
static int found_delay_ms(struct cb_apm *a)
{
	int median = 0, std_dev = 0;
	float poor = 0.0f;
	double blocks;

	if (a->settings.echo_delay_ms >= 0)
		return paired_ms(a, a->settings.echo_delay_ms);
	if (cb_echo_delay_blocks(&a->finder, &blocks))
		return (int)std::lround(blocks * (1000.0 * CB_APM_BLOCK / CB_APM_RATE));
	if (a->apm->echo_cancellation()->GetDelayMetrics(&median, &std_dev, &poor) ==
		    webrtc::AudioProcessing::kNoError && median >= 0)
		return median + kDelayReportOffsetMs;
	return -1;
}

extern "C" int cb_apm_process(struct cb_apm *a, float *interleaved)
{
	const uint32_t channels = a->settings.channels;
	const float *in[CB_APM_MAX_CHANNELS];
	float *out[CB_APM_MAX_CHANNELS];
	double pin, pout;
	int res;

	for (uint32_t c = 0; c < channels; c++) {
		for (uint32_t i = 0; i < CB_APM_BLOCK; i++)
			a->planes[c][i] = interleaved[i * channels + c];
		in[c] = a->planes[c];
		out[c] = a->planes[c];
	}
	pin = block_power(interleaved, CB_APM_BLOCK * channels);
	if (a->settings.echo_cancel)
		cb_echo_delay_near(&a->finder, pin);
	// Required with the canceller on; with delay-agnostic mode it is the
	// starting point the estimator moves away from.
	if (a->settings.echo_cancel)
		a->apm->set_stream_delay_ms(a->settings.echo_delay_ms >= 0 ?
					    paired_ms(a, a->settings.echo_delay_ms) : 0);
	res = a->apm->ProcessStream(in, a->near_config, a->near_config, out);
	if (res != webrtc::AudioProcessing::kNoError) {
		a->errors++;
		return -EIO;
	}
	for (uint32_t c = 0; c < channels; c++)
		for (uint32_t i = 0; i < CB_APM_BLOCK; i++)
			interleaved[i * channels + c] = a->planes[c][i];
	pout = block_power(interleaved, CB_APM_BLOCK * channels);
	a->voice = a->apm->voice_detection()->stream_has_voice();
	// The level change over blocks with voice, smoothed over about a
	// second: with gain control on, that is the AGC's gain.
	if (a->voice || !a->blocks) {
		const double k = 0.1;
		a->in_power += k * (pin - a->in_power);
		a->out_power += k * (pout - a->out_power);
	}
	if (a->settings.echo_cancel) {
		// Every half second: the library's delay metrics cover the
		// time since they were last asked for.
		if (a->blocks % 50 == 49) {
			int ms = found_delay_ms(a);
			if (ms >= 0)
				set_delay(a, ms);
		}
		if (a->delay_ms >= 0)
			measure_erle(a, pin, pout);
	}
	a->blocks++;
	return 0;
}

extern "C" void cb_apm_get_status(struct cb_apm *a, struct cb_apm_status *st)
{
	std::memset(st, 0, sizeof(*st));
	st->voice = a->voice;
	if (a->in_power > 1e-12 && a->out_power > 1e-12)
		st->gain_db = (float)(10.0 * std::log10(a->out_power / a->in_power));
	st->delay_ms = a->settings.echo_delay_ms;
	if (!a->settings.echo_cancel)
		return;
	// Half a second of far-end single talk at least (the smoothing's
	// time constant: both levels start from nothing alike).  An output the canceller
	// silenced outright is a deep ERLE, not an unknown one: it counts as
	// -120 dBFS (the CI run that had the echo down 73 dB showed null).
	if (a->erle_blocks >= 50 && a->erle_in > kPowerFloor) {
		st->echo_valid = true;
		st->erle_db = (float)(10.0 * std::log10(a->erle_in / std::fmax(a->erle_out, kPowerFloor)));
	}
	if (a->settings.echo_delay_ms < 0)
		st->delay_ms = a->delay_ms >= 0 ? a->delay_ms + a->lead_ms : -1;
}

extern "C" void cb_apm_set_lead(struct cb_apm *a, int ms)
{
	if (a == NULL || ms == a->lead_ms)
		return;
	// The found delay was of the old pairing, and what the finder
	// correlated too.
	if (a->settings.echo_delay_ms < 0 && a->delay_ms >= 0)
		set_delay(a, std::max(a->delay_ms + a->lead_ms - ms, 0));
	cb_echo_delay_reset(&a->finder);
	a->lead_ms = ms;
	if (a->settings.echo_delay_ms >= 0)
		set_delay(a, paired_ms(a, a->settings.echo_delay_ms));
}
