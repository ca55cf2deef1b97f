#include "crypto/srtp-suite.h"

const char *cb_srtp_suite_name(enum cb_srtp_suite suite)
{
	switch (suite) {
	case CB_SRTP_NONE:
		return "none";
	case CB_SRTP_AES_CM_128_HMAC_SHA1_80:
		return "AES_CM_128_HMAC_SHA1_80";
	case CB_SRTP_AES_CM_128_HMAC_SHA1_32:
		return "AES_CM_128_HMAC_SHA1_32";
	case CB_SRTP_AEAD_AES_128_GCM:
		return "AEAD_AES_128_GCM";
	case CB_SRTP_AEAD_AES_256_GCM:
		return "AEAD_AES_256_GCM";
	}
	return "unknown";
}

size_t cb_srtp_suite_key_len(enum cb_srtp_suite suite)
{
	switch (suite) {
	case CB_SRTP_AES_CM_128_HMAC_SHA1_80:
	case CB_SRTP_AES_CM_128_HMAC_SHA1_32:
		return 16 + 14;
	case CB_SRTP_AEAD_AES_128_GCM:
		return 16 + 12;
	case CB_SRTP_AEAD_AES_256_GCM:
		return 32 + 12;
	case CB_SRTP_NONE:
		break;
	}
	return 0;
}
