#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/session-sdp.h"
#include "util/secret.h"

static enum cb_media_direction direction(enum cb_sdp_direction d)
{
	switch (d) {
	case CB_SDP_DIR_SENDONLY: return CB_DIRECTION_SENDONLY;
	case CB_SDP_DIR_RECVONLY: return CB_DIRECTION_RECVONLY;
	case CB_SDP_DIR_INACTIVE: return CB_DIRECTION_INACTIVE;
	default: return CB_DIRECTION_SENDRECV;
	}
}

static enum cb_dtls_setup setup(enum cb_sdp_setup s)
{
	switch (s) {
	case CB_SDP_SETUP_ACTPASS: return CB_DTLS_SETUP_ACTPASS;
	case CB_SDP_SETUP_ACTIVE: return CB_DTLS_SETUP_ACTIVE;
	case CB_SDP_SETUP_PASSIVE: return CB_DTLS_SETUP_PASSIVE;
	default: return CB_DTLS_SETUP_NONE;
	}
}

static int audio_section(const struct cb_sdp *sdp, const struct cb_sdp_section *m,
			 struct cb_session_desc *d, char *err, size_t err_len)
{
	struct cb_session_media media = { 0 };
	struct cb_sdp_opus_params opus;
	int pt = cb_sdp_opus_pt(m);

	if (pt < 0) {
		snprintf(err, err_len, "audio section %s has no Opus (opus/48000/2)",
			 m->mid[0] ? m->mid : "without a mid");
		return -EINVAL;
	}
	snprintf(media.mid, sizeof(media.mid), "%s", m->mid);
	media.direction = direction(cb_sdp_direction_of(sdp, m));
	media.payload_type = (uint8_t)pt;
	/* RFC 7587 section 6.1: stereo=1 is what the receiver prefers,
	 * sprop-stereo=1 that the sender may send it. */
	media.channels = 1;
	if (cb_sdp_opus_params(m, pt, &opus) == 0) {
		if (opus.stereo == 1 || opus.sprop_stereo == 1)
			media.channels = 2;
		media.fec = opus.useinbandfec == 1;
		media.dtx = opus.usedtx == 1;
		media.bitrate = opus.maxaveragebitrate;
	}
	/* ptime is in 0.1 ms units: 2.5 ms is 25, 120 samples. */
	media.ptime_samples = m->ptime ? m->ptime * 48 / 10 : 0;
	/* The first a=ssrc names the sender's SSRC (RFC 5576); an FID
	 * group's second one would be a retransmission stream. */
	if (m->n_ssrcs > 0)
		media.ssrc = m->ssrcs[0].ssrc;
	media.audio_level_ext_id = cb_sdp_extmap_id(m, CB_SDP_URI_AUDIO_LEVEL);
	if (media.audio_level_ext_id < 0)
		media.audio_level_ext_id = 0;
	cb_sdp_section_address(sdp, m, &media.dest);
	return cb_session_desc_add_media(d, &media);
}

