/* Renders a model as SDP text, CRLF lines (RFC 8866 §5), in one fixed
 * order: the order callbridge's own SDP file has always had, so that
 * cb_sdp_write() through the model gives the same bytes as before, with
 * the attributes it never wrote fitted in where JSEP peers put them.
 * Unknown attributes were counted, not kept, and are not rendered. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sdp/sdp-model.h"

struct out {
	char *buf;
	size_t cap, len;
	bool overflow;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->overflow = true;
	else
		o->len += (size_t)n;
}

/* ptime and maxptime are kept in tenths of a millisecond. */
static void put_time(struct out *o, const char *name, uint32_t tenths)
{
	if (tenths == 0)
		return;
	if (tenths % 10)
		put(o, "a=%s:%u.%u\r\n", name, tenths / 10, tenths % 10);
	else
		put(o, "a=%s:%u\r\n", name, tenths / 10);
}

static void put_connection(struct out *o, const struct cb_sdp_level *l)
{
	if (l->connection.set)
		put(o, "c=IN %s %s\r\n", l->connection.addrtype, l->connection.address);
	for (uint32_t i = 0; i < l->n_bandwidths; i++)
		put(o, "b=%s:%u\r\n", l->bandwidths[i].type, l->bandwidths[i].value);
}

/* The transport attributes a session and a media section share. */
static void put_transport(struct out *o, const struct cb_sdp_level *l,
			  const struct cb_sdp_section *m)
{
	if (l->ice_ufrag[0])
		put(o, "a=ice-ufrag:%s\r\n", l->ice_ufrag);
	if (l->ice_pwd[0])
		put(o, "a=ice-pwd:%s\r\n", l->ice_pwd);
	if (l->ice_options[0])
		put(o, "a=ice-options:%s\r\n", l->ice_options);
	for (uint32_t i = 0; m && i < m->n_candidates; i++)
		put(o, "a=candidate:%s\r\n", m->candidates[i]);
	if (l->end_of_candidates)
		put(o, "a=end-of-candidates\r\n");
	for (uint32_t i = 0; i < l->n_fingerprints; i++) {
		const struct cb_sdp_fingerprint *f = &l->fingerprints[i];
		/* RFC 8122 §5: upper-case hex pairs joined by ':'. */
		put(o, "a=fingerprint:%s ", f->hash);
		for (uint32_t b = 0; b < f->len; b++)
			put(o, "%s%02X", b ? ":" : "", f->bytes[b]);
		put(o, "\r\n");
	}
	if (l->setup != CB_SDP_SETUP_NONE)
		put(o, "a=setup:%s\r\n", cb_sdp_setup_name(l->setup));
	if (l->extmap_allow_mixed)
		put(o, "a=extmap-allow-mixed\r\n");
}

static void put_media(struct out *o, const struct cb_sdp_section *m)
{
	put(o, "m=%s %u %s", m->type, m->port, m->proto);
	for (uint32_t i = 0; i < m->n_formats; i++)
		put(o, " %s", m->formats[i].id);
	put(o, "\r\n");
	put_connection(o, &m->level);
	for (uint32_t i = 0; i < m->n_formats; i++) {
		const struct cb_sdp_format *f = &m->formats[i];
		if (f->has_rtpmap) {
			put(o, "a=rtpmap:%s %s/%u", f->id, f->encoding, f->clock_rate);
			if (f->channels)
				put(o, "/%u", f->channels);
			put(o, "\r\n");
		}
		if (f->has_fmtp)
			put(o, "a=fmtp:%s %s\r\n", f->id, f->fmtp);
	}
	for (uint32_t i = 0; i < m->n_rtcp_fb; i++)
		put(o, "a=rtcp-fb:%s %s\r\n", m->rtcp_fb[i].format, m->rtcp_fb[i].value);
	put_time(o, "ptime", m->ptime);
	put_time(o, "maxptime", m->maxptime);
	for (uint32_t i = 0; i < m->n_extmaps; i++) {
		const struct cb_sdp_extmap *e = &m->extmaps[i];
		put(o, "a=extmap:%u", e->id);
		if (e->direction != CB_SDP_DIR_NONE)
			put(o, "/%s", cb_sdp_direction_name(e->direction));
		put(o, " %s%s%s\r\n", e->uri, e->attributes[0] ? " " : "", e->attributes);
	}
	if (m->mid[0])
		put(o, "a=mid:%s\r\n", m->mid);
	put_transport(o, &m->level, m);
	if (m->bundle_only)
		put(o, "a=bundle-only\r\n");
	if (m->rtcp_mux)
		put(o, "a=rtcp-mux\r\n");
	if (m->rtcp_mux_only)
		put(o, "a=rtcp-mux-only\r\n");
	if (m->rtcp_rsize)
		put(o, "a=rtcp-rsize\r\n");
	if (m->level.direction != CB_SDP_DIR_NONE)
		put(o, "a=%s\r\n", cb_sdp_direction_name(m->level.direction));
	for (uint32_t i = 0; i < m->n_crypto; i++) {
		const struct cb_sdp_crypto *c = &m->crypto[i];
		put(o, "a=crypto:%u %s %s%s%s\r\n", c->tag, c->suite, c->key_params,
		    c->session_params[0] ? " " : "", c->session_params);
	}
	for (uint32_t i = 0; i < m->n_msids; i++)
		put(o, "a=msid:%s\r\n", m->msids[i]);
	for (uint32_t i = 0; i < m->n_ssrc_groups; i++) {
		put(o, "a=ssrc-group:%s", m->ssrc_groups[i].semantics);
		for (uint32_t j = 0; j < m->ssrc_groups[i].n_ssrcs; j++)
			put(o, " %u", m->ssrc_groups[i].ssrcs[j]);
		put(o, "\r\n");
	}
	for (uint32_t i = 0; i < m->n_ssrcs; i++) {
		const struct cb_sdp_ssrc *s = &m->ssrcs[i];
		put(o, "a=ssrc:%u %s%s%s\r\n", s->ssrc, s->attribute, s->has_value ? ":" : "",
		    s->has_value ? s->value : "");
	}
}

