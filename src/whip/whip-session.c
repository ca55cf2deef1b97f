#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <gio/gio.h>
#include <glib.h>

#include "dtls/dtls-transport.h"
#include "sdp/sdp.h"
#include "sdp/sdpfrag.h"
#include "session/session-sdp.h"
#include "transport/glib-thread.h"
#include "transport/ice-transport.h"
#include "util/log.h"
#include "util/secret.h"
#include "whip/link-servers.h"
#include "whip/peer-desc.h"
#include "whip/whip-session.h"

#define OFFER_MAX 16384
#define TICK_MS 250
/* Recovery (RFC 9725 section 4.4.1: DELETE and POST again when ICE cannot
 * be restarted in place).  A new attempt waits 1 s, then twice as long
 * each time, up to 30 s, so a server that is down is asked about twice a
 * minute at most; the wait starts again from 1 s once keys flow. */
#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 30000
/* A path counts as broken when the server, which had been sending (RTCP
 * reports at least: aiortc and Janus send one every ~1 s, media for
 * WHEP), sends nothing for this long.  libnice's own consent check (RFC
 * 7675) takes 30 s to give up, which is too long for a call. */
#define SILENCE_US (5 * G_USEC_PER_SEC)
#define SILENCE_ARM_TICKS 3
/* From the answer to keys: ICE checks and the DTLS handshake together
 * take well under a second on a working path; 15 s means none. */
#define CONNECT_TIMEOUT_US (15 * G_USEC_PER_SEC)
/* libnice gathers once per stream, so servers that the answer's Link
 * names (RFC 9725 section 4.6) can only take part in a new gathering.
 * Most paths connect without them (an SFU with a public address finds us
 * as peer-reflexive); when this one has not after 3 s, the session is
 * posted anew with them, without waiting for CONNECT_TIMEOUT_US. */
#define LINK_SERVERS_AFTER_US (3 * G_USEC_PER_SEC)
/* After an ICE restart, how long a new POST waits for gathering. */
#define GATHER_WAIT_US (2 * G_USEC_PER_SEC)

struct cb_whip_session {
	struct cb_whip_session_config config;	/* wiped on close: the token */
	struct cb_ice_transport *ice;
	struct cb_transport *transport;		/* DTLS around the ICE transport */
	struct cb_session_desc local;		/* what we offered */

	/* The GLib thread only. */
	struct cb_whip_client *http;
	struct cb_whip_client *retired;	/* the last attempt's, its DELETE in flight */
	GSource *tick;
	uint32_t gatherings_sent;
	uint32_t candidates_sent;
	atomic_bool ended;		/* the DELETE was answered, or nothing to delete */
	bool deleting;			/* ended by the owner: no retry, no second DELETE */
	/* Health and recovery */
	bool keyed;			/* DTLS connected in this attempt */
	bool given_up;			/* 401/403 or an offer the server refuses */
	gint64 answered_us;
	uint64_t rx_seen;
	gint64 last_rx_us;
	uint32_t rx_ticks;		/* ticks with traffic since keyed */
	gint64 retry_at_us;		/* 0: none scheduled */
	uint32_t backoff_ms;
	bool post_pending;		/* restarted, waiting for candidates to POST */
	bool link_servers_unused;	/* the Link named servers this gathering lacked */
	GCancellable *resolving;	/* Link server names being looked up */
	uint32_t gatherings_before;
	gint64 restarted_us;

	/* Read by other threads. */
	pthread_mutex_t lock;
	struct cb_whip_info info;
};