int cb_session_desc_from_sdp(const struct cb_sdp *sdp, struct cb_session_desc *d, char *err,
			     size_t err_len)
{
	const struct cb_sdp_section *first = NULL;
	const struct cb_sdp_fingerprint *fp;
	int res;

	cb_session_desc_init(d);
	d->session_id = sdp->session_id;
	d->version = sdp->session_version;
	snprintf(d->name, sizeof(d->name), "%s", sdp->name);
	for (uint32_t g = 0; g < sdp->n_groups; g++)
		if (strcmp(sdp->groups[g].semantics, "BUNDLE") == 0)
			d->bundle = true;
	for (uint32_t i = 0; i < sdp->n_media; i++) {
		const struct cb_sdp_section *m = &sdp->media[i];

		if (strcmp(m->type, "audio") != 0 || (m->port == 0 && !m->bundle_only))
			continue;
		if ((res = audio_section(sdp, m, d, err, err_len)) < 0)
			return res;
		if (first == NULL)
			first = m;
		for (uint32_t c = 0; c < m->n_candidates; c++) {
			char attribute[CB_SESSION_CANDIDATE_MAX];
			snprintf(attribute, sizeof(attribute), "candidate:%s", m->candidates[c]);
			if (cb_session_desc_add_candidate(d, attribute) < 0) {
				snprintf(err, err_len, "too many or too long ICE candidates");
				return -EINVAL;
			}
		}
		if (m->level.end_of_candidates)
			d->ice.end_of_candidates = true;
		if (m->n_crypto > 0 && !d->crypto.key.set) {
			res = cb_sdp_crypto_key(&m->crypto[0], &d->crypto.suite, d->crypto.key.bytes,
						sizeof(d->crypto.key.bytes));
			if (res < 0) {
				snprintf(err, err_len, "a=crypto of %s is not a usable SDES key",
					 m->mid[0] ? m->mid : "an audio section");
				return -EINVAL;
			}
			d->crypto.key.len = (size_t)res;
			d->crypto.key.set = true;
		}
	}
	if (first == NULL)
		return 0;
	if (sdp->level.end_of_candidates)
		d->ice.end_of_candidates = true;
	d->ice.lite = sdp->ice_lite;
	snprintf(d->ice.ufrag, sizeof(d->ice.ufrag), "%s", cb_sdp_ice_ufrag(sdp, first));
	snprintf(d->ice.pwd, sizeof(d->ice.pwd), "%s", cb_sdp_ice_pwd(sdp, first));
	d->ice.present = d->ice.ufrag[0] != '\0';
	if ((fp = cb_sdp_fingerprint_of(sdp, first, "sha-256")) != NULL) {
		memcpy(d->dtls.fingerprint, fp->bytes, fp->len);
		d->dtls.fingerprint_len = fp->len;
		snprintf(d->dtls.hash, sizeof(d->dtls.hash), "%s", fp->hash);
	}
	d->dtls.setup = setup(cb_sdp_setup_of(sdp, first));
	return (int)d->n_media;
}

int cb_session_desc_write_file(const struct cb_session_desc *d, const char *path)
{
	struct cb_sdp_media media[CB_SESSION_MAX_MEDIA];
	char *lines = NULL;
	struct cb_sdp_ice ice = { 0 };
	struct cb_sdp_session s = {
		.call_name = d->name,
		.cname = d->cname,
		.session_id = d->session_id,
		.version = d->version,
		.origin = &d->origin,
		.suite = d->crypto.suite,
		.key = d->crypto.key.set ? d->crypto.key.bytes : NULL,
		.key_len = d->crypto.key.set ? d->crypto.key.len : 0,
		.n_media = d->n_media,
		.media = media,
	};
	size_t cap = (size_t)d->ice.n_candidates * (CB_SESSION_CANDIDATE_MAX + 4) + 1, used = 0;
	int res;

	for (uint32_t i = 0; i < d->n_media; i++) {
		const struct cb_session_media *m = &d->media[i];
		media[i] = (struct cb_sdp_media) {
			.mid = m->mid, .dest = &m->dest, .payload_type = m->payload_type,
			.channels = m->channels, .ptime_samples = m->ptime_samples,
			.ssrc = m->ssrc, .fec = m->fec, .dtx = m->dtx, .bitrate = m->bitrate,
			.audio_level_ext_id = m->audio_level_ext_id,
		};
	}
	if (d->ice.present) {
		if ((lines = malloc(cap)) == NULL)
			return -ENOMEM;
		lines[0] = '\0';
		for (uint32_t i = 0; i < d->ice.n_candidates; i++)
			used += (size_t)snprintf(lines + used, cap - used, "a=%s\r\n",
						 d->ice.candidates[i]);
		ice = (struct cb_sdp_ice) { .ufrag = d->ice.ufrag, .pwd = d->ice.pwd,
					    .candidate_lines = lines,
					    .default_addr = &d->ice.default_addr };
		s.ice = &ice;
	}
	res = cb_sdp_write_file(path, &s);
	if (lines)
		cb_secret_wipe(lines, cap);
	free(lines);
	return res;
}
