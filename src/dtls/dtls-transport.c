#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "dtls/dtls-transport.h"
#include "transport/glib-thread.h"
#include "util/clock.h"
#include "util/secret.h"

struct dtls_transport {
	struct cb_transport base;
	struct cb_transport *inner;
	cb_dtls_transport_done done;
	void *data;

	/* The GLib thread only. */
	struct cb_dtls_session *session;
	GMainContext *ctx;
	GSource *timer;
	bool path_up;

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

	if (d->timer) {
		g_source_destroy(d->timer);
		g_source_unref(d->timer);
		d->timer = NULL;
	}
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

static gboolean input_in_thread(gpointer data)
{
	struct record *r = data;

	if (r->d->session == NULL)
		return G_SOURCE_REMOVE;
	cb_dtls_session_input(r->d->session, r->buf, r->len, now_ms());
	atomic_store(&r->d->state, (int)cb_dtls_session_state(r->d->session));
	rearm(r->d);
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
		cb_dtls_session_input(d->session, buf, len, now_ms());
		atomic_store(&d->state, (int)cb_dtls_session_state(d->session));
		rearm(d);
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

static gboolean start_in_thread(gpointer data)
{
	struct dtls_transport *d = data;

	if (d->path_up)
		return G_SOURCE_REMOVE;
	d->path_up = true;
	cb_dtls_session_start(d->session, now_ms());
	atomic_store(&d->state, (int)cb_dtls_session_state(d->session));
	rearm(d);
	return G_SOURCE_REMOVE;
}

static void on_inner_state(void *data, enum cb_transport_state state)
{
	struct dtls_transport *d = data;

	if (state != CB_TRANSPORT_CONNECTED)
		return;
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
			 struct cb_address *from)
{
	return cb_transport_recv(((struct dtls_transport *)t)->inner, buf, cap, from);
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

	if (d->timer) {
		g_source_destroy(d->timer);
		g_source_unref(d->timer);
		d->timer = NULL;
	}
	if (d->session)
		cb_dtls_session_close(d->session);
	cb_dtls_session_free(d->session);
	d->session = NULL;
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

struct create_call {
	struct dtls_transport *d;
	const struct cb_dtls_config *config;
};

static gboolean create_in_thread(gpointer data)
{
	struct create_call *c = data;
	const struct cb_dtls_events events = { .send = session_send,
					       .state_changed = on_session_state };

	if (cb_dtls_session_new(&c->d->session, c->config, &events, c->d) < 0)
		c->d->session = NULL;
	return G_SOURCE_REMOVE;
}

int cb_dtls_transport_new(struct cb_transport **out, struct cb_transport *inner,
			  const struct cb_dtls_config *config, cb_dtls_transport_done done,
			  void *data)
{
	struct dtls_transport *d = calloc(1, sizeof(*d));
	struct create_call call = { .d = d, .config = config };

	if (d == NULL)
		return -ENOMEM;
	cb_transport_init(&d->base, &dtls_ops);
	d->inner = inner;
	d->done = done;
	d->data = data;
	d->role = config->role;
	atomic_init(&d->state, CB_DTLS_NEW);
	if ((d->ctx = cb_glib_thread_ref()) == NULL) {
		free(d);
		return -ENOMEM;
	}
	/* OpenSSL objects are made on the thread that will use them. */
	cb_glib_thread_call(create_in_thread, &call);
	if (d->session == NULL) {
		cb_glib_thread_unref();
		free(d);
		return -EINVAL;
	}
	cb_transport_set_handler(inner, CB_PACKET_DTLS, on_record, d);
	cb_transport_set_state_listener(inner, on_inner_state, d);
	*out = &d->base;
	return 0;
}

struct cb_transport *cb_dtls_transport_inner(struct cb_transport *t)
{
	return t->ops == &dtls_ops ? ((struct dtls_transport *)t)->inner : NULL;
}
