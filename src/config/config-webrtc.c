/* callbridge: the keys of transport = webrtc.
 *
 * Each [stream] is published as one WHIP session (whip = URL) and each
 * [remote] plays one WHEP resource (whep = URL), with a bearer token read
 * from a file: the section's own, else the call's.  DTLS makes the SRTP
 * keys and every session makes its own ICE credentials, so the keys that
 * would set them are errors, each naming the key and why.  Nothing here
 * talks HTTP: a URL is checked as the WHIP client will take it
 * (config-values.c), and the certificate is loaded once, to check it, and
 * loaded again by the session at start.
 */
#include "config/config-loader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <openssl/err.h>

#include "dtls/certificate.h"
#include "whip/whip-client.h"

/* What the config holds, the WHIP client takes. */
_Static_assert(CB_URL_MAX == CB_WHIP_URL_MAX, "whip URL sizes differ");
_Static_assert(CB_BEARER_TOKEN_MAX == CB_WHIP_TOKEN_MAX, "bearer token sizes differ");

/* A certificate, its key and maybe a chain: far less than this. */
#define PEM_FILE_MAX (64 * 1024)

/* The line of `key` in a section, 0 when the file does not set it. */
static int line_of(const struct cb_section_state *st, const char *section, const char *key)
{
	int row = cb_loader_find_key(section, key);

	return cb_loader_seen(st, row) ? st->key_lines[row] : 0;
}

void cb_loader_read_token_file(struct cb_loader *l, const char *keyname, const char *path,
			       char *out, size_t out_len, int line)
{
	char full[PATH_MAX];

	if (!cb_loader_read_secret_file(l, keyname, path, out, out_len, line))
		return;
	/* It goes into an HTTP header as it is: no space, no control
	 * character, nothing that could end the header. */
	for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
		if (*p > 0x20 && *p < 0x7f)
			continue;
		if (!cb_loader_resolve_path(l, path, full, sizeof(full)))
			snprintf(full, sizeof(full), "%s", path);
		cb_loader_error(l, line, "%s: %s must hold one token of visible ASCII characters, "
				"without spaces", keyname, full);
		explicit_bzero(out, out_len);
		return;
	}
}

/* Reads the PEM text to look for an encrypted key: OpenSSL would ask for
 * its passphrase on the terminal, and a daemon has none.  False when the
 * file cannot be used (reported). */
static bool check_pem_file(struct cb_loader *l, const char *keyname, const char *path, int line)
{
	struct stat st;
	char *text = NULL;
	size_t n = 0;
	ssize_t r;
	bool ok = false;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		cb_loader_error(l, line, "%s: cannot read %s: %s", keyname, path, strerror(errno));
		return false;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		cb_loader_error(l, line, "%s: cannot read %s: not a regular file", keyname, path);
		goto out;
	}
	if (st.st_size > PEM_FILE_MAX) {
		cb_loader_error(l, line, "%s: %s is larger than %d KiB: it should hold one "
				"certificate and its private key", keyname, path, PEM_FILE_MAX / 1024);
		goto out;
	}
	if (st.st_mode & (S_IRGRP | S_IROTH))
		cb_loader_warning(l, line, "%s: %s holds a private key and is readable by other "
				  "users; chmod 600 it", keyname, path);
	if ((text = malloc(PEM_FILE_MAX + 1)) == NULL) {
		cb_loader_error(l, line, "%s: out of memory", keyname);
		goto out;
	}
	while (n < PEM_FILE_MAX + 1 && (r = read(fd, text + n, PEM_FILE_MAX + 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			cb_loader_error(l, line, "%s: cannot read %s: %s", keyname, path,
					strerror(errno));
			goto out;
		}
		n += (size_t)r;
	}
	if (n > PEM_FILE_MAX) {
		cb_loader_error(l, line, "%s: %s is larger than %d KiB: it should hold one "
				"certificate and its private key", keyname, path, PEM_FILE_MAX / 1024);
		goto out;
	}
	/* PKCS#8, and the traditional format's header. */
	if (memmem(text, n, "-----BEGIN ENCRYPTED PRIVATE KEY-----",
		   strlen("-----BEGIN ENCRYPTED PRIVATE KEY-----")) ||
	    memmem(text, n, "Proc-Type: 4,ENCRYPTED", strlen("Proc-Type: 4,ENCRYPTED"))) {
		cb_loader_error(l, line, "%s: %s: the private key is encrypted; callbridge needs "
				"it without a passphrase (keep the file private: chmod 600)",
				keyname, path);
		goto out;
	}
	ok = true;
out:
	if (text) {
		explicit_bzero(text, n);
		free(text);
	}
	close(fd);
	return ok;
}

void cb_loader_store_certificate(struct cb_loader *l, const char *keyname, const char *path,
				 char *out, size_t out_len, int line)
{
	struct cb_dtls_certificate *cert = NULL;
	char err[CB_ERROR_MAX];

	if (!*path) {
		cb_loader_error(l, line, "%s: empty path (leave the key out for a fresh "
				"certificate per run)", keyname);
		return;
	}
	if (!cb_loader_resolve_path(l, path, out, out_len)) {
		cb_loader_error(l, line, "%s: path is too long", keyname);
		out[0] = '\0';
		return;
	}
	if (!check_pem_file(l, keyname, out, line))
		return;
	/* The same load as at start, so a file that passes here works there. */
	if (cb_dtls_certificate_load(&cert, out, err, sizeof(err)) < 0) {
		cb_loader_error(l, line, "%s: %s", keyname, err);
		ERR_clear_error();
		return;
	}
	cb_dtls_certificate_free(cert);
}

