#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "dtls/certificate.h"

struct cb_dtls_certificate {
	X509 *x509;
	EVP_PKEY *key;
	uint8_t fingerprint[CB_SHA256_LEN];
};

static int finish(struct cb_dtls_certificate *c)
{
	unsigned int len = 0;

	if (X509_digest(c->x509, EVP_sha256(), c->fingerprint, &len) != 1 || len != CB_SHA256_LEN)
		return -EINVAL;
	return 0;
}

int cb_dtls_certificate_generate(struct cb_dtls_certificate **out)
{
	struct cb_dtls_certificate *c = calloc(1, sizeof(*c));
	X509_NAME *name;
	uint64_t serial = 0;
	int res = -ENOMEM;

	if (c == NULL)
		return -ENOMEM;
	/* P-256: what every browser and SFU accepts, and its flights stay far
	 * below the 1200-byte link MTU (RFC 8827 section 6.5 asks for it). */
	if ((c->key = EVP_EC_gen("P-256")) == NULL || (c->x509 = X509_new()) == NULL)
		goto error;
	RAND_bytes((unsigned char *)&serial, sizeof(serial));
	if (X509_set_version(c->x509, 2) != 1 ||
	    ASN1_INTEGER_set_int64(X509_get_serialNumber(c->x509), (int64_t)(serial >> 1)) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(c->x509), -86400) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(c->x509), 30L * 86400) == NULL ||
	    X509_set_pubkey(c->x509, c->key) != 1)
		goto error;
	name = X509_get_subject_name(c->x509);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"callbridge",
				       -1, -1, 0) != 1 ||
	    X509_set_issuer_name(c->x509, name) != 1 ||
	    X509_sign(c->x509, c->key, EVP_sha256()) == 0)
		goto error;
	if ((res = finish(c)) < 0)
		goto error;
	*out = c;
	return 0;
error:
	cb_dtls_certificate_free(c);
	return res;
}

int cb_dtls_certificate_load(struct cb_dtls_certificate **out, const char *path, char *err,
			     size_t err_len)
{
	struct cb_dtls_certificate *c = calloc(1, sizeof(*c));
	FILE *f;
	int res = -EINVAL;

	if (c == NULL)
		return -ENOMEM;
	if ((f = fopen(path, "re")) == NULL) {
		res = -errno;
		snprintf(err, err_len, "cannot read %s: %s", path, strerror(errno));
		goto error;
	}
	c->x509 = PEM_read_X509(f, NULL, NULL, NULL);
	rewind(f);
	c->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (c->x509 == NULL || c->key == NULL) {
		snprintf(err, err_len, "%s: needs a PEM certificate and its private key", path);
		goto error;
	}
	if (X509_check_private_key(c->x509, c->key) != 1) {
		snprintf(err, err_len, "%s: the private key does not match the certificate", path);
		goto error;
	}
	if ((res = finish(c)) < 0) {
		snprintf(err, err_len, "%s: cannot take the certificate's fingerprint", path);
		goto error;
	}
	*out = c;
	return 0;
error:
	cb_dtls_certificate_free(c);
	return res;
}

void cb_dtls_certificate_free(struct cb_dtls_certificate *c)
{
	if (c == NULL)
		return;
	X509_free(c->x509);
	EVP_PKEY_free(c->key);
	free(c);
}

const uint8_t *cb_dtls_certificate_fingerprint(const struct cb_dtls_certificate *c)
{
	return c->fingerprint;
}

void cb_dtls_format_fingerprint(const uint8_t *fp, size_t len, char *out, size_t out_len)
{
	size_t o = 0;

	if (out_len == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < len && o + 4 <= out_len; i++)
		o += (size_t)snprintf(out + o, out_len - o, "%s%02X", i ? ":" : "", fp[i]);
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int cb_dtls_parse_fingerprint(const char *text, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (const char *p = text;;) {
		int hi = hex(p[0]), lo = hi >= 0 ? hex(p[1]) : -1;
		if (hi < 0 || lo < 0 || n >= cap)
			return -EINVAL;
		out[n++] = (uint8_t)(hi << 4 | lo);
		p += 2;
		if (*p == '\0')
			return (int)n;
		if (*p++ != ':')
			return -EINVAL;
	}
}

void *cb_dtls_certificate_x509(const struct cb_dtls_certificate *c)
{
	return c->x509;
}

void *cb_dtls_certificate_key(const struct cb_dtls_certificate *c)
{
	return c->key;
}
