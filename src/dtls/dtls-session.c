#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "dtls/dtls-session.h"
#include "util/secret.h"

/* RFC 8827 section 6.5 / what browsers use: flights must fit one path MTU
 * with ICE, TURN and IPv6 headers around them. */
#define LINK_MTU 1200
/* Records kept while the path is not up yet: a whole first flight. */
#define EARLY_MAX 8
#define RECORD_MAX 1500
/* The first retransmission after 100 ms instead of OpenSSL's 1 s: a lost
 * ClientHello on a fresh path otherwise costs a second of silence; then
 * doubling, as RFC 6347 section 4.2.4.1 asks, up to 2 s. */
#define FIRST_TIMEOUT_US 100000u
#define MAX_TIMEOUT_US 2000000u
#define GIVE_UP_MS 20000u

struct cb_dtls_session {
	struct cb_dtls_config config;
	struct cb_dtls_events events;
	void *data;

	SSL_CTX *ctx;
	SSL *ssl;
	BIO *rbio;			/* records in: a memory BIO */
	enum cb_dtls_state state;
	enum cb_srtp_suite suite;
	char failure[160];
	bool started;
	uint64_t started_ms;

	uint32_t n_early;
	uint8_t early[EARLY_MAX][RECORD_MAX];
	size_t early_len[EARLY_MAX];

	struct cb_dtls_counters counters;
};

static const struct {
	enum cb_srtp_suite suite;
	const char *name;	/* OpenSSL's, RFC 5764 section 4.1.2 and RFC 7714 */
	unsigned long id;
} profiles[] = {
	/* GCM first: authenticated encryption, and cheaper per packet. */
	{ CB_SRTP_AEAD_AES_128_GCM, "SRTP_AEAD_AES_128_GCM", 0x0007 },
	{ CB_SRTP_AEAD_AES_256_GCM, "SRTP_AEAD_AES_256_GCM", 0x0008 },
	{ CB_SRTP_AES_CM_128_HMAC_SHA1_80, "SRTP_AES128_CM_SHA1_80", 0x0001 },
	{ CB_SRTP_AES_CM_128_HMAC_SHA1_32, "SRTP_AES128_CM_SHA1_32", 0x0002 },
};
#define N_PROFILES (sizeof(profiles) / sizeof(profiles[0]))

const char *cb_dtls_role_name(enum cb_dtls_role role)
{
	return role == CB_DTLS_CLIENT ? "client" : "server";
}

const char *cb_dtls_state_name(enum cb_dtls_state state)
{
	switch (state) {
	case CB_DTLS_NEW: return "new";
	case CB_DTLS_CONNECTING: return "connecting";
	case CB_DTLS_CONNECTED: return "connected";
	case CB_DTLS_FAILED: return "failed";
	case CB_DTLS_CLOSED: return "closed";
	}
	return "unknown";
}

/* ---- the write side: a BIO whose every write is one datagram ---- */

static BIO_METHOD *write_method;

static int bio_write(BIO *bio, const char *buf, int len)
{
	struct cb_dtls_session *s = BIO_get_data(bio);

	if (len <= 0 || s->events.send(s->data, (const uint8_t *)buf, (size_t)len) < 0)
		return len;	/* a lost datagram is what retransmission is for */
	atomic_fetch_add_explicit(&s->counters.records_out, 1, memory_order_relaxed);
	return len;
}

static long bio_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_DGRAM_QUERY_MTU:
	case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
		return LINK_MTU;
	case BIO_CTRL_WPENDING:
	case BIO_CTRL_PENDING:
		return 0;
	default:
		return 0;
	}
}

static int bio_create(BIO *bio)
{
	BIO_set_init(bio, 1);
	return 1;
}

static BIO_METHOD *get_write_method(void)
{
	/* Made once; OpenSSL's own init is thread-safe, and sessions are
	 * created on one thread (the GLib thread, or a test's). */
	if (write_method == NULL) {
		BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
					     "callbridge datagram");
		if (m == NULL)
			return NULL;
		BIO_meth_set_write(m, bio_write);
		BIO_meth_set_ctrl(m, bio_ctrl);
		BIO_meth_set_create(m, bio_create);
		write_method = m;
	}
	return write_method;
}

