/* Trickle ICE SDP fragments (RFC 8840 section 9, application/trickle-ice-
 * sdpfrag): what a WHIP/WHEP client PATCHes to send candidates found after
 * the offer, or new credentials for an ICE restart (RFC 9725 section 4.3).
 *
 *   a=ice-ufrag:EsAw
 *   a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1
 *   m=audio 9 UDP/TLS/RTP/SAVPF 111
 *   a=mid:0
 *   a=candidate:1 1 udp 2122260223 192.0.2.1 61764 typ host
 *   a=end-of-candidates
 *
 * One media section (callbridge's sessions carry one audio m-line, all
 * BUNDLEd).  The parser is strict: only a= and m= lines, credentials in
 * ice-chars, limits on everything. */
#ifndef CALLBRIDGE_SDPFRAG_H
#define CALLBRIDGE_SDPFRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CB_SDPFRAG_CANDIDATES 32
#define CB_SDPFRAG_LINE_MAX 512
#define CB_SDPFRAG_CRED_MAX 256

struct cb_sdpfrag {
	char ufrag[CB_SDPFRAG_CRED_MAX + 1];	/* "" when absent */
	char pwd[CB_SDPFRAG_CRED_MAX + 1];	/* secret */
	char mid[33];				/* "" when no media section */
	uint32_t n_candidates;
	/* "candidate:..." attribute values, without "a=" */
	char candidates[CB_SDPFRAG_CANDIDATES][CB_SDPFRAG_LINE_MAX];
	bool end_of_candidates;
};

/* -EINVAL with "line N: why" in err for anything outside the grammar. */
int cb_sdpfrag_parse(const char *text, size_t len, struct cb_sdpfrag *out, char *err,
		     size_t err_len);
/* CRLF lines into buf; the length, or -ENOSPC. */
int cb_sdpfrag_write(const struct cb_sdpfrag *frag, char *buf, size_t cap);

#endif
