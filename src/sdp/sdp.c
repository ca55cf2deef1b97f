#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <glib.h>

#include "sdp/sdp.h"

static int address_parts(const struct cb_address *a, char *host, size_t host_len,
			 uint16_t *port, const char **family)
{
	const struct sockaddr *sa = (const struct sockaddr *)&a->addr;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &in->sin_addr, host, (socklen_t)host_len);
		*port = ntohs(in->sin_port);
		*family = "IP4";
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, (socklen_t)host_len);
		*port = ntohs(in6->sin6_port);
		*family = "IP6";
	} else {
		return -EAFNOSUPPORT;
	}
	return 0;
}

static bool copy_text(char *out, size_t len, const char *text)
{
	size_t n = strlen(text);

	if (n >= len)
		return false;
	memcpy(out, text, n + 1);
	return true;
}

/* "a=candidate:<value>\r\n" lines, as libnice writes them, into the model. */
static int add_candidates(struct cb_sdp_section *m, const char *lines)
{
	static const char prefix[] = "a=candidate:";

	while (*lines) {
		const char *end = strstr(lines, "\r\n");
		size_t n;

		if (strncmp(lines, prefix, sizeof(prefix) - 1) != 0 || end == NULL)
			return -EINVAL;
		lines += sizeof(prefix) - 1;
		n = (size_t)(end - lines);
		if (m->n_candidates >= CB_SDP_MAX_CANDIDATES || n >= CB_SDP_VALUE_LEN)
			return -E2BIG;
		memcpy(m->candidates[m->n_candidates++], lines, n);
		lines = end + 2;
	}
	return 0;
}

static int build_media(struct cb_sdp_section *m, const struct cb_sdp_session *s,
		       const struct cb_sdp_media *in)
{
	struct cb_sdp_format *f = &m->formats[in->red_payload_type > 0 ? 1 : 0];
	struct cb_sdp_connection *c = &m->level.connection;
	uint32_t ptime_tenths = in->ptime_samples * 10 / 48;	/* at 48 kHz */
	const char *family;
	uint16_t port;
	int res;

	if ((res = address_parts(s->ice ? s->ice->default_addr : in->dest, c->address,
				 sizeof(c->address), &port, &family)) < 0)
		return res;
	c->set = true;
	memcpy(c->addrtype, family, 4);
	strcpy(m->type, "audio");
	m->port = port;
	strcpy(m->proto, s->suite == CB_SRTP_NONE ? "RTP/AVP" : "RTP/SAVP");
	m->rtp = true;
	m->n_formats = 1;
	if (in->red_payload_type > 0)
		cb_sdp_add_red(m, (uint8_t)in->red_payload_type, in->payload_type);
	snprintf(f->id, sizeof(f->id), "%u", in->payload_type);
	f->pt = in->payload_type;
	if (in->bitrate) {
		strcpy(m->level.bandwidths[0].type, "AS");
		m->level.bandwidths[0].value = (in->bitrate + 999) / 1000;
		m->level.n_bandwidths = 1;
	}
	/* RFC 7587 §7: always opus/48000/2; mono is signalled in fmtp. */
	f->has_rtpmap = true;
	strcpy(f->encoding, "opus");
	f->clock_rate = 48000;
	f->channels = 2;
	f->has_fmtp = true;
	snprintf(f->fmtp, sizeof(f->fmtp), "minptime=%u;useinbandfec=%d;stereo=%d;sprop-stereo=%d%s",
		 ptime_tenths < 100 ? (ptime_tenths + 9) / 10 : 10, in->fec ? 1 : 0,
		 in->channels == 2, in->channels == 2, in->dtx ? ";usedtx=1" : "");
	m->ptime = ptime_tenths;
	m->maxptime = ptime_tenths < 600 ? 600 : ptime_tenths / 10 * 10;
	if (in->audio_level_ext_id > 0) {
		m->extmaps[0].id = (uint16_t)in->audio_level_ext_id;
		strcpy(m->extmaps[0].uri, CB_SDP_URI_AUDIO_LEVEL);
		strcpy(m->extmaps[0].attributes, "vad=on");
		m->n_extmaps = 1;
	}
	if (!copy_text(m->mid, sizeof(m->mid), in->mid))
		return -E2BIG;
	if (s->ice) {
		if (!copy_text(m->level.ice_ufrag, sizeof(m->level.ice_ufrag), s->ice->ufrag) ||
		    !copy_text(m->level.ice_pwd, sizeof(m->level.ice_pwd), s->ice->pwd))
			return -E2BIG;
		if ((res = add_candidates(m, s->ice->candidate_lines)) < 0)
			return res;
	}
	m->rtcp_mux = true;
	m->level.direction = CB_SDP_DIR_SENDONLY;
	if (s->suite != CB_SRTP_NONE && s->key != NULL) {
		gchar *b64 = g_base64_encode(s->key, s->key_len);
		m->crypto[0].tag = 1;
		snprintf(m->crypto[0].suite, sizeof(m->crypto[0].suite), "%s",
			 cb_srtp_suite_name(s->suite));
		snprintf(m->crypto[0].key_params, sizeof(m->crypto[0].key_params), "inline:%s", b64);
		m->n_crypto = 1;
		explicit_bzero(b64, strlen(b64));
		g_free(b64);
	}
	m->ssrcs[0].ssrc = in->ssrc;
	strcpy(m->ssrcs[0].attribute, "cname");
	m->ssrcs[0].has_value = true;
	if (!copy_text(m->ssrcs[0].value, sizeof(m->ssrcs[0].value), s->cname))
		return -E2BIG;
	m->n_ssrcs = 1;
	return 0;
}

