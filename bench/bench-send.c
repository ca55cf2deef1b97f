/* bench-send: the CPU cost of the send path, offline and as fast as possible.
 *
 * N tracks of deterministic test audio (sines + a little noise, generated
 * once and not timed) are pushed into cb_audio_ring rings in 1024-frame
 * quanta, the way the PipeWire process callback pushes them.  After each
 * quantum the send worker's loop body (cb_send_worker_iterate: drain every
 * ready stream with cb_send_stream_ready/produce, SRTP-protect, hand to the
 * output) runs on a simulated clock; the output is a null sink that only
 * counts bytes.  That is "ours".
 *
 * The floor it is compared against is bare libopus: opus_encode_float on
 * exactly the signal each stream's encoder sees (the same mix, computed up
 * front with the same mixer functions), with the same encoder settings.
 * Within a run the two take turns every --block seconds of audio (the one to
 * go first flipping every turn), so load from a neighbour on a shared machine
 * hits both alike; each side's CPU time is summed over its turns, and the
 * median over --repeat runs is reported.  The payloads of both must come out
 * identical in count and size, which checks that the comparison is fair.
 *
 * --write-wav PREFIX writes that per-stream signal as PREFIX.<i>.wav (32-bit
 * float) so run-send.sh can feed the same audio to a GStreamer pipeline.
 * --machine prints one key=value line per run for the driver script.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <opus/opus.h>

#include "audio/audio-ring.h"
#include "audio/mixer.h"
#include "crypto/srtp-session.h"
#include "pipeline/send-stream.h"
#include "pipeline/send-worker.h"

#define RATE 48000
#define QUANTUM 1024		/* frames per PipeWire cycle */
#define RING_FRAMES 16384	/* as track-node.c */
#define MAX_REPEAT 101

enum mode { MODE_FORWARD, MODE_MIX };

struct options {
	uint32_t tracks;
	uint32_t streams;	/* 0: by mode */
	enum mode mode;
	double seconds;
	double ptime_ms;
	uint32_t frame;
	uint32_t bitrate;
	uint32_t channels;
	uint32_t complexity;
	bool fec;
	uint32_t loss;
	bool dtx;
	enum cb_opus_application application;
	uint32_t repeat;
	double warmup_seconds;
	double block_seconds;	/* alternate the two sides this often; 0: not */
	bool opus_first;
	int only;		/* 0 both, 1 ours, 2 libopus: for perf/callgrind */
	bool machine;
	const char *write_wav;
};

/* The test material: per-track interleaved audio and, per stream, the mix
 * its encoder will see. */
struct audio {
	uint32_t quanta;
	uint32_t frames;		/* pushed per track: quanta * QUANTUM */
	uint32_t enc_frames;		/* encoded per stream, whole packets */
	float **track;
	float **mixed;
};

struct result {
	double cpu;			/* seconds */
	uint64_t packets;
	uint64_t payload_octets;
	uint64_t sink_octets;		/* what reached the null sink, SRTP included */
	uint64_t errors;
};

static const uint8_t srtp_key[30] = {
	0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41,
	0x39, 0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6,
};

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint32_t n_streams(const struct options *o)
{
	return o->streams;
}

/* Track t feeds stream t % M: forward gives one track per stream, mix with
 * M = 1 puts every track in the one stream. */
static uint32_t stream_of(const struct options *o, uint32_t track)
{
	return track % n_streams(o);
}

static struct cb_stream_config stream_config(const struct options *o)
{
	return (struct cb_stream_config) {
		.name = "bench", .channels = o->channels, .bitrate = o->bitrate, .fec = o->fec,
		.dtx = o->dtx, .expected_loss = o->loss, .complexity = o->complexity,
		.application = o->application, .payload_type = 111,
	};
}

/* ---- test audio ---- */

