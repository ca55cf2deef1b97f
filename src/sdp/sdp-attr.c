/* The a= lines the model knows (one handler each) and where each may
 * stand; any other attribute is counted and skipped (RFC 8866 §5.13:
 * "unknown attributes ... MUST be ignored"). */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "sdp/sdp-parse-private.h"

enum where { SESSION = 1, MEDIA = 2, BOTH = 3 };

#define FAIL(p, code, ...) cb_sdp_fail(p, code, __VA_ARGS__)

static int copy_value(struct cb_sdp_parser *p, const char *name, char *out, size_t len,
		      const char *v)
{
	if (*v == '\0')
		return FAIL(p, -EINVAL, "a=%s: empty value", name);
	if (!cb_sdp_copy(out, len, v))
		return FAIL(p, -E2BIG, "a=%s: longer than %zu bytes", name, len - 1);
	return 0;
}

static int set_direction(struct cb_sdp_parser *p, enum cb_sdp_direction d)
{
	/* RFC 8866 §6.7: one direction per level. */
	if (p->level->direction != CB_SDP_DIR_NONE)
		return FAIL(p, -EINVAL, "a=%s: a second direction attribute",
			    cb_sdp_direction_name(d));
	p->level->direction = d;
	return 0;
}

static int a_sendrecv(struct cb_sdp_parser *p, const char *v) { return set_direction(p, CB_SDP_DIR_SENDRECV); }
static int a_sendonly(struct cb_sdp_parser *p, const char *v) { return set_direction(p, CB_SDP_DIR_SENDONLY); }
static int a_recvonly(struct cb_sdp_parser *p, const char *v) { return set_direction(p, CB_SDP_DIR_RECVONLY); }
static int a_inactive(struct cb_sdp_parser *p, const char *v) { return set_direction(p, CB_SDP_DIR_INACTIVE); }

/* Property attributes: a repeat says nothing new, so it is accepted. */
static int a_ice_lite(struct cb_sdp_parser *p, const char *v) { p->sdp->ice_lite = true; return 0; }
static int a_eoc(struct cb_sdp_parser *p, const char *v) { p->level->end_of_candidates = true; return 0; }
static int a_mixed(struct cb_sdp_parser *p, const char *v) { p->level->extmap_allow_mixed = true; return 0; }
static int a_rtcp_mux(struct cb_sdp_parser *p, const char *v) { p->media->rtcp_mux = true; return 0; }
static int a_rtcp_mux_only(struct cb_sdp_parser *p, const char *v) { p->media->rtcp_mux_only = true; return 0; }
static int a_rtcp_rsize(struct cb_sdp_parser *p, const char *v) { p->media->rtcp_rsize = true; return 0; }
static int a_bundle_only(struct cb_sdp_parser *p, const char *v) { p->media->bundle_only = true; return 0; }

static int a_group(struct cb_sdp_parser *p, const char *v)
{
	struct cb_sdp *sdp = p->sdp;
	struct cb_sdp_group *g;
	char mid[CB_SDP_TOKEN_LEN];
	int n;

	if (sdp->n_groups >= CB_SDP_MAX_GROUPS)
		return FAIL(p, -E2BIG, "a=group: more than %d groups", CB_SDP_MAX_GROUPS);
	g = &sdp->groups[sdp->n_groups];
	/* RFC 5888 §5: a=group:<semantics> *(SP identification-tag) */
	if (cb_sdp_next_word(&v, g->semantics, sizeof(g->semantics)) <= 0 ||
	    !cb_sdp_is_token(g->semantics, false))
		return FAIL(p, -EINVAL, "a=group: no semantics (\"BUNDLE\")");
	while ((n = cb_sdp_next_word(&v, mid, sizeof(mid))) != 0) {
		if (n < 0 || !cb_sdp_is_token(mid, false))
			return FAIL(p, -EINVAL, "a=group: a mid that is not a token of %d bytes at most",
				    CB_SDP_TOKEN_LEN - 1);
		if (g->n_mids >= CB_SDP_MAX_MEDIA)
			return FAIL(p, -E2BIG, "a=group: more than %d mids", CB_SDP_MAX_MEDIA);
		for (uint32_t i = 0; i < g->n_mids; i++)
			if (strcmp(g->mids[i], mid) == 0)
				return FAIL(p, -EINVAL, "a=group: mid '%s' named twice", mid);
		memcpy(g->mids[g->n_mids++], mid, sizeof(mid));
	}
	p->group_lines[sdp->n_groups++] = p->line;
	return 0;
}

