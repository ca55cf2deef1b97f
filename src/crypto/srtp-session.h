/* One direction of SRTP/SRTCP (libsrtp2), or a pass-through for srtp=none.
 * A session is used from one thread only: libsrtp2 contexts are not
 * thread-safe, and each direction lives on its own worker. */
#ifndef CALLBRIDGE_SRTP_SESSION_H
#define CALLBRIDGE_SRTP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/srtp-suite.h"

/* Room a caller leaves after a packet for the auth tag and SRTCP index. */
#define CB_SRTP_MAX_OVERHEAD 148

struct cb_srtp_session;

enum cb_srtp_direction {
	CB_SRTP_OUTBOUND,
	CB_SRTP_INBOUND,
};

/* Returns 0 or a negative errno; the key is copied into libsrtp2 and not
 * kept here. */
int cb_srtp_session_new(struct cb_srtp_session **out, enum cb_srtp_suite suite,
			const uint8_t *key, size_t key_len, enum cb_srtp_direction direction);
void cb_srtp_session_free(struct cb_srtp_session *s);

/* In place; *len grows by the trailer. cap is the buffer's size. */
int cb_srtp_protect_rtp(struct cb_srtp_session *s, uint8_t *buf, size_t *len, size_t cap);
int cb_srtp_protect_rtcp(struct cb_srtp_session *s, uint8_t *buf, size_t *len, size_t cap);

/* In place; -EACCES for authentication or replay failures, -EINVAL for
 * packets too broken to look at. */
int cb_srtp_unprotect_rtp(struct cb_srtp_session *s, uint8_t *buf, size_t *len);
int cb_srtp_unprotect_rtcp(struct cb_srtp_session *s, uint8_t *buf, size_t *len);

#endif
