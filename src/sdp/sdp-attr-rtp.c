/* The attributes that describe an RTP session inside one media section:
 * payload formats (RFC 8866 §6.6, §6.15), feedback (RFC 4585), header
 * extensions (RFC 8285), SSRCs (RFC 5576) and SDES keys (RFC 4568). */
#include <errno.h>
#include <string.h>

#include "sdp/sdp-parse-private.h"

#define FAIL(p, code, ...) cb_sdp_fail(p, code, __VA_ARGS__)

/* The format a line names first, which the m= line must list. */
static struct cb_sdp_format *named_format(struct cb_sdp_parser *p, const char *name,
					  const char **v)
{
	char id[CB_SDP_NAME_LEN];
	const struct cb_sdp_format *f;

	if (cb_sdp_next_word(v, id, sizeof(id)) <= 0) {
		FAIL(p, -EINVAL, "a=%s: no format", name);
		return NULL;
	}
	if ((f = cb_sdp_find_format(p->media, id)) == NULL) {
		FAIL(p, -EINVAL, "a=%s: format %s is not on the m= line", name, id);
		return NULL;
	}
	return (struct cb_sdp_format *)f;
}

int cb_sdp_a_rtpmap(struct cb_sdp_parser *p, const char *v)
{
	struct cb_sdp_format *f = named_format(p, "rtpmap", &v);
	char word[CB_SDP_VALUE_LEN], *clock, *channels;

	if (f == NULL)
		return -EINVAL;
	if (f->has_rtpmap)
		return FAIL(p, -EINVAL, "a=rtpmap: a second one for format %s", f->id);
	/* <encoding name>/<clock rate>[/<encoding parameters>] */
	if (cb_sdp_next_word(&v, word, sizeof(word)) <= 0 || *v != '\0')
		return FAIL(p, -EINVAL, "a=rtpmap: expected \"%s <name>/<rate>[/<channels>]\"",
			    f->id);
	if ((clock = strchr(word, '/')) == NULL)
		return FAIL(p, -EINVAL, "a=rtpmap: no clock rate");
	*clock++ = '\0';
	if ((channels = strchr(clock, '/')) != NULL)
		*channels++ = '\0';
	if (!cb_sdp_is_token(word, false) || strlen(word) >= sizeof(f->encoding))
		return FAIL(p, -EINVAL, "a=rtpmap: '%s' is not an encoding name", word);
	if (!cb_sdp_parse_u32(clock, UINT32_MAX, &f->clock_rate) || f->clock_rate == 0)
		return FAIL(p, -EINVAL, "a=rtpmap: clock rate '%s' is not a positive number", clock);
	/* For audio the parameter is the channel count (RFC 8866 §6.6). */
	if (channels && (!cb_sdp_parse_u32(channels, 255, &f->channels) || f->channels == 0))
		return FAIL(p, -EINVAL, "a=rtpmap: channels '%s' is not 1-255", channels);
	memcpy(f->encoding, word, strlen(word) + 1);
	f->has_rtpmap = true;
	return 0;
}

int cb_sdp_a_fmtp(struct cb_sdp_parser *p, const char *v)
{
	struct cb_sdp_format *f = named_format(p, "fmtp", &v);

	if (f == NULL)
		return -EINVAL;
	if (f->has_fmtp)
		return FAIL(p, -EINVAL, "a=fmtp: a second one for format %s", f->id);
	if (*v == '\0')
		return FAIL(p, -EINVAL, "a=fmtp: no parameters for format %s", f->id);
	if (!cb_sdp_copy(f->fmtp, sizeof(f->fmtp), v))
		return FAIL(p, -E2BIG, "a=fmtp: parameters longer than %d bytes",
			    CB_SDP_VALUE_LEN - 1);
	f->has_fmtp = true;
	return 0;
}

