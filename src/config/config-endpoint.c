/* callbridge: the [endpoint] section, where callbridge serves WHIP and WHEP
 * itself (browsers publish into a [remote] with whip-endpoint, play a
 * [stream] with whep-endpoint), and the checks that tie the paths to it.
 *
 * Keys: listen, tls, tls-certificate-file, tls-key-file, bearer-token-file
 * (required), allow-origin, page, consent-timeout, max-viewers; per section
 * [remote] whip-endpoint and [stream] whep-endpoint.
 *
 * A path is what the HTTP server routes on, so it is checked to the letter
 * here: it starts with '/', holds only A-Z a-z 0-9 / _ . -, no "//" and
 * no "..", is not "/" (the page), and no two sections share one.  Its last
 * segment names the guest in controls and status (guest.<path>.control).
 */
#include "config/config-loader.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

static int line_of(const struct cb_section_state *st, const char *section, const char *key)
{
	int row = cb_loader_find_key(section, key);

	return cb_loader_seen(st, row) ? st->key_lines[row] : 0;
}

void cb_loader_store_endpoint(struct cb_loader *l, const char *key, const char *text,
			      struct cb_value *v, int line)
{
	struct cb_endpoint_config *e = &l->cfg->endpoint;

	if (strcmp(key, "listen") == 0) {
		e->listen = v->addr;
	} else if (strcmp(key, "tls") == 0) {
		e->tls = v->b;
	} else if (strcmp(key, "tls-certificate-file") == 0 || strcmp(key, "tls-key-file") == 0) {
		char *out = key[4] == 'c' ? e->tls_certificate_file : e->tls_key_file;
		if (!*text || !cb_loader_resolve_path(l, text, out, PATH_MAX)) {
			cb_loader_error(l, line, "%s: %s", key, *text ? "path is too long" :
					"empty path (leave the key out for a self-signed certificate)");
			out[0] = '\0';
		}
	} else if (strcmp(key, "bearer-token-file") == 0) {
		cb_loader_read_token_file(l, key, text, e->bearer_token, sizeof(e->bearer_token),
					  line);
	} else if (strcmp(key, "allow-origin") == 0) {
		for (const unsigned char *p = (const unsigned char *)text; *p; p++)
			if (*p <= 0x20 || *p >= 0x7f) {
				cb_loader_error(l, line, "allow-origin: one origin (such as "
						"https://example.org) or *, without spaces");
				return;
			}
		if (strlen(text) >= sizeof(e->allow_origin))
			cb_loader_error(l, line, "allow-origin: longer than %zu characters",
					sizeof(e->allow_origin) - 1);
		else
			snprintf(e->allow_origin, sizeof(e->allow_origin), "%s", text);
	} else if (strcmp(key, "page") == 0) {
		e->page = v->b;
	} else if (strcmp(key, "consent-timeout") == 0) {
		e->consent_timeout_ms = (uint32_t)v->i * 1000;
	} else if (strcmp(key, "max-viewers") == 0) {
		e->max_viewers = (uint32_t)v->i;
	} else {
		cb_loader_error(l, line, "internal error: [endpoint] key '%s' is not stored", key);
	}
}

