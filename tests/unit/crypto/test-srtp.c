#include <errno.h>

#include "crypto/srtp-session.h"
#include "rtp/rtcp.h"
#include "rtp/rtp.h"
#include "test.h"

static size_t make_rtp(uint8_t *buf, uint16_t seq)
{
	struct cb_rtp_header h = { .payload_type = 111, .sequence = seq, .timestamp = seq * 960u,
				   .ssrc = 0xcafe0001 };
	size_t n = cb_rtp_write_header(buf, 64, &h);
	for (size_t i = 0; i < 40; i++)
		buf[n + i] = (uint8_t)(i * 7 + seq);
	return n + 40;
}

static void test_suite(enum cb_srtp_suite suite)
{
	size_t key_len = cb_srtp_suite_key_len(suite);
	uint8_t key[64], wrong[64], buf[256], clear[256];
	struct cb_srtp_session *tx, *rx, *rx_wrong;
	size_t len, clear_len;

	for (size_t i = 0; i < sizeof(key); i++) {
		key[i] = (uint8_t)(i * 13 + 1);
		wrong[i] = (uint8_t)(i * 13 + 2);
	}
	CHECK_INT_EQ(cb_srtp_session_new(&tx, suite, key, key_len, CB_SRTP_OUTBOUND), 0);
	CHECK_INT_EQ(cb_srtp_session_new(&rx, suite, key, key_len, CB_SRTP_INBOUND), 0);
	CHECK_INT_EQ(cb_srtp_session_new(&rx_wrong, suite, wrong, key_len, CB_SRTP_INBOUND), 0);

	for (uint16_t seq = 100; seq < 110; seq++) {
		clear_len = make_rtp(clear, seq);
		memcpy(buf, clear, clear_len);
		len = clear_len;
		CHECK_INT_EQ(cb_srtp_protect_rtp(tx, buf, &len, sizeof(buf)), 0);
		CHECK(len > clear_len);
		CHECK(memcmp(buf + 12, clear + 12, 40) != 0);	/* payload encrypted */

		uint8_t copy[256];
		size_t copy_len = len;
		memcpy(copy, buf, len);
		CHECK_INT_EQ(cb_srtp_unprotect_rtp(rx_wrong, copy, &copy_len), -EACCES);

		CHECK_INT_EQ(cb_srtp_unprotect_rtp(rx, buf, &len), 0);
		CHECK_INT_EQ(len, clear_len);
		CHECK(memcmp(buf, clear, len) == 0);
	}

	/* replay: the same protected packet twice */
	clear_len = make_rtp(clear, 200);
	len = clear_len;
	memcpy(buf, clear, len);
	CHECK_INT_EQ(cb_srtp_protect_rtp(tx, buf, &len, sizeof(buf)), 0);
	uint8_t again[256];
	size_t again_len = len;
	memcpy(again, buf, len);
	CHECK_INT_EQ(cb_srtp_unprotect_rtp(rx, buf, &len), 0);
	CHECK_INT_EQ(cb_srtp_unprotect_rtp(rx, again, &again_len), -EACCES);

	/* a flipped bit anywhere fails authentication */
	clear_len = make_rtp(clear, 201);
	len = clear_len;
	memcpy(buf, clear, len);
	CHECK_INT_EQ(cb_srtp_protect_rtp(tx, buf, &len, sizeof(buf)), 0);
	buf[20] ^= 0x01;
	CHECK_INT_EQ(cb_srtp_unprotect_rtp(rx, buf, &len), -EACCES);

	/* RTCP both ways */
	struct cb_rtcp_writer w;
	struct cb_rtcp_sender_info info = { .ntp_time = 1, .packet_count = 3 };
	uint32_t ssrc = 0xcafe0001;
	cb_rtcp_writer_init(&w, clear, 128);
	cb_rtcp_write_sr(&w, ssrc, &info, NULL, 0);
	cb_rtcp_write_bye(&w, &ssrc, 1, NULL);
	memcpy(buf, clear, w.len);
	len = w.len;
	CHECK_INT_EQ(cb_srtp_protect_rtcp(tx, buf, &len, sizeof(buf)), 0);
	CHECK(len > w.len);
	CHECK_INT_EQ(cb_srtp_unprotect_rtcp(rx, buf, &len), 0);
	CHECK_INT_EQ(len, w.len);
	CHECK(memcmp(buf, clear, len) == 0);

	/* not enough room for the tag */
	len = make_rtp(buf, 300);
	CHECK_INT_EQ(cb_srtp_protect_rtp(tx, buf, &len, len + 4), -ENOSPC);

	cb_srtp_session_free(tx);
	cb_srtp_session_free(rx);
	cb_srtp_session_free(rx_wrong);
}

int main(void)
{
	struct cb_srtp_session *s;
	uint8_t key[64] = { 0 }, buf[64];
	size_t len;

	test_suite(CB_SRTP_AES_CM_128_HMAC_SHA1_80);
	test_suite(CB_SRTP_AES_CM_128_HMAC_SHA1_32);
	test_suite(CB_SRTP_AEAD_AES_128_GCM);
	test_suite(CB_SRTP_AEAD_AES_256_GCM);

	/* wrong key length is refused */
	CHECK_INT_EQ(cb_srtp_session_new(&s, CB_SRTP_AES_CM_128_HMAC_SHA1_80, key, 16,
					 CB_SRTP_OUTBOUND), -EINVAL);

	/* none: packets pass untouched */
	CHECK_INT_EQ(cb_srtp_session_new(&s, CB_SRTP_NONE, NULL, 0, CB_SRTP_OUTBOUND), 0);
	len = make_rtp(buf, 1);
	CHECK_INT_EQ(cb_srtp_protect_rtp(s, buf, &len, sizeof(buf)), 0);
	CHECK_INT_EQ(len, 52);
	cb_srtp_session_free(s);
	return test_finish("test-srtp");
}
