/* The SDP line parser (RFC 8866 §5): splits the text into <type>=<value>
 * lines, holds them to the order the RFC fixes, and reads the lines that
 * are not attributes (v o s t c b m).  Attributes: sdp-attr.c.
 *
 * Strict on purpose: the description comes from the network, and an
 * answer we misread is a call that fails later, with a worse message. */
#include <errno.h>
#include <string.h>

#include "sdp/sdp-parse-private.h"

/* RFC 8866 §5: "v o s i u e p c b t r z k a" then media "m i c b k a".
 * A type may not come back once a later one was seen; the ones below may
 * repeat.  (RFC 8866 allows several t= and, for multicast, several c=;
 * WebRTC peers send one, and so does this parser accept.) */
static const char session_order[] = "vosiuepcbtrzka";
static const char session_repeat[] = "epbra";
static const char media_order[] = "micbka";
static const char media_repeat[] = "ba";

static int parse_version(struct cb_sdp_parser *p, const char *v)
{
	/* RFC 8866 §5.1: version 0 is the only one. */
	if (strcmp(v, "0") != 0)
		return cb_sdp_fail(p, -EINVAL, "v=: version '%s' is not 0", v);
	return 0;
}

static int parse_addrtype(struct cb_sdp_parser *p, const char **s, char *addrtype,
			  char *address, bool allow_host, const char *what)
{
	char nettype[8];

	if (cb_sdp_next_word(s, nettype, sizeof(nettype)) <= 0 || strcmp(nettype, "IN") != 0)
		return cb_sdp_fail(p, -EINVAL, "%s: network type is not IN", what);
	if (cb_sdp_next_word(s, addrtype, 4) <= 0 ||
	    (strcmp(addrtype, "IP4") != 0 && strcmp(addrtype, "IP6") != 0))
		return cb_sdp_fail(p, -EINVAL, "%s: address type is not IP4 or IP6", what);
	if (cb_sdp_next_word(s, address, CB_SDP_ADDR_LEN) <= 0 || **s != '\0')
		return cb_sdp_fail(p, -EINVAL, "%s: expected one address after %s", what, addrtype);
	/* A multicast "/ttl" or an address of the other family fails here. */
	if (!cb_sdp_valid_address(addrtype, address, allow_host))
		return cb_sdp_fail(p, -EINVAL, "%s: '%s' is not an %s address", what, address,
				   strcmp(addrtype, "IP4") == 0 ? "IPv4" : "IPv6");
	return 0;
}

static int parse_origin(struct cb_sdp_parser *p, const char *v)
{
	struct cb_sdp *sdp = p->sdp;
	char word[32];

	if (cb_sdp_next_word(&v, sdp->origin_username, sizeof(sdp->origin_username)) <= 0)
		return cb_sdp_fail(p, -EINVAL, "o=: no user name");
	if (cb_sdp_next_word(&v, word, sizeof(word)) <= 0 ||
	    !cb_sdp_parse_u64(word, UINT64_MAX, &sdp->session_id))
		return cb_sdp_fail(p, -EINVAL, "o=: the session id is not a 64-bit number");
	if (cb_sdp_next_word(&v, word, sizeof(word)) <= 0 ||
	    !cb_sdp_parse_u64(word, UINT64_MAX, &sdp->session_version))
		return cb_sdp_fail(p, -EINVAL, "o=: the session version is not a 64-bit number");
	/* RFC 8866 §5.2: the address may be a host name here. */
	return parse_addrtype(p, &v, sdp->origin_addrtype, sdp->origin_address, true, "o=");
}

static int parse_name(struct cb_sdp_parser *p, const char *v)
{
	/* RFC 8866 §5.3: never empty; "s= " or "s=-" when there is no name. */
	if (*v == '\0')
		return cb_sdp_fail(p, -EINVAL, "s=: empty session name");
	if (!cb_sdp_copy(p->sdp->name, sizeof(p->sdp->name), v))
		return cb_sdp_fail(p, -E2BIG, "s=: longer than %d bytes", CB_SDP_VALUE_LEN - 1);
	return 0;
}

