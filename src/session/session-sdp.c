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
	/* RFC 2198 wrapping this Opus, as WebRTC offers it; only then. */
	media.red_payload_type = cb_sdp_red_pt(m, pt);
	if (media.red_payload_type < 0)
		media.red_payload_type = 0;
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
			.red_payload_type = m->red_payload_type,
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

static enum cb_sdp_direction sdp_direction(enum cb_media_direction d)
{
	switch (d) {
	case CB_DIRECTION_SENDONLY: return CB_SDP_DIR_SENDONLY;
	case CB_DIRECTION_RECVONLY: return CB_SDP_DIR_RECVONLY;
	case CB_DIRECTION_INACTIVE: return CB_SDP_DIR_INACTIVE;
	default: return CB_SDP_DIR_SENDRECV;
	}
}

static enum cb_sdp_setup sdp_setup(enum cb_dtls_setup s)
{
	switch (s) {
	case CB_DTLS_SETUP_ACTPASS: return CB_SDP_SETUP_ACTPASS;
	case CB_DTLS_SETUP_ACTIVE: return CB_SDP_SETUP_ACTIVE;
	case CB_DTLS_SETUP_PASSIVE: return CB_SDP_SETUP_PASSIVE;
	default: return CB_SDP_SETUP_NONE;
	}
}

static void webrtc_section(struct cb_sdp_section *m, const struct cb_session_desc *d,
			   const struct cb_session_media *in)
{
	struct cb_sdp_format *f = &m->formats[in->red_payload_type > 0 ? 1 : 0];
	uint32_t ptime_tenths = in->ptime_samples ? in->ptime_samples * 10 / 48 : 200;

	snprintf(m->type, sizeof(m->type), "audio");
	m->port = 9;	/* RFC 8840 section 4.1.1: the real ones are candidates */
	snprintf(m->proto, sizeof(m->proto), "UDP/TLS/RTP/SAVPF");
	m->rtp = true;
	m->level.connection.set = true;
	snprintf(m->level.connection.addrtype, sizeof(m->level.connection.addrtype), "IP4");
	snprintf(m->level.connection.address, sizeof(m->level.connection.address), "0.0.0.0");
	snprintf(m->mid, sizeof(m->mid), "%s", in->mid);
	m->level.direction = sdp_direction(in->direction);
	snprintf(m->level.ice_ufrag, sizeof(m->level.ice_ufrag), "%s", d->ice.ufrag);
	snprintf(m->level.ice_pwd, sizeof(m->level.ice_pwd), "%s", d->ice.pwd);
	m->level.end_of_candidates = d->ice.end_of_candidates;
	if (d->dtls.fingerprint_len) {
		snprintf(m->level.fingerprints[0].hash, sizeof(m->level.fingerprints[0].hash),
			 "%s", d->dtls.hash[0] ? d->dtls.hash : "sha-256");
		m->level.fingerprints[0].len = d->dtls.fingerprint_len;
		memcpy(m->level.fingerprints[0].bytes, d->dtls.fingerprint, d->dtls.fingerprint_len);
		m->level.n_fingerprints = 1;
	}
	m->level.setup = sdp_setup(d->dtls.setup);
	m->rtcp_mux = true;
	m->rtcp_mux_only = true;
	m->n_formats = 1;
	if (in->red_payload_type > 0)
		cb_sdp_add_red(m, (uint8_t)in->red_payload_type, in->payload_type);
	snprintf(f->id, sizeof(f->id), "%u", in->payload_type);
	f->pt = in->payload_type;
	f->has_rtpmap = true;
	snprintf(f->encoding, sizeof(f->encoding), "opus");
	f->clock_rate = 48000;
	f->channels = 2;	/* RFC 7587 section 7: always; mono is in fmtp */
	f->has_fmtp = true;
	snprintf(f->fmtp, sizeof(f->fmtp), "minptime=%u;useinbandfec=%d;stereo=%d;sprop-stereo=%d%s",
		 ptime_tenths < 100 ? (ptime_tenths + 9) / 10 : 10, in->fec ? 1 : 0,
		 in->channels == 2, in->channels == 2, in->dtx ? ";usedtx=1" : "");
	m->ptime = ptime_tenths;
	if (in->audio_level_ext_id > 0) {
		m->extmaps[0].id = (uint16_t)in->audio_level_ext_id;
		snprintf(m->extmaps[0].uri, sizeof(m->extmaps[0].uri), "%s", CB_SDP_URI_AUDIO_LEVEL);
		m->n_extmaps = 1;
	}
	if (in->ssrc) {
		m->ssrcs[0].ssrc = in->ssrc;
		snprintf(m->ssrcs[0].attribute, sizeof(m->ssrcs[0].attribute), "cname");
		m->ssrcs[0].has_value = true;
		snprintf(m->ssrcs[0].value, sizeof(m->ssrcs[0].value), "%s", d->cname);
		m->n_ssrcs = 1;
		/* RFC 8830: the stream is the call, the track this section. */
		snprintf(m->msids[0], sizeof(m->msids[0]), "%.63s %.32s", d->name, in->mid);
		m->n_msids = 1;
	}
	for (uint32_t i = 0; i < d->ice.n_candidates && i < CB_SDP_MAX_CANDIDATES; i++)
		snprintf(m->candidates[m->n_candidates++], sizeof(m->candidates[0]), "%s",
			 d->ice.candidates[i] + strlen("candidate:"));
}

int cb_session_desc_render_webrtc(const struct cb_session_desc *d, char *buf, size_t cap)
{
	struct cb_sdp *sdp = calloc(1, sizeof(*sdp));
	struct cb_sdp_group *g;
	int res;

	if (sdp == NULL)
		return -ENOMEM;
	if (d->n_media == 0 || d->n_media > CB_SDP_MAX_MEDIA) {
		free(sdp);
		return -EINVAL;
	}
	snprintf(sdp->origin_username, sizeof(sdp->origin_username), "-");
	sdp->session_id = d->session_id ? d->session_id : 1;
	sdp->session_version = d->version ? d->version : 1;
	snprintf(sdp->origin_addrtype, sizeof(sdp->origin_addrtype), "IP4");
	snprintf(sdp->origin_address, sizeof(sdp->origin_address), "127.0.0.1");
	snprintf(sdp->name, sizeof(sdp->name), "-");
	snprintf(sdp->level.ice_options, sizeof(sdp->level.ice_options), "trickle");
	snprintf(sdp->msid_semantic, sizeof(sdp->msid_semantic), "WMS *");
	g = &sdp->groups[sdp->n_groups++];
	snprintf(g->semantics, sizeof(g->semantics), "BUNDLE");
	for (uint32_t i = 0; i < d->n_media; i++) {
		webrtc_section(&sdp->media[sdp->n_media++], d, &d->media[i]);
		snprintf(g->mids[g->n_mids++], sizeof(g->mids[0]), "%s", d->media[i].mid);
	}
	res = cb_sdp_render(sdp, buf, cap);
	cb_secret_wipe(sdp, sizeof(*sdp));
	free(sdp);
	return res;
}
