#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <glib.h>

#include "sdp/sdp.h"

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

static void put_media(struct out *o, const struct cb_sdp_session *s, const struct cb_sdp_media *m)
{
	char host[INET6_ADDRSTRLEN];
	const char *family;
	uint16_t port;
	uint32_t ptime_tenths = m->ptime_samples * 10 / 48;	/* 0.1 ms units */

	if (address_parts(s->ice ? s->ice->default_addr : m->dest, host, sizeof(host), &port,
			  &family) < 0) {
		o->overflow = true;
		return;
	}
	put(o, "m=audio %u %s %u\r\n", port,
	    s->suite == CB_SRTP_NONE ? "RTP/AVP" : "RTP/SAVP", m->payload_type);
	put(o, "c=IN %s %s\r\n", family, host);
	if (m->bitrate)
		put(o, "b=AS:%u\r\n", (m->bitrate + 999) / 1000);
	/* RFC 7587: always opus/48000/2; mono is signalled in fmtp. */
	put(o, "a=rtpmap:%u opus/48000/2\r\n", m->payload_type);
	put(o, "a=fmtp:%u minptime=%u;useinbandfec=%d;stereo=%d;sprop-stereo=%d%s\r\n",
	    m->payload_type, ptime_tenths < 100 ? (ptime_tenths + 9) / 10 : 10,
	    m->fec ? 1 : 0, m->channels == 2, m->channels == 2, m->dtx ? ";usedtx=1" : "");
	if (ptime_tenths % 10)
		put(o, "a=ptime:%u.%u\r\n", ptime_tenths / 10, ptime_tenths % 10);
	else
		put(o, "a=ptime:%u\r\n", ptime_tenths / 10);
	put(o, "a=maxptime:%u\r\n", ptime_tenths < 600 ? 60 : ptime_tenths / 10);
	if (m->audio_level_ext_id > 0)
		put(o, "a=extmap:%d urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on\r\n",
		    m->audio_level_ext_id);
	put(o, "a=mid:%s\r\n", m->mid);
	if (s->ice) {
		put(o, "a=ice-ufrag:%s\r\n", s->ice->ufrag);
		put(o, "a=ice-pwd:%s\r\n", s->ice->pwd);
		put(o, "%s", s->ice->candidate_lines);
	}
	put(o, "a=rtcp-mux\r\n");
	put(o, "a=sendonly\r\n");
	if (s->suite != CB_SRTP_NONE && s->key != NULL) {
		gchar *b64 = g_base64_encode(s->key, s->key_len);
		put(o, "a=crypto:1 %s inline:%s\r\n", cb_srtp_suite_name(s->suite), b64);
		explicit_bzero(b64, strlen(b64));
		g_free(b64);
	}
	put(o, "a=ssrc:%u cname:%s\r\n", m->ssrc, s->cname);
}

int cb_sdp_write(char *buf, size_t cap, const struct cb_sdp_session *s)
{
	struct out o = { .buf = buf, .cap = cap };
	char host[INET6_ADDRSTRLEN] = "0.0.0.0";
	const char *family = "IP4";
	uint16_t port;

	if (cap == 0)
		return -ENOSPC;
	buf[0] = '\0';
	if (s->origin && s->origin->set)
		address_parts(s->origin, host, sizeof(host), &port, &family);

	put(&o, "v=0\r\n");
	put(&o, "o=- %llu %llu IN %s %s\r\n", (unsigned long long)s->session_id,
	    (unsigned long long)s->version, family, host);
	put(&o, "s=callbridge %s\r\n", s->call_name);
	put(&o, "t=0 0\r\n");
	if (s->n_media > 1 || (s->ice && s->n_media > 0)) {
		put(&o, "a=group:BUNDLE");
		for (uint32_t i = 0; i < s->n_media; i++)
			put(&o, " %s", s->media[i].mid);
		put(&o, "\r\n");
	}
	for (uint32_t i = 0; i < s->n_media; i++)
		put_media(&o, s, &s->media[i]);

	if (o.overflow) {
		explicit_bzero(buf, cap);
		return -ENOSPC;
	}
	return (int)o.len;
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