/* The fingerprint is checked by hand once the handshake is done: accept
 * the self-signed chain here. */
static int verify_any(int preverify, X509_STORE_CTX *store)
{
	return 1;
}

static unsigned int timer_cb(SSL *ssl, unsigned int previous_us)
{
	if (previous_us == 0)
		return FIRST_TIMEOUT_US;
	return previous_us * 2 > MAX_TIMEOUT_US ? MAX_TIMEOUT_US : previous_us * 2;
}

static void fail(struct cb_dtls_session *s, const char *why, const char *detail)
{
	if (s->state == CB_DTLS_FAILED)
		return;
	s->state = CB_DTLS_FAILED;
	snprintf(s->failure, sizeof(s->failure), "%s%s%s", why, detail ? ": " : "",
		 detail ? detail : "");
	cb_keying_revoke(s->config.keying);
	if (s->events.state_changed)
		s->events.state_changed(s->data, s->state, s->failure);
}

static int make_ctx(struct cb_dtls_session *s)
{
	char list[128] = "";
	uint32_t suites = s->config.suites ? s->config.suites : ~0u;

	for (size_t i = 0; i < N_PROFILES; i++)
		if (suites & (1u << profiles[i].suite))
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 list[0] ? ":" : "", profiles[i].name);
	if (list[0] == '\0')
		return -EINVAL;
	if ((s->ctx = SSL_CTX_new(DTLS_method())) == NULL)
		return -ENOMEM;
	SSL_CTX_set_min_proto_version(s->ctx, DTLS1_2_VERSION);
	SSL_CTX_set_options(s->ctx, SSL_OP_NO_TICKET | SSL_OP_NO_QUERY_MTU);
	SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_any);
	if (SSL_CTX_use_certificate(s->ctx, cb_dtls_certificate_x509(s->config.certificate)) != 1 ||
	    SSL_CTX_use_PrivateKey(s->ctx, cb_dtls_certificate_key(s->config.certificate)) != 1 ||
	    SSL_CTX_set1_groups_list(s->ctx, "X25519:P-256") != 1)
		return -EINVAL;
	/* Returns 0 on success, unlike the rest of the API. */
	if (SSL_CTX_set_tlsext_use_srtp(s->ctx, list) != 0)
		return -EINVAL;
	return 0;
}

int cb_dtls_session_new(struct cb_dtls_session **out, const struct cb_dtls_config *config,
			const struct cb_dtls_events *events, void *data)
{
	struct cb_dtls_session *s = calloc(1, sizeof(*s));
	BIO_METHOD *method = get_write_method();
	BIO *wbio;
	int res = -ENOMEM;

	if (s == NULL)
		return -ENOMEM;
	s->config = *config;
	s->events = *events;
	s->data = data;
	if (method == NULL || (res = make_ctx(s)) < 0)
		goto error;
	res = -ENOMEM;
	if ((s->ssl = SSL_new(s->ctx)) == NULL || (s->rbio = BIO_new(BIO_s_mem())) == NULL ||
	    (wbio = BIO_new(method)) == NULL)
		goto error;
	BIO_set_mem_eof_return(s->rbio, -1);
	BIO_set_data(wbio, s);
	SSL_set_bio(s->ssl, s->rbio, wbio);
	SSL_set_options(s->ssl, SSL_OP_NO_QUERY_MTU);
	DTLS_set_link_mtu(s->ssl, LINK_MTU);
	DTLS_set_timer_cb(s->ssl, timer_cb);
	if (config->role == CB_DTLS_CLIENT)
		SSL_set_connect_state(s->ssl);
	else
		SSL_set_accept_state(s->ssl);
	*out = s;
	return 0;
error:
	cb_dtls_session_free(s);
	return res;
}

void cb_dtls_session_free(struct cb_dtls_session *s)
{
	if (s == NULL)
		return;
	SSL_free(s->ssl);	/* frees both BIOs */
	SSL_CTX_free(s->ctx);
	cb_secret_wipe(s->early, sizeof(s->early));
	free(s);
}

