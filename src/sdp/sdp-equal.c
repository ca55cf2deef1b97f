/* Compares two models field by field (the counts of dropped lines aside),
 * naming the first difference: the round-trip check of the unit test and
 * of the fuzz harness, parse(render(x)) == x, says what broke. */
#include <stdio.h>
#include <string.h>

#include "sdp/sdp-model.h"

struct cmp {
	char *why;
	size_t why_len;
	const char *where;
	bool same;
};

static void differ(struct cmp *c, const char *field)
{
	if (!c->same)
		return;
	c->same = false;
	if (c->why && c->why_len)
		snprintf(c->why, c->why_len, "%s%s differs", c->where, field);
}

#define NUM(c, a, b, f) do { if ((a)->f != (b)->f) differ(c, #f); } while (0)
#define STR(c, a, b, f) do { if (strcmp((a)->f, (b)->f) != 0) differ(c, #f); } while (0)

static void level(struct cmp *c, const struct cb_sdp_level *a, const struct cb_sdp_level *b)
{
	NUM(c, a, b, connection.set);
	STR(c, a, b, connection.addrtype);
	STR(c, a, b, connection.address);
	NUM(c, a, b, n_bandwidths);
	for (uint32_t i = 0; c->same && i < a->n_bandwidths && i < CB_SDP_MAX_BANDWIDTHS; i++) {
		STR(c, a, b, bandwidths[i].type);
		NUM(c, a, b, bandwidths[i].value);
	}
	STR(c, a, b, ice_ufrag);
	STR(c, a, b, ice_pwd);
	STR(c, a, b, ice_options);
	NUM(c, a, b, end_of_candidates);
	NUM(c, a, b, n_fingerprints);
	for (uint32_t i = 0; c->same && i < a->n_fingerprints && i < CB_SDP_MAX_FINGERPRINTS; i++) {
		STR(c, a, b, fingerprints[i].hash);
		NUM(c, a, b, fingerprints[i].len);
		if (c->same && a->fingerprints[i].len <= CB_SDP_FINGERPRINT_MAX &&
		    memcmp(a->fingerprints[i].bytes, b->fingerprints[i].bytes,
			   a->fingerprints[i].len) != 0)
			differ(c, "fingerprints[].bytes");
	}
	NUM(c, a, b, setup);
	NUM(c, a, b, direction);
	NUM(c, a, b, extmap_allow_mixed);
}

static void formats(struct cmp *c, const struct cb_sdp_section *a, const struct cb_sdp_section *b)
{
	NUM(c, a, b, n_formats);
	for (uint32_t i = 0; c->same && i < a->n_formats && i < CB_SDP_MAX_FORMATS; i++) {
		STR(c, a, b, formats[i].id);
		NUM(c, a, b, formats[i].pt);
		NUM(c, a, b, formats[i].has_rtpmap);
		STR(c, a, b, formats[i].encoding);
		NUM(c, a, b, formats[i].clock_rate);
		NUM(c, a, b, formats[i].channels);
		NUM(c, a, b, formats[i].has_fmtp);
		STR(c, a, b, formats[i].fmtp);
	}
	NUM(c, a, b, n_rtcp_fb);
	for (uint32_t i = 0; c->same && i < a->n_rtcp_fb && i < CB_SDP_MAX_RTCP_FB; i++) {
		STR(c, a, b, rtcp_fb[i].format);
		STR(c, a, b, rtcp_fb[i].value);
	}
	NUM(c, a, b, n_extmaps);
	for (uint32_t i = 0; c->same && i < a->n_extmaps && i < CB_SDP_MAX_EXTMAPS; i++) {
		NUM(c, a, b, extmaps[i].id);
		NUM(c, a, b, extmaps[i].direction);
		STR(c, a, b, extmaps[i].uri);
		STR(c, a, b, extmaps[i].attributes);
	}
}