static int parse_timing(struct cb_sdp_parser *p, const char *v)
{
	char start[24], stop[24];

	if (cb_sdp_next_word(&v, start, sizeof(start)) <= 0 ||
	    cb_sdp_next_word(&v, stop, sizeof(stop)) <= 0 || *v != '\0' ||
	    !cb_sdp_parse_u64(start, UINT64_MAX, &p->sdp->start_time) ||
	    !cb_sdp_parse_u64(stop, UINT64_MAX, &p->sdp->stop_time))
		return cb_sdp_fail(p, -EINVAL, "t=: expected two numbers (\"t=0 0\")");
	return 0;
}

static int parse_connection(struct cb_sdp_parser *p, const char *v)
{
	struct cb_sdp_connection *c = &p->level->connection;
	int res = parse_addrtype(p, &v, c->addrtype, c->address, false, "c=");

	c->set = res == 0;
	return res;
}

static int parse_bandwidth(struct cb_sdp_parser *p, const char *v)
{
	struct cb_sdp_level *l = p->level;
	struct cb_sdp_bandwidth *b;
	const char *colon = strchr(v, ':');
	char type[16];

	/* RFC 8866 §5.8: b=<bwtype>:<bandwidth> */
	if (colon == NULL || colon == v || (size_t)(colon - v) >= sizeof(type))
		return cb_sdp_fail(p, -EINVAL, "b=: expected <type>:<number>");
	memcpy(type, v, (size_t)(colon - v));
	type[colon - v] = '\0';
	if (!cb_sdp_is_token(type, false))
		return cb_sdp_fail(p, -EINVAL, "b=: '%s' is not a bandwidth type", type);
	if (l->n_bandwidths >= CB_SDP_MAX_BANDWIDTHS)
		return cb_sdp_fail(p, -E2BIG, "b=: more than %d in one section",
				   CB_SDP_MAX_BANDWIDTHS);
	b = &l->bandwidths[l->n_bandwidths];
	if (!cb_sdp_parse_u32(colon + 1, UINT32_MAX, &b->value))
		return cb_sdp_fail(p, -EINVAL, "b=: '%s' is not a 32-bit number", colon + 1);
	memcpy(b->type, type, sizeof(type));
	l->n_bandwidths++;
	return 0;
}

static int parse_format(struct cb_sdp_parser *p, struct cb_sdp_section *m, const char *word)
{
	struct cb_sdp_format *f;
	uint32_t pt;

	if (m->n_formats >= CB_SDP_MAX_FORMATS)
		return cb_sdp_fail(p, -E2BIG, "m=: more than %d formats", CB_SDP_MAX_FORMATS);
	if (cb_sdp_find_format(m, word) != NULL)
		return cb_sdp_fail(p, -EINVAL, "m=: format %s listed twice", word);
	f = &m->formats[m->n_formats];
	f->pt = -1;
	if (m->rtp) {
		/* RFC 3551 §3: payload types are 0..127; written without
		 * leading zeros, so that "a=rtpmap:96" matches its format. */
		if (!cb_sdp_parse_u32(word, 127, &pt) || (word[0] == '0' && word[1] != '\0'))
			return cb_sdp_fail(p, -EINVAL, "m=: '%s' is not an RTP payload type (0-127)",
					   word);
		f->pt = (int)pt;
	} else if (!cb_sdp_is_token(word, false)) {
		return cb_sdp_fail(p, -EINVAL, "m=: '%s' is not a format", word);
	}
	memcpy(f->id, word, strlen(word) + 1);
	m->n_formats++;
	return 0;
}