static uint32_t xorshift32(uint32_t *state)
{
	uint32_t x = *state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

/* Two sines per channel (the second slowly amplitude-modulated, left and
 * right a little apart so the stereo coder has work) plus white noise at
 * about -40 dBFS.  Peak about -10 dBFS per track. */
static void make_track(float *buf, uint32_t frames, uint32_t channels, uint32_t t)
{
	for (uint32_t c = 0; c < channels; c++) {
		uint32_t rng = 0x9e3779b9u * (2 * t + c + 1);
		double f1 = 196.0 + 61.0 * t + 3.0 * c, f2 = 1046.5 + 287.0 * t + 41.0 * c;
		double w1 = 2.0 * M_PI * f1 / RATE, w2 = 2.0 * M_PI * f2 / RATE;
		double wm = 2.0 * M_PI * (0.7 + 0.3 * t) / RATE, ph = 0.9 * c;
		for (uint32_t i = 0; i < frames; i++) {
			double n = (double)i;
			double noise = (double)(int32_t)xorshift32(&rng) / 2147483648.0;
			double v = 0.18 * sin(fmod(w1 * n, 2.0 * M_PI) + ph) +
				   0.10 * sin(fmod(w2 * n, 2.0 * M_PI)) *
					  (0.6 + 0.4 * sin(fmod(wm * n, 2.0 * M_PI))) +
				   0.015 * noise;
			buf[(size_t)i * channels + c] = (float)v;
		}
	}
}

static int make_audio(const struct options *o, struct audio *a)
{
	const uint32_t ch = o->channels, m = n_streams(o);
	uint64_t want = (uint64_t)llround(o->seconds * RATE);

	a->quanta = (uint32_t)((want + QUANTUM - 1) / QUANTUM);
	if (a->quanta == 0)
		a->quanta = 1;
	a->frames = a->quanta * QUANTUM;
	a->enc_frames = a->frames / o->frame * o->frame;
	a->track = calloc(o->tracks, sizeof(float *));
	a->mixed = calloc(m, sizeof(float *));
	if (a->track == NULL || a->mixed == NULL)
		return -ENOMEM;
	for (uint32_t t = 0; t < o->tracks; t++) {
		if ((a->track[t] = malloc((size_t)a->frames * ch * sizeof(float))) == NULL)
			return -ENOMEM;
		make_track(a->track[t], a->frames, ch, t);
	}
	/* What mix_frame() in send-stream.c computes frame by frame, done in
	 * one go: the operations are per sample, so the result is the same
	 * to the bit and the encoders get identical input. */
	for (uint32_t s = 0; s < m; s++) {
		size_t n = (size_t)a->enc_frames * ch;
		if ((a->mixed[s] = calloc(n, sizeof(float))) == NULL)
			return -ENOMEM;
		for (uint32_t t = 0; t < o->tracks; t++)
			if (stream_of(o, t) == s)
				cb_mixer_accumulate(a->mixed[s], ch, a->track[t], ch, a->enc_frames,
						    cb_db_to_gain(0.0f));
		cb_mixer_limit(a->mixed[s], (uint32_t)n);
	}
	return 0;
}

static void free_audio(const struct options *o, struct audio *a)
{
	for (uint32_t t = 0; a->track && t < o->tracks; t++)
		free(a->track[t]);
	for (uint32_t s = 0; a->mixed && s < n_streams(o); s++)
		free(a->mixed[s]);
	free(a->track);
	free(a->mixed);
}

/* ---- WAV output ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static int write_wav(const char *path, const float *data, uint32_t frames, uint32_t channels)
{
	uint8_t h[58];
	uint32_t bytes = frames * channels * 4;
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return -errno;
	/* IEEE float needs the 18-byte fmt chunk and a fact chunk. */
	memcpy(h, "RIFF", 4);
	put32(h + 4, 50 + bytes);
	memcpy(h + 8, "WAVEfmt ", 8);
	put32(h + 16, 18);
	put16(h + 20, 3);			/* WAVE_FORMAT_IEEE_FLOAT */
	put16(h + 22, (uint16_t)channels);
	put32(h + 24, RATE);
	put32(h + 28, RATE * channels * 4);
	put16(h + 32, (uint16_t)(channels * 4));
	put16(h + 34, 32);
	put16(h + 36, 0);
	memcpy(h + 38, "fact", 4);
	put32(h + 42, 4);
	put32(h + 46, frames);
	memcpy(h + 50, "data", 4);
	put32(h + 54, bytes);
	/* The host is little-endian (x86, arm64), as WAV is. */
	if (fwrite(h, 1, sizeof(h), f) != sizeof(h) ||
	    fwrite(data, 4, (size_t)frames * channels, f) != (size_t)frames * channels) {
		fclose(f);
		return -EIO;
	}
	return fclose(f) == 0 ? 0 : -errno;
}

/* ---- ours: rings -> send stream -> SRTP -> null sink ---- */

/* A transport that only counts: the worker's output without a socket. */
struct null_sink {
	struct cb_transport base;
	uint64_t packets;
	uint64_t octets;
};

