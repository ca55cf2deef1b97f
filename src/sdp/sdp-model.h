/* A session description (RFC 8866) as plain data: fixed-size arrays, no
 * pointers, no allocation, so that a parsed offer can be copied, compared
 * and fuzzed freely.  It holds the subset WebRTC peers send (JSEP, RFC 8829)
 * plus what callbridge's own SDP file carries (RFC 4568 SDES keys).
 *
 * Depends on libc only: the conversions to callbridge types (addresses,
 * SRTP suites and keys) are declared in sdp/sdp.h. */
#ifndef CALLBRIDGE_SDP_MODEL_H
#define CALLBRIDGE_SDP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits.  A description over any of them is refused (-E2BIG), never cut. */
#define CB_SDP_TEXT_MAX		65536	/* bytes of one description */
#define CB_SDP_LINE_MAX		1024	/* bytes of one line, without CRLF */
#define CB_SDP_MAX_MEDIA	64	/* CB_MAX_STREAMS: one per stream in our own file */
#define CB_SDP_MAX_FORMATS	32	/* per m= line; Chromium's video has 23 */
#define CB_SDP_MAX_RTCP_FB	64	/* Chromium's video has 51 */
#define CB_SDP_MAX_EXTMAPS	16
#define CB_SDP_MAX_SSRCS	32	/* a=ssrc lines */
#define CB_SDP_MAX_SSRC_GROUPS	4
#define CB_SDP_MAX_GROUP_SSRCS	8
#define CB_SDP_MAX_CANDIDATES	32
#define CB_SDP_MAX_CRYPTO	8
#define CB_SDP_MAX_BANDWIDTHS	4
#define CB_SDP_MAX_FINGERPRINTS	4	/* RFC 8122 §5 allows one per hash */
#define CB_SDP_MAX_MSIDS	4
#define CB_SDP_MAX_GROUPS	4

/* String sizes, terminating NUL included. */
#define CB_SDP_TOKEN_LEN	64	/* mid, username, semantics, ... */
#define CB_SDP_NAME_LEN		32	/* media type, proto, encoding, format */
#define CB_SDP_ADDR_LEN		64	/* an IPv6 literal or a host name */
#define CB_SDP_VALUE_LEN	256	/* s=, fmtp, candidate, msid, ... */
#define CB_SDP_ICE_CRED_LEN	257	/* RFC 8839 §5.4: 256 ice-chars at most */
#define CB_SDP_FINGERPRINT_MAX	64	/* bytes, sha-512 */

enum cb_sdp_direction {
	CB_SDP_DIR_NONE,		/* not given: sendrecv (RFC 8866 §6.7) */
	CB_SDP_DIR_SENDRECV,
	CB_SDP_DIR_SENDONLY,
	CB_SDP_DIR_RECVONLY,
	CB_SDP_DIR_INACTIVE,
};

/* RFC 4145 §4 (with RFC 8842 for DTLS): who opens the connection. */
enum cb_sdp_setup {
	CB_SDP_SETUP_NONE,
	CB_SDP_SETUP_ACTPASS,
	CB_SDP_SETUP_ACTIVE,
	CB_SDP_SETUP_PASSIVE,
	CB_SDP_SETUP_HOLDCONN,
};

/* c=IN <addrtype> <address>; the network type is always IN. */
struct cb_sdp_connection {
	bool set;
	char addrtype[4];		/* "IP4" or "IP6" */
	char address[CB_SDP_ADDR_LEN];	/* a literal of that family */
};

/* b=<type>:<value>, e.g. AS (kbit/s, RFC 8866 §5.8) or TIAS (bit/s). */
struct cb_sdp_bandwidth {
	char type[16];
	uint32_t value;
};

/* a=fingerprint (RFC 8122 §5): the hash of the DTLS certificate. */
struct cb_sdp_fingerprint {
	char hash[16];			/* lower case: "sha-256" */
	uint32_t len;			/* as the hash requires: 32 for sha-256 */
	uint8_t bytes[CB_SDP_FINGERPRINT_MAX];
};

/* What may stand at session level or in a media section, the latter taking
 * precedence (RFC 8839 §5.4 ice-ufrag/pwd, RFC 8842 §5 fingerprint/setup). */
struct cb_sdp_level {
	struct cb_sdp_connection connection;
	uint32_t n_bandwidths;
	struct cb_sdp_bandwidth bandwidths[CB_SDP_MAX_BANDWIDTHS];
	char ice_ufrag[CB_SDP_ICE_CRED_LEN];	/* "": not given */
	char ice_pwd[CB_SDP_ICE_CRED_LEN];
	char ice_options[CB_SDP_VALUE_LEN];	/* "trickle", as sent */
	bool end_of_candidates;			/* RFC 8840 §8.2 */
	uint32_t n_fingerprints;
	struct cb_sdp_fingerprint fingerprints[CB_SDP_MAX_FINGERPRINTS];
	enum cb_sdp_setup setup;
	enum cb_sdp_direction direction;
	bool extmap_allow_mixed;		/* RFC 8285 §6 */
	/* Counted, not kept (so not rendered, and not compared): attributes
	 * this model does not know (a=rtcp, a=sctp-port, ...) and the
	 * informational i= u= e= p= r= z= k= lines. */
	uint32_t n_other_attributes;
	uint32_t n_other_lines;
};

