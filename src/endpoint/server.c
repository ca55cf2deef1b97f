#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "endpoint/endpoint.h"
#include "endpoint/fanout.h"
#include "endpoint/slot.h"
#include "transport/glib-thread.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/secret.h"

#define BODY_MAX (16 * 1024)
#define ANSWER_MAX CB_OFFER_MAX
#define TICK_MS 500
/* Requests per second, as token buckets: per client address and for all.
 * A browser session takes 2-4 (POST, a PATCH or two, DELETE). */
#define RATE_PER_CLIENT 10
#define BURST_PER_CLIENT 20
#define RATE_ALL 40
#define BURST_ALL 80
#define CLIENTS 64

extern const char cb_guest_page[];
extern const size_t cb_guest_page_len;

struct bucket {
	char client[64];
	double tokens;
	uint64_t last_ms;
};

struct route {
	struct cb_endpoint_route r;
	uint32_t n_peers;
	struct cb_peer *peers[CB_FANOUT_MAX];
	uint64_t sessions_total;
};

struct cb_endpoint {
	struct cb_endpoint_params config;	/* wiped on free: the token */
	GMainContext *ctx;			/* the GLib thread's */
	char base[128];

	/* The GLib thread only. */
	SoupServer *server;
	GSource *tick;
	uint32_t n_routes;
	struct route *routes;
	struct bucket buckets[CLIENTS];
	struct bucket all;
	char link[1024];			/* the [ice] servers, as Link */

	/* Published by the tick for the main thread, under lock. */
	pthread_mutex_t lock;
	struct cb_endpoint_route_info *info;
	struct cb_endpoint_counters counters;	/* the GLib thread's, copied */
	struct cb_endpoint_counters published;
};

static uint64_t now_ms(void)
{
	return cb_now_ns() / 1000000ull;
}

bool cb_endpoint_bearer_ok(const char *header, const char *token)
{
	unsigned char a[SHA256_DIGEST_LENGTH], b[SHA256_DIGEST_LENGTH];
	bool ok;

	if (header == NULL || token == NULL || token[0] == '\0' ||
	    strncasecmp(header, "Bearer ", 7) != 0)
		return false;
	header += 7;
	while (*header == ' ')
		header++;
	/* Hashes of equal length, compared in constant time: neither the
	 * token's length nor its prefix leaks through timing. */
	SHA256((const unsigned char *)header, strlen(header), a);
	SHA256((const unsigned char *)token, strlen(token), b);
	ok = CRYPTO_memcmp(a, b, sizeof(a)) == 0;
	cb_secret_wipe(a, sizeof(a));
	cb_secret_wipe(b, sizeof(b));
	return ok;
}

static bool take_token(struct bucket *b, uint64_t now, double rate, double burst)
{
	if (b->last_ms == 0)
		b->tokens = burst;
	else
		b->tokens += (double)(now - b->last_ms) * rate / 1000.0;
	if (b->tokens > burst)
		b->tokens = burst;
	b->last_ms = now;
	if (b->tokens < 1.0)
		return false;
	b->tokens -= 1.0;
	return true;
}

static bool rate_ok(struct cb_endpoint *e, const char *client)
{
	uint64_t now = now_ms();
	struct bucket *b = NULL, *oldest = &e->buckets[0];

	for (uint32_t i = 0; i < CLIENTS && b == NULL; i++) {
		if (strcmp(e->buckets[i].client, client) == 0)
			b = &e->buckets[i];
		else if (e->buckets[i].last_ms < oldest->last_ms)
			oldest = &e->buckets[i];
	}
	if (b == NULL) {
		/* The least recently seen address gives its bucket up. */
		b = oldest;
		memset(b, 0, sizeof(*b));
		snprintf(b->client, sizeof(b->client), "%s", client);
	}
	return take_token(b, now, RATE_PER_CLIENT, BURST_PER_CLIENT) &&
	       take_token(&e->all, now, RATE_ALL, BURST_ALL);
}

/* ---- responses ---- */

static void cors(struct cb_endpoint *e, SoupServerMessage *msg)
{
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);

	if (!e->config.allow_origin[0])
		return;
	soup_message_headers_replace(h, "Access-Control-Allow-Origin", e->config.allow_origin);
	soup_message_headers_replace(h, "Access-Control-Expose-Headers",
				     "Location, Link, ETag, Accept-Patch");
	if (strcmp(e->config.allow_origin, "*") != 0)
		soup_message_headers_replace(h, "Vary", "Origin");
}

