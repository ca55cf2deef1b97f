#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "dtls/dtls-transport.h"
#include "transport/glib-thread.h"
#include "util/clock.h"
#include "util/secret.h"

#define EARLY_MAX 8
#define EARLY_RECORD_MAX 1500

struct dtls_transport {
	struct cb_transport base;
	struct cb_transport *inner;
	cb_dtls_transport_done done;
	void *data;

	/* The GLib thread only. */
	struct cb_dtls_config config;	/* the role and fingerprint may come later */
	struct cb_dtls_session *session;	/* NULL until the peer is known */
	GMainContext *ctx;
	GSource *timer;
	bool path_up;
	bool started;		/* the current session's handshake began */
	bool closing;
	/* Records that came before the peer was known (an answerer's hello
	 * racing the answer's arrival): replayed into the session. */
	uint32_t n_early;
	uint8_t early[EARLY_MAX][EARLY_RECORD_MAX];
	size_t early_len[EARLY_MAX];

	/* Read by describe from any thread. */
	enum cb_dtls_role role;
	atomic_int state;		/* enum cb_dtls_state */
	atomic_int suite;		/* enum cb_srtp_suite once connected */
};

static uint64_t now_ms(void)
{
	return cb_now_ns() / 1000000ull;
}

static void rearm(struct dtls_transport *d);

static gboolean on_timer(gpointer data)
{
	struct dtls_transport *d = data;

	g_source_unref(d->timer);
	d->timer = NULL;
	cb_dtls_session_timeout(d->session, now_ms());
	rearm(d);
	return G_SOURCE_REMOVE;
}

/* After every call into the session: its next retransmission, if any. */
static void rearm(struct dtls_transport *d)
{
	int ms = cb_dtls_session_next_timeout_ms(d->session, now_ms());

	cb_glib_source_clear(&d->timer);
	if (ms < 0)
		return;
	d->timer = g_timeout_source_new((guint)ms);
	g_source_set_callback(d->timer, on_timer, d, NULL);
	g_source_attach(d->timer, d->ctx);
}

static void on_session_state(void *data, enum cb_dtls_state state, const char *reason)
{
	struct dtls_transport *d = data;

	atomic_store(&d->state, (int)state);
	if (state == CB_DTLS_CONNECTED)
		atomic_store(&d->suite, (int)cb_dtls_session_suite(d->session));
	if (d->done)
		d->done(d->data, state, reason);
}

static int session_send(void *data, const uint8_t *buf, size_t len)
{
	struct dtls_transport *d = data;

	return cb_transport_send(d->inner, buf, len, NULL);
}

/* ---- records and path state, on the GLib thread ---- */

struct record {
	struct dtls_transport *d;
	size_t len;
	uint8_t buf[];
};

/* One record, on the GLib thread: to the session, or kept until there is
 * one. */
static void input(struct dtls_transport *d, const uint8_t *buf, size_t len)
{
	if (d->session == NULL) {
		if (d->n_early < EARLY_MAX && len <= EARLY_RECORD_MAX) {
			memcpy(d->early[d->n_early], buf, len);
			d->early_len[d->n_early++] = len;
		}
		return;
	}
	cb_dtls_session_input(d->session, buf, len, now_ms());
	atomic_store(&d->state, (int)cb_dtls_session_state(d->session));
	rearm(d);
}

static gboolean input_in_thread(gpointer data)
{
	struct record *r = data;

	if (!r->d->closing)
		input(r->d, r->buf, r->len);
	return G_SOURCE_REMOVE;
}

static void free_record(gpointer data)
{
	struct record *r = data;

	cb_secret_wipe(r->buf, r->len);
	free(r);
}

static void on_record(void *data, const uint8_t *buf, size_t len, const struct cb_address *from)
{
	struct dtls_transport *d = data;
	struct record *r;

	if (cb_glib_thread_is_current()) {
		input(d, buf, len);
		return;
	}
	/* An inner transport read on another thread (udp): hand it over. */
	if ((r = malloc(sizeof(*r) + len)) == NULL)
		return;
	r->d = d;
	r->len = len;
	memcpy(r->buf, buf, len);
	cb_glib_thread_post(input_in_thread, r, free_record);
}