static int null_send(struct cb_transport *t, const uint8_t *buf, size_t len,
		     const struct cb_address *dest)
{
	struct null_sink *sink = (struct null_sink *)t;
	sink->packets++;
	sink->octets += len;
	return 0;
}

static ssize_t null_recv(struct cb_transport *t, uint8_t *buf, size_t cap,
			 struct cb_address *from, uint64_t *arrival_ns)
{
	return -EAGAIN;
}

static int null_fd(struct cb_transport *t)
{
	return -1;
}

static void null_describe(struct cb_transport *t, struct cb_transport_info *info)
{
}

static void null_destroy(struct cb_transport *t)
{
}

static const struct cb_transport_ops null_ops = {
	.kind = "null", .send = null_send, .recv_raw = null_recv, .fd = null_fd,
	.describe = null_describe, .destroy = null_destroy,
};

/* Both sides are resumable, so that one run can alternate between them in
 * blocks and load on the machine hits both alike. */
struct ours {
	const struct options *o;
	const struct audio *a;
	struct cb_audio_ring *rings;
	struct cb_send_stream **streams;
	struct cb_keying keying;
	struct null_sink sink;
	struct cb_send_worker worker;
	uint32_t q;			/* next quantum */
	double cpu;
};

static void ours_free(struct ours *u)
{
	cb_send_worker_clear(&u->worker);
	cb_keying_clear(&u->keying);
	for (uint32_t s = 0; u->streams && s < n_streams(u->o); s++)
		cb_send_stream_free(u->streams[s]);
	for (uint32_t t = 0; u->rings && t < u->o->tracks; t++)
		cb_audio_ring_clear(&u->rings[t]);
	free(u->streams);
	free(u->rings);
	memset(u, 0, sizeof(*u));
}

static int ours_init(struct ours *u, const struct options *o, const struct audio *a)
{
	const uint32_t m = n_streams(o);
	const struct cb_stream_config cfg = stream_config(o);
	struct cb_key key = { .set = true, .len = sizeof(srtp_key) };
	int res = -ENOMEM;

	memset(u, 0, sizeof(*u));
	cb_keying_init(&u->keying);
	cb_transport_init(&u->sink.base, &null_ops);
	u->o = o;
	u->a = a;
	u->rings = calloc(o->tracks, sizeof(*u->rings));
	u->streams = calloc(m, sizeof(*u->streams));
	if (u->rings == NULL || u->streams == NULL)
		goto error;
	for (uint32_t t = 0; t < o->tracks; t++)
		if ((res = cb_audio_ring_init(&u->rings[t], o->channels, RING_FRAMES)) < 0)
			goto error;
	for (uint32_t s = 0; s < m; s++)
		if ((res = cb_send_stream_new(&u->streams[s], &cfg, o->frame, NULL)) < 0)
			goto error;
	for (uint32_t t = 0; t < o->tracks; t++)
		if ((res = cb_send_stream_add_input(u->streams[stream_of(o, t)], &u->rings[t], 0.0f,
						    false)) < 0)
			goto error;
	memcpy(key.bytes, srtp_key, sizeof(srtp_key));
	res = cb_keying_set(&u->keying, CB_SRTP_AES_CM_128_HMAC_SHA1_80, &key, NULL);
	if (res < 0)
		goto error;
	cb_send_worker_init(&u->worker, u->streams, m, "bench@callbridge", o->frame);
	cb_send_worker_add_output(&u->worker, &u->sink.base, &u->keying);
	return 0;
error:
	ours_free(u);
	return res;
}

/* Runs the graph and the worker up to quantum `end`. */
static void ours_run(struct ours *u, uint32_t end)
{
	const uint32_t ch = u->o->channels, tracks = u->o->tracks;
	double t0 = cpu_now();

	for (; u->q < end; u->q++) {
		/* the process callback of every track node ... */
		for (uint32_t t = 0; t < tracks; t++)
			cb_audio_ring_push(&u->rings[t], u->a->track[t] + (size_t)u->q * QUANTUM * ch,
					   QUANTUM);
		/* ... then the media worker wakes up */
		cb_send_worker_iterate(&u->worker, 1000000000ull +
				       (uint64_t)(u->q + 1) * QUANTUM * 1000000000ull / RATE);
	}
	u->cpu += cpu_now() - t0;
}