/* Every response says where its body ends: without a Content-Length a
 * response ends with the connection, and the client's next request on it
 * (a PATCH right after the POST) would hit a closing socket. */
static void no_body(SoupServerMessage *msg, unsigned int status)
{
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);

	if (status == 204 || status == 304)
		/* libsoup 3.2 resets the connection on the request after a
		 * 204 (measured: aiohttp and http.client both saw ECONNRESET
		 * on their next PATCH): say the connection ends instead. */
		soup_message_headers_replace(h, "Connection", "close");
	else
		soup_message_headers_set_content_length(h, 0);
}

static void reply(struct cb_endpoint *e, SoupServerMessage *msg, unsigned int status,
		  const char *text)
{
	soup_server_message_set_status(msg, status, NULL);
	cors(e, msg);
	no_body(msg, status);
	if (text && text[0]) {
		char body[400];
		int n = snprintf(body, sizeof(body), "%s\n", text);
		soup_server_message_set_response(msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY,
						 body, (gsize)(n < (int)sizeof(body) ? n : (int)sizeof(body) - 1));
	}
}

static void client_of(SoupServerMessage *msg, char *out, size_t len)
{
	const char *host = soup_server_message_get_remote_host(msg);

	snprintf(out, len, "%s", host ? host : "?");
}

/* ---- routing ---- */

static struct route *find_route(struct cb_endpoint *e, const char *path, const char **id)
{
	for (uint32_t i = 0; i < e->n_routes; i++) {
		struct route *r = &e->routes[i];
		size_t n = strlen(r->r.path);

		if (strncmp(path, r->r.path, n) != 0)
			continue;
		if (path[n] == '\0') {
			*id = NULL;
			return r;
		}
		if (path[n] == '/' && path[n + 1] && !strchr(path + n + 1, '/')) {
			*id = path + n + 1;
			return r;
		}
	}
	return NULL;
}

static int find_peer(struct route *r, const char *id)
{
	for (uint32_t i = 0; i < r->n_peers; i++)
		if (strcmp(r->peers[i]->id, id) == 0)
			return (int)i;
	return -1;
}

static void end_peer(struct cb_endpoint *e, struct route *r, uint32_t i, const char *why)
{
	struct cb_peer *p = r->peers[i];

	pw_log_info("endpoint %s %s (%s): ended: %s", r->r.path, p->id, p->config.client, why);
	if (r->r.whep) {
		cb_fanout_remove(r->r.transport, p->transport);
	} else {
		cb_slot_detach(r->r.transport, p->transport);
		/* Nothing more is authenticated with this publisher's keys. */
		cb_keying_revoke(r->r.keying);
	}
	r->peers[i] = r->peers[--r->n_peers];
	r->peers[r->n_peers] = NULL;
	cb_peer_free(p);
}

/* A Link header for [ice]'s servers (RFC 9725 section 4.6). */
static void make_link(struct cb_endpoint *e)
{
	const struct cb_ice_params *ice = &e->config.ice;
	size_t used = 0;

	e->link[0] = '\0';
	if (ice->stun_server.set)
		used += (size_t)snprintf(e->link + used, sizeof(e->link) - used,
					 "<stun:%s>; rel=\"ice-server\"", ice->stun_server.text);
	if (ice->turn_server.set && used < sizeof(e->link))
		snprintf(e->link + used, sizeof(e->link) - used,
			 "%s<turn%s:%s?transport=%s>; rel=\"ice-server\"; username=\"%s\"; "
			 "credential=\"%s\"; credential-type=\"password\"", used ? ", " : "",
			 ice->turn_transport == CB_TURN_TLS ? "s" : "", ice->turn_server.text,
			 ice->turn_transport == CB_TURN_UDP ? "udp" : "tcp", ice->turn_username,
			 ice->turn_password);
}

