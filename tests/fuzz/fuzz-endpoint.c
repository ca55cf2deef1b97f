/* What a browser sends callbridge's WHIP/WHEP endpoint (endpoint/): the
 * first byte picks the surface, the rest is the input.
 *   0, 1: an offer to a WHIP (0) or WHEP (1) path.  A verdict always comes
 *         with an HTTP status and a reason; an accepted offer is answered,
 *         and the answer must parse as SDP with exactly one audio section
 *         (the others rejected), setup active or passive, the offer's mid.
 *   2:    an Authorization header value against a token: never accepted
 *         unless it is "Bearer <token>".
 * PATCH bodies go through cb_sdpfrag_parse, fuzzed by fuzz-sdpfrag. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "endpoint/endpoint.h"
#include "endpoint/offer.h"
#include "sdp/sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void offer(const char *text, size_t len, bool whep)
{
	static struct cb_offer_result r;
	static struct cb_session_desc ours;
	static struct cb_sdp answer;
	static char buf[CB_OFFER_MAX + 2 * CB_OFFER_REJECTED_MAX];
	struct cb_offer_terms terms = { .whep = whep };
	char err[256];
	uint32_t audio = 0;
	int n;

	terms.media.channels = 2;
	terms.media.ptime_samples = 960;
	terms.media.ssrc = whep ? 0x12345678 : 0;
	terms.media.audio_level_ext_id = whep ? 1 : 0;
	if (cb_offer_check(text, len, &terms, &r) < 0) {
		if (r.status < 400 || r.status > 599 || r.reason[0] == '\0')
			abort();
		cb_session_desc_clear(&r.peer);
		return;
	}
	if (r.status != 0)
		abort();
	cb_session_desc_init(&ours);
	ours.ice.present = true;
	strcpy(ours.ice.ufrag, "abcd");
	strcpy(ours.ice.pwd, "abcdefghijklmnopqrstuvwx");
	strcpy(ours.dtls.hash, "sha-256");
	ours.dtls.fingerprint_len = 32;
	n = cb_offer_answer(&r, &ours, buf, sizeof(buf));
	cb_session_desc_clear(&r.peer);
	if (n == -ENOSPC)
		return;		/* a long run of rejected sections */
	if (n < 0 || cb_sdp_parse(buf, (size_t)n, &answer, err, sizeof(err)) < 0)
		abort();
	for (uint32_t i = 0; i < answer.n_media; i++)
		if (answer.media[i].port != 0 && strcmp(answer.media[i].type, "audio") == 0)
			audio++;
	if (audio != 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[65536 + 1];

	if (size < 1 || size - 1 > sizeof(text) - 1)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0:
	case 1:
		offer(text, size - 1, data[0] % 3 == 1);
		break;
	default: {
		bool ok = cb_endpoint_bearer_ok(text, "secret-token");
		const char *p = text + 7;
		if (ok) {
			while (*p == ' ')
				p++;
			if (strncasecmp(text, "Bearer ", 7) != 0 || strcmp(p, "secret-token") != 0)
				abort();
		}
		break;
	}
	}
	return 0;
}