/* One format of an m= line with its a=rtpmap and a=fmtp. */
struct cb_sdp_format {
	char id[CB_SDP_NAME_LEN];	/* as on the m= line: "111", "webrtc-datachannel" */
	int pt;				/* 0..127 when the proto is RTP, else -1 */
	bool has_rtpmap;
	char encoding[CB_SDP_NAME_LEN];	/* as sent: "opus", "OPUS" */
	uint32_t clock_rate;
	uint32_t channels;		/* 0: not given */
	bool has_fmtp;
	char fmtp[CB_SDP_VALUE_LEN];	/* the parameters, as sent */
};

/* a=rtcp-fb (RFC 4585 §4.2). */
struct cb_sdp_rtcp_fb {
	char format[CB_SDP_NAME_LEN];	/* a format id, or "*" */
	char value[CB_SDP_TOKEN_LEN];	/* "nack pli", "transport-cc" */
};

/* a=extmap (RFC 8285 §8). */
struct cb_sdp_extmap {
	uint16_t id;			/* 1..255 */
	enum cb_sdp_direction direction;
	char uri[128];
	char attributes[CB_SDP_TOKEN_LEN];	/* "vad=on", or "" */
};

/* a=ssrc (RFC 5576 §4.1): "a=ssrc:1 cname:x" is attribute "cname", value "x". */
struct cb_sdp_ssrc {
	uint32_t ssrc;
	char attribute[CB_SDP_NAME_LEN];
	bool has_value;
	char value[128];
};

/* a=ssrc-group (RFC 5576 §4.2), e.g. FID for RTX. */
struct cb_sdp_ssrc_group {
	char semantics[CB_SDP_NAME_LEN];
	uint32_t n_ssrcs;
	uint32_t ssrcs[CB_SDP_MAX_GROUP_SSRCS];
};

/* a=crypto (RFC 4568 §9.1), kept as text; sdp/sdp.h decodes the key. */
struct cb_sdp_crypto {
	uint32_t tag;
	char suite[CB_SDP_TOKEN_LEN];		/* "AES_CM_128_HMAC_SHA1_80" */
	char key_params[CB_SDP_VALUE_LEN];	/* "inline:<base64>[|...]" */
	char session_params[128];		/* "" or as sent */
};

struct cb_sdp_section {
	char type[CB_SDP_NAME_LEN];	/* audio, video, application, ... */
	uint16_t port;			/* 0: rejected or bundle-only */
	char proto[CB_SDP_NAME_LEN];	/* "UDP/TLS/RTP/SAVPF", "RTP/SAVP", ... */
	bool rtp;			/* formats are RTP payload types */
	uint32_t n_formats;
	struct cb_sdp_format formats[CB_SDP_MAX_FORMATS];

	char mid[CB_SDP_TOKEN_LEN];	/* "": none (RFC 8843 needs one in a BUNDLE) */
	struct cb_sdp_level level;
	uint32_t ptime;			/* 0.1 ms units, 0: not given */
	uint32_t maxptime;		/* likewise */
	bool rtcp_mux, rtcp_mux_only, rtcp_rsize, bundle_only;

	uint32_t n_rtcp_fb;
	struct cb_sdp_rtcp_fb rtcp_fb[CB_SDP_MAX_RTCP_FB];
	uint32_t n_extmaps;
	struct cb_sdp_extmap extmaps[CB_SDP_MAX_EXTMAPS];
	uint32_t n_candidates;		/* each the text after "a=candidate:" */
	char candidates[CB_SDP_MAX_CANDIDATES][CB_SDP_VALUE_LEN];
	uint32_t n_crypto;
	struct cb_sdp_crypto crypto[CB_SDP_MAX_CRYPTO];
	uint32_t n_msids;		/* RFC 8830 §2: "stream-id [track-id]" */
	char msids[CB_SDP_MAX_MSIDS][128];
	uint32_t n_ssrc_groups;
	struct cb_sdp_ssrc_group ssrc_groups[CB_SDP_MAX_SSRC_GROUPS];
	uint32_t n_ssrcs;
	struct cb_sdp_ssrc ssrcs[CB_SDP_MAX_SSRCS];
};

/* a=group (RFC 5888 §5), e.g. BUNDLE (RFC 8843). */
struct cb_sdp_group {
	char semantics[CB_SDP_NAME_LEN];
	uint32_t n_mids;
	char mids[CB_SDP_MAX_MEDIA][CB_SDP_TOKEN_LEN];
};