static void handle_post(struct cb_endpoint *e, SoupServerMessage *msg, struct route *r,
			const char *client)
{
	SoupMessageHeaders *req = soup_server_message_get_request_headers(msg);
	SoupMessageHeaders *resp = soup_server_message_get_response_headers(msg);
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	const char *ctype = soup_message_headers_get_content_type(req, NULL);
	struct cb_peer_config *pc = NULL;
	struct cb_offer_terms terms = { .whep = r->r.whep, .media = r->r.media };
	struct cb_peer *p = NULL;
	char *answer = NULL, reason[300] = "", location[CB_ENDPOINT_PATH + CB_PEER_ID_LEN + 2];
	unsigned int status = 0;
	GBytes *bytes;
	gsize len;
	const char *data;

	if (ctype == NULL || g_ascii_strcasecmp(ctype, "application/sdp") != 0) {
		reply(e, msg, 415, "the offer must be Content-Type: application/sdp");
		return;
	}
	if (!r->r.whep && r->n_peers > 0) {
		e->counters.conflicts++;
		reply(e, msg, 409, "this path has a publisher already: one at a time (DELETE it, "
		      "or wait for it to time out)");
		return;
	}
	if (r->r.whep && r->n_peers >= e->config.max_viewers) {
		soup_message_headers_replace(resp, "Retry-After", "10");
		reply(e, msg, 503, "this stream has as many viewers as max-viewers allows");
		return;
	}
	bytes = soup_message_body_flatten(body);
	data = g_bytes_get_data(bytes, &len);
	if (len > BODY_MAX) {
		g_bytes_unref(bytes);
		e->counters.too_large++;
		reply(e, msg, 413, "the offer is larger than 16 KiB");
		return;
	}
	pc = calloc(1, sizeof(*pc));
	answer = malloc(ANSWER_MAX);
	if (pc == NULL || answer == NULL) {
		reply(e, msg, 500, "out of memory");
		goto out;
	}
	pc->whep = r->r.whep;
	snprintf(pc->label, sizeof(pc->label), "%s", r->r.path);
	pc->ice = e->config.ice;
	pc->certificate = e->config.certificate;
	pc->suites = e->config.suites;
	pc->keying = r->r.whep ? NULL : r->r.keying;
	snprintf(pc->name, sizeof(pc->name), "%s", e->config.call);
	snprintf(pc->cname, sizeof(pc->cname), "%s", e->config.cname);
	snprintf(pc->client, sizeof(pc->client), "%s", client);
	if (cb_peer_new(&p, pc, &terms, data ? data : "", len, answer, ANSWER_MAX, &status,
			reason, sizeof(reason)) < 0) {
		e->counters.refused_offers++;
		pw_log_info("endpoint %s: offer from %s refused (%u): %s", r->r.path, client,
			    status, reason);
		reply(e, msg, status ? status : 500, reason);
		goto out;
	}
	if (r->r.whep) {
		struct cb_fanout_viewer v = {
			.transport = p->transport, .keying = p->keying,
			.payload_type = p->payload_type, .audio_level_ext_id = p->audio_level_ext_id,
			.counters = &p->fan,
		};
		if (cb_fanout_add(r->r.transport, &v) < 0) {
			cb_peer_free(p);
			reply(e, msg, 503, "too many viewers");
			goto out;
		}
	} else if (cb_slot_attach(r->r.transport, p->transport, p->payload_type) < 0) {
		cb_peer_free(p);
		reply(e, msg, 409, "this path has a publisher already");
		goto out;
	}
	r->peers[r->n_peers++] = p;
	r->sessions_total++;
	snprintf(location, sizeof(location), "%s/%s", r->r.path, p->id);
	soup_message_headers_replace(resp, "Location", location);
	soup_message_headers_replace(resp, "ETag", p->etag);
	soup_message_headers_replace(resp, "Accept-Patch", "application/trickle-ice-sdpfrag");
	if (e->link[0])
		soup_message_headers_append(resp, "Link", e->link);
	soup_server_message_set_status(msg, 201, NULL);
	cors(e, msg);
	soup_server_message_set_response(msg, "application/sdp", SOUP_MEMORY_COPY, answer,
					 strlen(answer));
out:
	g_bytes_unref(bytes);
	if (pc) {
		cb_secret_wipe(pc, sizeof(*pc));
		free(pc);
	}
	if (answer) {
		cb_secret_wipe(answer, ANSWER_MAX);
		free(answer);
	}
}

