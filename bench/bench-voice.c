/* Voice processing: what it costs and what it adds to a track's latency.
 * Offline, no PipeWire; figures, not a pass/fail test (bench/run-voice.sh
 * prints them, every run).
 *
 *   CPU: a simulated room (a speech-like far end, its echo 40 ms late and
 *   10 dB down with a few reflections, a near-end voice-like tone) through
 *   the track's processor (src/voice/apm.cc) with each stage alone and all
 *   together, against the Opus encoder on the same near-end audio with a
 *   stream's defaults (64 kbit/s, complexity 10, FEC, 20 ms, application
 *   auto), mono as a microphone track is.  CPU time of this thread; every
 *   run printed, then the median of the ratios.
 *
 *   Latency, per stage:
 *   - the library's own delay: the lag of the best match between what goes
 *     in and what comes out (cross-correlation over +-10 ms);
 *   - the 10 ms blocks: the send worker moves a processed track's audio in
 *     whole 10 ms blocks (pipeline/voice-stage.c), while a track without
 *     processing hands the encoder each quantum as it comes.  Simulated
 *     exactly: for every encoder frame, the graph cycle its last sample
 *     reaches the encoder in, with and without blocks, for the quanta a
 *     graph runs at and every ptime; over every start a reload can give
 *     (processing turned on at any cycle);
 *   - the processing itself: the worker processes a block before it
 *     encodes, so the time one block takes (the largest seen) is added too.
 *
 * Usage: bench-voice [--seconds N] [--repeat N] */
#include <errno.h>
#include <stdbool.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio/opus-encoder.h"
#include "voice/apm.h"

#define RATE 48000
#define BLOCK CB_APM_BLOCK
#define MAX_REPEAT 32
#define DELAY_FRAMES (40 * RATE / 1000)

struct options {
	uint32_t seconds;
	uint32_t repeat;
};

static float *far_sig, *mic;
static uint32_t n_frames;

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(const double *v, uint32_t n)
{
	double tmp[MAX_REPEAT];
	memcpy(tmp, v, n * sizeof(double));
	qsort(tmp, n, sizeof(double), cmp_double);
	return n % 2 ? tmp[n / 2] : 0.5 * (tmp[n / 2 - 1] + tmp[n / 2]);
}

/* Speech-like: band-limited noise (a fixed LCG), gated into syllables at
 * 2 Hz with a slower swell, about `rms` while on. */
static void make_room(void)
{
	static const struct { uint32_t lag; float gain; } taps[] = {
		{ 0, 0.316f }, { 91, 0.12f }, { 263, -0.07f }, { 611, 0.04f },
	};
	uint32_t state = 12345;
	float lp1 = 0, lp2 = 0, hp = 0;

	for (uint32_t i = 0; i < n_frames; i++) {
		double t = (double)i / RATE;
		double env = fmax(sin(2.0 * M_PI * 2.0 * t), 0.0) * (0.6 + 0.4 * sin(2.0 * M_PI * 0.37 * t));
		float x;

		state = state * 1664525u + 1013904223u;
		x = (float)((int32_t)state) / 2147483648.0f;
		lp1 += 0.35f * (x - lp1);
		lp2 += 0.35f * (lp1 - lp2);
		hp += 0.02f * (lp2 - hp);
		far_sig[i] = (float)((lp2 - hp) * env) * 0.6f;
	}
	for (uint32_t i = 0; i < n_frames; i++) {
		double t = (double)i / RATE;
		float echo = 0;
		/* The near end talks every other second (a 1 kHz tone,
		 * -20 dBFS): single and double talk both. */
		float near = ((uint32_t)t % 2) ? 0.1f * (float)sin(2.0 * M_PI * 1000.0 * t) : 0.0f;

		for (uint32_t k = 0; k < sizeof(taps) / sizeof(taps[0]); k++)
			if (i >= DELAY_FRAMES + taps[k].lag)
				echo += taps[k].gain * far_sig[i - DELAY_FRAMES - taps[k].lag];
		mic[i] = echo + near;
	}
}