static void ours_result(const struct ours *u, struct result *r)
{
	memset(r, 0, sizeof(*r));
	r->cpu = u->cpu;
	for (uint32_t s = 0; s < n_streams(u->o); s++) {
		r->packets += u->streams[s]->stats.packets;
		r->payload_octets += u->streams[s]->stats.octets;
	}
	r->sink_octets = u->sink.octets;
	r->errors = u->worker.stats.protect_errors + u->worker.stats.encode_errors +
		    u->worker.stats.send_errors;
}

/* ---- the floor: bare libopus on the same signal, same settings ---- */

static int opus_app(enum cb_opus_application app)
{
	switch (app) {
	case CB_OPUS_APP_VOIP:
		return OPUS_APPLICATION_VOIP;
	case CB_OPUS_APP_LOWDELAY:
		return OPUS_APPLICATION_RESTRICTED_LOWDELAY;
	default:
		return OPUS_APPLICATION_AUDIO;
	}
}

struct floor {
	const struct options *o;
	const struct audio *a;
	OpusEncoder **enc;
	uint32_t f;			/* next frame (packet) */
	struct result r;
};

static void floor_free(struct floor *b)
{
	for (uint32_t s = 0; b->enc && s < n_streams(b->o); s++)
		if (b->enc[s])
			opus_encoder_destroy(b->enc[s]);
	free(b->enc);
	memset(b, 0, sizeof(*b));
}

static int floor_init(struct floor *b, const struct options *o, const struct audio *a)
{
	int err;

	memset(b, 0, sizeof(*b));
	b->o = o;
	b->a = a;
	if ((b->enc = calloc(n_streams(o), sizeof(*b->enc))) == NULL)
		return -ENOMEM;
	for (uint32_t s = 0; s < n_streams(o); s++) {
		b->enc[s] = opus_encoder_create(RATE, (int)o->channels, opus_app(o->application),
						&err);
		if (b->enc[s] == NULL)
			goto error;
		/* exactly what opus-encoder.c sets */
		err = opus_encoder_ctl(b->enc[s], OPUS_SET_BITRATE((opus_int32)o->bitrate));
		err |= opus_encoder_ctl(b->enc[s], OPUS_SET_INBAND_FEC(o->fec ? 1 : 0));
		err |= opus_encoder_ctl(b->enc[s],
					OPUS_SET_PACKET_LOSS_PERC(o->fec ? (opus_int32)o->loss : 0));
		err |= opus_encoder_ctl(b->enc[s], OPUS_SET_DTX(o->dtx ? 1 : 0));
		err |= opus_encoder_ctl(b->enc[s], OPUS_SET_COMPLEXITY((opus_int32)o->complexity));
		err |= opus_encoder_ctl(b->enc[s], OPUS_SET_VBR(1));
		if (err != OPUS_OK)
			goto error;
	}
	return 0;
error:
	floor_free(b);
	return -EINVAL;
}

/* Encodes every stream up to packet `end`, frame-major like the worker. */
static void floor_run(struct floor *b, uint32_t end)
{
	const uint32_t ch = b->o->channels, m = n_streams(b->o), frame = b->o->frame;
	uint8_t packet[CB_OPUS_MAX_PACKET * 3];
	double t0 = cpu_now();

	for (; b->f < end; b->f++) {
		for (uint32_t s = 0; s < m; s++) {
			opus_int32 len = opus_encode_float(b->enc[s],
							   b->a->mixed[s] + (size_t)b->f * frame * ch,
							   (int)frame, packet, sizeof(packet));
			if (len < 0) {
				b->r.errors++;
			} else if (!(b->o->dtx && len <= 2)) {
				b->r.packets++;
				b->r.payload_octets += (uint64_t)len;
			}
		}
	}
	b->r.cpu += cpu_now() - t0;
}

/* One run of `quanta` quanta: both sides, alternating every `block` quanta
 * (all at once when block is 0), the one to go first flipping every block. */
