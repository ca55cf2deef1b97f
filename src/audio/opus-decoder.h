/* The receive side's libopus: decoding a packet, rebuilding a lost one
 * from the next packet's in-band FEC (RFC 6716 section 2.1.7), concealing
 * one with PLC, and reading a packet's duration and channel count before
 * trusting it.  The encoder wrapper is beside it; no other file calls
 * libopus. */
#ifndef CALLBRIDGE_OPUS_DECODER_H
#define CALLBRIDGE_OPUS_DECODER_H

#include <stddef.h>
#include <stdint.h>

/* 120 ms at 48 kHz: the longest a single packet may decode to. */
#define CB_OPUS_MAX_FRAME 5760

struct cb_opus_decoder;

int cb_opus_decoder_new(struct cb_opus_decoder **out, uint32_t channels);
void cb_opus_decoder_free(struct cb_opus_decoder *dec);
/* Back to a fresh state (a new stream on the same decoder). */
void cb_opus_decoder_reset(struct cb_opus_decoder *dec);

/* Decodes a packet into at most max_samples frames of interleaved float;
 * returns the frames decoded or a negative errno. */
int cb_opus_decode(struct cb_opus_decoder *dec, const uint8_t *packet, size_t len, float *pcm,
		   uint32_t max_samples);
/* Rebuilds the `samples` frames before `packet` from its FEC data (PLC
 * when it has none). */
int cb_opus_decode_fec(struct cb_opus_decoder *dec, const uint8_t *packet, size_t len,
		       float *pcm, uint32_t samples);
/* Conceals `samples` lost frames. */
int cb_opus_conceal(struct cb_opus_decoder *dec, float *pcm, uint32_t samples);

/* Frames at 48 kHz the packet carries, or a negative errno when its TOC
 * and frame count are not valid Opus (RFC 6716 section 3). */
int cb_opus_packet_samples(const uint8_t *packet, size_t len);
/* 1 or 2, or a negative errno. */
int cb_opus_packet_channels(const uint8_t *packet, size_t len);

#endif
