#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "crypto/srtp-session.h"

struct cb_srtp_session {
	bool passthrough;
	srtp_t ctx;
};

static pthread_once_t srtp_once = PTHREAD_ONCE_INIT;
static srtp_err_status_t srtp_init_status;

static void do_srtp_init(void)
{
	srtp_init_status = srtp_init();
}

static int set_policy(srtp_policy_t *policy, enum cb_srtp_suite suite)
{
	switch (suite) {
	case CB_SRTP_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy->rtcp);
		return 0;
	case CB_SRTP_AES_CM_128_HMAC_SHA1_32:
		/* RFC 4568: the short tag applies to SRTP only; SRTCP keeps 80. */
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy->rtcp);
		return 0;
	case CB_SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy->rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy->rtcp);
		return 0;
	case CB_SRTP_AEAD_AES_256_GCM:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy->rtp);
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy->rtcp);
		return 0;
	default:
		return -EINVAL;
	}
}

int cb_srtp_session_new(struct cb_srtp_session **out, enum cb_srtp_suite suite,
			const uint8_t *key, size_t key_len, enum cb_srtp_direction direction)
{
	struct cb_srtp_session *s;
	srtp_policy_t policy;
	uint8_t key_copy[CB_KEY_MAX];
	srtp_err_status_t err;
	int res;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;

	if (suite == CB_SRTP_NONE) {
		s->passthrough = true;
		*out = s;
		return 0;
	}
	if (key_len != cb_srtp_suite_key_len(suite) || key_len > sizeof(key_copy)) {
		res = -EINVAL;
		goto error;
	}

	pthread_once(&srtp_once, do_srtp_init);
	if (srtp_init_status != srtp_err_status_ok) {
		res = -EIO;
		goto error;
	}

	memset(&policy, 0, sizeof(policy));
	if ((res = set_policy(&policy, suite)) < 0)
		goto error;
	memcpy(key_copy, key, key_len);
	policy.key = key_copy;
	policy.ssrc.type = direction == CB_SRTP_OUTBOUND ? ssrc_any_outbound : ssrc_any_inbound;
	/* A wide replay window: jitter of a few hundred ms at ptime 2.5 means
	 * hundreds of packets in flight. */
	policy.window_size = 1024;
	policy.allow_repeat_tx = 0;

	err = srtp_create(&s->ctx, &policy);
	explicit_bzero(key_copy, sizeof(key_copy));
	if (err != srtp_err_status_ok) {
		res = -EINVAL;
		goto error;
	}
	*out = s;
	return 0;

error:
	free(s);
	return res;
}

void cb_srtp_session_free(struct cb_srtp_session *s)
{
	if (s == NULL)
		return;
	if (s->ctx)
		srtp_dealloc(s->ctx);	/* libsrtp2 wipes its key schedule */
	free(s);
}

static int protect(struct cb_srtp_session *s, uint8_t *buf, size_t *len, size_t cap, bool rtcp)
{
	int n = (int)*len;
	srtp_err_status_t err;

	if (s->passthrough)
		return 0;
	if (cap < *len + CB_SRTP_MAX_OVERHEAD || *len > INT32_MAX - CB_SRTP_MAX_OVERHEAD)
		return -ENOSPC;
	err = rtcp ? srtp_protect_rtcp(s->ctx, buf, &n) : srtp_protect(s->ctx, buf, &n);
	if (err != srtp_err_status_ok)
		return -EIO;
	*len = (size_t)n;
	return 0;
}

static int unprotect(struct cb_srtp_session *s, uint8_t *buf, size_t *len, bool rtcp)
{
	int n = (int)*len;
	srtp_err_status_t err;

	if (s->passthrough)
		return 0;
	if (*len < 12 || *len > 65536)
		return -EINVAL;
	err = rtcp ? srtp_unprotect_rtcp(s->ctx, buf, &n) : srtp_unprotect(s->ctx, buf, &n);
	switch (err) {
	case srtp_err_status_ok:
		*len = (size_t)n;
		return 0;
	case srtp_err_status_auth_fail:
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
		return -EACCES;
	default:
		return -EINVAL;
	}
}

int cb_srtp_protect_rtp(struct cb_srtp_session *s, uint8_t *buf, size_t *len, size_t cap)
{
	return protect(s, buf, len, cap, false);
}

int cb_srtp_protect_rtcp(struct cb_srtp_session *s, uint8_t *buf, size_t *len, size_t cap)
{
	return protect(s, buf, len, cap, true);
}

int cb_srtp_unprotect_rtp(struct cb_srtp_session *s, uint8_t *buf, size_t *len)
{
	return unprotect(s, buf, len, false);
}

int cb_srtp_unprotect_rtcp(struct cb_srtp_session *s, uint8_t *buf, size_t *len)
{
	return unprotect(s, buf, len, true);
}