static void sources(struct cmp *c, const struct cb_sdp_section *a, const struct cb_sdp_section *b)
{
	NUM(c, a, b, n_candidates);
	for (uint32_t i = 0; c->same && i < a->n_candidates && i < CB_SDP_MAX_CANDIDATES; i++)
		STR(c, a, b, candidates[i]);
	NUM(c, a, b, n_crypto);
	for (uint32_t i = 0; c->same && i < a->n_crypto && i < CB_SDP_MAX_CRYPTO; i++) {
		NUM(c, a, b, crypto[i].tag);
		STR(c, a, b, crypto[i].suite);
		STR(c, a, b, crypto[i].key_params);
		STR(c, a, b, crypto[i].session_params);
	}
	NUM(c, a, b, n_msids);
	for (uint32_t i = 0; c->same && i < a->n_msids && i < CB_SDP_MAX_MSIDS; i++)
		STR(c, a, b, msids[i]);
	NUM(c, a, b, n_ssrc_groups);
	for (uint32_t i = 0; c->same && i < a->n_ssrc_groups && i < CB_SDP_MAX_SSRC_GROUPS; i++) {
		STR(c, a, b, ssrc_groups[i].semantics);
		NUM(c, a, b, ssrc_groups[i].n_ssrcs);
		for (uint32_t j = 0; c->same && j < a->ssrc_groups[i].n_ssrcs &&
				     j < CB_SDP_MAX_GROUP_SSRCS; j++)
			NUM(c, a, b, ssrc_groups[i].ssrcs[j]);
	}
	NUM(c, a, b, n_ssrcs);
	for (uint32_t i = 0; c->same && i < a->n_ssrcs && i < CB_SDP_MAX_SSRCS; i++) {
		NUM(c, a, b, ssrcs[i].ssrc);
		STR(c, a, b, ssrcs[i].attribute);
		NUM(c, a, b, ssrcs[i].has_value);
		STR(c, a, b, ssrcs[i].value);
	}
}

static void media(struct cmp *c, const struct cb_sdp_section *a, const struct cb_sdp_section *b)
{
	STR(c, a, b, type);
	NUM(c, a, b, port);
	STR(c, a, b, proto);
	NUM(c, a, b, rtp);
	STR(c, a, b, mid);
	NUM(c, a, b, ptime);
	NUM(c, a, b, maxptime);
	NUM(c, a, b, rtcp_mux);
	NUM(c, a, b, rtcp_mux_only);
	NUM(c, a, b, rtcp_rsize);
	NUM(c, a, b, bundle_only);
	level(c, &a->level, &b->level);
	formats(c, a, b);
	sources(c, a, b);
}

bool cb_sdp_equal(const struct cb_sdp *a, const struct cb_sdp *b, char *why, size_t why_len)
{
	struct cmp c = { .why = why, .why_len = why_len, .where = "session ", .same = true };
	char where[32];

	if (why && why_len)
		why[0] = '\0';
	STR(&c, a, b, origin_username);
	NUM(&c, a, b, session_id);
	NUM(&c, a, b, session_version);
	STR(&c, a, b, origin_addrtype);
	STR(&c, a, b, origin_address);
	STR(&c, a, b, name);
	NUM(&c, a, b, start_time);
	NUM(&c, a, b, stop_time);
	NUM(&c, a, b, ice_lite);
	STR(&c, a, b, msid_semantic);
	level(&c, &a->level, &b->level);
	NUM(&c, a, b, n_groups);
	for (uint32_t g = 0; c.same && g < a->n_groups && g < CB_SDP_MAX_GROUPS; g++) {
		STR(&c, a, b, groups[g].semantics);
		NUM(&c, a, b, groups[g].n_mids);
		for (uint32_t i = 0; c.same && i < a->groups[g].n_mids && i < CB_SDP_MAX_MEDIA; i++)
			STR(&c, a, b, groups[g].mids[i]);
	}
	NUM(&c, a, b, n_media);
	for (uint32_t i = 0; c.same && i < a->n_media && i < CB_SDP_MAX_MEDIA; i++) {
		snprintf(where, sizeof(where), "media %u ", i);
		c.where = where;
		media(&c, &a->media[i], &b->media[i]);
	}
	return c.same;
}