/* RFC 5764 section 4.2: client_key | server_key | client_salt |
 * server_salt; each side sends with its own half. */
static int export_keys(struct cb_dtls_session *s)
{
	const SRTP_PROTECTION_PROFILE *p = SSL_get_selected_srtp_profile(s->ssl);
	uint8_t km[2 * CB_KEY_MAX];
	struct cb_key client = { .set = true }, server = { .set = true };
	size_t key_len, salt_len;
	int res = -EPROTO;

	if (p == NULL)
		return -EPROTO;
	for (size_t i = 0; i < N_PROFILES; i++)
		if (profiles[i].id == p->id)
			s->suite = profiles[i].suite;
	switch (s->suite) {
	case CB_SRTP_AES_CM_128_HMAC_SHA1_80:
	case CB_SRTP_AES_CM_128_HMAC_SHA1_32:
		key_len = 16, salt_len = 14;
		break;
	case CB_SRTP_AEAD_AES_128_GCM:
		key_len = 16, salt_len = 12;
		break;
	case CB_SRTP_AEAD_AES_256_GCM:
		key_len = 32, salt_len = 12;
		break;
	default:
		return -EPROTO;
	}
	if (SSL_export_keying_material(s->ssl, km, 2 * (key_len + salt_len), "EXTRACTOR-dtls_srtp",
				       19, NULL, 0, 0) != 1)
		goto out;
	memcpy(client.bytes, km, key_len);
	memcpy(client.bytes + key_len, km + 2 * key_len, salt_len);
	memcpy(server.bytes, km + key_len, key_len);
	memcpy(server.bytes + key_len, km + 2 * key_len + salt_len, salt_len);
	client.len = server.len = key_len + salt_len;
	res = s->config.role == CB_DTLS_CLIENT ?
	      cb_keying_set(s->config.keying, s->suite, &client, &server) :
	      cb_keying_set(s->config.keying, s->suite, &server, &client);
out:
	cb_secret_wipe(km, sizeof(km));
	cb_secret_wipe(&client, sizeof(client));
	cb_secret_wipe(&server, sizeof(server));
	return res;
}

