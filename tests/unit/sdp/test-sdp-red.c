/* RFC 2198 red in SDP: found in a real Chromium offer (63 wrapping 111),
 * absent from offers without it, refused when its fmtp names another
 * codec; and written by callbridge's file and WebRTC offer before Opus,
 * "red/48000/2" with "<opus>/<opus>", read back the same. */
#include <errno.h>
#include <arpa/inet.h>

#include "sdp/sdp.h"
#include "session/session-sdp.h"
#include "test.h"

static struct cb_sdp sdp;
static char text[CB_SDP_TEXT_MAX + 1], err[256];

static size_t load(const char *name)
{
	const char *root = getenv("CALLBRIDGE_SOURCE_ROOT");
	char path[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/data/sdp/%s", root ? root : ".", name);
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(1);
	}
	n = fread(text, 1, CB_SDP_TEXT_MAX, f);
	fclose(f);
	text[n] = '\0';
	return n;
}

static void test_offers(void)
{
	static struct cb_session_desc d;
	size_t len = load("chromium-offer.sdp");

	CHECK_INT_EQ(cb_sdp_parse(text, len, &sdp, err, sizeof(err)), 0);
	CHECK_INT_EQ(cb_sdp_red_pt(&sdp.media[0], 111), 63);
	CHECK_INT_EQ(cb_sdp_red_pt(&sdp.media[0], 109), -ENOENT);	/* wraps 111, not 109 */
	CHECK(cb_session_desc_from_sdp(&sdp, &d, err, sizeof(err)) > 0);
	CHECK_INT_EQ(d.media[0].payload_type, 111);
	CHECK_INT_EQ(d.media[0].red_payload_type, 63);

	len = load("firefox-offer.sdp");
	CHECK_INT_EQ(cb_sdp_parse(text, len, &sdp, err, sizeof(err)), 0);
	CHECK_INT_EQ(cb_sdp_red_pt(&sdp.media[0], 109), -ENOENT);
	CHECK(cb_session_desc_from_sdp(&sdp, &d, err, sizeof(err)) > 0);
	CHECK_INT_EQ(d.media[0].red_payload_type, 0);

	/* red whose blocks are another codec: not ours */
	len = load("chromium-offer.sdp");
	char *fmtp = strstr(text, "a=fmtp:63 111/111");
	CHECK(fmtp != NULL);
	memcpy(fmtp, "a=fmtp:63 111/009", 17);
	CHECK_INT_EQ(cb_sdp_parse(text, len, &sdp, err, sizeof(err)), 0);
	CHECK_INT_EQ(cb_sdp_red_pt(&sdp.media[0], 111), -ENOENT);
}

static void test_written(void)
{
	struct cb_address dest = { .set = true }, origin;
	struct sockaddr_in *in = (struct sockaddr_in *)&dest.addr;
	struct cb_sdp_media media = { .mid = "main", .dest = &dest, .payload_type = 111,
				      .channels = 1, .ptime_samples = 240, .ssrc = 5,
				      .red_payload_type = 63 };
	struct cb_sdp_session session = { .call_name = "red", .cname = "red@host", .session_id = 1,
					  .version = 1, .origin = &origin,
					  .suite = CB_SRTP_NONE, .n_media = 1, .media = &media };
	static struct cb_session_desc d;
	static char buf[8192];
	int n;

	in->sin_family = AF_INET;
	in->sin_port = htons(5004);
	inet_pton(AF_INET, "127.0.0.1", &in->sin_addr);
	dest.len = sizeof(*in);
	origin = dest;

	n = cb_sdp_write(buf, sizeof(buf), &session);
	CHECK(n > 0);
	CHECK_STR_CONTAINS(buf, "m=audio 5004 RTP/AVP 63 111\r\n");
	CHECK_STR_CONTAINS(buf, "a=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\n");
	CHECK_STR_CONTAINS(buf, "a=rtpmap:111 opus/48000/2\r\n");
	CHECK_INT_EQ(cb_sdp_parse(buf, (size_t)n, &sdp, err, sizeof(err)), 0);
	CHECK_INT_EQ(cb_sdp_opus_pt(&sdp.media[0]), 111);
	CHECK_INT_EQ(cb_sdp_red_pt(&sdp.media[0], 111), 63);

	/* Without redundancy: nothing of it. */
	media.red_payload_type = 0;
	n = cb_sdp_write(buf, sizeof(buf), &session);
	CHECK(n > 0 && strstr(buf, "red/") == NULL);
	CHECK_STR_CONTAINS(buf, "m=audio 5004 RTP/AVP 111\r\n");

	/* The WebRTC offer (WHIP): the same two formats, read back into a
	 * session as the server's answer would be. */
	cb_session_desc_init(&d);
	d.media[0] = (struct cb_session_media) { .direction = CB_DIRECTION_SENDONLY,
						 .payload_type = 111, .channels = 1,
						 .red_payload_type = 63 };
	snprintf(d.media[0].mid, sizeof(d.media[0].mid), "0");
	d.n_media = 1;
	n = cb_session_desc_render_webrtc(&d, buf, sizeof(buf));
	CHECK(n > 0);
	CHECK_STR_CONTAINS(buf, "UDP/TLS/RTP/SAVPF 63 111\r\n");
	CHECK_STR_CONTAINS(buf, "a=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\n");
	CHECK_INT_EQ(cb_sdp_parse(buf, (size_t)n, &sdp, err, sizeof(err)), 0);
	CHECK_INT_EQ(cb_sdp_red_pt(&sdp.media[0], 111), 63);
}

int main(void)
{
	test_offers();
	test_written();
	return test_finish("test-sdp-red");
}
