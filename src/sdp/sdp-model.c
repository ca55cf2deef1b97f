/* Look-ups over a parsed description: what a caller answering an offer
 * asks of it (which payload type is Opus, which extension id carries the
 * audio level, which credentials apply to this section). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sdp/sdp-model.h"

const struct cb_sdp_section *cb_sdp_find_mid(const struct cb_sdp *sdp, const char *mid)
{
	for (uint32_t i = 0; i < sdp->n_media && i < CB_SDP_MAX_MEDIA; i++)
		if (sdp->media[i].mid[0] && strcmp(sdp->media[i].mid, mid) == 0)
			return &sdp->media[i];
	return NULL;
}

const struct cb_sdp_format *cb_sdp_find_format(const struct cb_sdp_section *m, const char *id)
{
	for (uint32_t i = 0; i < m->n_formats && i < CB_SDP_MAX_FORMATS; i++)
		if (strcmp(m->formats[i].id, id) == 0)
			return &m->formats[i];
	return NULL;
}

int cb_sdp_opus_pt(const struct cb_sdp_section *m)
{
	/* RFC 7587 §7: "opus/48000/2" whatever the channels, the name
	 * case-insensitive (RFC 8866 §6.6); webrtcbin writes "OPUS". */
	for (uint32_t i = 0; i < m->n_formats && i < CB_SDP_MAX_FORMATS; i++) {
		const struct cb_sdp_format *f = &m->formats[i];
		if (f->pt >= 0 && f->has_rtpmap && strcasecmp(f->encoding, "opus") == 0 &&
		    f->clock_rate == 48000 && f->channels == 2)
			return f->pt;
	}
	return -ENOENT;
}

int cb_sdp_extmap_id(const struct cb_sdp_section *m, const char *uri)
{
	for (uint32_t i = 0; i < m->n_extmaps && i < CB_SDP_MAX_EXTMAPS; i++)
		if (strcmp(m->extmaps[i].uri, uri) == 0)
			return m->extmaps[i].id;
	return -ENOENT;
}

const char *cb_sdp_ssrc_attribute(const struct cb_sdp_section *m, const char *attribute)
{
	for (uint32_t i = 0; i < m->n_ssrcs && i < CB_SDP_MAX_SSRCS; i++)
		if (m->ssrcs[i].has_value && strcmp(m->ssrcs[i].attribute, attribute) == 0)
			return m->ssrcs[i].value;
	return NULL;
}

const char *cb_sdp_ice_ufrag(const struct cb_sdp *sdp, const struct cb_sdp_section *m)
{
	return m && m->level.ice_ufrag[0] ? m->level.ice_ufrag : sdp->level.ice_ufrag;
}

const char *cb_sdp_ice_pwd(const struct cb_sdp *sdp, const struct cb_sdp_section *m)
{
	return m && m->level.ice_pwd[0] ? m->level.ice_pwd : sdp->level.ice_pwd;
}

enum cb_sdp_setup cb_sdp_setup_of(const struct cb_sdp *sdp, const struct cb_sdp_section *m)
{
	return m && m->level.setup != CB_SDP_SETUP_NONE ? m->level.setup : sdp->level.setup;
}

enum cb_sdp_direction cb_sdp_direction_of(const struct cb_sdp *sdp, const struct cb_sdp_section *m)
{
	/* RFC 8866 §6.7: the media level wins; sendrecv when neither says. */
	if (m && m->level.direction != CB_SDP_DIR_NONE)
		return m->level.direction;
	return sdp->level.direction != CB_SDP_DIR_NONE ? sdp->level.direction
						       : CB_SDP_DIR_SENDRECV;
}

static const struct cb_sdp_fingerprint *find_fingerprint(const struct cb_sdp_level *l,
							 const char *hash)
{
	for (uint32_t i = 0; i < l->n_fingerprints && i < CB_SDP_MAX_FINGERPRINTS; i++)
		if (strcasecmp(l->fingerprints[i].hash, hash) == 0)
			return &l->fingerprints[i];
	return NULL;
}