static int a_msid_semantic(struct cb_sdp_parser *p, const char *v)
{
	/* Chromium and Janus write "a=msid-semantic: WMS ..." with a blank. */
	while (*v == ' ')
		v++;
	return copy_value(p, "msid-semantic", p->sdp->msid_semantic,
			  sizeof(p->sdp->msid_semantic), v);
}

static int ice_credential(struct cb_sdp_parser *p, const char *name, char *out, const char *v,
			  size_t min)
{
	size_t n = strlen(v);

	/* RFC 8839 §5.4: ufrag 4..256 and pwd 22..256 ice-chars. */
	if (*out)
		return FAIL(p, -EINVAL, "a=%s: given twice", name);
	if (!cb_sdp_is_ice_chars(v))
		return FAIL(p, -EINVAL, "a=%s: not ice-chars (A-Z a-z 0-9 + /)", name);
	if (n < min || n > CB_SDP_ICE_CRED_LEN - 1)
		return FAIL(p, -EINVAL, "a=%s: %zu characters, not %zu to %d", name, n, min,
			    CB_SDP_ICE_CRED_LEN - 1);
	memcpy(out, v, n + 1);
	return 0;
}

static int a_ice_ufrag(struct cb_sdp_parser *p, const char *v)
{
	return ice_credential(p, "ice-ufrag", p->level->ice_ufrag, v, 4);
}

static int a_ice_pwd(struct cb_sdp_parser *p, const char *v)
{
	return ice_credential(p, "ice-pwd", p->level->ice_pwd, v, 22);
}

static int a_ice_options(struct cb_sdp_parser *p, const char *v)
{
	if (p->level->ice_options[0])
		return FAIL(p, -EINVAL, "a=ice-options: given twice");
	return copy_value(p, "ice-options", p->level->ice_options, sizeof(p->level->ice_options), v);
}

static int a_candidate(struct cb_sdp_parser *p, const char *v)
{
	struct cb_sdp_section *m = p->media;
	char field[CB_SDP_TOKEN_LEN];
	const char *s = v;
	int fields = 0;

	/* RFC 8839 §5.1: foundation component transport priority address
	 * port "typ" type ...; the text is kept whole for ICE to read, but
	 * a line without these eight is refused here. */
	while (*s && fields < 8) {
		if (cb_sdp_next_word(&s, field, sizeof(field)) <= 0)
			return FAIL(p, -EINVAL, "a=candidate: field %d is too long", fields + 1);
		if (fields == 6 && strcmp(field, "typ") != 0)
			return FAIL(p, -EINVAL, "a=candidate: the seventh field is not \"typ\"");
		fields++;
	}
	if (fields < 8)
		return FAIL(p, -EINVAL, "a=candidate: %d fields, fewer than 8", fields);
	if (m->n_candidates >= CB_SDP_MAX_CANDIDATES)
		return FAIL(p, -E2BIG, "a=candidate: more than %d in one section",
			    CB_SDP_MAX_CANDIDATES);
	if (copy_value(p, "candidate", m->candidates[m->n_candidates], CB_SDP_VALUE_LEN, v) < 0)
		return -E2BIG;
	m->n_candidates++;
	return 0;
}

