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

int main(void)
{
	struct cb_address dest_a = v4("127.0.0.1", 5004), dest_b = v6("::1", 5006);
	struct cb_address origin = v4("127.0.0.1", 40000);
	uint8_t key[30];
	struct cb_sdp_media media[2] = {
		{ .mid = "program", .dest = &dest_a, .payload_type = 111, .channels = 2,
		  .ptime_samples = 960, .ssrc = 0x11223344, .fec = true, .bitrate = 64000 },
		{ .mid = "voice", .dest = &dest_b, .payload_type = 109, .channels = 1,
		  .ptime_samples = 120, .ssrc = 7, .dtx = true, .bitrate = 32000,
		  .audio_level_ext_id = 1 },
	};
	struct cb_sdp_session session = {
		.call_name = "demo", .cname = "demo@host", .session_id = 42, .version = 1,
		.origin = &origin, .suite = CB_SRTP_AES_CM_128_HMAC_SHA1_80,
		.key = key, .key_len = sizeof(key), .n_media = 2, .media = media,
	};
	char buf[4096], small[64];
	int n;

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;

	n = cb_sdp_write(buf, sizeof(buf), &session);
	CHECK(n > 0);
	CHECK_INT_EQ(strlen(buf), n);
	CHECK(strncmp(buf, "v=0\r\n", 5) == 0);
	CHECK_STR_CONTAINS(buf, "o=- 42 1 IN IP4 127.0.0.1\r\n");
	CHECK_STR_CONTAINS(buf, "s=callbridge demo\r\n");
	CHECK_STR_CONTAINS(buf, "t=0 0\r\n");
	CHECK_STR_CONTAINS(buf, "a=group:BUNDLE program voice\r\n");
	/* first stream: its own port, stereo, FEC */
	CHECK_STR_CONTAINS(buf, "m=audio 5004 RTP/SAVP 111\r\nc=IN IP4 127.0.0.1\r\n");
	CHECK_STR_CONTAINS(buf, "a=rtpmap:111 opus/48000/2\r\n");
	CHECK_STR_CONTAINS(buf, "a=fmtp:111 minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1\r\n");
	CHECK_STR_CONTAINS(buf, "a=ptime:20\r\n");
	CHECK_STR_CONTAINS(buf, "a=mid:program\r\n");
	CHECK_STR_CONTAINS(buf, "a=ssrc:287454020 cname:demo@host\r\n");
	/* the key, base64 of 00 01 .. 1d */
	CHECK_STR_CONTAINS(buf, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n");
	/* second stream: IPv6, mono, 2.5 ms, DTX, level extension */
	CHECK_STR_CONTAINS(buf, "m=audio 5006 RTP/SAVP 109\r\nc=IN IP6 ::1\r\n");
	CHECK_STR_CONTAINS(buf, "a=rtpmap:109 opus/48000/2\r\n");
	CHECK_STR_CONTAINS(buf, "a=fmtp:109 minptime=3;useinbandfec=0;stereo=0;sprop-stereo=0;usedtx=1\r\n");
	CHECK_STR_CONTAINS(buf, "a=ptime:2.5\r\n");
	CHECK_STR_CONTAINS(buf, "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on\r\n");
	CHECK_STR_CONTAINS(buf, "a=rtcp-mux\r\n");

	/* every line ends in CRLF and there are no empty lines */
	CHECK(strstr(buf, "\r\n\r\n") == NULL);
	for (const char *p = buf; *p; p++)
		if (*p == '\n')
			CHECK(p > buf && p[-1] == '\r');

	/* plain RTP when SRTP is off, and no key anywhere */
	session.suite = CB_SRTP_NONE;
	session.key = NULL;
	session.n_media = 1;
	n = cb_sdp_write(buf, sizeof(buf), &session);
	CHECK(n > 0);
	CHECK_STR_CONTAINS(buf, "m=audio 5004 RTP/AVP 111\r\n");
	CHECK(strstr(buf, "a=crypto") == NULL);
	CHECK(strstr(buf, "BUNDLE") == NULL);

	CHECK_INT_EQ(cb_sdp_write(small, sizeof(small), &session), -ENOSPC);
	return test_finish("test-sdp");
}
