/* callbridge's SDP file, byte for byte: cb_sdp_write() must give exactly
 * the files in tests/data/sdp/callbridge-*.sdp, which the writer made
 * before it was rebuilt on the SDP model.  Regenerate them (only when the
 * output is meant to change) with CALLBRIDGE_SDP_REGEN=1. */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "sdp/sdp.h"
#include "test.h"

static struct cb_address v4(const char *ip, uint16_t port)
{
	struct cb_address a = { .set = true };
	struct sockaddr_in *in = (struct sockaddr_in *)&a.addr;
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	inet_pton(AF_INET, ip, &in->sin_addr);
	a.len = sizeof(*in);
	return a;
}

static struct cb_address v6(const char *ip, uint16_t port)
{
	struct cb_address a = { .set = true };
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a.addr;
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	inet_pton(AF_INET6, ip, &in6->sin6_addr);
	a.len = sizeof(*in6);
	return a;
}

static void compare(const char *name, const struct cb_sdp_session *s)
{
	const char *root = getenv("CALLBRIDGE_SOURCE_ROOT");
	char path[4096], got[8192], want[8192];
	size_t want_len = 0;
	int n = cb_sdp_write(got, sizeof(got), s);
	FILE *f;

	CHECK(n > 0);
	if (n <= 0)
		return;
	snprintf(path, sizeof(path), "%s/tests/data/sdp/%s", root ? root : ".", name);
	if (getenv("CALLBRIDGE_SDP_REGEN")) {
		f = fopen(path, "wb");
		CHECK(f != NULL && fwrite(got, 1, (size_t)n, f) == (size_t)n);
		if (f)
			fclose(f);
		return;
	}
	f = fopen(path, "rb");
	CHECK(f != NULL);
	if (f) {
		want_len = fread(want, 1, sizeof(want), f);
		fclose(f);
	}
	CHECK_INT_EQ(n, want_len);
	if ((size_t)n != want_len || memcmp(got, want, want_len) != 0) {
		test_failures++;
		fprintf(stderr, "%s differs from cb_sdp_write():\n%.*s", name, n, got);
	}
}

int main(void)
{
	struct cb_address dest_a = v4("127.0.0.1", 5004), dest_b = v6("::1", 5006);
	struct cb_address origin = v4("192.0.2.10", 40000), ice_default = v4("192.0.2.10", 41000);
	uint8_t key[44];
	struct cb_sdp_media media[3] = {
		{ .mid = "program", .dest = &dest_a, .payload_type = 111, .channels = 2,
		  .ptime_samples = 960, .ssrc = 0x11223344, .fec = true, .bitrate = 64000 },
		{ .mid = "voice", .dest = &dest_b, .payload_type = 109, .channels = 1,
		  .ptime_samples = 120, .ssrc = 7, .dtx = true, .bitrate = 32000,
		  .audio_level_ext_id = 1 },
		{ .mid = "talkback", .dest = &dest_a, .payload_type = 96, .channels = 1,
		  .ptime_samples = 2880, .ssrc = 0xfffffffe, .fec = true, .dtx = true,
		  .bitrate = 0, .audio_level_ext_id = 14 },
	};
	struct cb_sdp_ice ice = {
		.ufrag = "Kd8f",
		.pwd = "q0Xx8SqDOlXv5qmVBAZk7hW0",
		.candidate_lines =
			"a=candidate:1 1 UDP 2015363327 192.0.2.10 41000 typ host\r\n"
			"a=candidate:2 1 UDP 2015363583 fd00::10 41002 typ host\r\n"
			"a=candidate:3 1 UDP 1679819007 198.51.100.7 53000 typ srflx raddr 192.0.2.10 rport 41000\r\n",
		.default_addr = &ice_default,
	};
	struct cb_sdp_session plain = {
		.call_name = "plain", .cname = "plain@host", .session_id = 1, .version = 1,
		.origin = &origin, .suite = CB_SRTP_NONE, .n_media = 1, .media = media,
	};
	struct cb_sdp_session multi = {
		.call_name = "multi", .cname = "multi@host", .session_id = 4611686018427387903ull,
		.version = 17, .origin = &origin, .suite = CB_SRTP_AES_CM_128_HMAC_SHA1_80,
		.key = key, .key_len = 30, .n_media = 3, .media = media,
	};
	struct cb_sdp_session with_ice = {
		.call_name = "ice", .cname = "ice@host", .session_id = 99, .version = 2,
		.origin = &ice_default, .suite = CB_SRTP_AEAD_AES_256_GCM, .key = key,
		.key_len = 44, .n_media = 2, .media = media, .ice = &ice,
	};

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7 + 3);
	compare("callbridge-plain.sdp", &plain);
	compare("callbridge-multi.sdp", &multi);
	compare("callbridge-ice.sdp", &with_ice);
	return test_finish("test-sdp-golden");
}