static int run_both(const struct options *o, const struct audio *a, uint32_t quanta,
		    uint32_t block, bool opus_first, struct result *ro, struct result *rf)
{
	struct ours u;
	struct floor b;
	int res;

	if (o->only != 2 && (res = ours_init(&u, o, a)) < 0)
		return res;
	if (o->only != 1 && (res = floor_init(&b, o, a)) < 0) {
		if (o->only != 2)
			ours_free(&u);
		return res;
	}
	if (block == 0)
		block = quanta;
	for (uint32_t q = 0, i = 0; q < quanta; q += block, i++) {
		uint32_t end = q + block < quanta ? q + block : quanta;
		bool opus_now = (i % 2 == 1) != opus_first;
		for (int side = 0; side < 2; side++, opus_now = !opus_now) {
			if (!opus_now && o->only != 2)
				ours_run(&u, end);
			else if (opus_now && o->only != 1)
				/* the packets the worker has made by then */
				floor_run(&b, (uint32_t)((uint64_t)end * QUANTUM / o->frame));
		}
	}
	memset(ro, 0, sizeof(*ro));
	memset(rf, 0, sizeof(*rf));
	if (o->only != 2) {
		ours_result(&u, ro);
		ours_free(&u);
	}
	if (o->only != 1) {
		*rf = b.r;
		floor_free(&b);
	}
	return 0;
}

/* ---- driver ---- */

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

static const char *app_name(enum cb_opus_application app)
{
	return app == CB_OPUS_APP_VOIP ? "voip" : app == CB_OPUS_APP_LOWDELAY ? "lowdelay" : "audio";
}

static void describe(const struct options *o, char *buf, size_t len)
{
	uint32_t m = n_streams(o);
	if (o->mode == MODE_FORWARD)
		snprintf(buf, len, "%u track%s forwarded as %u stream%s", o->tracks,
			 o->tracks == 1 ? "" : "s", m, m == 1 ? "" : "s");
	else
		snprintf(buf, len, "%u track%s mixed into %u stream%s", o->tracks,
			 o->tracks == 1 ? "" : "s", m, m == 1 ? "" : "s");
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bench-send [OPTIONS]\n"
		"  --tracks N          tracks (default 1)\n"
		"  --mode forward|mix  forward: one stream per track; mix: tracks shared\n"
		"                      round-robin over --streams (default forward)\n"
		"  --streams M         streams (forward: = tracks; mix: default 1)\n"
		"  --seconds S         audio per track (default 20)\n"
		"  --ptime MS          2.5 5 10 20 40 60 (default 20)\n"
		"  --bitrate BPS       (default 64000)\n"
		"  --channels 1|2      (default 2)\n"
		"  --complexity 0..10  (default 10)\n"
		"  --fec on|off        (default on)\n"
		"  --loss PERCENT      expected loss for FEC (default 10)\n"
		"  --dtx on|off        (default off)\n"
		"  --application voip|audio|lowdelay (default audio)\n"
		"  --repeat R          timed runs of each side (default 5)\n"
		"  --warmup S          untimed warm-up audio per side (default 1)\n"
		"  --block S           within a run, alternate between the two sides every\n"
		"                      S seconds of audio (default 1; 0: one after the other)\n"
		"  --opus-first        start with libopus (the order flips every block and run)\n"
		"  --only ours|opus    run one side only, no ratio (for perf, callgrind)\n"
		"  --machine           one key=value line per run, no table\n"
		"  --write-wav PREFIX  write each stream's encoder input as PREFIX.<i>.wav\n"
		"                      (float32, 48 kHz) and exit\n");
}

