/* From a parsed description to what callbridge configures: the SRTP key
 * of an a=crypto line and the address of a media section. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "sdp/sdp.h"

static int base64_value(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 :
	       c >= '0' && c <= '9' ? c - '0' + 52 : c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Strict base64 (RFC 4648 §4, padded), unlike g_base64_decode which
 * skips what it does not know: a key that is not exactly right is refused. */
static int base64_decode(const char *in, size_t n, uint8_t *out, size_t cap)
{
	size_t len = 0;

	if (n == 0 || n % 4 != 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		int pad = 0;
		for (int j = 0; j < 4; j++) {
			if (in[i + j] == '=' && i + 4 == n && j >= 2 &&
			    (j == 3 || in[i + 3] == '=')) {
				v[j] = 0;
				pad++;
			} else if ((v[j] = base64_value(in[i + j])) < 0 || pad) {
				return -EINVAL;
			}
		}
		uint32_t bits = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
				(uint32_t)v[3];
		for (int j = 0; j < 3 - pad; j++) {
			if (len >= cap)
				return -EINVAL;
			out[len++] = (uint8_t)(bits >> (16 - 8 * j));
		}
	}
	return (int)len;
}

int cb_sdp_crypto_key(const struct cb_sdp_crypto *c, enum cb_srtp_suite *suite, uint8_t *key,
		      size_t cap)
{
	const char *b64;
	size_t n;
	int len;

	*suite = CB_SRTP_NONE;
	if (strncmp(c->key_params, "inline:", 7) != 0)
		return -EINVAL;
	b64 = c->key_params + 7;
	n = strcspn(b64, "|;");
	for (int s = CB_SRTP_AES_CM_128_HMAC_SHA1_80; s <= CB_SRTP_AEAD_AES_256_GCM; s++)
		if (strcmp(c->suite, cb_srtp_suite_name((enum cb_srtp_suite)s)) == 0)
			*suite = (enum cb_srtp_suite)s;
	if (*suite == CB_SRTP_NONE)
		return -ENOTSUP;
	/* RFC 4568 §6.1: "inline:" key||salt ["|" lifetime] ["|" MKI:length];
	 * libsrtp is set up without MKI, so a key that needs one is refused. */
	if (b64[n] != '\0')
		return -EINVAL;
	len = base64_decode(b64, n, key, cap);
	if (len < 0 || (size_t)len != cb_srtp_suite_key_len(*suite)) {
		explicit_bzero(key, cap);
		return -EINVAL;
	}
	return len;
}

int cb_sdp_section_address(const struct cb_sdp *sdp, const struct cb_sdp_section *m,
			   struct cb_address *out)
{
	const struct cb_sdp_connection *c = m->level.connection.set ? &m->level.connection
								     : &sdp->level.connection;

	memset(out, 0, sizeof(*out));
	if (!c->set)
		return -EINVAL;
	if (strcmp(c->addrtype, "IP4") == 0) {
		struct sockaddr_in *in = (struct sockaddr_in *)&out->addr;
		if (inet_pton(AF_INET, c->address, &in->sin_addr) != 1)
			return -EINVAL;
		in->sin_family = AF_INET;
		in->sin_port = htons(m->port);
		out->len = sizeof(*in);
		/* inet_pton accepted it: 45 bytes at most (INET6_ADDRSTRLEN). */
		snprintf(out->text, sizeof(out->text), "%.45s:%u", c->address, m->port);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&out->addr;
		if (inet_pton(AF_INET6, c->address, &in6->sin6_addr) != 1)
			return -EINVAL;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(m->port);
		out->len = sizeof(*in6);
		snprintf(out->text, sizeof(out->text), "[%.45s]:%u", c->address, m->port);
	}
	out->set = true;
	return 0;
}