const struct cb_sdp_fingerprint *cb_sdp_fingerprint_of(const struct cb_sdp *sdp,
						       const struct cb_sdp_section *m,
						       const char *hash)
{
	const struct cb_sdp_fingerprint *f = m ? find_fingerprint(&m->level, hash) : NULL;

	/* RFC 8122 §5: media-level fingerprints replace session-level ones. */
	if (m && m->level.n_fingerprints > 0)
		return f;
	return find_fingerprint(&sdp->level, hash);
}

const char *cb_sdp_setup_name(enum cb_sdp_setup setup)
{
	switch (setup) {
	case CB_SDP_SETUP_ACTPASS: return "actpass";
	case CB_SDP_SETUP_ACTIVE: return "active";
	case CB_SDP_SETUP_PASSIVE: return "passive";
	case CB_SDP_SETUP_HOLDCONN: return "holdconn";
	case CB_SDP_SETUP_NONE: break;
	}
	return "";
}

const char *cb_sdp_direction_name(enum cb_sdp_direction direction)
{
	switch (direction) {
	case CB_SDP_DIR_SENDRECV: return "sendrecv";
	case CB_SDP_DIR_SENDONLY: return "sendonly";
	case CB_SDP_DIR_RECVONLY: return "recvonly";
	case CB_SDP_DIR_INACTIVE: return "inactive";
	case CB_SDP_DIR_NONE: break;
	}
	return "";
}

static bool opus_number(const char *v, size_t n, uint32_t min, uint32_t max, uint32_t *out)
{
	uint32_t x = 0;

	if (n == 0 || n > 6)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (uint32_t)(v[i] - '0');
	}
	if (x < min || x > max)
		return false;
	*out = x;
	return true;
}

int cb_sdp_opus_params(const struct cb_sdp_section *m, int pt, struct cb_sdp_opus_params *out)
{
	static const struct { const char *name; size_t flag; } flags[] = {
		{ "stereo", offsetof(struct cb_sdp_opus_params, stereo) },
		{ "sprop-stereo", offsetof(struct cb_sdp_opus_params, sprop_stereo) },
		{ "useinbandfec", offsetof(struct cb_sdp_opus_params, useinbandfec) },
		{ "usedtx", offsetof(struct cb_sdp_opus_params, usedtx) },
		{ "cbr", offsetof(struct cb_sdp_opus_params, cbr) },
	};
	const struct cb_sdp_format *f = NULL;
	const char *p;

	*out = (struct cb_sdp_opus_params){ -1, -1, -1, -1, -1, 0, 0, 0 };
	for (uint32_t i = 0; i < m->n_formats && i < CB_SDP_MAX_FORMATS; i++)
		if (m->formats[i].pt == pt && pt >= 0)
			f = &m->formats[i];
	if (f == NULL)
		return -ENOENT;
	if (!f->has_fmtp)
		return 0;
	/* RFC 7587 §6.1: "name=value" pairs joined by ';', unknown names
	 * ignored.  Blanks after ';' are common and allowed. */
	for (p = f->fmtp; *p;) {
		size_t len = strcspn(p, ";"), name_len;
		const char *eq = memchr(p, '=', len), *val;
		bool known = false, ok = true;

		while (*p == ' ' && len > 0)
			p++, len--;
		if (eq == NULL)
			goto next;
		name_len = (size_t)(eq - p);
		val = eq + 1;
		len -= name_len + 1;
		for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
			if (strlen(flags[i].name) == name_len && strncmp(p, flags[i].name, name_len) == 0) {
				known = true;
				ok = len == 1 && (*val == '0' || *val == '1');
				if (ok)
					*(int *)((char *)out + flags[i].flag) = *val - '0';
			}
		}
		if (!known && name_len == 8 && strncmp(p, "minptime", 8) == 0)
			ok = opus_number(val, len, 3, 120, &out->minptime);
		else if (!known && name_len == 17 && strncmp(p, "maxaveragebitrate", 17) == 0)
			ok = opus_number(val, len, 6000, 510000, &out->maxaveragebitrate);
		else if (!known && name_len == 15 && strncmp(p, "maxplaybackrate", 15) == 0)
			ok = opus_number(val, len, 8000, 48000, &out->maxplaybackrate);
		if (!ok)
			return -EINVAL;
next:
		p += strcspn(p, ";");
		if (*p == ';')
			p++;
	}
	return 0;
}
