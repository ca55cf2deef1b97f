/* Why libsamplerate, and which of its converters: SPA's resampler lives
 * inside PipeWire's audioconvert plugin and 0.3.65 installs no API for it
 * (using it would mean loading the plugin as a whole node); libsamplerate
 * is a library made for exactly this.  SRC_SINC_MEDIUM_QUALITY keeps 97 dB
 * of signal to noise up to 90% of the band, 21.6 kHz at 48 kHz: above the
 * 20 kHz Opus's fullband mode codes, so nothing the peer could hear is
 * lost, for a third of SRC_SINC_BEST_QUALITY's time: bench-file measured
 * a 44.1 kHz stereo WAV read and resampled at 97x real time (about 1% of a
 * core), BEST alone at 30x, on this project's 2-core test machine. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <samplerate.h>
#include <sndfile.h>

#include "audio/file-decoder.h"

/* Frames of the file read at a time: 85 ms at 48 kHz, a few disk reads. */
#define BLOCK 4096
#define MAX_FILE_CHANNELS 64

struct cb_file_decoder {
	SNDFILE *file;
	SF_INFO info;
	uint32_t channels;	/* what comes out */
	bool loop;
	bool input_done;	/* played once and read to its end */
	SRC_STATE *src;		/* NULL at 48 kHz */
	double ratio;		/* output rate / file rate */
	float *raw;		/* a block as the file has it */
	float *in;		/* the block in our channels: the resampler's input */
	uint32_t in_frames, in_pos;
};

static int fail(char *err, size_t err_len, int res, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t err_len, int res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return res;
}

void cb_file_decoder_free(struct cb_file_decoder *d)
{
	if (d == NULL)
		return;
	if (d->src)
		src_delete(d->src);
	if (d->file)
		sf_close(d->file);
	free(d->raw);
	free(d->in);
	free(d);
}

/* The file's channels into ours: a mono file on both sides of a stereo
 * track, the first two of a wider file, and the average of all of them
 * for a mono track. */
static void convert(struct cb_file_decoder *d, uint32_t frames)
{
	uint32_t fc = (uint32_t)d->info.channels;

	for (uint32_t i = 0; i < frames; i++) {
		const float *f = d->raw + (size_t)i * fc;
		float *o = d->in + (size_t)i * d->channels;

		if (d->channels == 1) {
			float sum = 0.0f;
			for (uint32_t c = 0; c < fc; c++)
				sum += f[c];
			o[0] = sum / (float)fc;
		} else {
			o[0] = f[0];
			o[1] = fc > 1 ? f[1] : f[0];
		}
	}
}

/* One block of input; a looping file goes on from its start without a
 * pause, so the block holds the seam as the music does. */
static int fill(struct cb_file_decoder *d)
{
	uint32_t got = 0, fc = (uint32_t)d->info.channels;
	bool seeked = false;

	while (got < BLOCK) {
		sf_count_t n = sf_readf_float(d->file, d->raw + (size_t)got * fc, BLOCK - got);

		if (n < 0 || (n == 0 && sf_error(d->file) != SF_ERR_NO_ERROR))
			return -EIO;
		if (n > 0) {
			got += (uint32_t)n;
			seeked = false;
			continue;
		}
		if (!d->loop) {
			d->input_done = true;
			break;
		}
		/* Nothing again right after going back to the start: a file
		 * with no frames, which must not spin here. */
		if (seeked || sf_seek(d->file, 0, SEEK_SET) < 0)
			return -EIO;
		seeked = true;
	}
	convert(d, got);
	d->in_frames = got;
	d->in_pos = 0;
	return 0;
}