int cb_sdp_build(struct cb_sdp *sdp, const struct cb_sdp_session *s)
{
	const char *family = "IP4";
	uint16_t port;
	int res;

	memset(sdp, 0, sizeof(*sdp));
	if (s->n_media > CB_SDP_MAX_MEDIA)
		return -E2BIG;
	strcpy(sdp->origin_username, "-");
	sdp->session_id = s->session_id;
	sdp->session_version = s->version;
	strcpy(sdp->origin_address, "0.0.0.0");
	if (s->origin && s->origin->set &&
	    address_parts(s->origin, sdp->origin_address, sizeof(sdp->origin_address), &port,
			  &family) < 0)
		strcpy(sdp->origin_address, "0.0.0.0");
	memcpy(sdp->origin_addrtype, family, 4);
	if ((size_t)snprintf(sdp->name, sizeof(sdp->name), "callbridge %s", s->call_name) >=
	    sizeof(sdp->name))
		return -E2BIG;
	/* RFC 8843: one transport for every m-line under ICE, and a group so
	 * that receivers of several streams know they share the call. */
	if (s->n_media > 1 || (s->ice && s->n_media > 0)) {
		struct cb_sdp_group *g = &sdp->groups[sdp->n_groups++];
		strcpy(g->semantics, "BUNDLE");
		for (uint32_t i = 0; i < s->n_media; i++)
			if (!copy_text(g->mids[g->n_mids++], CB_SDP_TOKEN_LEN, s->media[i].mid))
				return -E2BIG;
	}
	for (uint32_t i = 0; i < s->n_media; i++)
		if ((res = build_media(&sdp->media[sdp->n_media++], s, &s->media[i])) < 0)
			return res;
	return 0;
}

int cb_sdp_write(char *buf, size_t cap, const struct cb_sdp_session *s)
{
	struct cb_sdp *sdp;
	int res;

	if (cap == 0)
		return -ENOSPC;
	buf[0] = '\0';
	/* Over a megabyte with CB_SDP_MAX_MEDIA sections: not for the stack. */
	if ((sdp = malloc(sizeof(*sdp))) == NULL)
		return -ENOMEM;
	res = cb_sdp_build(sdp, s);
	if (res == 0)
		res = cb_sdp_render(sdp, buf, cap);
	if (res < 0)
		explicit_bzero(buf, cap);
	explicit_bzero(sdp, sizeof(*sdp));	/* the SRTP key */
	free(sdp);
	return res;
}

int cb_sdp_write_file(const char *path, const struct cb_sdp_session *s)
{
	char tmp[PATH_MAX + 16];
	size_t cap = 4096 + 1024 * (size_t)s->n_media;

	if (s->ice)
		cap += (strlen(s->ice->candidate_lines) + 1024) * (size_t)s->n_media;
	char *buf;
	int fd, len, res = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	if ((buf = malloc(cap)) == NULL)
		return -ENOMEM;
	if ((len = cb_sdp_write(buf, cap, s)) < 0) {
		res = len;
		goto done;
	}
	/* mkstemp creates the file 0600: the SDP carries the SRTP key. */
	if ((fd = mkstemp(tmp)) < 0) {
		res = -errno;
		goto done;
	}
	if (write(fd, buf, (size_t)len) != len || fsync(fd) < 0)
		res = -errno ? -errno : -EIO;
	close(fd);
	if (res == 0 && rename(tmp, path) < 0)
		res = -errno;
	if (res < 0)
		unlink(tmp);
done:
	explicit_bzero(buf, cap);
	free(buf);
	return res;
}
