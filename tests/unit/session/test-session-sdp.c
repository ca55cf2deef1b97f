/* Session descriptions to and from SDP (session/session-sdp.h): what real
 * peers' offers and answers (tests/data/sdp/) come to as negotiated facts,
 * and our own description written as the SDP file and read back. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "session/session-sdp.h"
#include "test.h"

static struct cb_sdp sdp;		/* about 1.3 MB: not on the stack */
static struct cb_session_desc desc, back;

static int from_file(const char *name, struct cb_session_desc *d, char *err, size_t err_len)
{
	const char *root = getenv("CALLBRIDGE_SOURCE_ROOT");
	static char text[CB_SDP_TEXT_MAX];
	char path[1024];
	size_t n;
	FILE *f;

	if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%s/%s", root ? root : ".", name);
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "%s: cannot open\n", path);
		return -ENOENT;
	}
	n = fread(text, 1, sizeof(text), f);
	fclose(f);
	if (cb_sdp_parse(text, n, &sdp, err, err_len) < 0)
		return -EINVAL;
	return cb_session_desc_from_sdp(&sdp, d, err, err_len);
}

static void test_peers(void)
{
	char err[256];

	/* aiortc answering a WHIP-like offer: DTLS client, one audio m-line. */
	CHECK_INT_EQ(from_file("tests/data/sdp/aiortc-answer.sdp", &desc, err, sizeof(err)), 1);
	CHECK(desc.bundle);
	CHECK_STR_EQ(desc.media[0].mid, "0");
	CHECK_INT_EQ(desc.media[0].payload_type, 111);
	CHECK_INT_EQ(desc.media[0].audio_level_ext_id, 1);
	CHECK_STR_EQ(desc.ice.ufrag, "JZBU");
	CHECK(desc.ice.pwd[0] != '\0');
	CHECK(desc.ice.n_candidates > 0);
	CHECK_STR_CONTAINS(desc.ice.candidates[0], "candidate:");
	CHECK_INT_EQ(desc.dtls.setup, CB_DTLS_SETUP_ACTIVE);
	CHECK_INT_EQ(desc.dtls.fingerprint_len, 32);

	/* Chromium's offer: actpass, in-band FEC, minptime, mono by default. */
	CHECK_INT_EQ(from_file("tests/data/sdp/chromium-offer.sdp", &desc, err, sizeof(err)), 1);
	CHECK_INT_EQ(desc.dtls.setup, CB_DTLS_SETUP_ACTPASS);
	CHECK_INT_EQ(desc.media[0].payload_type, 111);
	CHECK(desc.media[0].fec);
	CHECK_INT_EQ(desc.media[0].channels, 1);
	CHECK(desc.media[0].ssrc != 0);

	/* Janus' subscriber offer, and Chromium's offer with video too: only
	 * the audio counts. */
	CHECK_INT_EQ(from_file("tests/data/sdp/janus-videoroom-offer.sdp", &desc, err, sizeof(err)), 1);
	CHECK_INT_EQ(from_file("tests/data/sdp/chromium-offer-av.sdp", &desc, err, sizeof(err)), 1);
	CHECK_INT_EQ(from_file("tests/data/sdp/webrtcbin-offer.sdp", &desc, err, sizeof(err)), 1);
	CHECK_INT_EQ(from_file("tests/data/sdp/firefox-offer.sdp", &desc, err, sizeof(err)), 1);
}

static void test_no_opus(void)
{
	const char *text = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
			   "m=audio 9 RTP/AVP 0\r\nc=IN IP4 127.0.0.1\r\na=rtpmap:0 PCMU/8000\r\n";
	char err[256];

	CHECK_INT_EQ(cb_sdp_parse(text, strlen(text), &sdp, err, sizeof(err)), 0);
	CHECK_INT_EQ(cb_session_desc_from_sdp(&sdp, &desc, err, sizeof(err)), -EINVAL);
	CHECK_STR_CONTAINS(err, "no Opus");
}

/* Our own description through the file and back: SDES keys, two streams. */
static void test_own_file(void)
{
	char path[] = "/tmp/test-session-sdp-XXXXXX", err[256];
	struct cb_session_media m = { .payload_type = 111, .channels = 2, .ptime_samples = 480,
				      .ssrc = 0x11223344, .fec = true, .bitrate = 64000,
				      .audio_level_ext_id = 1, .direction = CB_DIRECTION_SENDONLY };
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	cb_session_desc_init(&desc);
	desc.session_id = 42;
	desc.version = 3;
	snprintf(desc.name, sizeof(desc.name), "studio");
	snprintf(desc.cname, sizeof(desc.cname), "studio@host");
	CHECK(cb_address_parse("127.0.0.1:5000", 1, &desc.origin, err, sizeof(err)));
	desc.crypto.suite = CB_SRTP_AES_CM_128_HMAC_SHA1_80;
	desc.crypto.key.set = true;
	desc.crypto.key.len = 30;
	for (int i = 0; i < 30; i++)
		desc.crypto.key.bytes[i] = (uint8_t)(i * 5 + 3);
	snprintf(m.mid, sizeof(m.mid), "program");
	CHECK(cb_address_parse("127.0.0.1:6000", 1, &m.dest, err, sizeof(err)));
	CHECK_INT_EQ(cb_session_desc_add_media(&desc, &m), 0);
	snprintf(m.mid, sizeof(m.mid), "talkback");
	m.channels = 1;
	m.ssrc = 0x55667788;
	CHECK(cb_address_parse("127.0.0.1:6002", 1, &m.dest, err, sizeof(err)));
	CHECK_INT_EQ(cb_session_desc_add_media(&desc, &m), 0);
	CHECK_INT_EQ(cb_session_desc_write_file(&desc, path), 0);

	CHECK_INT_EQ(from_file(path, &back, err, sizeof(err)), 2);
	CHECK_STR_EQ(back.media[1].mid, "talkback");
	CHECK_INT_EQ(back.media[0].ssrc, 0x11223344);
	CHECK_INT_EQ(back.media[1].channels, 1);
	CHECK_INT_EQ(back.media[0].channels, 2);
	CHECK_INT_EQ(back.media[0].ptime_samples, 480);
	CHECK_STR_EQ(back.media[1].dest.text, "127.0.0.1:6002");
	CHECK_INT_EQ(back.crypto.suite, CB_SRTP_AES_CM_128_HMAC_SHA1_80);
	CHECK(back.crypto.key.len == 30 && memcmp(back.crypto.key.bytes, desc.crypto.key.bytes, 30) == 0);
	CHECK_INT_EQ(back.session_id, 42);
	unlink(path);
	cb_session_desc_clear(&desc);
	cb_session_desc_clear(&back);
}

