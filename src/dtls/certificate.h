/* This side's DTLS identity (RFC 5763 section 5): an ECDSA P-256 key and a
 * self-signed certificate whose SHA-256 fingerprint the session
 * description carries as a=fingerprint.  Made fresh per run, or read from
 * a PEM file (certificate and key) for a fingerprint that stays. */
#ifndef CALLBRIDGE_DTLS_CERTIFICATE_H
#define CALLBRIDGE_DTLS_CERTIFICATE_H

#include <stddef.h>
#include <stdint.h>

#define CB_SHA256_LEN 32
/* "AB:CD:..." for SHA-256: 32 bytes, 95 characters. */
#define CB_FINGERPRINT_TEXT_MAX (3 * 64)

struct cb_dtls_certificate;

/* A fresh key and certificate, valid from a day ago for 30 days. */
int cb_dtls_certificate_generate(struct cb_dtls_certificate **out);
/* Certificate and private key from one PEM file; on failure a reason in
 * err. */
int cb_dtls_certificate_load(struct cb_dtls_certificate **out, const char *path, char *err,
			     size_t err_len);
void cb_dtls_certificate_free(struct cb_dtls_certificate *c);

/* The SHA-256 fingerprint: raw bytes, and as SDP writes it (upper-case
 * hex pairs joined by colons). */
const uint8_t *cb_dtls_certificate_fingerprint(const struct cb_dtls_certificate *c);
void cb_dtls_format_fingerprint(const uint8_t *fp, size_t len, char *out, size_t out_len);
/* Parses "ab:CD:..." (either case) into bytes; returns the length or a
 * negative errno. */
int cb_dtls_parse_fingerprint(const char *text, uint8_t *out, size_t cap);

/* For dtls-session.c: the OpenSSL objects (X509 *, EVP_PKEY *). */
void *cb_dtls_certificate_x509(const struct cb_dtls_certificate *c);
void *cb_dtls_certificate_key(const struct cb_dtls_certificate *c);

#endif