struct voice_case {
	const char *name;
	struct cb_apm_settings s;
};

static const struct voice_case cases[] = {
	{ "echo-cancel (delay auto)", { .channels = 1, .echo_cancel = true, .echo_delay_ms = -1,
					.gain_target_dbfs = -3 } },
	{ "echo-cancel (delay 40 ms)", { .channels = 1, .echo_cancel = true, .echo_delay_ms = 40,
					 .gain_target_dbfs = -3 } },
	{ "noise-suppression moderate", { .channels = 1, .noise = CB_APM_NOISE_MODERATE,
					  .echo_delay_ms = -1, .gain_target_dbfs = -3 } },
	{ "noise-suppression very-high", { .channels = 1, .noise = CB_APM_NOISE_VERY_HIGH,
					   .echo_delay_ms = -1, .gain_target_dbfs = -3 } },
	{ "gain-control", { .channels = 1, .gain_control = true, .echo_delay_ms = -1,
			    .gain_target_dbfs = -3 } },
	{ "high-pass", { .channels = 1, .high_pass = true, .echo_delay_ms = -1, .gain_target_dbfs = -3 } },
	{ "all four", { .channels = 1, .echo_cancel = true, .echo_delay_ms = -1,
			.noise = CB_APM_NOISE_MODERATE, .gain_control = true, .gain_target_dbfs = -3,
			.high_pass = true } },
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]))

/* CPU seconds for the whole room through one processor; the largest time
 * one block took (far and near) into *block_max. */
static double run_voice(const struct cb_apm_settings *s, float *out, double *block_max)
{
	struct cb_apm *a = NULL;
	double start, t0;

	if (cb_apm_new(&a, s) < 0) {
		fprintf(stderr, "bench-voice: cannot make a processor\n");
		exit(1);
	}
	memcpy(out, mic, n_frames * sizeof(float));
	*block_max = 0;
	start = cpu_now();
	for (uint32_t b = 0; b + BLOCK <= n_frames; b += BLOCK) {
		t0 = cpu_now();
		if (s->echo_cancel)
			cb_apm_far(a, far_sig + b);
		cb_apm_process(a, out + b);
		*block_max = fmax(*block_max, cpu_now() - t0);
	}
	start = cpu_now() - start;
	cb_apm_free(a);
	return start;
}

static double run_opus(void)
{
	struct cb_opus_encoder_settings s = {
		.channels = 1, .frame_samples = 960, .bitrate = 64000, .fec = true,
		.expected_loss = 10, .complexity = 10, .application = CB_OPUS_APP_AUTO,
	};
	struct cb_opus_encoder *enc = NULL;
	uint8_t packet[CB_OPUS_MAX_PACKET];
	double start;

	if (cb_opus_encoder_new(&enc, &s) < 0) {
		fprintf(stderr, "bench-voice: cannot make an Opus encoder\n");
		exit(1);
	}
	start = cpu_now();
	for (uint32_t f = 0; f + 960 <= n_frames; f += 960)
		cb_opus_encode(enc, mic + f, packet, sizeof(packet));
	start = cpu_now() - start;
	cb_opus_encoder_free(enc);
	return start;
}

/* The lag (in frames, -30..30 ms) at which out best matches in, over
 * `len` frames from `from`. */
static int best_lag(const float *in, const float *out, uint32_t from, uint32_t len)
{
	double best = -1;
	int lag = 0;

	for (int d = -3 * BLOCK; d <= 3 * BLOCK; d++) {
		double c = 0;
		for (uint32_t i = from; i < from + len; i++)
			if ((int64_t)i - d >= 0 && (int64_t)i - d < n_frames)
				c += (double)out[i] * in[i - d];
		if (c > best) {
			best = c;
			lag = d;
		}
	}
	return lag;
}

