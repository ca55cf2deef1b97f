/* SDP (RFC 8866) describing the streams this side sends, so that a plain
 * receiver (ffmpeg, GStreamer, VLC) can decode them from a file.  Keys go in
 * a=crypto (RFC 4568) lines, which is why the file is written 0600. */
#ifndef CALLBRIDGE_SDP_H
#define CALLBRIDGE_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/srtp-suite.h"
#include "net/address.h"

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

/* Renders the description into buf; returns the length, or -ENOSPC. */
int cb_sdp_write(char *buf, size_t cap, const struct cb_sdp_session *session);

/* Writes it to path atomically (temp file + rename) with mode 0600. */
int cb_sdp_write_file(const char *path, const struct cb_sdp_session *session);

#endif