/* The handshake starts once both are true: the path is up, and the
 * peer's role and fingerprint are known. */
static void maybe_start(struct dtls_transport *d)
{
	if (!d->path_up || d->session == NULL || d->started)
		return;
	d->started = true;
	cb_dtls_session_start(d->session, now_ms());
	for (uint32_t i = 0; i < d->n_early; i++)
		cb_dtls_session_input(d->session, d->early[i], d->early_len[i], now_ms());
	cb_secret_wipe(d->early, sizeof(d->early));
	d->n_early = 0;
	atomic_store(&d->state, (int)cb_dtls_session_state(d->session));
	rearm(d);
}

static gboolean start_in_thread(gpointer data)
{
	struct dtls_transport *d = data;

	if (d->path_up)
		return G_SOURCE_REMOVE;
	d->path_up = true;
	maybe_start(d);
	return G_SOURCE_REMOVE;
}

static void on_inner_state(void *data, enum cb_transport_state state)
{
	struct dtls_transport *d = data;

	if (state != CB_TRANSPORT_CONNECTED) {
		/* Only the GLib thread moves path_up (ice reports there); a
		 * path that comes back starts a handshake only if a reset made
		 * a new session meanwhile (started stays set otherwise). */
		if (cb_glib_thread_is_current())
			d->path_up = false;
		return;
	}
	if (cb_glib_thread_is_current())
		start_in_thread(d);
	else
		cb_glib_thread_post(start_in_thread, d, NULL);
}

/* ---- the transport interface: media passes through ---- */

static int dtls_send(struct cb_transport *t, const uint8_t *buf, size_t len,
		     const struct cb_address *dest)
{
	return cb_transport_send(((struct dtls_transport *)t)->inner, buf, len, dest);
}

static ssize_t dtls_recv(struct cb_transport *t, uint8_t *buf, size_t cap,
			 struct cb_address *from, uint64_t *arrival_ns)
{
	return cb_transport_recv_stamped(((struct dtls_transport *)t)->inner, buf, cap, from,
					 arrival_ns);
}

static int dtls_fd(struct cb_transport *t)
{
	return cb_transport_fd(((struct dtls_transport *)t)->inner);
}

static void dtls_describe(struct cb_transport *t, struct cb_transport_info *info)
{
	struct dtls_transport *d = (struct dtls_transport *)t;
	enum cb_dtls_state state = (enum cb_dtls_state)atomic_load(&d->state);

	cb_transport_describe(d->inner, info);
	info->has_dtls = true;
	info->dtls_role = cb_dtls_role_name(d->role);
	info->dtls_state = cb_dtls_state_name(state);
	info->srtp_profile = state == CB_DTLS_CONNECTED ?
			     cb_srtp_suite_name((enum cb_srtp_suite)atomic_load(&d->suite)) : NULL;
}

static gboolean teardown_in_thread(gpointer data)
{
	struct dtls_transport *d = data;

	cb_glib_source_clear(&d->timer);
	d->closing = true;
	if (d->session)
		cb_dtls_session_close(d->session);
	cb_dtls_session_free(d->session);
	d->session = NULL;
	cb_secret_wipe(d->early, sizeof(d->early));
	return G_SOURCE_REMOVE;
}

static void dtls_destroy(struct cb_transport *t)
{
	struct dtls_transport *d = (struct dtls_transport *)t;

	cb_transport_set_handler(d->inner, CB_PACKET_DTLS, NULL, NULL);
	cb_transport_set_state_listener(d->inner, NULL, NULL);
	/* Runs after any record posted before the handler went (same
	 * priority, queued earlier), so none is left pointing at us. */
	if (d->ctx)
		cb_glib_thread_call(teardown_in_thread, d);
	cb_transport_destroy(d->inner);
	if (d->ctx)
		cb_glib_thread_unref();
	free(d);
}

static const struct cb_transport_ops dtls_ops = {
	.kind = "dtls",
	.accepts_on_read = true,	/* the inner transport's demux did */
	.send = dtls_send,
	.recv_raw = dtls_recv,
	.fd = dtls_fd,
	.describe = dtls_describe,
	.destroy = dtls_destroy,
};