bool cb_endpoint_path_valid(const char *path)
{
	size_t n = strlen(path);

	if (n < 2 || n > CB_ENDPOINT_PATH_MAX || path[0] != '/' || path[n - 1] == '/')
		return false;
	if (strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_.-") != n)
		return false;
	return strstr(path, "//") == NULL && strstr(path, "/.") == NULL;
}

static void check_path(struct cb_loader *l, const char *path, int line, const char *key,
		       const char *title)
{
	if (!cb_endpoint_path_valid(path))
		cb_loader_error(l, line, "%s: '%.80s' is not a path callbridge serves: start with "
				"/, use A-Z a-z 0-9 / _ . - (no //, no /., at most %d "
				"characters), such as /whip/guest", key, path,
				CB_ENDPOINT_PATH_MAX);
	else if (!l->cfg->endpoint.present)
		cb_loader_error(l, line, "%s: %s needs an [endpoint] section to be served", key,
				title);
}

/* Both files, the key matching the certificate: the same check the
 * server's TLS set-up would fail later, said now with the file names. */
static void check_tls_files(struct cb_loader *l)
{
	const struct cb_endpoint_config *e = &l->cfg->endpoint;
	int cline = line_of(&l->endpoint, "endpoint", "tls-certificate-file");
	int kline = line_of(&l->endpoint, "endpoint", "tls-key-file");
	X509 *cert = NULL;
	EVP_PKEY *key = NULL;
	FILE *f;

	if (!cline && !kline)
		return;
	if (!cline || !kline) {
		cb_loader_error(l, cline ? cline : kline, "%s: needs %s too (or neither, for a "
				"self-signed certificate)", cline ? "tls-certificate-file" :
				"tls-key-file", cline ? "tls-key-file" : "tls-certificate-file");
		return;
	}
	if (!e->tls_certificate_file[0] || !e->tls_key_file[0])
		return;
	if ((f = fopen(e->tls_certificate_file, "re")) == NULL ||
	    (cert = PEM_read_X509(f, NULL, NULL, NULL)) == NULL)
		cb_loader_error(l, cline, "tls-certificate-file: %s: no PEM certificate readable",
				e->tls_certificate_file);
	if (f)
		fclose(f);
	/* An encrypted key would make OpenSSL ask for a passphrase: "" refuses. */
	if ((f = fopen(e->tls_key_file, "re")) == NULL ||
	    (key = PEM_read_PrivateKey(f, NULL, NULL, (void *)"")) == NULL)
		cb_loader_error(l, kline, "tls-key-file: %s: no unencrypted PEM private key "
				"readable", e->tls_key_file);
	if (f)
		fclose(f);
	if (cert && key && X509_check_private_key(cert, key) != 1)
		cb_loader_error(l, kline, "tls-key-file: %s is not the key of %s", e->tls_key_file,
				e->tls_certificate_file);
	X509_free(cert);
	EVP_PKEY_free(key);
	ERR_clear_error();
}

void cb_loader_check_endpoint(struct cb_loader *l)
{
	struct cb_config *cfg = l->cfg;
	const char *paths[CB_MAX_STREAMS + CB_MAX_REMOTES];
	int lines[CB_MAX_STREAMS + CB_MAX_REMOTES];
	uint32_t n = 0;
	int line;

	if (cfg->endpoint.present) {
		if (cfg->call.transport != CB_TRANSPORT_WEBRTC)
			cb_loader_error(l, cfg->endpoint.line, "[endpoint]: needs transport = webrtc "
					"(browsers speak DTLS-SRTP)");
		if (!line_of(&l->endpoint, "endpoint", "bearer-token-file"))
			cb_loader_error(l, cfg->endpoint.line, "[endpoint]: bearer-token-file is "
					"required: guests present its token (put a long random "
					"one in a mode-600 file)");
		check_tls_files(l);
	}
	for (uint32_t i = 0; i < cfg->n_streams; i++)
		if ((line = line_of(&l->streams[i], "stream", "whep-endpoint"))) {
			check_path(l, cfg->streams[i].whep_endpoint, line, "whep-endpoint",
				   "a stream served to browsers");
			paths[n] = cfg->streams[i].whep_endpoint;
			lines[n++] = line;
		}
	for (uint32_t i = 0; i < cfg->n_remotes; i++)
		if ((line = line_of(&l->remotes[i], "remote", "whip-endpoint"))) {
			check_path(l, cfg->remotes[i].whip_endpoint, line, "whip-endpoint",
				   "a remote that browsers publish into");
			paths[n] = cfg->remotes[i].whip_endpoint;
			lines[n++] = line;
		}
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = 0; j < i; j++)
			if (strcmp(paths[i], paths[j]) == 0) {
				cb_loader_error(l, lines[i], "path %.80s is served already (line %d)",
						paths[i], lines[j]);
				break;
			}
}