/* A WHIP offer as we send it: the strict parser takes it, and what it
 * says comes back as the same facts. */
static void test_webrtc_offer(void)
{
	static char text[CB_SDP_TEXT_MAX];
	struct cb_session_media m = { .payload_type = 111, .channels = 2, .ptime_samples = 960,
				      .ssrc = 0xcafe, .fec = true, .audio_level_ext_id = 1,
				      .direction = CB_DIRECTION_SENDONLY };
	char err[256];
	int n;

	cb_session_desc_init(&desc);
	snprintf(desc.name, sizeof(desc.name), "show");
	snprintf(desc.cname, sizeof(desc.cname), "show@host");
	snprintf(m.mid, sizeof(m.mid), "0");
	CHECK_INT_EQ(cb_session_desc_add_media(&desc, &m), 0);
	desc.ice.present = true;
	snprintf(desc.ice.ufrag, sizeof(desc.ice.ufrag), "Ufrg");
	snprintf(desc.ice.pwd, sizeof(desc.ice.pwd), "abcdefghijklmnopqrstuvwx");
	CHECK_INT_EQ(cb_session_desc_add_candidate(&desc,
		"a=candidate:1 1 UDP 2013266431 10.0.0.2 40000 typ host"), 0);
	desc.dtls.setup = CB_DTLS_SETUP_ACTPASS;
	desc.dtls.fingerprint_len = 32;
	for (int i = 0; i < 32; i++)
		desc.dtls.fingerprint[i] = (uint8_t)(0xa0 + i);

	n = cb_session_desc_render_webrtc(&desc, text, sizeof(text));
	CHECK(n > 0);
	CHECK_STR_CONTAINS(text, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n");
	CHECK_STR_CONTAINS(text, "a=group:BUNDLE 0\r\n");
	CHECK_STR_CONTAINS(text, "a=setup:actpass\r\n");
	CHECK_STR_CONTAINS(text, "a=rtcp-mux-only\r\n");
	CHECK_STR_CONTAINS(text, "a=sendonly\r\n");
	CHECK_STR_CONTAINS(text, "a=fmtp:111 minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1\r\n");
	CHECK_STR_CONTAINS(text, "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n");
	CHECK_STR_CONTAINS(text, "a=fingerprint:sha-256 A0:A1:A2");
	CHECK_STR_CONTAINS(text, "a=ssrc:51966 cname:show@host\r\n");
	CHECK_INT_EQ(cb_sdp_parse(text, (size_t)n, &sdp, err, sizeof(err)), 0);
	CHECK_INT_EQ(cb_session_desc_from_sdp(&sdp, &back, err, sizeof(err)), 1);
	CHECK_INT_EQ(back.media[0].channels, 2);
	CHECK_INT_EQ(back.media[0].ssrc, 0xcafe);
	CHECK_INT_EQ(back.media[0].direction, CB_DIRECTION_SENDONLY);
	CHECK_INT_EQ(back.dtls.setup, CB_DTLS_SETUP_ACTPASS);
	CHECK(memcmp(back.dtls.fingerprint, desc.dtls.fingerprint, 32) == 0);
	CHECK_STR_EQ(back.ice.ufrag, "Ufrg");
	CHECK_INT_EQ(back.ice.n_candidates, 1);
	CHECK_STR_EQ(back.ice.candidates[0], "candidate:1 1 UDP 2013266431 10.0.0.2 40000 typ host");
	cb_session_desc_clear(&desc);
	cb_session_desc_clear(&back);
}

/* libnice's candidate lines, as the offer and the SDP file take them. */
static void test_candidate_lines(void)
{
	cb_session_desc_init(&desc);
	CHECK_INT_EQ(cb_session_desc_add_candidate_lines(&desc,
		"a=candidate:1 1 UDP 2013266431 10.0.0.2 40000 typ host\r\n"
		"a=mid:0\r\n"
		"a=candidate:2 1 UDP 1677721855 203.0.113.7 40000 typ srflx raddr 10.0.0.2 rport 40000\n"
		"\r\n"), 2);
	CHECK_INT_EQ(desc.ice.n_candidates, 2);
	CHECK_STR_EQ(desc.ice.candidates[0], "candidate:1 1 UDP 2013266431 10.0.0.2 40000 typ host");
	CHECK_STR_CONTAINS(desc.ice.candidates[1], "typ srflx raddr 10.0.0.2 rport 40000");
	CHECK_INT_EQ(cb_session_desc_add_candidate_lines(&desc, ""), 0);
	cb_session_desc_clear(&desc);
}

int main(void)
{
	test_candidate_lines();
	test_webrtc_offer();
	test_peers();
	test_no_opus();
	test_own_file();
	return test_finish("test-session-sdp");
}