static void handle_patch(struct cb_endpoint *e, SoupServerMessage *msg, struct route *r,
			 int i)
{
	SoupMessageHeaders *req = soup_server_message_get_request_headers(msg);
	SoupMessageHeaders *resp = soup_server_message_get_response_headers(msg);
	const char *ctype = soup_message_headers_get_content_type(req, NULL);
	GBytes *bytes;
	const char *data;
	gsize len;
	char *out, reason[256] = "";
	size_t out_len = 0;
	unsigned int status;

	if (ctype == NULL || g_ascii_strcasecmp(ctype, "application/trickle-ice-sdpfrag") != 0) {
		soup_message_headers_replace(resp, "Accept-Patch", "application/trickle-ice-sdpfrag");
		reply(e, msg, 415, "PATCH takes application/trickle-ice-sdpfrag");
		return;
	}
	if ((out = malloc(ANSWER_MAX)) == NULL) {
		reply(e, msg, 500, "out of memory");
		return;
	}
	bytes = soup_message_body_flatten(soup_server_message_get_request_body(msg));
	data = g_bytes_get_data(bytes, &len);
	status = cb_peer_patch(r->peers[i], soup_message_headers_get_one(req, "If-Match"),
			       data ? data : "", len, out, ANSWER_MAX, &out_len, reason,
			       sizeof(reason));
	g_bytes_unref(bytes);
	if (status >= 400) {
		e->counters.bad_patches++;
		reply(e, msg, status, reason);
	} else {
		soup_message_headers_replace(resp, "ETag", r->peers[i]->etag);
		soup_server_message_set_status(msg, status, NULL);
		cors(e, msg);
		no_body(msg, status);
		if (out_len)
			soup_server_message_set_response(msg, "application/trickle-ice-sdpfrag",
							 SOUP_MEMORY_COPY, out, out_len);
	}
	cb_secret_wipe(out, ANSWER_MAX);
	free(out);
}

static void handle_options(struct cb_endpoint *e, SoupServerMessage *msg, bool resource)
{
	SoupMessageHeaders *resp = soup_server_message_get_response_headers(msg);
	const char *methods = resource ? "PATCH, DELETE, OPTIONS" : "POST, OPTIONS";

	soup_message_headers_replace(resp, "Allow", methods);
	soup_message_headers_replace(resp, "Accept-Post", "application/sdp");
	soup_message_headers_replace(resp, "Accept-Patch", "application/trickle-ice-sdpfrag");
	if (e->config.allow_origin[0]) {
		soup_message_headers_replace(resp, "Access-Control-Allow-Methods", methods);
		soup_message_headers_replace(resp, "Access-Control-Allow-Headers",
					     "Authorization, Content-Type, If-Match");
		soup_message_headers_replace(resp, "Access-Control-Max-Age", "600");
	}
	reply(e, msg, 204, NULL);
}

static void handle_page(struct cb_endpoint *e, SoupServerMessage *msg)
{
	SoupMessageHeaders *resp = soup_server_message_get_response_headers(msg);

	/* Everything the page needs is in it: nothing else may load. */
	soup_message_headers_replace(resp, "Content-Security-Policy",
				     "default-src 'none'; script-src 'unsafe-inline'; "
				     "style-src 'unsafe-inline'; connect-src 'self'; "
				     "media-src 'self' blob: mediastream:; img-src data:");
	soup_message_headers_replace(resp, "Referrer-Policy", "no-referrer");
	soup_message_headers_replace(resp, "Cache-Control", "no-store");
	soup_server_message_set_status(msg, 200, NULL);
	soup_server_message_set_response(msg, "text/html; charset=utf-8", SOUP_MEMORY_STATIC,
					 cb_guest_page, cb_guest_page_len);
}

