/* The file decoder: a 44.1 kHz tone looped three and a half times comes out
 * at 48 kHz as one unbroken sine (no step at any seam bigger than the sine
 * itself makes, the right frequency and level), a file played once ends
 * with about its length in output frames, channels are mapped both ways,
 * and a missing, an empty or an undecodable file fails at open. */
#include <errno.h>
#include <unistd.h>

#include <sndfile.h>
#include <spa/utils/defs.h>

#include "audio/file-decoder.h"
#include "test.h"

static char dir[] = "/tmp/callbridge-test-file-XXXXXX";

static void write_tone(const char *path, int rate, int channels, int frames, double freq,
		       int format)
{
	SF_INFO info = { .samplerate = rate, .channels = channels, .format = format };
	float *pcm = calloc((size_t)frames * channels, sizeof(float));
	SNDFILE *f;

	for (int i = 0; i < frames; i++)
		for (int c = 0; c < channels; c++)
			pcm[i * channels + c] = (float)((c ? 0.125 : 0.25) *
							sin(2 * M_PI * freq * i / rate));
	f = sf_open(path, SFM_WRITE, &info);
	CHECK(f != NULL);
	if (f) {
		CHECK_INT_EQ(sf_writef_float(f, pcm, frames), frames);
		sf_close(f);
	}
	free(pcm);
}

static char *path_of(const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

/* Amplitude of freq in x (a single-bin DFT). */
static double amplitude(const float *x, size_t n, double freq)
{
	double re = 0, im = 0;

	for (size_t i = 0; i < n; i++) {
		re += x[i] * cos(2 * M_PI * freq * (double)i / 48000);
		im -= x[i] * sin(2 * M_PI * freq * (double)i / 48000);
	}
	return 2 * sqrt(re * re + im * im) / (double)n;
}

static void test_loop_seamless(void)
{
	/* 441 Hz at 44.1 kHz: 100 samples a cycle, 441 cycles in the file. */
	const size_t total = 48000 * 7 / 2;	/* 3.5 loops */
	float *out = calloc(total, sizeof(float));
	struct cb_file_decoder *d;
	char err[200];
	size_t got = 0;
	double max_step = 0, limit = 2 * 0.25 * sin(M_PI * 441.0 / 48000) * 1.02;

	write_tone(path_of("loop.wav"), 44100, 1, 44100, 441.0, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	CHECK_INT_EQ(cb_file_decoder_open(&d, path_of("loop.wav"), 1, true, err, sizeof(err)), 0);
	/* In uneven pieces, as the worker reads when the ring has room. */
	while (got < total) {
		uint32_t want = (uint32_t)SPA_MIN((size_t)(got % 3 ? 1000 : 2048), total - got);
		int n = cb_file_decoder_read(d, out + got, want);
		CHECK_INT_EQ(n, want);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	cb_file_decoder_free(d);
	/* Past the resampler's start-up, every step is one a 441 Hz sine of
	 * this amplitude makes: a gap, a repeat or a restarted filter at a
	 * seam (every 48000 frames) would be many times that. */
	for (size_t i = 1000; i < total; i++) {
		double step = fabs(out[i] - out[i - 1]);
		if (step > max_step)
			max_step = step;
	}
	printf("loop: max step %.5f, a clean sine's %.5f\n", max_step, limit / 1.02);
	CHECK(max_step <= limit);
	CHECK_NEAR(amplitude(out + 48000 - 24000, 48000, 441.0), 0.25, 0.005);
	CHECK(amplitude(out + 48000 - 24000, 48000, 400.0) < 0.01);
	free(out);
}

static void test_once_and_channels(void)
{
	struct cb_file_decoder *d;
	float buf[4096 * 2];
	char err[200];
	uint64_t frames = 0;
	uint32_t rate, channels;
	uint64_t length;
	int n;

	/* Stereo 22.05 kHz, L 0.25 and R 0.125: on a mono track their mean. */
	write_tone(path_of("st.flac"), 22050, 2, 22050, 300.0, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
	CHECK_INT_EQ(cb_file_decoder_open(&d, path_of("st.flac"), 1, false, err, sizeof(err)), 0);
	cb_file_decoder_info(d, &rate, &channels, &length);
	CHECK_INT_EQ(rate, 22050);
	CHECK_INT_EQ(channels, 2);
	CHECK_INT_EQ(length, 22050);
	while ((n = cb_file_decoder_read(d, buf, 4096)) > 0) {
		if (frames == 8192)
			CHECK_NEAR(amplitude(buf, 4096, 300.0), 0.1875, 0.003);
		frames += (uint64_t)n;
	}
	CHECK_INT_EQ(n, 0);
	CHECK_INT_EQ(cb_file_decoder_read(d, buf, 4096), 0);
	/* One second, give or take the resampler's edges. */
	CHECK(frames >= 47900 && frames <= 48100);
	cb_file_decoder_free(d);

	/* Mono at 48 kHz on a stereo track: both sides, no resampling. */
	write_tone(path_of("m.wav"), 48000, 1, 4800, 1000.0, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
	CHECK_INT_EQ(cb_file_decoder_open(&d, path_of("m.wav"), 2, false, err, sizeof(err)), 0);
	CHECK_INT_EQ(cb_file_decoder_read(d, buf, 4096), 4096);
	CHECK_NEAR(buf[2 * 100], buf[2 * 100 + 1], 1e-6);
	CHECK(fabs(buf[2 * 100]) > 0.01);
	CHECK_INT_EQ(cb_file_decoder_read(d, buf, 4096), 704);
	CHECK_INT_EQ(cb_file_decoder_read(d, buf, 4096), 0);
	cb_file_decoder_free(d);
}

static void test_bad_files(void)
{
	struct cb_file_decoder *d = NULL;
	char err[200];
	FILE *f;

	CHECK(cb_file_decoder_open(&d, path_of("nosuch.wav"), 2, false, err, sizeof(err)) < 0);
	CHECK_STR_CONTAINS(err, "cannot open");
	CHECK(d == NULL);

	f = fopen(path_of("noise.wav"), "w");
	for (int i = 0; f && i < 4096; i++)
		fputc((i * 7919) & 0xff, f);
	if (f)
		fclose(f);
	CHECK(cb_file_decoder_probe(path_of("noise.wav"), err, sizeof(err)) < 0);
	CHECK_STR_CONTAINS(err, "cannot open");

	/* A valid header with no frames. */
	write_tone(path_of("empty.wav"), 48000, 1, 0, 440.0, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
	CHECK(cb_file_decoder_probe(path_of("empty.wav"), err, sizeof(err)) < 0);
	CHECK_STR_CONTAINS(err, "no audio");

	/* A directory is not a file. */
	CHECK(cb_file_decoder_probe(dir, err, sizeof(err)) < 0);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_loop_seamless();
	test_once_and_channels();
	test_bad_files();
	for (const char *n = "loop.wav\0st.flac\0m.wav\0noise.wav\0empty.wav\0"; *n; n += strlen(n) + 1)
		unlink(path_of(n));
	rmdir(dir);
	return test_finish("test-file-decoder");
}
