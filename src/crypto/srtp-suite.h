/* The SRTP protection profiles callbridge speaks (RFC 3711, RFC 7714) and
 * the master key || salt they take.  Plain data, below the config loader,
 * the SDP model and the keying object that all name them. */
#ifndef CALLBRIDGE_SRTP_SUITE_H
#define CALLBRIDGE_SRTP_SUITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CB_KEY_MAX         64	/* master key || salt, largest suite is 44 */

enum cb_srtp_suite {
	CB_SRTP_NONE,
	CB_SRTP_AES_CM_128_HMAC_SHA1_80,
	CB_SRTP_AES_CM_128_HMAC_SHA1_32,
	CB_SRTP_AEAD_AES_128_GCM,
	CB_SRTP_AEAD_AES_256_GCM,
};

struct cb_key {
	bool set;
	uint8_t bytes[CB_KEY_MAX];
	size_t len;
};

const char *cb_srtp_suite_name(enum cb_srtp_suite suite);
/* Master key + salt length the suite needs, 0 for none. */
size_t cb_srtp_suite_key_len(enum cb_srtp_suite suite);

#endif