int cb_file_decoder_read(struct cb_file_decoder *d, float *dst, uint32_t frames)
{
	uint32_t out = 0;
	int res;

	while (out < frames) {
		uint32_t avail;

		if (d->in_pos == d->in_frames && !d->input_done && (res = fill(d)) < 0)
			return res;
		avail = d->in_frames - d->in_pos;
		if (d->src == NULL) {
			uint32_t n = avail < frames - out ? avail : frames - out;
			if (n == 0)
				break;
			memcpy(dst + (size_t)out * d->channels, d->in + (size_t)d->in_pos * d->channels,
			       (size_t)n * d->channels * sizeof(float));
			d->in_pos += n;
			out += n;
			continue;
		}
		SRC_DATA sd = {
			.data_in = d->in + (size_t)d->in_pos * d->channels,
			.input_frames = avail,
			.data_out = dst + (size_t)out * d->channels,
			.output_frames = frames - out,
			.src_ratio = d->ratio,
			.end_of_input = d->input_done && avail == 0 ? 1 : 0,
		};
		if (src_process(d->src, &sd) != 0)
			return -EIO;
		d->in_pos += (uint32_t)sd.input_frames_used;
		out += (uint32_t)sd.output_frames_gen;
		/* The end of a file played once: the resampler has given
		 * back the last of what it held. */
		if (sd.end_of_input && sd.output_frames_gen == 0)
			break;
	}
	return (int)out;
}

int cb_file_decoder_open(struct cb_file_decoder **out, const char *path, uint32_t channels,
			 bool loop, char *err, size_t err_len)
{
	struct cb_file_decoder *d;
	float probe[256 * 2];
	int res, src_err = 0;

	if (channels < 1 || channels > 2)
		return fail(err, err_len, -EINVAL, "%s", "internal error: 1 or 2 channels");
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return fail(err, err_len, -ENOMEM, "%s", "out of memory");
	d->channels = channels;
	d->loop = loop;
	d->file = sf_open(path, SFM_READ, &d->info);
	if (d->file == NULL) {
		/* libsndfile's text says which: no such file, permission,
		 * not a format it knows. */
		res = fail(err, err_len, -EINVAL, "cannot open: %s", sf_strerror(NULL));
		goto error;
	}
	if (d->info.channels < 1 || d->info.channels > MAX_FILE_CHANNELS) {
		res = fail(err, err_len, -EINVAL, "%s", "unsupported number of channels");
		goto error;
	}
	/* libsamplerate takes ratios up to 256 either way; 8 kHz..384 kHz
	 * is what files have. */
	if (d->info.samplerate < 1000 || d->info.samplerate > 768000) {
		res = fail(err, err_len, -EINVAL, "%s", "unsupported sample rate");
		goto error;
	}
	if (d->info.frames == 0) {
		res = fail(err, err_len, -EINVAL, "%s", "the file has no audio");
		goto error;
	}
	d->raw = calloc((size_t)BLOCK * (size_t)d->info.channels, sizeof(float));
	d->in = calloc((size_t)BLOCK * channels, sizeof(float));
	if (d->raw == NULL || d->in == NULL) {
		res = fail(err, err_len, -ENOMEM, "%s", "out of memory");
		goto error;
	}
	if (d->info.samplerate != CB_FILE_RATE) {
		d->ratio = (double)CB_FILE_RATE / d->info.samplerate;
		d->src = src_new(SRC_SINC_MEDIUM_QUALITY, (int)channels, &src_err);
		if (d->src == NULL) {
			res = fail(err, err_len, -EINVAL, "resampler: %s", src_strerror(src_err));
			goto error;
		}
	}
	/* A header that opens but data that does not decode fails here,
	 * when the file is named, not later on the air. */
	if ((res = cb_file_decoder_read(d, probe, 256)) <= 0) {
		res = fail(err, err_len, -EINVAL, "%s", "cannot decode the audio");
		goto error;
	}
	/* Back to a clean start: the probe read is not played. */
	if (sf_seek(d->file, 0, SEEK_SET) < 0 || (d->src && src_reset(d->src) != 0)) {
		res = fail(err, err_len, -EINVAL, "%s", "cannot seek back to the start");
		goto error;
	}
	d->input_done = false;
	d->in_frames = d->in_pos = 0;
	*out = d;
	return 0;

error:
	cb_file_decoder_free(d);
	return res;
}

void cb_file_decoder_info(const struct cb_file_decoder *d, uint32_t *rate, uint32_t *channels,
			  uint64_t *frames)
{
	*rate = (uint32_t)d->info.samplerate;
	*channels = (uint32_t)d->info.channels;
	*frames = d->info.frames > 0 ? (uint64_t)d->info.frames : 0;
}

int cb_file_decoder_probe(const char *path, char *err, size_t err_len)
{
	struct cb_file_decoder *d = NULL;
	int res = cb_file_decoder_open(&d, path, 2, false, err, err_len);

	if (res < 0)
		return res;
	cb_file_decoder_free(d);
	return 0;
}
