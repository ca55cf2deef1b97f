/* SDP (RFC 8866) describing the streams this side sends, so that a plain
 * receiver (ffmpeg, GStreamer, VLC) can decode them from a file.  Keys go in
 * a=crypto (RFC 4568) lines, which is why the file is written 0600.
 *
 * The file is built as a model (sdp/sdp-model.h, also what the parser
 * fills) and rendered from it; below that, the conversions from a parsed
 * model to callbridge's own types. */
#ifndef CALLBRIDGE_SDP_H
#define CALLBRIDGE_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/srtp-suite.h"
#include "net/address.h"
#include "sdp/sdp-model.h"

struct cb_sdp_media {
	const char *mid;
	const struct cb_address *dest;	/* the receiver: m= port and c= address */
	uint8_t payload_type;
	uint32_t channels;
	uint32_t ptime_samples;		/* at 48 kHz */
	uint32_t ssrc;
	bool fec;
	bool dtx;
	uint32_t bitrate;
	int audio_level_ext_id;		/* 0: none */
	int red_payload_type;		/* RFC 2198 red wrapping the Opus, sent instead; 0: none */
};

/* transport = ice: one ICE transport for every m-line (BUNDLE, rtcp-mux). */
struct cb_sdp_ice {
	const char *ufrag;
	const char *pwd;
	const char *candidate_lines;	/* "a=candidate:...\r\n" each */
	const struct cb_address *default_addr;	/* m= port and c= of every m-line */
};

struct cb_sdp_session {
	const char *call_name;
	const char *cname;
	uint64_t session_id;
	uint64_t version;
	const struct cb_address *origin;
	enum cb_srtp_suite suite;
	const uint8_t *key;		/* master key || salt, NULL when suite is none */
	size_t key_len;
	uint32_t n_media;
	const struct cb_sdp_media *media;
	const struct cb_sdp_ice *ice;	/* NULL: plain UDP to each m-line's dest */
};

/* Fills sdp (zeroed first) with the description of the session; returns 0,
 * -EAFNOSUPPORT for an address that is not IPv4/IPv6, -E2BIG over a model
 * limit (more than CB_SDP_MAX_CANDIDATES candidates, say) or -EINVAL for
 * candidate_lines that are not "a=candidate:...\r\n" lines.  The model
 * holds the SRTP key: explicit_bzero() it after use. */
int cb_sdp_build(struct cb_sdp *sdp, const struct cb_sdp_session *session);

/* Builds and renders the description into buf; returns the length, or a
 * negative errno (-ENOSPC when buf is too small). */
int cb_sdp_write(char *buf, size_t cap, const struct cb_sdp_session *session);

/* Writes it to path atomically (temp file + rename) with mode 0600. */
int cb_sdp_write_file(const char *path, const struct cb_sdp_session *session);

/* ---- From a parsed description to callbridge's types (sdp-convert.c) ---- */

/* The SRTP suite and master key || salt of an a=crypto line (RFC 4568
 * §6.1 inline key, base64).  Returns the key length, -ENOTSUP for a suite
 * callbridge does not have, or -EINVAL for a key that is not valid base64
 * of the suite's length (or that has a lifetime/MKI, which we do not use). */
int cb_sdp_crypto_key(const struct cb_sdp_crypto *crypto, enum cb_srtp_suite *suite,
		      uint8_t *key, size_t cap);

/* The address and port RTP goes to for this section: its c= (else the
 * session's) and its m= port.  Returns 0 or -EINVAL. */
int cb_sdp_section_address(const struct cb_sdp *sdp, const struct cb_sdp_section *m,
			   struct cb_address *out);

#endif