static bool parse_bool(const char *s, bool *out)
{
	if (!strcmp(s, "on") || !strcmp(s, "true") || !strcmp(s, "1"))
		*out = true;
	else if (!strcmp(s, "off") || !strcmp(s, "false") || !strcmp(s, "0"))
		*out = false;
	else
		return false;
	return true;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "tracks", required_argument, NULL, 't' },
		{ "streams", required_argument, NULL, 's' },
		{ "mode", required_argument, NULL, 'm' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "ptime", required_argument, NULL, 'p' },
		{ "bitrate", required_argument, NULL, 'b' },
		{ "channels", required_argument, NULL, 'c' },
		{ "complexity", required_argument, NULL, 'x' },
		{ "fec", required_argument, NULL, 'f' },
		{ "loss", required_argument, NULL, 'l' },
		{ "dtx", required_argument, NULL, 'd' },
		{ "application", required_argument, NULL, 'a' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "block", required_argument, NULL, 'B' },
		{ "opus-first", no_argument, NULL, 'O' },
		{ "only", required_argument, NULL, 'o' },
		{ "machine", no_argument, NULL, 'M' },
		{ "write-wav", required_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	*o = (struct options) {
		.tracks = 1, .mode = MODE_FORWARD, .seconds = 20, .ptime_ms = 20, .bitrate = 64000,
		.channels = 2, .complexity = 10, .fec = true, .loss = 10, .dtx = false,
		.application = CB_OPUS_APP_AUDIO, .repeat = 5, .warmup_seconds = 1,
		.block_seconds = 1,
	};
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 't': o->tracks = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 's': o->streams = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'm':
			if (!strcmp(optarg, "forward"))
				o->mode = MODE_FORWARD;
			else if (!strcmp(optarg, "mix"))
				o->mode = MODE_MIX;
			else
				goto bad;
			break;
		case 'S': o->seconds = strtod(optarg, NULL); break;
		case 'p': o->ptime_ms = strtod(optarg, NULL); break;
		case 'b': o->bitrate = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'c': o->channels = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'x': o->complexity = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'f': if (!parse_bool(optarg, &o->fec)) goto bad; break;
		case 'l': o->loss = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'd': if (!parse_bool(optarg, &o->dtx)) goto bad; break;
		case 'a':
			if (!strcmp(optarg, "voip"))
				o->application = CB_OPUS_APP_VOIP;
			else if (!strcmp(optarg, "audio"))
				o->application = CB_OPUS_APP_AUDIO;
			else if (!strcmp(optarg, "lowdelay"))
				o->application = CB_OPUS_APP_LOWDELAY;
			else
				goto bad;
			break;
		case 'r': o->repeat = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'w': o->warmup_seconds = strtod(optarg, NULL); break;
		case 'B': o->block_seconds = strtod(optarg, NULL); break;
		case 'O': o->opus_first = true; break;
		case 'o':
			if (!strcmp(optarg, "ours"))
				o->only = 1;
			else if (!strcmp(optarg, "opus"))
				o->only = 2;
			else
				goto bad;
			break;
		case 'M': o->machine = true; break;
		case 'W': o->write_wav = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc)
		goto bad;

	o->frame = (uint32_t)llround(o->ptime_ms * RATE / 1000.0);
	if (o->mode == MODE_FORWARD) {
		if (o->streams != 0 && o->streams != o->tracks) {
			fprintf(stderr, "bench-send: --mode forward has one stream per track\n");
			return -EINVAL;
		}
		o->streams = o->tracks;
	} else if (o->streams == 0) {
		o->streams = 1;
	}
	if (o->tracks < 1 || o->tracks > CB_MAX_TRACKS || o->streams < 1 ||
	    o->streams > o->tracks || o->streams > CB_MAX_STREAMS ||
	    (o->channels != 1 && o->channels != 2) || o->seconds <= 0 || o->seconds > 3600 ||
	    o->repeat < 1 || o->repeat > MAX_REPEAT || o->complexity > 10 || o->loss > 100 ||
	    o->warmup_seconds < 0 || o->block_seconds < 0) {
		fprintf(stderr, "bench-send: option out of range\n");
		return -EINVAL;
	}
	return 0;
bad:
	usage(stderr);
	return -EINVAL;
}

