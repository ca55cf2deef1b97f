/* The endpoint's verdict on browsers' offers and its answers (offer.c),
 * on offers captured from Chromium, Firefox, aiortc and webrtcbin, and the
 * bearer check. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/endpoint.h"
#include "endpoint/offer.h"
#include "sdp/sdp.h"
#include "test.h"

static struct cb_offer_result r;
static struct cb_session_desc ours;
static struct cb_sdp answer;
static char text[CB_SDP_TEXT_MAX], buf[CB_OFFER_MAX + 2 * CB_OFFER_REJECTED_MAX];

static size_t load(const char *name)
{
	const char *root = getenv("CALLBRIDGE_SOURCE_ROOT");
	char path[1024];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/tests/data/sdp/%s", root ? root : "../..", name);
	if ((f = fopen(path, "rb")) != NULL) {
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
	}
	CHECK(n > 0);
	text[n] = '\0';
	return n;
}

static struct cb_offer_terms terms(bool whep)
{
	struct cb_offer_terms t = { .whep = whep };

	t.media.channels = 2;
	t.media.ptime_samples = 960;
	t.media.fec = true;
	t.media.ssrc = whep ? 0xabcdef01 : 0;
	t.media.audio_level_ext_id = whep ? 1 : 0;
	return t;
}

/* The answer to an accepted offer: one live audio section, ours. */
static void check_answer(const char *want_dir, uint32_t want_sections, uint32_t want_pt)
{
	char err[256];
	int n;
	const struct cb_sdp_section *audio = NULL;

	cb_session_desc_init(&ours);
	ours.ice.present = true;
	strcpy(ours.ice.ufrag, "abcd");
	strcpy(ours.ice.pwd, "abcdefghijklmnopqrstuvwx");
	strcpy(ours.dtls.hash, "sha-256");
	ours.dtls.fingerprint_len = 32;
	n = cb_offer_answer(&r, &ours, buf, sizeof(buf));
	CHECK(n > 0);
	if (n <= 0)
		return;
	CHECK_INT_EQ(cb_sdp_parse(buf, (size_t)n, &answer, err, sizeof(err)), 0);
	CHECK_INT_EQ(answer.n_media, want_sections);
	for (uint32_t i = 0; i < answer.n_media; i++)
		if (answer.media[i].port != 0)
			audio = &answer.media[i];
		else
			CHECK(strcmp(answer.media[i].type, "audio") != 0 || i > 0);
	CHECK(audio != NULL && strcmp(audio->type, "audio") == 0);
	CHECK(strstr(buf, want_dir) != NULL);
	CHECK(strstr(buf, "a=setup:active\r\n") != NULL);
	CHECK(strstr(buf, "a=rtcp-mux\r\n") != NULL);
	CHECK(strstr(buf, "stereo=1;sprop-stereo=1") != NULL);
	CHECK(audio && audio->n_formats == 1 && audio->formats[0].pt == (int)want_pt);
	cb_session_desc_clear(&r.peer);
}

static void test_browsers(void)
{
	struct cb_offer_terms whip = terms(false), whep = terms(true);
	size_t n;

	/* Chromium with audio and video (OBS does the same): the video is
	 * answered rejected, the audio taken with Chrome's payload type. */
	n = load("chromium-offer-av.sdp");
	CHECK_INT_EQ(cb_offer_check(text, n, &whip, &r), 0);
	CHECK_INT_EQ(r.role, CB_DTLS_CLIENT);
	check_answer("a=recvonly", 2, 111);
	CHECK(strstr(buf, "m=video 0 ") != NULL);

	n = load("firefox-offer.sdp");
	CHECK_INT_EQ(cb_offer_check(text, n, &whep, &r), 0);
	check_answer("a=sendonly", 1, 109);
	CHECK(strstr(buf, "a=ssrc:2882400001 cname:") != NULL);

	n = load("aiortc-offer.sdp");
	CHECK_INT_EQ(cb_offer_check(text, n, &whip, &r), 0);
	check_answer("a=recvonly", 1, 96);

	n = load("webrtcbin-offer.sdp");
	CHECK_INT_EQ(cb_offer_check(text, n, &whep, &r), 0);
	cb_session_desc_clear(&r.peer);
}

static void refused(const char *offer, bool whep, unsigned int status, const char *reason)
{
	struct cb_offer_terms t = terms(whep);

	CHECK_INT_EQ(cb_offer_check(offer, strlen(offer), &t, &r), -EINVAL);
	CHECK_INT_EQ(r.status, status);
	CHECK(strstr(r.reason, reason) != NULL);
	if (!strstr(r.reason, reason))
		fprintf(stderr, "  reason: %s\n", r.reason);
	cb_session_desc_clear(&r.peer);
}

#define HEAD "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
#define ICE "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
#define FP "a=fingerprint:sha-256 " \
	"00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n"
#define AUDIO(mid, dir) "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:" mid "\r\n" \
	"a=rtpmap:111 opus/48000/2\r\na=rtcp-mux\r\na=setup:actpass\r\na=" dir "\r\n"

static void test_refusals(void)
{
	refused("garbage", false, 400, "malformed SDP");
	refused(HEAD "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
		"a=rtpmap:96 VP8/90000\r\n", false, 406, "no audio section");
	refused(HEAD ICE FP "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
		"a=rtpmap:0 PCMU/8000\r\na=rtcp-mux\r\n", false, 406, "Opus");
	refused(HEAD ICE FP AUDIO("0", "sendonly") AUDIO("1", "sendonly"), false, 422,
		"more than one audio section");
	refused(HEAD FP AUDIO("0", "sendonly"), false, 422, "ICE");
	refused(HEAD ICE AUDIO("0", "sendonly"), false, 422, "fingerprint");
	refused(HEAD ICE FP AUDIO("0", "recvonly"), false, 422, "must send");
	refused(HEAD ICE FP AUDIO("0", "sendonly"), true, 422, "must receive");
}

static void test_bearer(void)
{
	CHECK(cb_endpoint_bearer_ok("Bearer s3cret", "s3cret"));
	CHECK(cb_endpoint_bearer_ok("bearer s3cret", "s3cret"));
	CHECK(!cb_endpoint_bearer_ok("Bearer s3cre", "s3cret"));
	CHECK(!cb_endpoint_bearer_ok("Bearer s3cretX", "s3cret"));
	CHECK(!cb_endpoint_bearer_ok("Basic s3cret", "s3cret"));
	CHECK(!cb_endpoint_bearer_ok(NULL, "s3cret"));
	CHECK(!cb_endpoint_bearer_ok("Bearer ", ""));
}

int main(void)
{
	test_browsers();
	test_refusals();
	test_bearer();
	return test_finish("test-offer");
}