int cb_sdp_a_rtcp_fb(struct cb_sdp_parser *p, const char *v)
{
	struct cb_sdp_section *m = p->media;
	struct cb_sdp_rtcp_fb *fb;

	if (m->n_rtcp_fb >= CB_SDP_MAX_RTCP_FB)
		return FAIL(p, -E2BIG, "a=rtcp-fb: more than %d in one section", CB_SDP_MAX_RTCP_FB);
	fb = &m->rtcp_fb[m->n_rtcp_fb];
	/* RFC 4585 §4.2: a format, or "*" for all of them. */
	if (strncmp(v, "* ", 2) == 0) {
		strcpy(fb->format, "*");
		v += 1;
		while (*v == ' ')
			v++;
	} else {
		const struct cb_sdp_format *f = named_format(p, "rtcp-fb", &v);
		if (f == NULL)
			return -EINVAL;
		memcpy(fb->format, f->id, sizeof(fb->format));
	}
	if (*v == '\0')
		return FAIL(p, -EINVAL, "a=rtcp-fb: no feedback type");
	if (!cb_sdp_copy(fb->value, sizeof(fb->value), v))
		return FAIL(p, -E2BIG, "a=rtcp-fb: longer than %d bytes", CB_SDP_TOKEN_LEN - 1);
	m->n_rtcp_fb++;
	return 0;
}

static bool parse_direction(const char *s, enum cb_sdp_direction *out)
{
	for (int d = CB_SDP_DIR_SENDRECV; d <= CB_SDP_DIR_INACTIVE; d++) {
		if (strcmp(s, cb_sdp_direction_name((enum cb_sdp_direction)d)) == 0) {
			*out = (enum cb_sdp_direction)d;
			return true;
		}
	}
	return false;
}

int cb_sdp_a_extmap(struct cb_sdp_parser *p, const char *v)
{
	struct cb_sdp_section *m = p->media;
	struct cb_sdp_extmap *e;
	char word[CB_SDP_NAME_LEN], *slash;
	uint32_t id;

	if (m->n_extmaps >= CB_SDP_MAX_EXTMAPS)
		return FAIL(p, -E2BIG, "a=extmap: more than %d in one section", CB_SDP_MAX_EXTMAPS);
	e = &m->extmaps[m->n_extmaps];
	/* RFC 8285 §8: <value>["/"<direction>] <URI> <extensionattributes> */
	if (cb_sdp_next_word(&v, word, sizeof(word)) <= 0)
		return FAIL(p, -EINVAL, "a=extmap: no id");
	if ((slash = strchr(word, '/')) != NULL) {
		*slash++ = '\0';
		if (!parse_direction(slash, &e->direction))
			return FAIL(p, -EINVAL, "a=extmap: '%s' is not a direction", slash);
	}
	/* 1-14 fit the one-byte header, up to 255 the two-byte one (§4). */
	if (!cb_sdp_parse_u32(word, 255, &id) || id == 0)
		return FAIL(p, -EINVAL, "a=extmap: id '%s' is not 1-255", word);
	for (uint32_t i = 0; i < m->n_extmaps; i++)
		if (m->extmaps[i].id == id)
			return FAIL(p, -EINVAL, "a=extmap: id %u used twice", id);
	e->id = (uint16_t)id;
	if (cb_sdp_next_word(&v, e->uri, sizeof(e->uri)) <= 0)
		return FAIL(p, -EINVAL, "a=extmap: no URI, or one over %zu bytes",
			    sizeof(e->uri) - 1);
	if (!cb_sdp_copy(e->attributes, sizeof(e->attributes), v))
		return FAIL(p, -E2BIG, "a=extmap: attributes over %d bytes", CB_SDP_TOKEN_LEN - 1);
	m->n_extmaps++;
	return 0;
}

int cb_sdp_a_ssrc(struct cb_sdp_parser *p, const char *v)
{
	struct cb_sdp_section *m = p->media;
	struct cb_sdp_ssrc *s;
	char word[16];
	const char *colon;
	size_t n;

	if (m->n_ssrcs >= CB_SDP_MAX_SSRCS)
		return FAIL(p, -E2BIG, "a=ssrc: more than %d lines in one section", CB_SDP_MAX_SSRCS);
	s = &m->ssrcs[m->n_ssrcs];
	/* RFC 5576 §4.1: <ssrc-id> <attribute>[:<value>] */
	if (cb_sdp_next_word(&v, word, sizeof(word)) <= 0 ||
	    !cb_sdp_parse_u32(word, UINT32_MAX, &s->ssrc))
		return FAIL(p, -EINVAL, "a=ssrc: no 32-bit SSRC");
	colon = strchr(v, ':');
	n = colon ? (size_t)(colon - v) : strlen(v);
	if (n == 0 || n >= sizeof(s->attribute))
		return FAIL(p, -EINVAL, "a=ssrc: no attribute, or one over %zu bytes",
			    sizeof(s->attribute) - 1);
	memcpy(s->attribute, v, n);
	s->attribute[n] = '\0';
	if (!cb_sdp_is_token(s->attribute, false))
		return FAIL(p, -EINVAL, "a=ssrc: '%s' is not an attribute name", s->attribute);
	if (colon) {
		if (!cb_sdp_copy(s->value, sizeof(s->value), colon + 1))
			return FAIL(p, -E2BIG, "a=ssrc: value over %zu bytes", sizeof(s->value) - 1);
		s->has_value = true;
	}
	m->n_ssrcs++;
	return 0;
}

