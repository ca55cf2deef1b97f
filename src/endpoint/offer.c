#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/offer.h"
#include "sdp/sdp.h"
#include "session/session-sdp.h"
#include "util/secret.h"

__attribute__((format(printf, 3, 4)))
static int refuse(struct cb_offer_result *r, unsigned int status, const char *fmt, ...)
{
	va_list ap;

	r->status = status;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* JSEP 5.3.1: a section we do not take is answered with port 0, its
 * first format, and its mid, so both sides agree it is off. */
static void add_rejected(char *out, size_t cap, const struct cb_sdp_section *m)
{
	size_t used = strlen(out);

	snprintf(out + used, cap - used, "m=%s 0 %s %s\r\nc=IN IP4 0.0.0.0\r\n%s%s%sa=inactive\r\n",
		 m->type, m->proto[0] ? m->proto : "UDP/TLS/RTP/SAVPF",
		 m->n_formats ? m->formats[0].id : "0",
		 m->mid[0] ? "a=mid:" : "", m->mid, m->mid[0] ? "\r\n" : "");
}

static bool is_audio(const struct cb_sdp_section *m)
{
	return strcmp(m->type, "audio") == 0 && (m->port != 0 || m->bundle_only);
}

int cb_offer_check(const char *text, size_t len, const struct cb_offer_terms *terms,
		   struct cb_offer_result *r)
{
	struct cb_sdp *sdp = calloc(1, sizeof(*sdp));
	const struct cb_sdp_section *audio = NULL;
	const struct cb_session_media *pm;
	char err[200];
	int res = -EINVAL, n;

	memset(r, 0, sizeof(*r));
	cb_session_desc_init(&r->peer);
	if (sdp == NULL)
		return refuse(r, 500, "%s", "out of memory");
	if (cb_sdp_parse(text, len, sdp, err, sizeof(err)) < 0) {
		refuse(r, 400, "malformed SDP: %s", err);
		goto out;
	}
	for (uint32_t i = 0; i < sdp->n_media; i++) {
		if (!is_audio(&sdp->media[i]))
			add_rejected(audio ? r->rejected_after : r->rejected_before,
				     CB_OFFER_REJECTED_MAX, &sdp->media[i]);
		else if (audio == NULL)
			audio = &sdp->media[i];
		else {
			refuse(r, 422, "%s", "more than one audio section: WHIP and WHEP carry "
			       "one audio track per session (RFC 9725 section 4.2)");
			goto out;
		}
	}
	if (audio == NULL) {
		refuse(r, 406, "%s", "the offer has no audio section: callbridge takes Opus "
		       "audio only (video-only offers are not accepted)");
		goto out;
	}
	if ((n = cb_session_desc_from_sdp(sdp, &r->peer, err, sizeof(err))) < 0) {
		refuse(r, 406, "%s", err);
		goto out;
	}
	if (n != 1) {
		refuse(r, 406, "%s", "the audio section offers no Opus (opus/48000/2)");
		goto out;
	}
	pm = &r->peer.media[0];
	if (!r->peer.ice.present || !r->peer.ice.pwd[0]) {
		refuse(r, 422, "%s", "the offer has no ICE ufrag and pwd");
		goto out;
	}
	if (r->peer.dtls.fingerprint_len != CB_SHA256_LEN) {
		refuse(r, 422, "%s", "the offer has no a=fingerprint:sha-256 (DTLS-SRTP is "
		       "required)");
		goto out;
	}
	if (!audio->rtcp_mux) {
		refuse(r, 422, "%s", "the audio section lacks a=rtcp-mux, which is required");
		goto out;
	}
	if (terms->whep ? pm->direction == CB_DIRECTION_SENDONLY ||
			  pm->direction == CB_DIRECTION_INACTIVE :
			  pm->direction == CB_DIRECTION_RECVONLY ||
			  pm->direction == CB_DIRECTION_INACTIVE) {
		refuse(r, 422, "%s", terms->whep ? "a WHEP offer must receive audio (recvonly)" :
		       "a WHIP offer must send audio (sendonly)");
		goto out;
	}
	/* RFC 5763 section 5: the answerer to actpass picks active, the DTLS
	 * client, which starts the handshake as soon as ICE is up. */
	r->role = r->peer.dtls.setup == CB_DTLS_SETUP_ACTIVE ? CB_DTLS_SERVER : CB_DTLS_CLIENT;
	r->ours = terms->media;
	snprintf(r->ours.mid, sizeof(r->ours.mid), "%s", pm->mid[0] ? pm->mid : "0");
	r->ours.direction = terms->whep ? CB_DIRECTION_SENDONLY : CB_DIRECTION_RECVONLY;
	r->ours.payload_type = pm->payload_type;
	/* The level extension only where both sides have it, with the
	 * offer's id (the fan-out rewrites ours to it per viewer). */
	r->ours.audio_level_ext_id = terms->whep && terms->media.audio_level_ext_id > 0 ?
				     pm->audio_level_ext_id : 0;
	if (!terms->whep)
		r->ours.ssrc = 0;
	res = 0;
out:
	cb_secret_wipe(sdp, sizeof(*sdp));
	free(sdp);
	return res;
}

int cb_offer_answer(const struct cb_offer_result *r, const struct cb_session_desc *ours_desc,
		    char *buf, size_t cap)
{
	struct cb_session_desc *d = malloc(sizeof(*d));
	char *audio_text = malloc(CB_OFFER_MAX);
	char *m;
	int n, res;
	size_t head;

	if (d == NULL || audio_text == NULL) {
		res = -ENOMEM;
		goto out;
	}
	*d = *ours_desc;
	d->n_media = 0;
	d->dtls.setup = r->role == CB_DTLS_CLIENT ? CB_DTLS_SETUP_ACTIVE : CB_DTLS_SETUP_PASSIVE;
	cb_session_desc_add_media(d, &r->ours);
	if ((n = cb_session_desc_render_webrtc(d, audio_text, CB_OFFER_MAX)) < 0) {
		res = n;
		goto out;
	}
	/* Splice the rejected sections in the offer's order around ours. */
	if ((m = strstr(audio_text, "\r\nm=")) == NULL) {
		res = -EINVAL;
		goto out;
	}
	head = (size_t)(m - audio_text) + 2;
	res = snprintf(buf, cap, "%.*s%s%s%s", (int)head, audio_text, r->rejected_before,
		       audio_text + head, r->rejected_after);
	if (res < 0 || (size_t)res >= cap)
		res = -ENOSPC;
out:
	if (d) {
		cb_session_desc_clear(d);
		free(d);
	}
	if (audio_text)
		cb_secret_wipe(audio_text, CB_OFFER_MAX);
	free(audio_text);
	return res;
}
