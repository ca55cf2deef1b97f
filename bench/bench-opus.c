/* The libopus-only ceiling for bench/run-scale.sh: CPU time that bare
 * libopus spends to encode and to decode one second of one stream with
 * callbridge's stream settings, so "streams this machine could carry if
 * nothing but the codec cost anything" = cores / (encode + decode).  The
 * encoder is callbridge's own wrapper (audio/opus-encoder.c: it only sets
 * the CTLs once, so its cost is libopus'), the decoder plain libopus.
 * Prints one key=value line; never fails on a figure.
 *
 *   bench-opus [--seconds 20] [--ptime 20] [--channels 1] [--bitrate 64000]
 *              [--complexity 10] [--repeat 3]
 *
 * Audio: a 440 Hz sine at -12 dBFS with noise at about -40 dBFS (white,
 * fixed seed), the same kind as bench-send's, so the encoder neither idles
 * on silence nor meets a pathological input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <opus/opus.h>

#include "audio/opus-encoder.h"

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	double seconds = 20, ptime = 20, enc_s[16], dec_s[16];
	int channels = 1, bitrate = 64000, complexity = 10, repeat = 3, err;
	struct cb_opus_encoder_settings s;
	uint32_t frame, frames;
	float *pcm, *out;
	uint8_t (*packets)[CB_OPUS_MAX_PACKET];
	int *lens;
	unsigned int seed = 12345;
	uint32_t failed = 0;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--seconds") == 0) seconds = atof(argv[i + 1]);
		else if (strcmp(argv[i], "--ptime") == 0) ptime = atof(argv[i + 1]);
		else if (strcmp(argv[i], "--channels") == 0) channels = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--bitrate") == 0) bitrate = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--complexity") == 0) complexity = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--repeat") == 0) repeat = atoi(argv[i + 1]);
		else { fprintf(stderr, "bench-opus: unknown option %s\n", argv[i]); return 2; }
	}
	if (repeat < 1 || repeat > 16 || seconds <= 0 || (channels != 1 && channels != 2)) {
		fprintf(stderr, "bench-opus: bad arguments\n");
		return 2;
	}
	frame = (uint32_t)lround(ptime * 48);
	frames = (uint32_t)(seconds * 48000 / frame);
	pcm = calloc((size_t)frames * frame * channels, sizeof(float));
	out = calloc((size_t)frame * channels, sizeof(float));
	packets = calloc(frames, sizeof(*packets));
	lens = calloc(frames, sizeof(*lens));
	if (!pcm || !out || !packets || !lens)
		return 1;
	for (size_t i = 0; i < (size_t)frames * frame; i++)
		for (int c = 0; c < channels; c++)
			pcm[i * channels + c] = 0.25f * sinf(2 * (float)M_PI * 440.0f * (float)i / 48000.0f) +
				0.01f * ((float)rand_r(&seed) / RAND_MAX * 2 - 1);

	s = (struct cb_opus_encoder_settings) {
		.channels = (uint32_t)channels, .frame_samples = frame, .bitrate = (uint32_t)bitrate,
		.fec = true, .expected_loss = 10, .complexity = (uint32_t)complexity,
		.application = CB_OPUS_APP_AUTO,
	};
	for (int r = 0; r < repeat; r++) {
		struct cb_opus_encoder *enc;
		OpusDecoder *dec;
		double t0;

		if (cb_opus_encoder_new(&enc, &s) < 0)
			return 1;
		t0 = thread_cpu();
		for (uint32_t f = 0; f < frames; f++)
			lens[f] = cb_opus_encode(enc, pcm + (size_t)f * frame * channels, packets[f],
						 CB_OPUS_MAX_PACKET);
		enc_s[r] = (thread_cpu() - t0) / seconds;
		cb_opus_encoder_free(enc);

		dec = opus_decoder_create(48000, channels, &err);
		if (dec == NULL)
			return 1;
		t0 = thread_cpu();
		for (uint32_t f = 0; f < frames; f++)
			if (lens[f] > 0 && opus_decode_float(dec, packets[f], lens[f], out, (int)frame, 0) < 0)
				failed++;
		dec_s[r] = (thread_cpu() - t0) / seconds;
		opus_decoder_destroy(dec);
	}
	qsort(enc_s, (size_t)repeat, sizeof(double), cmp_double);
	qsort(dec_s, (size_t)repeat, sizeof(double), cmp_double);
	/* CPU seconds per second of one stream, median of the runs. */
	printf("encode_cpu=%.6f decode_cpu=%.6f ptime=%g channels=%d bitrate=%d complexity=%d repeat=%d decode_failed=%u\n",
	       enc_s[repeat / 2], dec_s[repeat / 2], ptime, channels, bitrate, complexity, repeat, failed);
	free(pcm);
	free(out);
	free(packets);
	free(lens);
	return 0;
}