int cb_sdp_a_ssrc_group(struct cb_sdp_parser *p, const char *v)
{
	struct cb_sdp_section *m = p->media;
	struct cb_sdp_ssrc_group *g;
	char word[16];
	int n;

	if (m->n_ssrc_groups >= CB_SDP_MAX_SSRC_GROUPS)
		return FAIL(p, -E2BIG, "a=ssrc-group: more than %d in one section",
			    CB_SDP_MAX_SSRC_GROUPS);
	g = &m->ssrc_groups[m->n_ssrc_groups];
	/* RFC 5576 §4.2: <semantics> *(SP <ssrc-id>) */
	if (cb_sdp_next_word(&v, g->semantics, sizeof(g->semantics)) <= 0 ||
	    !cb_sdp_is_token(g->semantics, false))
		return FAIL(p, -EINVAL, "a=ssrc-group: no semantics (\"FID\")");
	while ((n = cb_sdp_next_word(&v, word, sizeof(word))) != 0) {
		if (g->n_ssrcs >= CB_SDP_MAX_GROUP_SSRCS)
			return FAIL(p, -E2BIG, "a=ssrc-group: more than %d SSRCs",
				    CB_SDP_MAX_GROUP_SSRCS);
		if (n < 0 || !cb_sdp_parse_u32(word, UINT32_MAX, &g->ssrcs[g->n_ssrcs]))
			return FAIL(p, -EINVAL, "a=ssrc-group: an SSRC that is not a 32-bit number");
		g->n_ssrcs++;
	}
	if (g->n_ssrcs == 0)
		return FAIL(p, -EINVAL, "a=ssrc-group: no SSRCs");
	m->n_ssrc_groups++;
	return 0;
}

int cb_sdp_a_crypto(struct cb_sdp_parser *p, const char *v)
{
	struct cb_sdp_section *m = p->media;
	struct cb_sdp_crypto *c;
	char word[16];

	if (m->n_crypto >= CB_SDP_MAX_CRYPTO)
		return FAIL(p, -E2BIG, "a=crypto: more than %d in one section", CB_SDP_MAX_CRYPTO);
	c = &m->crypto[m->n_crypto];
	/* RFC 4568 §9.1: <tag> <crypto-suite> <key-params> [<session-params>] */
	if (cb_sdp_next_word(&v, word, sizeof(word)) <= 0 ||
	    !cb_sdp_parse_u32(word, 999999999, &c->tag))
		return FAIL(p, -EINVAL, "a=crypto: the tag is not 1-9 digits");
	for (uint32_t i = 0; i < m->n_crypto; i++)
		if (m->crypto[i].tag == c->tag)
			return FAIL(p, -EINVAL, "a=crypto: tag %u used twice", c->tag);
	if (cb_sdp_next_word(&v, c->suite, sizeof(c->suite)) <= 0 ||
	    !cb_sdp_is_token(c->suite, false))
		return FAIL(p, -EINVAL, "a=crypto: no crypto suite");
	/* "inline" is the only key method (RFC 4568 §6.1). */
	if (cb_sdp_next_word(&v, c->key_params, sizeof(c->key_params)) <= 0 ||
	    strncmp(c->key_params, "inline:", 7) != 0)
		return FAIL(p, -EINVAL, "a=crypto: key parameters are not \"inline:...\"");
	if (!cb_sdp_copy(c->session_params, sizeof(c->session_params), v))
		return FAIL(p, -E2BIG, "a=crypto: session parameters over %zu bytes",
			    sizeof(c->session_params) - 1);
	m->n_crypto++;
	return 0;
}
