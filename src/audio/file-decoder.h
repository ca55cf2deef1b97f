/* An audio file as the track's audio: decoded with libsndfile (WAV, FLAC,
 * Ogg/Vorbis, Opus in Ogg, MP3 with Debian 12's libsndfile 1.2.0),
 * brought to the track's channel count and resampled to 48 kHz with
 * libsamplerate.  Looping feeds the end of the file straight into its
 * start, through the same resampler state, so the seam is one continuous
 * signal: no gap, and no filter ringing from restarting the resampler.
 *
 * Not real-time safe (it reads the disk and allocates): the file worker
 * (pipeline/file-worker.c) runs it and hands the result to the real-time
 * thread through a ring. */
#ifndef CALLBRIDGE_FILE_DECODER_H
#define CALLBRIDGE_FILE_DECODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CB_FILE_RATE 48000

struct cb_file_decoder;

/* Opens `path` for output of `channels` (1 or 2) at 48 kHz and decodes its
 * first block, so a file that opens but cannot be decoded fails here too.
 * On failure writes why into err (without the path) and returns a negative
 * errno. */
int cb_file_decoder_open(struct cb_file_decoder **out, const char *path, uint32_t channels,
			 bool loop, char *err, size_t err_len);
void cb_file_decoder_free(struct cb_file_decoder *d);

/* Up to `frames` frames (interleaved, `channels` each) into dst.  Returns
 * how many; fewer than asked only at the end of a file played once (0 from
 * then on), or a negative errno when decoding fails. */
int cb_file_decoder_read(struct cb_file_decoder *d, float *dst, uint32_t frames);

/* The file's own rate, channels and length in frames (0 when unknown). */
void cb_file_decoder_info(const struct cb_file_decoder *d, uint32_t *rate, uint32_t *channels,
			  uint64_t *frames);

/* Checks that the file opens and decodes, as the loader does for `file =`. */
int cb_file_decoder_probe(const char *path, char *err, size_t err_len);

#endif