static bool fingerprint_matches(struct cb_dtls_session *s)
{
	X509 *peer = SSL_get1_peer_certificate(s->ssl);
	uint8_t fp[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	bool ok;

	if (peer == NULL)
		return false;
	ok = X509_digest(peer, EVP_sha256(), fp, &len) == 1 && len == CB_SHA256_LEN &&
	     memcmp(fp, s->config.remote_fingerprint, CB_SHA256_LEN) == 0;
	X509_free(peer);
	return ok;
}

static void after_io(struct cb_dtls_session *s, int ret)
{
	char reason[120];

	switch (SSL_get_error(s->ssl, ret)) {
	case SSL_ERROR_NONE:
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return;
	case SSL_ERROR_ZERO_RETURN:
		s->state = CB_DTLS_CLOSED;
		cb_keying_revoke(s->config.keying);
		if (s->events.state_changed)
			s->events.state_changed(s->data, s->state, "the peer closed DTLS");
		return;
	default:
		ERR_error_string_n(ERR_peek_last_error(), reason, sizeof(reason));
		ERR_clear_error();
		fail(s, "DTLS handshake failed", reason);
	}
}

static void drive(struct cb_dtls_session *s)
{
	uint8_t sink[RECORD_MAX];
	int ret;

	ERR_clear_error();
	if (s->state == CB_DTLS_CONNECTING) {
		ret = SSL_do_handshake(s->ssl);
		if (ret != 1) {
			after_io(s, ret);
			return;
		}
		if (!fingerprint_matches(s)) {
			fail(s, "the peer's certificate does not match its a=fingerprint", NULL);
			return;
		}
		if (export_keys(s) < 0) {
			fail(s, "no SRTP profile agreed, or keys not exported", NULL);
			return;
		}
		s->state = CB_DTLS_CONNECTED;
		if (s->events.state_changed)
			s->events.state_changed(s->data, s->state, NULL);
	}
	/* After the handshake: alerts (close_notify) and retransmitted final
	 * flights; no application data is expected. */
	while (s->state == CB_DTLS_CONNECTED && (ret = SSL_read(s->ssl, sink, sizeof(sink))) > 0)
		;
	if (s->state == CB_DTLS_CONNECTED)
		after_io(s, ret);
}

void cb_dtls_session_start(struct cb_dtls_session *s, uint64_t now_ms)
{
	if (s->started || s->state != CB_DTLS_NEW)
		return;
	s->started = true;
	s->started_ms = now_ms;
	s->state = CB_DTLS_CONNECTING;
	if (s->config.role == CB_DTLS_CLIENT)
		drive(s);
	for (uint32_t i = 0; i < s->n_early; i++) {
		BIO_write(s->rbio, s->early[i], (int)s->early_len[i]);
		drive(s);
	}
	cb_secret_wipe(s->early, sizeof(s->early));
	s->n_early = 0;
}

void cb_dtls_session_input(struct cb_dtls_session *s, const uint8_t *buf, size_t len,
			   uint64_t now_ms)
{
	atomic_fetch_add_explicit(&s->counters.records_in, 1, memory_order_relaxed);
	if (len == 0 || len > RECORD_MAX || s->state == CB_DTLS_FAILED ||
	    s->state == CB_DTLS_CLOSED) {
		atomic_fetch_add_explicit(&s->counters.dropped, 1, memory_order_relaxed);
		return;
	}
	if (!s->started) {
		if (s->n_early >= EARLY_MAX) {
			atomic_fetch_add_explicit(&s->counters.dropped, 1, memory_order_relaxed);
			return;
		}
		memcpy(s->early[s->n_early], buf, len);
		s->early_len[s->n_early++] = len;
		atomic_fetch_add_explicit(&s->counters.early_records, 1, memory_order_relaxed);
		return;
	}
	BIO_write(s->rbio, buf, (int)len);
	drive(s);
}

int cb_dtls_session_next_timeout_ms(struct cb_dtls_session *s, uint64_t now_ms)
{
	struct timeval tv;
	uint32_t give_up = s->config.give_up_ms ? s->config.give_up_ms : GIVE_UP_MS;
	uint64_t until_give_up;

	if (s->state != CB_DTLS_CONNECTING)
		return -1;
	until_give_up = s->started_ms + give_up > now_ms ? s->started_ms + give_up - now_ms : 0;
	if (DTLSv1_get_timeout(s->ssl, &tv) != 1)
		return (int)until_give_up;
	uint64_t ms = (uint64_t)tv.tv_sec * 1000 + (uint64_t)(tv.tv_usec + 999) / 1000;
	return (int)(ms < until_give_up ? ms : until_give_up);
}

void cb_dtls_session_timeout(struct cb_dtls_session *s, uint64_t now_ms)
{
	uint32_t give_up = s->config.give_up_ms ? s->config.give_up_ms : GIVE_UP_MS;

	if (s->state != CB_DTLS_CONNECTING)
		return;
	if (now_ms >= s->started_ms + give_up) {
		char why[64];
		snprintf(why, sizeof(why), "no DTLS handshake after %u ms; giving up", give_up);
		fail(s, why, NULL);
		return;
	}
	ERR_clear_error();
	if (DTLSv1_handle_timeout(s->ssl) > 0)
		atomic_fetch_add_explicit(&s->counters.retransmits, 1, memory_order_relaxed);
}

void cb_dtls_session_close(struct cb_dtls_session *s)
{
	if (s->state != CB_DTLS_CONNECTED)
		return;
	ERR_clear_error();
	SSL_shutdown(s->ssl);
	s->state = CB_DTLS_CLOSED;
	cb_keying_revoke(s->config.keying);
}

enum cb_dtls_state cb_dtls_session_state(const struct cb_dtls_session *s)
{
	return s->state;
}

enum cb_srtp_suite cb_dtls_session_suite(const struct cb_dtls_session *s)
{
	return s->state == CB_DTLS_CONNECTED ? s->suite : CB_SRTP_NONE;
}

const char *cb_dtls_session_failure(const struct cb_dtls_session *s)
{
	return s->failure;
}

const struct cb_dtls_counters *cb_dtls_session_counters(const struct cb_dtls_session *s)
{
	return &s->counters;
}