static int parse_media(struct cb_sdp_parser *p, const char *v)
{
	struct cb_sdp *sdp = p->sdp;
	struct cb_sdp_section *m;
	char word[CB_SDP_NAME_LEN];
	uint32_t port;
	int n, res;

	if (sdp->n_media >= CB_SDP_MAX_MEDIA)
		return cb_sdp_fail(p, -E2BIG, "m=: more than %d media sections", CB_SDP_MAX_MEDIA);
	m = &sdp->media[sdp->n_media];
	p->media_lines[sdp->n_media] = p->line;
	sdp->n_media++;
	p->media = m;
	p->level = &m->level;

	/* RFC 8866 §5.14: m=<media> <port>[/<number>] <proto> <fmt> ... */
	if (cb_sdp_next_word(&v, m->type, sizeof(m->type)) <= 0 || !cb_sdp_is_token(m->type, false))
		return cb_sdp_fail(p, -EINVAL, "m=: no media type");
	if (cb_sdp_next_word(&v, word, sizeof(word)) <= 0)
		return cb_sdp_fail(p, -EINVAL, "m=: no port");
	if (strchr(word, '/') != NULL)
		return cb_sdp_fail(p, -EINVAL, "m=: port ranges ('%s') are not supported", word);
	if (!cb_sdp_parse_u32(word, 65535, &port))
		return cb_sdp_fail(p, -EINVAL, "m=: port %s out of range (0-65535)", word);
	m->port = (uint16_t)port;
	if (cb_sdp_next_word(&v, m->proto, sizeof(m->proto)) <= 0 || !cb_sdp_is_token(m->proto, true))
		return cb_sdp_fail(p, -EINVAL, "m=: no transport protocol");
	/* RTP/AVP, RTP/SAVPF, UDP/TLS/RTP/SAVPF (RFC 5764 §8), ... */
	m->rtp = strncmp(m->proto, "RTP/", 4) == 0 || strstr(m->proto, "/RTP/") != NULL;
	while ((n = cb_sdp_next_word(&v, word, sizeof(word))) != 0) {
		if (n < 0)
			return cb_sdp_fail(p, -EINVAL, "m=: a format longer than %d bytes",
					   CB_SDP_NAME_LEN - 1);
		if ((res = parse_format(p, m, word)) < 0)
			return res;
	}
	if (m->n_formats == 0)
		return cb_sdp_fail(p, -EINVAL, "m=: no formats");
	return 0;
}

/* Checks the line's type against the RFC 8866 order and dispatches it. */
static int parse_line(struct cb_sdp_parser *p, char type, char *value,
		      uint32_t *seen, int *place)
{
	const char *order = p->media ? media_order : session_order;
	const char *repeat = p->media ? media_repeat : session_repeat;
	const char *at;
	int here;

	if (type == 'm') {
		if (!(*seen & 1u << ('t' - 'a')))
			return cb_sdp_fail(p, -EINVAL, "m= before the t= line");
		*place = 0;
		return parse_media(p, value);
	}
	if ((at = strchr(order, type)) == NULL) {
		if (strchr(session_order, type) != NULL)
			return cb_sdp_fail(p, -EINVAL, "%c= is not allowed in a media section", type);
		return cb_sdp_fail(p, -EINVAL, "unknown line type '%c'", type);
	}
	here = (int)(at - order);
	if (here < *place)
		return cb_sdp_fail(p, -EINVAL, "%c= out of order (RFC 8866 §5: %s%s)", type,
				   p->media ? "m i c b k a" : "v o s i u e p c b t r z k a",
				   p->media ? " in a media section" : "");
	if (here == *place && strchr(repeat, type) == NULL && (p->media || p->line > 1))
		return cb_sdp_fail(p, -EINVAL, "a second %c= line", type);
	*place = here;
	if (!p->media) {
		/* The required lines, named where their place is passed. */
		static const char required[] = "ost";
		for (const char *r = required; *r; r++)
			if (here > strchr(session_order, *r) - session_order &&
			    !(*seen & 1u << (*r - 'a')))
				return cb_sdp_fail(p, -EINVAL, "missing %c= line before this one", *r);
		*seen |= 1u << (type - 'a');
	}

	switch (type) {
	case 'v': return parse_version(p, value);
	case 'o': return parse_origin(p, value);
	case 's': return parse_name(p, value);
	case 't': return parse_timing(p, value);
	case 'c': return parse_connection(p, value);
	case 'b': return parse_bandwidth(p, value);
	case 'a': {
		char *colon = strchr(value, ':');
		if (colon)
			*colon = '\0';
		if (!cb_sdp_is_token(value, false))
			return cb_sdp_fail(p, -EINVAL, "a=: '%s' is not an attribute name", value);
		return cb_sdp_parse_attribute(p, value, colon ? colon + 1 : NULL);
	}
	default:
		/* i= u= e= p= r= z= k=: informational or obsolete. */
		p->level->n_other_lines++;
		return 0;
	}
}

