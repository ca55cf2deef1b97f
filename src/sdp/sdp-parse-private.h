/* Shared by the line parser (sdp-parse.c) and the attribute parsers
 * (sdp-attr.c, sdp-attr-rtp.c) and their scanners (sdp-text.c).  Not for use outside src/sdp/. */
#ifndef CALLBRIDGE_SDP_PARSE_PRIVATE_H
#define CALLBRIDGE_SDP_PARSE_PRIVATE_H

#include <stdarg.h>

#include "sdp/sdp-model.h"

struct cb_sdp_parser {
	struct cb_sdp *sdp;
	struct cb_sdp_section *media;	/* the section being read; NULL at session level */
	struct cb_sdp_level *level;	/* &sdp->level or &media->level */
	uint32_t line;			/* 1-based, for messages */
	uint32_t group_lines[CB_SDP_MAX_GROUPS];
	uint32_t media_lines[CB_SDP_MAX_MEDIA];
	char *err;
	size_t err_len;
};

/* Writes "line N: <message>" into the error buffer and returns code. */
int cb_sdp_fail(struct cb_sdp_parser *p, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Handles the value of one a= line (name and value NUL-terminated; value
 * is NULL for a property attribute without ':'). */
int cb_sdp_parse_attribute(struct cb_sdp_parser *p, const char *name, const char *value);

/* The RTP attributes of a media section (sdp-attr-rtp.c): value not NULL. */
int cb_sdp_a_rtpmap(struct cb_sdp_parser *p, const char *v);
int cb_sdp_a_fmtp(struct cb_sdp_parser *p, const char *v);
int cb_sdp_a_rtcp_fb(struct cb_sdp_parser *p, const char *v);
int cb_sdp_a_extmap(struct cb_sdp_parser *p, const char *v);
int cb_sdp_a_ssrc(struct cb_sdp_parser *p, const char *v);
int cb_sdp_a_ssrc_group(struct cb_sdp_parser *p, const char *v);
int cb_sdp_a_crypto(struct cb_sdp_parser *p, const char *v);

/* ---- Small scanners over NUL-terminated text (sdp-text.c) ---- */

/* RFC 8866 §9 token-char: printable ASCII but for space and "()<>@,;:\"/[]?={}"
 * ... except that '/' is allowed where noted; true if s is 1+ such chars. */
bool cb_sdp_is_token(const char *s, bool allow_slash);

/* Copies the next space-separated word of *s into out (len bytes, NUL
 * included) and moves *s past it and the spaces after it.  Returns the
 * word's length, 0 if there is none, or -E2BIG if it does not fit. */
int cb_sdp_next_word(const char **s, char *out, size_t len);

/* Unsigned decimal, no sign, at most max; the whole of s. */
bool cb_sdp_parse_u64(const char *s, uint64_t max, uint64_t *out);
bool cb_sdp_parse_u32(const char *s, uint32_t max, uint32_t *out);

/* Copies s into out if it fits (strlen(s) < len); false otherwise. */
bool cb_sdp_copy(char *out, size_t len, const char *s);

/* An IP literal of the family addrtype names ("IP4"/"IP6"); with
 * allow_host also a DNS name (RFC 8866 §5.2 allows one in o=). */
bool cb_sdp_valid_address(const char *addrtype, const char *address, bool allow_host);

/* ice-char (RFC 8839 §5.4): ALPHA / DIGIT / "+" / "/". */
bool cb_sdp_is_ice_chars(const char *s);

#endif