struct cb_sdp {
	/* o=<username> <sess-id> <sess-version> IN <addrtype> <address> */
	char origin_username[CB_SDP_TOKEN_LEN];
	uint64_t session_id;
	uint64_t session_version;
	char origin_addrtype[4];
	char origin_address[CB_SDP_ADDR_LEN];
	char name[CB_SDP_VALUE_LEN];	/* s= */
	uint64_t start_time, stop_time;	/* t= */

	struct cb_sdp_level level;
	bool ice_lite;			/* RFC 8839 §5.3 */
	char msid_semantic[CB_SDP_VALUE_LEN];	/* "WMS *", leading blanks dropped */
	uint32_t n_groups;
	struct cb_sdp_group groups[CB_SDP_MAX_GROUPS];

	uint32_t n_media;
	struct cb_sdp_section media[CB_SDP_MAX_MEDIA];
};

/* Parses len bytes of text (CRLF or LF lines, RFC 8866 §5) into out.
 * Returns 0, or -EINVAL / -E2BIG (over a limit) with a message such as
 * "line 7: a=fingerprint: 'zz' is not a hex byte" in err. */
int cb_sdp_parse(const char *text, size_t len, struct cb_sdp *out, char *err, size_t err_len);

/* Renders the model with CRLF lines in one fixed order (see sdp-render.c).
 * Returns the length (buf NUL-terminated), -ENOSPC, or -EINVAL for a model
 * whose counts are over the limits. */
int cb_sdp_render(const struct cb_sdp *sdp, char *buf, size_t cap);

/* Whether two models say the same, the counts of dropped lines aside;
 * when not, names the first difference in why. */
bool cb_sdp_equal(const struct cb_sdp *a, const struct cb_sdp *b, char *why, size_t why_len);

/* ---- Look-ups ---- */

const struct cb_sdp_section *cb_sdp_find_mid(const struct cb_sdp *sdp, const char *mid);
const struct cb_sdp_format *cb_sdp_find_format(const struct cb_sdp_section *m, const char *id);

/* The payload type mapped to opus/48000/2 (RFC 7587 §7, any case), or -ENOENT. */
int cb_sdp_opus_pt(const struct cb_sdp_section *m);

/* RFC 2198 (sdp-red.c): the payload type of red/48000/2 whose a=fmtp
 * names only opus_pt ("111/111", as WebRTC offers it), or -ENOENT. */
int cb_sdp_red_pt(const struct cb_sdp_section *m, int opus_pt);
/* Puts red/48000/2 with a=fmtp "<opus>/<opus>" as the section's first
 * format (where the sent one goes); the Opus format is the second. */
void cb_sdp_add_red(struct cb_sdp_section *m, uint8_t red_pt, uint8_t opus_pt);

/* The a=extmap id of uri, e.g. CB_SDP_URI_AUDIO_LEVEL (RFC 6464), or -ENOENT. */
#define CB_SDP_URI_AUDIO_LEVEL "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
int cb_sdp_extmap_id(const struct cb_sdp_section *m, const char *uri);

/* The value of the first a=ssrc attribute (e.g. "cname") in m, or NULL. */
const char *cb_sdp_ssrc_attribute(const struct cb_sdp_section *m, const char *attribute);

/* Media level first, then session level (RFC 8839 §5.4, RFC 8842 §5). */
const char *cb_sdp_ice_ufrag(const struct cb_sdp *sdp, const struct cb_sdp_section *m);
const char *cb_sdp_ice_pwd(const struct cb_sdp *sdp, const struct cb_sdp_section *m);
enum cb_sdp_setup cb_sdp_setup_of(const struct cb_sdp *sdp, const struct cb_sdp_section *m);
enum cb_sdp_direction cb_sdp_direction_of(const struct cb_sdp *sdp, const struct cb_sdp_section *m);
const struct cb_sdp_fingerprint *cb_sdp_fingerprint_of(const struct cb_sdp *sdp,
						       const struct cb_sdp_section *m,
						       const char *hash);
const char *cb_sdp_setup_name(enum cb_sdp_setup setup);
const char *cb_sdp_direction_name(enum cb_sdp_direction direction);

/* Opus fmtp parameters (RFC 7587 §6.1).  -1 or 0 where not given. */
struct cb_sdp_opus_params {
	int stereo;			/* -1, 0 or 1 */
	int sprop_stereo;
	int useinbandfec;
	int usedtx;
	int cbr;
	uint32_t minptime;		/* ms */
	uint32_t maxaveragebitrate;	/* bit/s, 6000..510000 */
	uint32_t maxplaybackrate;	/* Hz, 8000..48000 */
};
/* Returns 0 (no a=fmtp gives all unset), -ENOENT for a format that is not
 * in m, -EINVAL for a known parameter with a value outside its range. */
int cb_sdp_opus_params(const struct cb_sdp_section *m, int pt, struct cb_sdp_opus_params *out);

#endif