static void make_credential(char *out, size_t len)
{
	static const char chars[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t random[64];

	if (getrandom(random, len, 0) != (ssize_t)len)
		for (size_t i = 0; i < len; i++)
			random[i] = (uint8_t)g_random_int();
	for (size_t i = 0; i < len; i++)
		out[i] = chars[random[i] & 63];
	out[len] = '\0';
	cb_secret_wipe(random, sizeof(random));
}

static void set_failure(struct cb_whip_session *s, unsigned int status, const char *why)
{
	pthread_mutex_lock(&s->lock);
	s->info.http_status = status;
	s->info.http_state = "failed";
	snprintf(s->info.failure, sizeof(s->info.failure), "%s", why);
	pthread_mutex_unlock(&s->lock);
	pw_log_warn("%s %s: %s", s->info.kind, s->info.url, why);
}

/* ---- the answer (GLib thread) ---- */

static enum cb_dtls_role our_role(enum cb_dtls_setup theirs)
{
	/* RFC 5763 section 5: we offered actpass; "active" makes us the
	 * server, "passive" the client. An answer may not say actpass; if
	 * one does, take the client role as an answerer would leave us. */
	return theirs == CB_DTLS_SETUP_ACTIVE ? CB_DTLS_SERVER : CB_DTLS_CLIENT;
}

static void on_link_server(void *data, bool turn, const char *address)
{
	struct cb_whip_session *s = data;

	s->link_servers_unused = true;
	pw_log_info("%s %s: the server's Link adds %s server %s", s->info.kind, s->info.url,
		    turn ? "TURN" : "STUN", address);
}

/* The server's side, read (peer-desc.c): its ICE and DTLS go to the
 * transports, what status shows to info.  GLib thread. */
static void take_peer(struct cb_whip_session *s, const struct cb_session_desc *peer,
		      enum cb_dtls_role role, unsigned int status)
{
	cb_ice_transport_set_remote_credentials(s->ice, peer->ice.ufrag, peer->ice.pwd);
	for (uint32_t i = 0; i < peer->ice.n_candidates; i++)
		cb_ice_transport_add_remote_candidate(s->ice, peer->ice.candidates[i]);
	if (peer->ice.end_of_candidates)
		cb_ice_transport_remote_gathering_done(s->ice);
	cb_dtls_transport_set_peer(s->transport, role, peer->dtls.fingerprint);
	/* RFC 3264 section 6.1: the answer's payload type and extension ids
	 * are what both sides use from now on (aiortc follows ours, LiveKit
	 * answers 111 whatever we offered). */
	if (s->config.rtp) {
		atomic_store(&s->config.rtp->payload_type, peer->media[0].payload_type);
		atomic_store(&s->config.rtp->audio_level_ext_id, peer->media[0].audio_level_ext_id);
	}
	s->answered_us = g_get_monotonic_time();
	pthread_mutex_lock(&s->lock);
	s->info.answered = true;
	s->info.http_status = status;
	s->info.http_state = "active";
	s->info.payload_type = peer->media[0].payload_type;
	s->info.audio_level_ext_id = peer->media[0].audio_level_ext_id;
	s->info.remote_ssrc = peer->media[0].ssrc;
	pthread_mutex_unlock(&s->lock);
	pw_log_info("%s %s: %s; DTLS %s, ICE with %u candidate(s)", s->info.kind, s->info.url,
		    status == 406 ? "counter-offered" : "answered", cb_dtls_role_name(role),
		    peer->ice.n_candidates);
}

/* A description we cannot use: its resource is of no use to the server
 * either, and asking again would get the same. */
static void refuse_peer(struct cb_whip_session *s, unsigned int status, const char *why)
{
	set_failure(s, status, why);
	s->given_up = true;
	if (s->http)
		cb_whip_client_delete(s->http);
}

static void on_answered(void *data, const char *text, size_t len,
			const struct cb_ice_servers *servers)
{
	struct cb_whip_session *s = data;
	struct cb_session_desc *answer;
	char err[300];

	if (s->deleting)	/* ended meanwhile: the DELETE follows */
		return;
	if ((answer = calloc(1, sizeof(*answer))) == NULL) {
		refuse_peer(s, 201, "out of memory reading the answer");
		return;
	}
	if (cb_whip_read_peer(text, len, "answer", answer, err, sizeof(err)) < 0) {
		refuse_peer(s, 201, err);
	} else {
		take_peer(s, answer, our_role(answer->dtls.setup), 201);
		if (servers->n)
			cb_link_servers_take(servers, s->ice, &s->config.ice, s->resolving,
					     on_link_server, s);
	}
	cb_session_desc_clear(answer);
	free(answer);
}

/* WHEP: the server offers instead (406 and its SDP); the answer keeps our
 * ICE credentials, candidates and certificate, takes the server's payload
 * type and mid, and says a=setup:active (RFC 5763 section 5: the answerer
 * to an actpass offer picks; active starts the handshake without waiting).
 * The ICE roles may now clash (we started controlling): RFC 8445 section
 * 7.3.1.1's tie-breaker settles it, in libnice and at the server. */
static void on_counter_offer(void *data, const char *text, size_t len)
{
	struct cb_whip_session *s = data;
	struct cb_session_desc *offer, *answer;
	char *body;
	char err[300];

	if (s->deleting)	/* ended meanwhile: the DELETE follows */
		return;
	offer = calloc(1, sizeof(*offer));
	answer = calloc(1, sizeof(*answer));
	body = malloc(OFFER_MAX);

	if (offer == NULL || answer == NULL || body == NULL) {
		refuse_peer(s, 406, "out of memory reading the counter-offer");
		goto out;
	}
	if (cb_whip_read_peer(text, len, "counter-offer", offer, err, sizeof(err)) < 0) {
		refuse_peer(s, 406, err);
		goto out;
	}
	if (!s->config.whep || offer->media[0].direction == CB_DIRECTION_RECVONLY ||
	    offer->media[0].direction == CB_DIRECTION_INACTIVE) {
		refuse_peer(s, 406, "the counter-offer sends no audio to play");
		goto out;
	}
	*answer = s->local;
	answer->n_media = 0;
	{
		struct cb_session_media m = s->local.media[0];
		m.payload_type = offer->media[0].payload_type;
		snprintf(m.mid, sizeof(m.mid), "%s", offer->media[0].mid);
		m.direction = CB_DIRECTION_RECVONLY;
		cb_session_desc_add_media(answer, &m);
	}
	answer->dtls.setup = CB_DTLS_SETUP_ACTIVE;
	if (cb_session_desc_render_webrtc(answer, body, OFFER_MAX) < 0) {
		refuse_peer(s, 406, "cannot write the answer to the counter-offer");
		goto out;
	}
	take_peer(s, offer, CB_DTLS_CLIENT, 406);
	cb_whip_client_patch_answer(s->http, body);
	/* Trickled candidates name the server's mid from now on. */
	snprintf(s->local.media[0].mid, sizeof(s->local.media[0].mid), "%s", offer->media[0].mid);
out:
	free(body);
	if (offer)
		cb_session_desc_clear(offer);
	free(offer);
	if (answer)
		cb_session_desc_clear(answer);	/* our ICE pwd */
	free(answer);
}

static void schedule_retry(struct cb_whip_session *s, const char *why);

/* Which answers are worth asking again: no answer at all, a resource that
 * vanished, a server that is overloaded or restarting.  A refused token
 * (401/403) or a refused offer (4xx) would be refused again: asking is
 * only noise for the server's operator. */
static bool retryable(unsigned int status)
{
	return status == 0 || status == 404 || status == 408 || status == 429 || status >= 500;
}

static void on_failed(void *data, unsigned int status, const char *reason)
{
	struct cb_whip_session *s = data;

	set_failure(s, status, reason);
	if (retryable(status)) {
		schedule_retry(s, reason);
	} else {
		s->given_up = true;
		pw_log_warn("%s %s: not retried (HTTP %u)%s", s->info.kind, s->info.url, status,
			    status == 401 || status == 403 ? ": check bearer-token-file" : "");
	}
}

static void on_ended(void *data)
{
	struct cb_whip_session *s = data;

	pthread_mutex_lock(&s->lock);
	if (!s->given_up)	/* a refused answer stays "failed" once DELETEd */
		s->info.http_state = "ended";
	pthread_mutex_unlock(&s->lock);
	atomic_store(&s->ended, true);
}

static const struct cb_whip_events http_events = {
	.answered = on_answered, .counter_offer = on_counter_offer,
	.failed = on_failed, .ended = on_ended,
};

/* ---- trickle: candidates found after the offer (GLib thread) ---- */

static void check_trickle(struct cb_whip_session *s)
{
	uint32_t gatherings = cb_ice_transport_gatherings(s->ice);
	struct cb_session_desc *now;
	struct cb_sdpfrag *frag;
	char *body;
	int n;

	if (gatherings == s->gatherings_sent || s->http == NULL || s->post_pending ||
	    cb_whip_client_state(s->http) == CB_WHIP_FAILED)
		return;
	s->gatherings_sent = gatherings;
	now = calloc(1, sizeof(*now));
	frag = calloc(1, sizeof(*frag));
	body = malloc(OFFER_MAX);
	if (now && frag && body) {
		char lines[4096];

		cb_ice_transport_candidate_sdp(s->ice, lines, sizeof(lines), NULL);
		cb_session_desc_add_candidate_lines(now, lines);
		/* RFC 8840: the ufrag names the ICE generation; the pwd is not
		 * needed to add candidates, so it stays out. */
		snprintf(frag->ufrag, sizeof(frag->ufrag), "%s", s->local.ice.ufrag);
		snprintf(frag->mid, sizeof(frag->mid), "%s", s->local.media[0].mid);
		for (uint32_t i = s->candidates_sent;
		     i < now->ice.n_candidates && frag->n_candidates < CB_SDPFRAG_CANDIDATES; i++)
			snprintf(frag->candidates[frag->n_candidates++], CB_SDPFRAG_LINE_MAX, "%s",
				 now->ice.candidates[i]);
		frag->end_of_candidates = true;
		s->candidates_sent = now->ice.n_candidates;
		if ((n = cb_sdpfrag_write(frag, body, OFFER_MAX)) > 0)
			cb_whip_client_patch(s->http, body);
	}
	if (now)
		cb_session_desc_clear(now);
	free(now);
	free(frag);
	free(body);
}

/* ---- lifetime ---- */

static void describe_offer(struct cb_whip_session *s);

/* A new client POSTs the offer made of the current candidates.  GLib
 * thread. */
static int post_offer(struct cb_whip_session *s)
{
	char *offer = malloc(OFFER_MAX);
	int res;

	if (offer == NULL)
		return -ENOMEM;
	cb_session_desc_clear(&s->local);
	describe_offer(s);
	if ((res = cb_session_desc_render_webrtc(&s->local, offer, OFFER_MAX)) < 0)
		goto out;
	if ((res = cb_whip_client_new(&s->http, s->config.url, s->config.token, &http_events,
				      s)) < 0)
		goto out;
	/* What the offer carried counts as sent; later gatherings trickle. */
	s->gatherings_sent = cb_ice_transport_gatherings(s->ice);
	s->candidates_sent = s->local.ice.n_candidates;
	res = cb_whip_client_post(s->http, offer);
out:
	free(offer);
	return res;
}

static void schedule_retry(struct cb_whip_session *s, const char *why)
{
	if (s->retry_at_us || s->given_up || s->deleting || atomic_load(&s->ended))
		return;
	s->backoff_ms = s->backoff_ms ? MIN(s->backoff_ms * 2, BACKOFF_MAX_MS) : BACKOFF_FIRST_MS;
	s->retry_at_us = g_get_monotonic_time() + (gint64)s->backoff_ms * 1000;
	pthread_mutex_lock(&s->lock);
	s->info.http_state = "retrying";
	if (why != s->info.failure)
		snprintf(s->info.failure, sizeof(s->info.failure), "%s", why);
	pthread_mutex_unlock(&s->lock);
	pw_log_warn("%s %s: %s; a new session in %u ms", s->info.kind, s->info.url, why,
		    s->backoff_ms);
}

/* Leaves the old resource (DELETE, not waited for), restarts ICE with new
 * credentials and resets DTLS; the POST follows once candidates are
 * gathered (tick). */
static void start_recovery(struct cb_whip_session *s)
{
	s->retry_at_us = 0;
	if (s->retired)
		cb_whip_client_free(s->retired);
	s->retired = s->http;
	s->http = NULL;
	if (s->retired) {
		cb_whip_client_detach(s->retired);
		if (cb_whip_client_resource(s->retired)[0])
			cb_whip_client_delete(s->retired);
	}
	s->keyed = false;
	s->answered_us = 0;
	s->rx_ticks = 0;
	make_credential(s->config.ice.ufrag, 8);
	make_credential(s->config.ice.pwd, 24);
	s->link_servers_unused = false;
	s->gatherings_before = cb_ice_transport_gatherings(s->ice);
	cb_ice_transport_restart(s->ice, s->config.ice.ufrag, s->config.ice.pwd);
	cb_dtls_transport_reset(s->transport);
	s->post_pending = true;
	s->restarted_us = g_get_monotonic_time();
	pthread_mutex_lock(&s->lock);
	s->info.recoveries++;
	s->info.answered = false;
	s->info.http_state = "posting";
	pthread_mutex_unlock(&s->lock);
	pw_log_info("%s %s: new session %u", s->info.kind, s->info.url, s->info.recoveries);
}

/* Is the session still carrying what it should?  Anything else asks for
 * a new one. */
static void check_health(struct cb_whip_session *s, gint64 now)
{
	struct cb_transport_info ti;

	cb_transport_describe(s->transport, &ti);
	if (ti.rx_datagrams != s->rx_seen) {
		s->rx_seen = ti.rx_datagrams;
		s->last_rx_us = now;
		if (s->keyed)
			s->rx_ticks++;
	}
	if (s->http == NULL || s->retry_at_us || s->post_pending || s->given_up)
		return;
	if (s->keyed && ti.state == CB_TRANSPORT_FAILED)
		schedule_retry(s, "ICE failed (consent lost or the path broke)");
	else if (s->keyed && s->rx_ticks >= SILENCE_ARM_TICKS && now - s->last_rx_us > SILENCE_US)
		schedule_retry(s, "nothing from the server for 5 s");
	else if (!s->keyed && s->answered_us && s->link_servers_unused &&
		 now - s->answered_us > LINK_SERVERS_AFTER_US)
		schedule_retry(s, "no connection yet: a new session with the servers of the Link");
	else if (!s->keyed && s->answered_us && now - s->answered_us > CONNECT_TIMEOUT_US)
		schedule_retry(s, "no ICE and DTLS connection 15 s after the answer");
}

static gboolean on_tick(gpointer data)
{
	struct cb_whip_session *s = data;
	gint64 now = g_get_monotonic_time();

	if (s->deleting || atomic_load(&s->ended))
		return G_SOURCE_CONTINUE;
	if (s->retry_at_us && now >= s->retry_at_us) {
		start_recovery(s);
		return G_SOURCE_CONTINUE;
	}
	if (s->post_pending) {
		if (cb_ice_transport_gatherings(s->ice) == s->gatherings_before &&
		    now - s->restarted_us < GATHER_WAIT_US)
			return G_SOURCE_CONTINUE;
		s->post_pending = false;
		if (post_offer(s) < 0)
			schedule_retry(s, "cannot post a new offer");
		return G_SOURCE_CONTINUE;
	}
	check_trickle(s);
	check_health(s, now);
	return G_SOURCE_CONTINUE;
}

struct post_call {
	struct cb_whip_session *s;
	int result;
};

static gboolean post_in_thread(gpointer data)
{
	struct post_call *c = data;
	struct cb_whip_session *s = c->s;

	s->resolving = g_cancellable_new();
	s->tick = g_timeout_source_new(TICK_MS);
	g_source_set_callback(s->tick, on_tick, s, NULL);
	g_source_attach(s->tick, g_main_context_get_thread_default());
	c->result = post_offer(s);
	return G_SOURCE_REMOVE;
}

static void describe_offer(struct cb_whip_session *s)
{
	struct cb_session_desc *d = &s->local;
	struct cb_session_media m = s->config.media;
	char lines[4096];
	uint64_t id = 0;

	cb_session_desc_init(d);
	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		id = g_random_int();
	d->session_id = (id >> 2) | 1;
	d->version = 1;
	snprintf(d->name, sizeof(d->name), "%s", s->config.name);
	snprintf(d->cname, sizeof(d->cname), "%s", s->config.cname);
	if (m.mid[0] == '\0')
		snprintf(m.mid, sizeof(m.mid), "0");
	m.direction = s->config.whep ? CB_DIRECTION_RECVONLY : CB_DIRECTION_SENDONLY;
	if (s->config.whep)
		m.ssrc = 0;
	cb_session_desc_add_media(d, &m);
	d->ice.present = true;
	snprintf(d->ice.ufrag, sizeof(d->ice.ufrag), "%s", s->config.ice.ufrag);
	snprintf(d->ice.pwd, sizeof(d->ice.pwd), "%s", s->config.ice.pwd);
	cb_ice_transport_candidate_sdp(s->ice, lines, sizeof(lines), NULL);
	cb_session_desc_add_candidate_lines(d, lines);
	d->dtls.setup = CB_DTLS_SETUP_ACTPASS;
	snprintf(d->dtls.hash, sizeof(d->dtls.hash), "sha-256");
	memcpy(d->dtls.fingerprint, cb_dtls_certificate_fingerprint(s->config.certificate),
	       CB_SHA256_LEN);
	d->dtls.fingerprint_len = CB_SHA256_LEN;
}

static void on_dtls_done(void *data, enum cb_dtls_state state, const char *reason)
{
	struct cb_whip_session *s = data;

	if (state == CB_DTLS_CONNECTED) {
		pw_log_info("%s %s: DTLS connected; SRTP keyed", s->info.kind, s->info.url);
		s->keyed = true;
		s->backoff_ms = 0;
		s->last_rx_us = g_get_monotonic_time();
		pthread_mutex_lock(&s->lock);
		s->info.http_state = "active";
		s->info.failure[0] = '\0';
		pthread_mutex_unlock(&s->lock);
	} else if (reason) {
		set_failure(s, s->info.http_status, reason);
		schedule_retry(s, reason);
	}
}

int cb_whip_session_new(struct cb_whip_session **out, const struct cb_whip_session_config *config,
			char *err, size_t err_len)
{
	struct cb_whip_session *s = calloc(1, sizeof(*s));
	struct cb_dtls_config dtls = { 0 };
	struct post_call call = { .s = s };
	int res;

	if (s == NULL)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	s->config = *config;
	s->info.kind = config->whep ? "whep" : "whip";
	s->info.http_state = "posting";
	cb_whip_display_url(config->url, s->info.url, sizeof(s->info.url));
	/* RFC 8445 section 5.3: 24 ice-chars give 144 bits for the pwd. The
	 * offerer is controlling (RFC 8445 section 6.1.1). */
	make_credential(s->config.ice.ufrag, 8);
	make_credential(s->config.ice.pwd, 24);
	s->config.ice.role = CB_ICE_ROLE_CONTROLLING;
	s->config.ice.restart_without_signalling = false;
	if ((res = cb_ice_transport_new(&s->ice, &s->config.ice, err, err_len)) < 0)
		goto error;
	dtls.certificate = config->certificate;
	dtls.suites = config->suites;
	dtls.keying = config->keying;
	res = cb_dtls_transport_new_offerer(&s->transport, cb_ice_transport_base(s->ice), &dtls,
					    on_dtls_done, s);
	if (res < 0) {
		snprintf(err, err_len, "cannot set up DTLS");
		cb_ice_transport_destroy(s->ice);
		s->ice = NULL;
		goto error;
	}
	cb_ice_transport_start(s->ice, 0);
	cb_glib_thread_call(post_in_thread, &call);
	if ((res = call.result) < 0) {
		snprintf(err, err_len, "%s: %s", s->info.url,
			 res == -EINVAL ? "not an http or https URL" : strerror(-res));
		goto error;
	}
	pw_log_info("%s %s: offer posted", s->info.kind, s->info.url);
	*out = s;
	return 0;
error:
	cb_whip_session_close(s, 0);
	return res;
}

static gboolean delete_in_thread(gpointer data)
{
	struct cb_whip_session *s = data;

	if (s->deleting)
		return G_SOURCE_REMOVE;
	s->deleting = true;
	s->retry_at_us = 0;
	s->post_pending = false;
	/* A POST still in flight: the client holds the DELETE until the
	 * answer names the resource (or ends at once if there is none), so
	 * a session added and removed again leaves nothing at the server. */
	if (s->http && (cb_whip_client_resource(s->http)[0] ||
			cb_whip_client_state(s->http) == CB_WHIP_POSTING))
		cb_whip_client_delete(s->http);
	else
		atomic_store(&s->ended, true);
	return G_SOURCE_REMOVE;
}

static gboolean ended_in_thread(gpointer data)
{
	struct cb_whip_session *s = data;

	cb_glib_source_clear(&s->tick);
	if (s->resolving) {
		g_cancellable_cancel(s->resolving);
		g_clear_object(&s->resolving);
	}
	cb_whip_client_free(s->http);
	s->http = NULL;
	cb_whip_client_free(s->retired);
	s->retired = NULL;
	return G_SOURCE_REMOVE;
}

void cb_whip_session_close(struct cb_whip_session *s, uint32_t wait_ms)
{
	if (s == NULL)
		return;
	if (s->transport) {
		cb_glib_thread_call(delete_in_thread, s);
		/* RFC 9725 section 4.4: the DELETE ends the session on the server;
		 * give it a bounded moment. */
		for (uint32_t waited = 0; waited < wait_ms && !atomic_load(&s->ended); waited += 20)
			g_usleep(20000);
		cb_glib_thread_call(ended_in_thread, s);
		cb_transport_destroy(s->transport);	/* the ICE transport with it */
	} else if (s->ice) {
		cb_ice_transport_destroy(s->ice);
	}
	cb_session_desc_clear(&s->local);
	cb_secret_wipe(&s->config, sizeof(s->config));
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void cb_whip_session_end(struct cb_whip_session *s)
{
	if (s->transport)
		cb_glib_thread_call(delete_in_thread, s);
	else
		atomic_store(&s->ended, true);
}

bool cb_whip_session_ended(struct cb_whip_session *s)
{
	return atomic_load(&s->ended);
}

struct cb_transport *cb_whip_session_transport(struct cb_whip_session *s)
{
	return s->transport;
}

void cb_whip_session_info(struct cb_whip_session *s, struct cb_whip_info *info)
{
	pthread_mutex_lock(&s->lock);
	*info = s->info;
	pthread_mutex_unlock(&s->lock);
}