/* Before the body is read: the rate limit, the size, the token. */
static void early(SoupServer *server, SoupServerMessage *msg, const char *path,
		  GHashTable *query, gpointer data)
{
	struct cb_endpoint *e = data;
	SoupMessageHeaders *req = soup_server_message_get_request_headers(msg);
	const char *method = soup_server_message_get_method(msg);
	char client[64];

	e->counters.requests++;
	client_of(msg, client, sizeof(client));
	if (!rate_ok(e, client)) {
		e->counters.rate_limited++;
		soup_message_headers_replace(soup_server_message_get_response_headers(msg),
					     "Retry-After", "1");
		reply(e, msg, 429, "too many requests");
		return;
	}
	if (strcmp(method, "POST") == 0 || strcmp(method, "PATCH") == 0) {
		SoupEncoding enc = soup_message_headers_get_encoding(req);
		if (enc != SOUP_ENCODING_CONTENT_LENGTH && enc != SOUP_ENCODING_NONE) {
			reply(e, msg, 411, "send the body with a Content-Length");
			return;
		}
		if (soup_message_headers_get_content_length(req) > BODY_MAX) {
			e->counters.too_large++;
			reply(e, msg, 413, "the body is larger than 16 KiB");
			return;
		}
	}
	if (strcmp(method, "OPTIONS") == 0 || (strcmp(method, "GET") == 0 &&
					       (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0)))
		return;
	if (!cb_endpoint_bearer_ok(soup_message_headers_get_one(req, "Authorization"),
				   e->config.token)) {
		e->counters.unauthorized++;
		soup_message_headers_replace(soup_server_message_get_response_headers(msg),
					     "WWW-Authenticate", "Bearer");
		reply(e, msg, 401, "a valid bearer token is needed");
	}
}

static void handle(SoupServer *server, SoupServerMessage *msg, const char *path,
		   GHashTable *query, gpointer data)
{
	struct cb_endpoint *e = data;
	const char *method = soup_server_message_get_method(msg);
	const char *id = NULL;
	struct route *r;
	char client[64];
	int i = -1;

	if (soup_server_message_get_status(msg) != 0)
		return;		/* refused early */
	client_of(msg, client, sizeof(client));
	if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0) {
		if (e->config.page && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0))
			handle_page(e, msg);
		else
			reply(e, msg, e->config.page ? 405 : 404, NULL);
		return;
	}
	if ((r = find_route(e, path, &id)) == NULL) {
		reply(e, msg, 404, "no such endpoint");
		return;
	}
	if (strcmp(method, "OPTIONS") == 0) {
		handle_options(e, msg, id != NULL);
		return;
	}
	if (id == NULL) {
		if (strcmp(method, "POST") == 0)
			handle_post(e, msg, r, client);
		else
			reply(e, msg, 405, "POST an offer here");
		return;
	}
	if ((i = find_peer(r, id)) < 0) {
		reply(e, msg, 404, "no such session (it ended, or timed out)");
		return;
	}
	if (strcmp(method, "DELETE") == 0) {
		end_peer(e, r, (uint32_t)i, "DELETE");
		reply(e, msg, 200, NULL);
	} else if (strcmp(method, "PATCH") == 0) {
		handle_patch(e, msg, r, i);
	} else {
		reply(e, msg, 405, "PATCH or DELETE a session");
	}
}

/* ---- the tick: reaping, and what status shows ---- */

static void publish(struct cb_endpoint *e, uint64_t now)
{
	pthread_mutex_lock(&e->lock);
	for (uint32_t k = 0; k < e->n_routes; k++) {
		struct route *r = &e->routes[k];
		struct cb_endpoint_route_info *ri = &e->info[k];

		snprintf(ri->path, sizeof(ri->path), "%s", r->r.path);
		snprintf(ri->name, sizeof(ri->name), "%s", r->r.name);
		ri->whep = r->r.whep;
		ri->sessions_total = r->sessions_total;
		ri->n_peers = 0;
		for (uint32_t i = 0; i < r->n_peers && i < CB_ENDPOINT_INFO_PEERS; i++)
			cb_peer_describe(r->peers[i], now, &ri->peers[ri->n_peers++]);
	}
	e->published = e->counters;
	pthread_mutex_unlock(&e->lock);
}

static gboolean on_tick(gpointer data)
{
	struct cb_endpoint *e = data;
	uint64_t now = now_ms();

	for (uint32_t k = 0; k < e->n_routes; k++) {
		struct route *r = &e->routes[k];
		for (uint32_t i = 0; i < r->n_peers;) {
			if (cb_peer_alive(r->peers[i], now, e->config.consent_timeout_ms)) {
				i++;
				continue;
			}
			e->counters.reaped++;
			end_peer(e, r, i, "no packets for the consent timeout (closed without "
				 "DELETE, or the path is gone), or DTLS failed");
		}
	}
	publish(e, now);
	return G_SOURCE_CONTINUE;
}

/* ---- TLS ---- */