static int create_session(struct dtls_transport *d)
{
	const struct cb_dtls_events events = { .send = session_send,
					       .state_changed = on_session_state };

	if (cb_dtls_session_new(&d->session, &d->config, &events, d) < 0) {
		d->session = NULL;
		return -EINVAL;
	}
	return 0;
}

struct peer_call {
	struct dtls_transport *d;
	enum cb_dtls_role role;
	const uint8_t *fingerprint;
	int result;
};

static gboolean set_peer_in_thread(gpointer data)
{
	struct peer_call *c = data;
	struct dtls_transport *d = c->d;

	if (d->session != NULL) {
		c->result = -EALREADY;
		return G_SOURCE_REMOVE;
	}
	d->config.role = c->role;
	d->role = c->role;
	memcpy(d->config.remote_fingerprint, c->fingerprint, CB_SHA256_LEN);
	if ((c->result = create_session(d)) == 0)
		maybe_start(d);
	return G_SOURCE_REMOVE;
}

static gboolean create_in_thread(gpointer data)
{
	struct peer_call *c = data;

	c->result = create_session(c->d);
	return G_SOURCE_REMOVE;
}

static int wrap(struct cb_transport **out, struct cb_transport *inner,
		const struct cb_dtls_config *config, bool peer_known, cb_dtls_transport_done done,
		void *data)
{
	struct dtls_transport *d = calloc(1, sizeof(*d));
	struct peer_call call = { .d = d };

	if (d == NULL)
		return -ENOMEM;
	cb_transport_init(&d->base, &dtls_ops);
	d->inner = inner;
	d->done = done;
	d->data = data;
	d->config = *config;
	d->role = config->role;
	atomic_init(&d->state, CB_DTLS_NEW);
	if ((d->ctx = cb_glib_thread_ref()) == NULL) {
		free(d);
		return -ENOMEM;
	}
	/* OpenSSL objects are made on the thread that will use them. */
	if (peer_known) {
		cb_glib_thread_call(create_in_thread, &call);
		if (call.result < 0) {
			cb_glib_thread_unref();
			free(d);
			return call.result;
		}
	}
	cb_transport_set_handler(inner, CB_PACKET_DTLS, on_record, d);
	cb_transport_set_state_listener(inner, on_inner_state, d);
	*out = &d->base;
	return 0;
}

int cb_dtls_transport_new(struct cb_transport **out, struct cb_transport *inner,
			  const struct cb_dtls_config *config, cb_dtls_transport_done done,
			  void *data)
{
	return wrap(out, inner, config, true, done, data);
}

int cb_dtls_transport_new_offerer(struct cb_transport **out, struct cb_transport *inner,
				  const struct cb_dtls_config *config, cb_dtls_transport_done done,
				  void *data)
{
	return wrap(out, inner, config, false, done, data);
}

int cb_dtls_transport_set_peer(struct cb_transport *t, enum cb_dtls_role role,
			       const uint8_t fingerprint[CB_SHA256_LEN])
{
	struct peer_call call = { .d = (struct dtls_transport *)t, .role = role,
				  .fingerprint = fingerprint };

	if (t->ops != &dtls_ops)
		return -EINVAL;
	cb_glib_thread_call(set_peer_in_thread, &call);
	return call.result;
}

static gboolean reset_in_thread(gpointer data)
{
	struct dtls_transport *d = data;

	cb_glib_source_clear(&d->timer);
	if (d->session)
		cb_dtls_session_close(d->session);
	cb_dtls_session_free(d->session);
	d->session = NULL;
	d->started = false;
	if (d->config.keying)
		cb_keying_revoke(d->config.keying);
	cb_secret_wipe(d->early, sizeof(d->early));
	d->n_early = 0;
	atomic_store(&d->state, (int)CB_DTLS_NEW);
	return G_SOURCE_REMOVE;
}

int cb_dtls_transport_reset(struct cb_transport *t)
{
	if (t->ops != &dtls_ops)
		return -EINVAL;
	cb_glib_thread_call(reset_in_thread, t);
	return 0;
}

struct cb_transport *cb_dtls_transport_inner(struct cb_transport *t)
{
	return t->ops == &dtls_ops ? ((struct dtls_transport *)t)->inner : NULL;
}
