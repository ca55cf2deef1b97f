/* The whole receive entry point, cb_receive_worker_handle(), fed a short
 * sequence of datagrams with the clock moving between them, so the fuzzer
 * reaches demux, SRTP/SRTCP, RTP and RTCP parsing, SSRC binding, the jitter
 * buffer, the Opus decoder and the timeout, with state carried from one
 * datagram to the next.
 *
 * Input: records of [flags][len hi][len lo][len bytes].
 *   flags & 0x3f  milliseconds to advance the clock (and tick) before it
 *   flags & 0x80  hand the bytes over as they are, not protected
 * Two builds of this file:
 *   FUZZ_SRTP=1  a keyed session: each datagram is protected with the
 *                peer's known key first (so authentication passes and the
 *                parsers behind it see the fuzzer's bytes), or handed over
 *                raw with flag 0x80 (so SRTP's own checks are fuzzed too);
 *   FUZZ_SRTP=0  srtp = none: authentication bypassed altogether. */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "crypto/srtp-session.h"
#include "pipeline/receive-worker.h"
#include "rtp/rtp.h"

#ifndef FUZZ_SRTP
#define FUZZ_SRTP 1
#endif

#define MS 1000000ull
#define MAX_RECORDS 64
#define N_REMOTES 3

static const uint8_t test_key[30] = {
	0x5a, 0x11, 0x2e, 0x73, 0x09, 0xc4, 0x61, 0xbe, 0x3f, 0x90, 0x27, 0xd8, 0x4c, 0x05, 0xe1,
	0x7a, 0x36, 0x9b, 0x52, 0x0f, 0xa8, 0x14, 0xcd, 0x6e, 0x83, 0x21, 0xf7, 0x48, 0xb5, 0x1c,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum cb_srtp_suite suite = FUZZ_SRTP ? CB_SRTP_AES_CM_128_HMAC_SHA1_80 : CB_SRTP_NONE;
	size_t key_len = FUZZ_SRTP ? sizeof(test_key) : 0;
	struct cb_remote_config named = { .name = "named", .channels = 1, .payload_type = 111,
					  .latency_ms = 40, .has_ssrc = true, .ssrc = 0x11111111 };
	struct cb_remote_config any = { .name = "any", .channels = 2, .payload_type = 111,
					.latency_ms = 20 };
	static struct cb_remote remotes[N_REMOTES];
	static struct cb_receive_worker worker;
	struct cb_srtp_session *in = NULL, *out = NULL, *peer = NULL;
	struct cb_call_config call = { .accept_unknown = true, .remote_timeout_ms = 500 };
	struct cb_address from = { .set = true };
	struct sockaddr_in *sin = (struct sockaddr_in *)&from.addr;
	uint8_t buf[2048 + CB_SRTP_MAX_OVERHEAD];
	uint64_t now = 1000 * MS;
	size_t pos = 0;

	sin->sin_family = AF_INET;
	sin->sin_port = htons(5004);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	from.len = sizeof(*sin);

	if (cb_remote_init(&remotes[0], &named) < 0 || cb_remote_init(&remotes[1], &any) < 0 ||
	    cb_remote_init(&remotes[2], NULL) < 0)
		__builtin_trap();
	if (cb_srtp_session_new(&in, suite, test_key, key_len, CB_SRTP_INBOUND) < 0 ||
	    cb_srtp_session_new(&out, suite, test_key, key_len, CB_SRTP_OUTBOUND) < 0 ||
	    cb_srtp_session_new(&peer, suite, test_key, key_len, CB_SRTP_OUTBOUND) < 0)
		__builtin_trap();
	cb_receive_worker_init(&worker, &call, remotes, N_REMOTES, "fuzz@host");
	cb_receive_worker_add_fixed_input(&worker, NULL, in, out);

	for (int n = 0; n < MAX_RECORDS && pos + 3 <= size; n++) {
		uint8_t flags = data[pos];
		size_t len = (size_t)data[pos + 1] << 8 | data[pos + 2];
		pos += 3;
		if (len > size - pos)
			len = size - pos;
		if (len > sizeof(buf) - CB_SRTP_MAX_OVERHEAD)
			len = sizeof(buf) - CB_SRTP_MAX_OVERHEAD;
		memcpy(buf, data + pos, len);
		pos += len;

		if (flags & 0x3f) {
			now += (uint64_t)(flags & 0x3f) * MS;
			cb_receive_worker_tick(&worker, now);
		}
		if (FUZZ_SRTP && !(flags & 0x80) && len >= CB_RTP_HEADER_SIZE) {
			/* What a peer holding the key would send: it protects
			 * whatever the fuzzer made, well formed or not. */
			if (cb_rtp_is_rtcp(buf, len))
				cb_srtp_protect_rtcp(peer, buf, &len, sizeof(buf));
			else
				cb_srtp_protect_rtp(peer, buf, &len, sizeof(buf));
		}
		cb_receive_worker_handle(&worker, buf, len, &from, now);
	}
	/* Let every bound remote play out and time out. */
	for (int i = 0; i < 10; i++) {
		now += 100 * MS;
		cb_receive_worker_tick(&worker, now);
	}

	for (int i = 0; i < N_REMOTES; i++) {
		cb_remote_deactivate(&remotes[i], "fuzz end");
		cb_remote_clear(&remotes[i]);
	}
	cb_srtp_session_free(in);
	cb_srtp_session_free(out);
	cb_srtp_session_free(peer);
	return 0;
}
