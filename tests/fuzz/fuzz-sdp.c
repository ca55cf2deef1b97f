/* The SDP parser on arbitrary text, with the renderer checked against it:
 * whatever parses must render, and the rendering must parse back to an
 * equal model and render to the same bytes again (parse(render(x)) == x).
 * A refusal must say which line.  The look-ups a caller makes next run on
 * every model that parses.  The input is copied into an exactly sized heap
 * buffer so that a read one byte past it is caught. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp/sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cb_sdp parsed, again;
static char first[2 * CB_SDP_TEXT_MAX], second[2 * CB_SDP_TEXT_MAX];

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz-sdp: %s: %s\n", what, detail);
	abort();
}

static void look_up(const struct cb_sdp *sdp)
{
	struct cb_sdp_opus_params opus;
	enum cb_srtp_suite suite;
	struct cb_address addr;
	uint8_t key[64];

	for (uint32_t i = 0; i < sdp->n_media; i++) {
		const struct cb_sdp_section *m = &sdp->media[i];
		int pt = cb_sdp_opus_pt(m);

		if (pt >= 0 && cb_sdp_opus_params(m, pt, &opus) == -ENOENT)
			fail("opus", "the Opus payload type has no format");
		(void)cb_sdp_extmap_id(m, CB_SDP_URI_AUDIO_LEVEL);
		(void)cb_sdp_ssrc_attribute(m, "cname");
		if (m->mid[0] && cb_sdp_find_mid(sdp, m->mid) != m)
			fail("mid", m->mid);
		if (strlen(cb_sdp_ice_ufrag(sdp, m)) >= CB_SDP_ICE_CRED_LEN ||
		    strlen(cb_sdp_ice_pwd(sdp, m)) >= CB_SDP_ICE_CRED_LEN)
			fail("ice", "credential too long");
		(void)cb_sdp_fingerprint_of(sdp, m, "sha-256");
		for (uint32_t c = 0; c < m->n_crypto; c++) {
			int n = cb_sdp_crypto_key(&m->crypto[c], &suite, key, sizeof(key));
			if (n > 0 && (size_t)n != cb_srtp_suite_key_len(suite))
				fail("crypto", "key of the wrong length");
		}
		/* The parser requires a c= for every section (RFC 8866 §5.7). */
		if (cb_sdp_section_address(sdp, m, &addr) < 0)
			fail("address", m->level.connection.address);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], why[128];
	char *text;
	int n, n2;

	/* Rendering writes CRLF for LF: keep room for it under the limit. */
	if (size > CB_SDP_TEXT_MAX / 2)
		return 0;
	text = malloc(size ? size : 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	err[0] = '\0';
	if (cb_sdp_parse(text, size, &parsed, err, sizeof(err)) < 0) {
		if (strncmp(err, "line ", 5) != 0)
			fail("a refusal that names no line", err);
		free(text);
		return 0;
	}
	free(text);
	look_up(&parsed);

	if ((n = cb_sdp_render(&parsed, first, sizeof(first))) <= 0)
		fail("render", "a parsed model did not render");
	if ((size_t)n != strlen(first))
		fail("render", "length");
	if (cb_sdp_parse(first, (size_t)n, &again, err, sizeof(err)) < 0)
		fail("the rendering does not parse", err);
	if (!cb_sdp_equal(&parsed, &again, why, sizeof(why)))
		fail("parse(render(x)) != x", why);
	if ((n2 = cb_sdp_render(&again, second, sizeof(second))) != n ||
	    memcmp(first, second, (size_t)n) != 0)
		fail("render", "not the same bytes twice");
	return 0;
}