static GTlsCertificate *self_signed(struct cb_endpoint *e, char *err, size_t err_len)
{
	struct cb_dtls_certificate *c = NULL;
	GTlsCertificate *cert = NULL;
	GError *gerr = NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	char fp[CB_FINGERPRINT_TEXT_MAX];
	char *pem;
	long n;

	if (bio == NULL || cb_dtls_certificate_generate(&c) < 0) {
		snprintf(err, err_len, "cannot make a self-signed certificate");
		goto out;
	}
	if (!PEM_write_bio_X509(bio, cb_dtls_certificate_x509(c)) ||
	    !PEM_write_bio_PrivateKey(bio, cb_dtls_certificate_key(c), NULL, NULL, 0, NULL, NULL)) {
		snprintf(err, err_len, "cannot encode the self-signed certificate");
		goto out;
	}
	n = BIO_get_mem_data(bio, &pem);
	if ((cert = g_tls_certificate_new_from_pem(pem, n, &gerr)) == NULL) {
		snprintf(err, err_len, "TLS: %s (is glib-networking installed?)",
			 gerr ? gerr->message : "?");
		goto out;
	}
	cb_dtls_format_fingerprint(cb_dtls_certificate_fingerprint(c), CB_SHA256_LEN, fp,
				   sizeof(fp));
	pw_log_info("call %s: endpoint TLS: self-signed certificate, sha-256 %s (compare it "
		    "with what the browser shows before you accept it)", e->config.call, fp);
out:
	if (bio) {
		BIO_free(bio);
	}
	g_clear_error(&gerr);
	cb_dtls_certificate_free(c);
	return cert;
}

struct start_call {
	struct cb_endpoint *e;
	char *err;
	size_t err_len;
	int result;
};

static gboolean start_in_thread(gpointer data)
{
	struct start_call *c = data;
	struct cb_endpoint *e = c->e;
	GTlsCertificate *cert = NULL;
	GSocketAddress *addr;
	GError *gerr = NULL;
	GSList *uris;

	c->result = -EINVAL;
	if (e->config.tls) {
		if (e->config.tls_certificate_file[0])
			cert = g_tls_certificate_new_from_files(e->config.tls_certificate_file,
								e->config.tls_key_file, &gerr);
		else
			cert = self_signed(e, c->err, c->err_len);
		if (cert == NULL) {
			if (gerr)
				snprintf(c->err, c->err_len, "TLS: %s", gerr->message);
			g_clear_error(&gerr);
			return G_SOURCE_REMOVE;
		}
	}
	e->server = soup_server_new("server-header", "callbridge", cert ? "tls-certificate" : NULL,
				    cert, NULL);
	if (cert)
		g_object_unref(cert);
	soup_server_add_early_handler(e->server, NULL, early, e, NULL);
	soup_server_add_handler(e->server, NULL, handle, e, NULL);
	addr = g_socket_address_new_from_native((gpointer)&e->config.listen.addr,
						e->config.listen.len);
	if (addr == NULL || !soup_server_listen(e->server, addr, e->config.tls ?
						SOUP_SERVER_LISTEN_HTTPS : 0, &gerr)) {
		snprintf(c->err, c->err_len, "cannot listen on %s: %s", e->config.listen.text,
			 gerr ? gerr->message : "bad address");
		g_clear_error(&gerr);
		if (addr)
			g_object_unref(addr);
		return G_SOURCE_REMOVE;
	}
	g_object_unref(addr);
	uris = soup_server_get_uris(e->server);
	if (uris) {
		char *host = g_uri_get_host(uris->data) ? g_strdup(g_uri_get_host(uris->data)) : NULL;
		snprintf(e->base, sizeof(e->base), "%s://%s%s%s:%d", e->config.tls ? "https" : "http",
			 host && strchr(host, ':') ? "[" : "", host ? host : "?",
			 host && strchr(host, ':') ? "]" : "", g_uri_get_port(uris->data));
		g_free(host);
	}
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
	e->tick = g_timeout_source_new(TICK_MS);
	g_source_set_callback(e->tick, on_tick, e, NULL);
	g_source_attach(e->tick, e->ctx);
	c->result = 0;
	return G_SOURCE_REMOVE;
}