static bool level_fits(const struct cb_sdp_level *l)
{
	return l->n_bandwidths <= CB_SDP_MAX_BANDWIDTHS &&
	       l->n_fingerprints <= CB_SDP_MAX_FINGERPRINTS;
}

static bool media_fits(const struct cb_sdp_section *m)
{
	return level_fits(&m->level) && m->n_formats <= CB_SDP_MAX_FORMATS &&
	       m->n_rtcp_fb <= CB_SDP_MAX_RTCP_FB && m->n_extmaps <= CB_SDP_MAX_EXTMAPS &&
	       m->n_candidates <= CB_SDP_MAX_CANDIDATES && m->n_crypto <= CB_SDP_MAX_CRYPTO &&
	       m->n_msids <= CB_SDP_MAX_MSIDS && m->n_ssrcs <= CB_SDP_MAX_SSRCS &&
	       m->n_ssrc_groups <= CB_SDP_MAX_SSRC_GROUPS;
}

int cb_sdp_render(const struct cb_sdp *sdp, char *buf, size_t cap)
{
	struct out o = { .buf = buf, .cap = cap };

	if (cap == 0)
		return -ENOSPC;
	buf[0] = '\0';
	if (sdp->n_media > CB_SDP_MAX_MEDIA || sdp->n_groups > CB_SDP_MAX_GROUPS ||
	    !level_fits(&sdp->level))
		return -EINVAL;
	for (uint32_t i = 0; i < sdp->n_media; i++)
		if (!media_fits(&sdp->media[i]))
			return -EINVAL;
	for (uint32_t g = 0; g < sdp->n_groups; g++)
		if (sdp->groups[g].n_mids > CB_SDP_MAX_MEDIA)
			return -EINVAL;

	put(&o, "v=0\r\n");
	put(&o, "o=%s %llu %llu IN %s %s\r\n", sdp->origin_username,
	    (unsigned long long)sdp->session_id, (unsigned long long)sdp->session_version,
	    sdp->origin_addrtype, sdp->origin_address);
	put(&o, "s=%s\r\n", sdp->name);
	put_connection(&o, &sdp->level);
	put(&o, "t=%llu %llu\r\n", (unsigned long long)sdp->start_time,
	    (unsigned long long)sdp->stop_time);
	for (uint32_t g = 0; g < sdp->n_groups; g++) {
		put(&o, "a=group:%s", sdp->groups[g].semantics);
		for (uint32_t i = 0; i < sdp->groups[g].n_mids; i++)
			put(&o, " %s", sdp->groups[g].mids[i]);
		put(&o, "\r\n");
	}
	if (sdp->ice_lite)
		put(&o, "a=ice-lite\r\n");
	put_transport(&o, &sdp->level, NULL);
	if (sdp->msid_semantic[0])
		put(&o, "a=msid-semantic:%s\r\n", sdp->msid_semantic);
	if (sdp->level.direction != CB_SDP_DIR_NONE)
		put(&o, "a=%s\r\n", cb_sdp_direction_name(sdp->level.direction));
	for (uint32_t i = 0; i < sdp->n_media; i++)
		put_media(&o, &sdp->media[i]);

	if (o.overflow) {
		buf[0] = '\0';
		return -ENOSPC;
	}
	return (int)o.len;
}