static const char *transport_name(enum cb_transport_kind t)
{
	switch (t) {
	case CB_TRANSPORT_UDP:
		return "udp";
	case CB_TRANSPORT_ICE:
		return "ice";
	case CB_TRANSPORT_WEBRTC:
		return "webrtc";
	}
	return "?";
}

/* Keys that mean something only with webrtc, given with another transport. */
static void check_not_webrtc(struct cb_loader *l)
{
	static const char *const call_keys[] = { "bearer-token-file", "dtls-certificate-file" };
	static const char *const stream_keys[] = { "whip", "bearer-token-file", "whep-endpoint" };
	static const char *const remote_keys[] = { "whep", "bearer-token-file", "whip-endpoint" };
	const struct cb_config *cfg = l->cfg;
	const char *t = transport_name(cfg->call.transport);
	int line;

	for (size_t k = 0; k < G_N_ELEMENTS(call_keys); k++)
		if ((line = line_of(&l->call, "call", call_keys[k])))
			cb_loader_error(l, line, "%s: needs transport = webrtc (transport is %s)",
					call_keys[k], t);
	for (uint32_t i = 0; i < cfg->n_streams; i++)
		for (size_t k = 0; k < G_N_ELEMENTS(stream_keys); k++)
			if ((line = line_of(&l->streams[i], "stream", stream_keys[k])))
				cb_loader_error(l, line, "%s: needs transport = webrtc "
						"(transport is %s)", stream_keys[k], t);
	for (uint32_t i = 0; i < cfg->n_remotes; i++)
		for (size_t k = 0; k < G_N_ELEMENTS(remote_keys); k++)
			if ((line = line_of(&l->remotes[i], "remote", remote_keys[k])))
				cb_loader_error(l, line, "%s: needs transport = webrtc "
						"(transport is %s)", remote_keys[k], t);
}

void cb_loader_check_webrtc(struct cb_loader *l)
{
	static const char *const dtls_keys[] = { "srtp-key", "srtp-key-file", "remote-srtp-key",
						 "remote-srtp-key-file" };
	struct cb_config *cfg = l->cfg;
	struct cb_call_config *c = &cfg->call;
	int line;

	if (c->transport != CB_TRANSPORT_WEBRTC) {
		c->srtp_offer = 0;
		check_not_webrtc(l);
		return;
	}

	for (size_t k = 0; k < G_N_ELEMENTS(dtls_keys); k++)
		if ((line = line_of(&l->call, "call", dtls_keys[k])))
			cb_loader_error(l, line, "%s: keys come from DTLS with transport = webrtc; "
					"remove it", dtls_keys[k]);

	/* srtp's default names one suite, for udp and ice; webrtc offers all
	 * four unless the file names one. */
	if ((line = line_of(&l->call, "call", "srtp")) == 0)
		c->srtp_offer = CB_SRTP_OFFER_ALL;
	else if (c->srtp == CB_SRTP_NONE)
		cb_loader_error(l, line, "srtp: none is not possible with transport = webrtc, "
				"DTLS-SRTP always encrypts; name one profile, or leave srtp out "
				"to offer all four");
	else
		c->srtp_offer = 1u << c->srtp;

	if ((line = line_of(&l->call, "call", "remote")))
		cb_loader_error(l, line, "remote: with transport = webrtc each session's peer "
				"comes from its WHIP or WHEP answer; remove it");

	/* Implicit streams are refused where tracks are resolved. */
	for (uint32_t i = 0; i < cfg->n_streams; i++) {
		const struct cb_stream_config *s = &cfg->streams[i];

		if (s->implicit)
			continue;
		if (!line_of(&l->streams[i], "stream", "whip") &&
		    !line_of(&l->streams[i], "stream", "whep-endpoint"))
			cb_loader_error(l, s->line, "[stream %s] has no whip: with transport = "
					"webrtc every stream is published as a WHIP session "
					"(add whip = URL) or served to viewers (add "
					"whep-endpoint = /PATH)", s->name);
		if (line_of(&l->streams[i], "stream", "whip") &&
		    (line = line_of(&l->streams[i], "stream", "whep-endpoint")))
			cb_loader_error(l, line, "[stream %s]: whep-endpoint and whip both set; "
					"a stream is either published or served (make a second "
					"stream that the same tracks feed)", s->name);
		if ((line = line_of(&l->streams[i], "stream", "remote")))
			cb_loader_error(l, line, "[stream %s]: remote cannot be used with "
					"transport = webrtc (the stream goes to its WHIP "
					"session's peer)", s->name);
	}
	for (uint32_t i = 0; i < cfg->n_remotes; i++) {
		bool whep = line_of(&l->remotes[i], "remote", "whep");
		bool endpoint = line_of(&l->remotes[i], "remote", "whip-endpoint");

		if (!whep && !endpoint)
			cb_loader_error(l, cfg->remotes[i].line, "[remote %s] has no whep: with "
					"transport = webrtc every remote plays a WHEP resource "
					"(add whep = URL) or takes a browser's (add "
					"whip-endpoint = /PATH)", cfg->remotes[i].name);
		else if (whep && endpoint)
			cb_loader_error(l, line_of(&l->remotes[i], "remote", "whip-endpoint"),
					"[remote %s]: whip-endpoint and whep both set; a remote "
					"plays one of them", cfg->remotes[i].name);
	}
}

const char *cb_config_stream_token(const struct cb_config *config, uint32_t index)
{
	if (index < config->n_streams && config->stream_tokens[index][0])
		return config->stream_tokens[index];
	return config->call.bearer_token;
}

const char *cb_config_remote_token(const struct cb_config *config, uint32_t index)
{
	if (index < config->n_remotes && config->remote_tokens[index][0])
		return config->remote_tokens[index];
	return config->call.bearer_token;
}