static gboolean stop_in_thread(gpointer data)
{
	struct cb_endpoint *e = data;

	cb_glib_source_clear(&e->tick);
	for (uint32_t k = 0; k < e->n_routes; k++)
		while (e->routes[k].n_peers)
			end_peer(e, &e->routes[k], 0, "the call ends");
	if (e->server) {
		soup_server_disconnect(e->server);
		g_object_unref(e->server);
		e->server = NULL;
	}
	return G_SOURCE_REMOVE;
}

int cb_endpoint_new(struct cb_endpoint **out, const struct cb_endpoint_params *config,
		    char *err, size_t err_len)
{
	struct cb_endpoint *e = calloc(1, sizeof(*e));
	struct start_call c = { .e = e, .err = err, .err_len = err_len };

	if (e == NULL)
		return -ENOMEM;
	e->config = *config;
	pthread_mutex_init(&e->lock, NULL);
	e->n_routes = config->n_routes;
	e->routes = calloc(e->n_routes ? e->n_routes : 1, sizeof(*e->routes));
	e->info = calloc(e->n_routes ? e->n_routes : 1, sizeof(*e->info));
	if (e->routes == NULL || e->info == NULL) {
		cb_endpoint_free(e);
		return -ENOMEM;
	}
	for (uint32_t k = 0; k < e->n_routes; k++)
		e->routes[k].r = config->routes[k];
	make_link(e);
	if ((e->ctx = cb_glib_thread_ref()) == NULL) {
		snprintf(err, err_len, "cannot start the GLib thread");
		cb_endpoint_free(e);
		return -ENOMEM;
	}
	cb_glib_thread_call(start_in_thread, &c);
	if (c.result < 0) {
		cb_endpoint_free(e);
		return c.result;
	}
	pw_log_info("call %s: endpoint listening on %s/ (%u path%s%s)", config->call, e->base,
		    e->n_routes, e->n_routes == 1 ? "" : "s", config->page ? ", guest page at /" : "");
	for (uint32_t k = 0; k < e->n_routes; k++)
		pw_log_info("call %s: endpoint %s %s%s -> %s %s", config->call,
			    e->routes[k].r.whep ? "WHEP" : "WHIP", e->base, e->routes[k].r.path,
			    e->routes[k].r.whep ? "stream" : "remote", e->routes[k].r.name);
	*out = e;
	return 0;
}

void cb_endpoint_free(struct cb_endpoint *e)
{
	if (e == NULL)
		return;
	if (e->ctx) {
		cb_glib_thread_call(stop_in_thread, e);
		cb_glib_thread_unref();
	}
	free(e->routes);
	free(e->info);
	pthread_mutex_destroy(&e->lock);
	cb_secret_wipe(&e->config, sizeof(e->config));
	cb_secret_wipe(e->link, sizeof(e->link));
	free(e);
}

const char *cb_endpoint_base(const struct cb_endpoint *e)
{
	return e->base;
}

struct kick_call {
	struct cb_endpoint *e;
	const char *name;
	int result;
};

static gboolean kick_in_thread(gpointer data)
{
	struct kick_call *c = data;
	struct cb_endpoint *e = c->e;

	c->result = -ENOENT;
	for (uint32_t k = 0; k < e->n_routes; k++) {
		struct route *r = &e->routes[k];
		const char *last = strrchr(r->r.path, '/');

		if (strcmp(r->r.name, c->name) != 0 && strcmp(last + 1, c->name) != 0 &&
		    strcmp(r->r.path, c->name) != 0)
			continue;
		c->result = 0;
		while (r->n_peers) {
			e->counters.kicked++;
			end_peer(e, r, 0, "kicked (control)");
		}
	}
	return G_SOURCE_REMOVE;
}

int cb_endpoint_kick(struct cb_endpoint *e, const char *name)
{
	struct kick_call c = { .e = e, .name = name };

	cb_glib_thread_call(kick_in_thread, &c);
	return c.result;
}

uint32_t cb_endpoint_info(struct cb_endpoint *e, struct cb_endpoint_route_info *out,
			  uint32_t max, struct cb_endpoint_counters *counters)
{
	uint32_t n;

	pthread_mutex_lock(&e->lock);
	n = e->n_routes < max ? e->n_routes : max;
	if (out)
		memcpy(out, e->info, n * sizeof(*out));
	if (counters)
		*counters = e->published;
	pthread_mutex_unlock(&e->lock);
	return n;
}