/* The checks that need the whole description. */
static int check_whole(struct cb_sdp_parser *p)
{
	struct cb_sdp *sdp = p->sdp;

	for (uint32_t i = 0; i < sdp->n_media; i++) {
		/* RFC 8866 §5.7: c= at session level or in every section. */
		if (!sdp->level.connection.set && !sdp->media[i].level.connection.set) {
			p->line = p->media_lines[i];
			return cb_sdp_fail(p, -EINVAL, "m=: no c= line here nor at session level");
		}
	}
	for (uint32_t g = 0; g < sdp->n_groups; g++) {
		/* RFC 5888 §5: a group names existing sections. */
		for (uint32_t i = 0; i < sdp->groups[g].n_mids; i++) {
			if (cb_sdp_find_mid(sdp, sdp->groups[g].mids[i]) == NULL) {
				p->line = p->group_lines[g];
				return cb_sdp_fail(p, -EINVAL, "a=group: no m= section has mid '%s'",
						   sdp->groups[g].mids[i]);
			}
		}
	}
	return 0;
}

int cb_sdp_parse(const char *text, size_t len, struct cb_sdp *out, char *err, size_t err_len)
{
	struct cb_sdp_parser p = { .sdp = out, .level = &out->level, .line = 1,
				   .err = err, .err_len = err_len };
	char line[CB_SDP_LINE_MAX + 1];
	uint32_t seen = 0;
	int place = 0, res;
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	if (err && err_len)
		err[0] = '\0';
	if (len > CB_SDP_TEXT_MAX)
		return cb_sdp_fail(&p, -E2BIG, "the description is over %d bytes", CB_SDP_TEXT_MAX);
	if (len == 0)
		return cb_sdp_fail(&p, -EINVAL, "empty description");

	for (; pos < len; p.line++) {
		size_t n = 0;

		/* Collect one line, refusing what no SDP text holds. */
		while (pos + n < len && text[pos + n] != '\n') {
			unsigned char c = (unsigned char)text[pos + n];
			bool crlf = c == '\r' && pos + n + 1 < len && text[pos + n + 1] == '\n';
			if (c == '\0')
				return cb_sdp_fail(&p, -EINVAL, "NUL byte at column %zu", n + 1);
			if ((c < 0x20 || c == 0x7f) && !crlf)
				return cb_sdp_fail(&p, -EINVAL, "control character 0x%02x at column %zu",
						   c, n + 1);
			if (n >= CB_SDP_LINE_MAX && !crlf)
				return cb_sdp_fail(&p, -E2BIG, "longer than %d bytes", CB_SDP_LINE_MAX);
			n++;
		}
		if (pos + n >= len)
			return cb_sdp_fail(&p, -EINVAL, "no line end (truncated?)");
		memcpy(line, text + pos, n);
		pos += n + 1;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		line[n] = '\0';

		/* RFC 8866 §5: <type>=<value>, one lower-case letter, no blanks. */
		if (n < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z')
			return cb_sdp_fail(&p, -EINVAL, n == 0 ? "empty line" :
					   "not a <type>=<value> line");
		if (p.line == 1 && line[0] != 'v')
			return cb_sdp_fail(&p, -EINVAL, "a description starts with v=0");
		if ((res = parse_line(&p, line[0], line + 2, &seen, &place)) < 0)
			return res;
	}
	if (!(seen & 1u << ('t' - 'a'))) {
		p.line--;
		return cb_sdp_fail(&p, -EINVAL, "missing %s line", !(seen & 1u << ('o' - 'a')) ?
				   "o=" : !(seen & 1u << ('s' - 'a')) ? "s=" : "t=");
	}
	return check_whole(&p);
}