static const struct { const char *name; uint32_t len; } hashes[] = {
	/* RFC 8122 §5 names them from the IANA hash function registry. */
	{ "sha-1", 20 }, { "sha-224", 28 }, { "sha-256", 32 }, { "sha-384", 48 },
	{ "sha-512", 64 }, { "md5", 16 }, { "md2", 16 },
};

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int a_fingerprint(struct cb_sdp_parser *p, const char *v)
{
	struct cb_sdp_level *l = p->level;
	struct cb_sdp_fingerprint *f;
	uint32_t want = 0, n = 0;
	char hash[16];

	if (l->n_fingerprints >= CB_SDP_MAX_FINGERPRINTS)
		return FAIL(p, -E2BIG, "a=fingerprint: more than %d", CB_SDP_MAX_FINGERPRINTS);
	f = &l->fingerprints[l->n_fingerprints];
	if (cb_sdp_next_word(&v, hash, sizeof(hash)) <= 0)
		return FAIL(p, -EINVAL, "a=fingerprint: no hash function");
	/* Hash names are case-insensitive (RFC 8122 §5); kept in lower case. */
	for (char *c = hash; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		if (strcmp(hash, hashes[i].name) == 0)
			want = hashes[i].len;
	if (want == 0)
		return FAIL(p, -EINVAL, "a=fingerprint: unknown hash function '%s'", hash);
	for (uint32_t i = 0; i < l->n_fingerprints; i++)
		if (strcmp(l->fingerprints[i].hash, hash) == 0)
			return FAIL(p, -EINVAL, "a=fingerprint: a second %s fingerprint", hash);
	/* RFC 8122 §5: 2UHEX *(":" 2UHEX); lower case is accepted too. */
	for (;;) {
		int hi = hex_digit(v[0]), lo = hi < 0 ? -1 : hex_digit(v[1]);
		if (hi < 0 || lo < 0)
			return FAIL(p, -EINVAL, "a=fingerprint: byte %u is not two hex digits", n + 1);
		if (n >= want)
			return FAIL(p, -EINVAL, "a=fingerprint: more than the %u bytes of %s", want,
				    hash);
		f->bytes[n++] = (uint8_t)(hi << 4 | lo);
		v += 2;
		if (*v == '\0')
			break;
		if (*v != ':')
			return FAIL(p, -EINVAL, "a=fingerprint: expected ':' after byte %u", n);
		v++;
	}
	if (n != want)
		return FAIL(p, -EINVAL, "a=fingerprint: %u bytes, %s has %u", n, hash, want);
	memcpy(f->hash, hash, sizeof(hash));
	f->len = n;
	l->n_fingerprints++;
	return 0;
}

static int a_setup(struct cb_sdp_parser *p, const char *v)
{
	static const char *const names[] = { "actpass", "active", "passive", "holdconn" };

	if (p->level->setup != CB_SDP_SETUP_NONE)
		return FAIL(p, -EINVAL, "a=setup: given twice");
	for (int i = 0; i < 4; i++) {
		if (strcmp(v, names[i]) == 0) {
			p->level->setup = (enum cb_sdp_setup)(CB_SDP_SETUP_ACTPASS + i);
			return 0;
		}
	}
	return FAIL(p, -EINVAL, "a=setup: '%s' is not actpass, active, passive or holdconn", v);
}

static int a_mid(struct cb_sdp_parser *p, const char *v)
{
	/* RFC 8843 §7.1 / RFC 5888 §4: a token, unique in the description. */
	if (p->media->mid[0])
		return FAIL(p, -EINVAL, "a=mid: a second mid in this section");
	if (!cb_sdp_is_token(v, false))
		return FAIL(p, -EINVAL, "a=mid: '%s' is not a token", v);
	if (cb_sdp_find_mid(p->sdp, v) != NULL)
		return FAIL(p, -EINVAL, "a=mid: '%s' is already the mid of another section", v);
	return copy_value(p, "mid", p->media->mid, sizeof(p->media->mid), v);
}

static int a_msid(struct cb_sdp_parser *p, const char *v)
{
	struct cb_sdp_section *m = p->media;

	if (m->n_msids >= CB_SDP_MAX_MSIDS)
		return FAIL(p, -E2BIG, "a=msid: more than %d", CB_SDP_MAX_MSIDS);
	if (copy_value(p, "msid", m->msids[m->n_msids], sizeof(m->msids[0]), v) < 0)
		return -EINVAL;
	m->n_msids++;
	return 0;
}

static int ptime_value(struct cb_sdp_parser *p, const char *name, uint32_t *out, const char *v)
{
	char whole[8];
	size_t n = strcspn(v, ".");
	uint32_t ms, tenth = 0;

	/* RFC 8866 §6.4: milliseconds, "a decimal fraction" allowed; kept in
	 * tenths, which covers Opus's 2.5 ms frames (RFC 7587 §4). */
	if (*out)
		return FAIL(p, -EINVAL, "a=%s: given twice", name);
	if (n == 0 || n >= sizeof(whole))
		return FAIL(p, -EINVAL, "a=%s: '%s' is not a time in ms", name, v);
	memcpy(whole, v, n);
	whole[n] = '\0';
	if (!cb_sdp_parse_u32(whole, 65535, &ms) ||
	    (v[n] == '.' && (v[n + 1] < '0' || v[n + 1] > '9' || v[n + 2] != '\0')))
		return FAIL(p, -EINVAL, "a=%s: '%s' is not a time in ms (one decimal at most)",
			    name, v);
	if (v[n] == '.')
		tenth = (uint32_t)(v[n + 1] - '0');
	if (ms * 10 + tenth == 0)
		return FAIL(p, -EINVAL, "a=%s: zero", name);
	*out = ms * 10 + tenth;
	return 0;
}

static int a_ptime(struct cb_sdp_parser *p, const char *v) { return ptime_value(p, "ptime", &p->media->ptime, v); }
static int a_maxptime(struct cb_sdp_parser *p, const char *v) { return ptime_value(p, "maxptime", &p->media->maxptime, v); }

static const struct {
	const char *name;
	enum where where;
	bool value;		/* takes a value; property attributes take none */
	int (*parse)(struct cb_sdp_parser *p, const char *v);
} attributes[] = {
	{ "group", SESSION, true, a_group },
	{ "ice-lite", SESSION, false, a_ice_lite },
	{ "msid-semantic", SESSION, true, a_msid_semantic },
	{ "ice-ufrag", BOTH, true, a_ice_ufrag },
	{ "ice-pwd", BOTH, true, a_ice_pwd },
	{ "ice-options", BOTH, true, a_ice_options },
	{ "end-of-candidates", BOTH, false, a_eoc },
	{ "fingerprint", BOTH, true, a_fingerprint },
	{ "setup", BOTH, true, a_setup },
	{ "extmap-allow-mixed", BOTH, false, a_mixed },
	{ "sendrecv", BOTH, false, a_sendrecv },
	{ "sendonly", BOTH, false, a_sendonly },
	{ "recvonly", BOTH, false, a_recvonly },
	{ "inactive", BOTH, false, a_inactive },
	{ "mid", MEDIA, true, a_mid },
	{ "msid", MEDIA, true, a_msid },
	{ "candidate", MEDIA, true, a_candidate },
	{ "ptime", MEDIA, true, a_ptime },
	{ "maxptime", MEDIA, true, a_maxptime },
	{ "rtcp-mux", MEDIA, false, a_rtcp_mux },
	{ "rtcp-mux-only", MEDIA, false, a_rtcp_mux_only },
	{ "rtcp-rsize", MEDIA, false, a_rtcp_rsize },
	{ "bundle-only", MEDIA, false, a_bundle_only },
	{ "rtpmap", MEDIA, true, cb_sdp_a_rtpmap },
	{ "fmtp", MEDIA, true, cb_sdp_a_fmtp },
	{ "rtcp-fb", MEDIA, true, cb_sdp_a_rtcp_fb },
	{ "extmap", MEDIA, true, cb_sdp_a_extmap },
	{ "ssrc", MEDIA, true, cb_sdp_a_ssrc },
	{ "ssrc-group", MEDIA, true, cb_sdp_a_ssrc_group },
	{ "crypto", MEDIA, true, cb_sdp_a_crypto },
};

int cb_sdp_parse_attribute(struct cb_sdp_parser *p, const char *name, const char *value)
{
	for (size_t i = 0; i < sizeof(attributes) / sizeof(attributes[0]); i++) {
		if (strcmp(attributes[i].name, name) != 0)
			continue;
		if (!(attributes[i].where & (p->media ? MEDIA : SESSION)))
			return FAIL(p, -EINVAL, "a=%s: only allowed %s", name,
				    p->media ? "at session level" : "in a media section");
		if (attributes[i].value && (value == NULL || *value == '\0'))
			return FAIL(p, -EINVAL, "a=%s: needs a value", name);
		if (!attributes[i].value && value != NULL)
			return FAIL(p, -EINVAL, "a=%s: takes no value", name);
		return attributes[i].parse(p, value);
	}
	p->level->n_other_attributes++;
	return 0;
}