/* The cycle (counted in frames) at which frame position `pos` has arrived:
 * quanta of q frames, the first one ending at q. */
static uint64_t arrival(uint64_t pos, uint32_t q)
{
	return (pos / q + 1) * q;
}

/* What 10 ms blocks add to when each encoder frame can go out, in frames:
 * the worst over every frame of 10 s and every start (processing turned
 * on at any cycle: a multiple of the quantum), and the mean.  The
 * encoder's frames lie on the grid of the call's start; `aligned`: the
 * blocks start on it too, the audio before passed on as it is (what
 * pipeline/voice-stage.c does), or else right at the start. */
static void block_wait(uint32_t q, uint32_t frame, bool aligned, double *worst, double *mean)
{
	const uint64_t span = 10 * RATE;
	uint64_t n = 0;
	double sum = 0;

	*worst = 0;
	/* 200 starts: every phase of the quantum against 10 ms and the frame. */
	for (uint64_t start = 0; start < 200 * (uint64_t)q; start += q) {
		uint64_t first = aligned ? (start + BLOCK - 1) / BLOCK * BLOCK : start;

		for (uint64_t f = (start + frame - 1) / frame * frame; f + frame <= start + span;
		     f += frame) {
			uint64_t last = f + frame - 1;
			uint64_t plain = arrival(last, q), blocked = plain;
			double d;

			if (last >= first)
				blocked = arrival(first + ((last - first) / BLOCK + 1) * BLOCK - 1, q);
			d = (double)(blocked - plain);
			*worst = fmax(*worst, d);
			sum += d;
			n++;
		}
	}
	*mean = n ? sum / (double)n : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-voice [--seconds N] [--repeat N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct options o = { .seconds = 20, .repeat = 5 };
	static const uint32_t quanta[] = { 64, 128, 256, 480, 512, 1024 };
	static const uint32_t ptimes_x2[] = { 5, 10, 20, 40 };	/* ms * 2: 2.5 5 10 20 */
	double opus[MAX_REPEAT], voice[N_CASES][MAX_REPEAT], ratio[N_CASES][MAX_REPEAT];
	double block_max[N_CASES], algo_ms[N_CASES];
	float *out, *silence;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			o.seconds = (uint32_t)atoi(argv[++i]);
		else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
			o.repeat = (uint32_t)atoi(argv[++i]);
		else
			usage();
	}
	if (o.seconds < 2 || o.repeat < 1 || o.repeat > MAX_REPEAT)
		usage();
	n_frames = o.seconds * RATE;
	far_sig = calloc(n_frames, sizeof(float));
	mic = calloc(n_frames, sizeof(float));
	out = calloc(n_frames, sizeof(float));
	silence = calloc(n_frames, sizeof(float));
	if (!far_sig || !mic || !out || !silence)
		return 1;
	make_room();

	printf("voice processing, offline: %u s of a simulated room (far end 40 ms late, -10 dB, "
	       "a near-end tone every other second), mono 48 kHz; CPU time of this thread\n"
	       "baseline: the Opus encoder on the same near-end audio "
	       "(64 kbit/s, complexity 10, FEC, 20 ms, application auto)\n\n",
	       o.seconds);
	for (uint32_t c = 0; c < N_CASES; c++)
		block_max[c] = 0;
	for (uint32_t r = 0; r < o.repeat; r++) {
		opus[r] = run_opus();
		printf("run %u: opus %.3f s (%.2f %% of real time)", r + 1, opus[r],
		       100.0 * opus[r] / o.seconds);
		for (uint32_t c = 0; c < N_CASES; c++) {
			double bm;

			voice[c][r] = run_voice(&cases[c].s, out, &bm);
			ratio[c][r] = voice[c][r] / opus[r];
			block_max[c] = fmax(block_max[c], bm);
			printf(" | %s %.3f s = %.2fx", cases[c].name, voice[c][r], ratio[c][r]);
		}
		printf("\n");
	}
	printf("\n%-30s %12s %14s %12s %16s\n", "stage", "CPU % (1 core)", "vs Opus (median)",
	       "own delay", "one block (max)");
	for (uint32_t c = 0; c < N_CASES; c++) {
		/* Its own delay: a broadband near end (the speech-like signal)
		 * and no far end, on the last second; a tone would match a
		 * period early or late. */
		float *room_mic = mic, *room_far = far_sig;
		double bm;
		int lag;

		mic = far_sig;
		far_sig = silence;
		run_voice(&cases[c].s, out, &bm);
		lag = best_lag(mic, out, n_frames - RATE, RATE / 2);
		mic = room_mic;
		far_sig = room_far;
		algo_ms[c] = 1000.0 * lag / RATE;
		printf("%-30s %12.2f %13.2fx %9.2f ms %13.3f ms\n", cases[c].name,
		       100.0 * median(voice[c], o.repeat) / o.seconds, median(ratio[c], o.repeat),
		       algo_ms[c], 1000.0 * block_max[c]);
	}
	printf("Opus encoder                   %12.2f %13.2fx\n",
	       100.0 * median(opus, o.repeat) / o.seconds, 1.0);

	for (int al = 1; al >= 0; al--) {
		printf("\nwhat the 10 ms blocks add before the encoder, ms, worst (mean), over every "
		       "start: %s\n", al ? "blocks on the encoder's frame grid (as implemented)" :
		       "blocks from wherever processing starts (for comparison)");
		printf("%-8s", "quantum");
		for (uint32_t p = 0; p < sizeof(ptimes_x2) / sizeof(ptimes_x2[0]); p++)
			printf("   ptime %-6g", ptimes_x2[p] / 2.0);
		printf("\n");
		for (uint32_t qi = 0; qi < sizeof(quanta) / sizeof(quanta[0]); qi++) {
			printf("%-8u", quanta[qi]);
			for (uint32_t p = 0; p < sizeof(ptimes_x2) / sizeof(ptimes_x2[0]); p++) {
				double worst, mean;

				block_wait(quanta[qi], ptimes_x2[p] * RATE / 2000, al, &worst, &mean);
				printf("   %5.2f (%4.2f)", 1000.0 * worst / RATE, 1000.0 * mean / RATE);
			}
			printf("\n");
		}
	}
	/* The whole added latency, worst case, per stage and ptime: the
	 * blocks (over the quanta up to 10 ms: a track asks for half a
	 * frame), the library's own delay, one block's processing. */
	printf("\nadded to a track, worst case (blocks at quanta <= 480 + own delay + one block's "
	       "processing), ms; target <= 10:\n%-30s", "stage");
	for (uint32_t p = 0; p < sizeof(ptimes_x2) / sizeof(ptimes_x2[0]); p++)
		printf("   ptime %-6g", ptimes_x2[p] / 2.0);
	printf("\n");
	for (uint32_t c = 0; c < N_CASES; c++) {
		double own = fmax(algo_ms[c], 0.0) + 1000.0 * block_max[c];

		printf("%-30s", cases[c].name);
		for (uint32_t p = 0; p < sizeof(ptimes_x2) / sizeof(ptimes_x2[0]); p++) {
			double small = 0, w, m;

			for (uint32_t qi = 0; qi < sizeof(quanta) / sizeof(quanta[0]); qi++) {
				if (quanta[qi] > BLOCK)
					continue;
				block_wait(quanta[qi], ptimes_x2[p] * RATE / 2000, true, &w, &m);
				small = fmax(small, 1000.0 * w / RATE);
			}
			printf("   %5.2f %-6s", small + own, small + own <= 10.0 ? "met" : "MISSED");
		}
		printf("\n");
	}
	free(far_sig);
	free(mic);
	free(out);
	free(silence);
	return 0;
}