int main(int argc, char **argv)
{
	struct options o;
	struct audio a = { 0 };
	double ours[MAX_REPEAT], floor_[MAX_REPEAT], ratio[MAX_REPEAT];
	struct result ro = { 0 }, rf = { 0 };
	uint32_t m, warm_quanta, block;
	double audio_s, med_ours, med_floor, med_ratio;
	bool match = true;
	char what[128];
	int res;

	if (parse_options(argc, argv, &o) < 0)
		return 2;
	m = n_streams(&o);
	describe(&o, what, sizeof(what));

	/* A frame size the encoder refuses fails here, before any timing. */
	{
		struct cb_send_stream *probe;
		struct cb_stream_config cfg = stream_config(&o);
		if ((res = cb_send_stream_new(&probe, &cfg, o.frame, NULL)) < 0) {
			fprintf(stderr, "bench-send: cannot make a stream (ptime %g ms): %s\n",
				o.ptime_ms, strerror(-res));
			return 2;
		}
		cb_send_stream_free(probe);
	}

	if ((res = make_audio(&o, &a)) < 0) {
		fprintf(stderr, "bench-send: %s\n", strerror(-res));
		return 1;
	}
	audio_s = (double)a.enc_frames / RATE;

	if (o.write_wav) {
		for (uint32_t s = 0; s < m; s++) {
			char path[4096];
			snprintf(path, sizeof(path), "%s.%u.wav", o.write_wav, s);
			if ((res = write_wav(path, a.mixed[s], a.enc_frames, o.channels)) < 0) {
				fprintf(stderr, "bench-send: %s: %s\n", path, strerror(-res));
				return 1;
			}
		}
		printf("frames=%u seconds=%.6f streams=%u\n", a.enc_frames, audio_s, m);
		free_audio(&o, &a);
		return 0;
	}

	/* Warm up both sides (page faults, caches, CPU clock) untimed. */
	warm_quanta = (uint32_t)ceil(o.warmup_seconds * RATE / QUANTUM);
	if (warm_quanta > a.quanta)
		warm_quanta = a.quanta;
	block = (uint32_t)llround(o.block_seconds * RATE / QUANTUM);
	if (o.block_seconds > 0 && block == 0)
		block = 1;
	if (warm_quanta > 0 && (res = run_both(&o, &a, warm_quanta, 0, false, &ro, &rf)) < 0) {
		fprintf(stderr, "bench-send: %s\n", strerror(-res));
		return 1;
	}

	for (uint32_t i = 0; i < o.repeat; i++) {
		bool opus_first = (i % 2 == 1) != o.opus_first;
		if ((res = run_both(&o, &a, a.quanta, block, opus_first, &ro, &rf)) < 0) {
			fprintf(stderr, "bench-send: %s\n", strerror(-res));
			return 1;
		}
		ours[i] = ro.cpu;
		floor_[i] = rf.cpu;
		ratio[i] = o.only ? 0.0 : ro.cpu / rf.cpu;
		/* Same input, same settings, deterministic encoder: the payloads
		 * must come out the same size, or the comparison is unfair. */
		if (o.only == 0)
			match &= ro.packets == rf.packets &&
				 ro.payload_octets == rf.payload_octets &&
				 ro.errors == 0 && rf.errors == 0;
		if (o.machine)
			printf("run=%u first=%s tracks=%u streams=%u ptime=%g audio_s=%.6f "
			       "ours_cpu=%.6f opus_cpu=%.6f packets=%llu payload_octets=%llu "
			       "opus_payload_octets=%llu sink_octets=%llu match=%d\n",
			       i, opus_first ? "opus" : "ours", o.tracks, m, o.ptime_ms, audio_s,
			       ro.cpu, rf.cpu, (unsigned long long)ro.packets,
			       (unsigned long long)ro.payload_octets,
			       (unsigned long long)rf.payload_octets,
			       (unsigned long long)ro.sink_octets, match);
	}
	med_ours = median(ours, o.repeat);
	med_floor = median(floor_, o.repeat);
	med_ratio = median(ratio, o.repeat);

	if (!o.machine) {
		printf("%s: %s, %u kbit/s, ptime %g ms, complexity %u, fec %s (loss %u%%), dtx %s,\n"
		       "  application %s, %.2f s of audio per stream, SRTP AES_CM_128_HMAC_SHA1_80,\n"
		       "  median of %u runs (CPU time of this thread), sides alternating every %g s\n\n",
		       what, o.channels == 2 ? "stereo" : "mono", o.bitrate / 1000, o.ptime_ms,
		       o.complexity, o.fec ? "on" : "off", o.loss, o.dtx ? "on" : "off",
		       app_name(o.application), audio_s, o.repeat, o.block_seconds);
		printf("                   CPU s   RTF total  RTF/stream  CPU%%/stream\n");
		if (o.only != 2)
			printf("callbridge      %8.4f  %10.1f  %10.1f  %10.3f\n", med_ours,
			       audio_s / med_ours, audio_s * m / med_ours,
			       100.0 * med_ours / (audio_s * m));
		if (o.only != 1)
			printf("bare libopus    %8.4f  %10.1f  %10.1f  %10.3f\n", med_floor,
			       audio_s / med_floor, audio_s * m / med_floor,
			       100.0 * med_floor / (audio_s * m));
		if (o.only == 0) {
			printf("\ncallbridge / libopus: %.2f (median of per-run ratios; runs:",
			       med_ratio);
			for (uint32_t i = 0; i < o.repeat; i++)
				printf(" %.3f", ratio[i]);
			printf(")\n");
			printf("packets %llu, payload %llu bytes, %s libopus; %llu bytes to the sink\n",
			       (unsigned long long)ro.packets,
			       (unsigned long long)ro.payload_octets,
			       match ? "identical to" : "DIFFERENT FROM",
			       (unsigned long long)ro.sink_octets);
		}
	}
	free_audio(&o, &a);
	return match ? 0 : 3;
}
