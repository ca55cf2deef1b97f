/* What a file track costs the file worker: CPU time to decode and resample
 * a 44.1 kHz stereo file to the track's 48 kHz, as a real-time factor (seconds
 * of audio per second of CPU), with the converter file-decoder.c uses
 * (SRC_SINC_MEDIUM_QUALITY) and, on the same samples, libsamplerate's best
 * and fastest converters for comparison.  Prints figures; never fails.
 *
 *   bench-file [--seconds N]   (default 60 s of audio) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <samplerate.h>
#include <sndfile.h>

#include "audio/file-decoder.h"

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double bench_converter(int type, const float *in, long frames)
{
	long out_cap = frames * 48000 / 44100 + 4096;
	float *out = malloc((size_t)out_cap * 2 * sizeof(float));
	SRC_DATA d = { .data_in = in, .input_frames = frames, .data_out = out,
		       .output_frames = out_cap, .src_ratio = 48000.0 / 44100, .end_of_input = 1 };
	double t0 = cpu_now();
	int err;
	SRC_STATE *s = src_new(type, 2, &err);

	src_process(s, &d);
	src_delete(s);
	free(out);
	return cpu_now() - t0;
}

int main(int argc, char **argv)
{
	long seconds = argc > 2 && strcmp(argv[1], "--seconds") == 0 ? atol(argv[2]) : 60;
	long frames = seconds * 44100;
	char path[] = "/tmp/callbridge-bench-file-XXXXXX.wav";
	SF_INFO info = { .samplerate = 44100, .channels = 2, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
	float *pcm = malloc((size_t)frames * 2 * sizeof(float)), buf[4096 * 2];
	struct cb_file_decoder *d;
	char err[200];
	double t0, decoder, best, medium, fastest;
	long out = 0;
	int fd = mkstemps(path, 4), n;
	SNDFILE *f;

	for (long i = 0; i < frames; i++) {
		pcm[2 * i] = (float)(0.3 * sin(2 * M_PI * 441.0 * i / 44100));
		pcm[2 * i + 1] = (float)(0.3 * sin(2 * M_PI * 1234.5 * i / 44100));
	}
	f = sf_open_fd(fd, SFM_WRITE, &info, 1);
	sf_writef_float(f, pcm, frames);
	sf_close(f);

	if (cb_file_decoder_open(&d, path, 2, false, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	t0 = cpu_now();
	while ((n = cb_file_decoder_read(d, buf, 4096)) > 0)
		out += n;
	decoder = cpu_now() - t0;
	cb_file_decoder_free(d);
	unlink(path);
	best = bench_converter(SRC_SINC_BEST_QUALITY, pcm, frames);
	medium = bench_converter(SRC_SINC_MEDIUM_QUALITY, pcm, frames);
	fastest = bench_converter(SRC_SINC_FASTEST, pcm, frames);
	free(pcm);

	printf("%ld s of 44.1 kHz stereo WAV -> %ld frames at 48 kHz\n", seconds, out);
	printf("%-40s %8s %14s\n", "", "CPU s", "x real time");
	printf("%-40s %8.3f %14.0f\n", "file decoder (read + MEDIUM resample)", decoder, seconds / decoder);
	printf("%-40s %8.3f %14.0f\n", "SRC_SINC_BEST_QUALITY alone", best, seconds / best);
	printf("%-40s %8.3f %14.0f\n", "SRC_SINC_MEDIUM_QUALITY alone", medium, seconds / medium);
	printf("%-40s %8.3f %14.0f\n", "SRC_SINC_FASTEST alone", fastest, seconds / fastest);
	return 0;
}
