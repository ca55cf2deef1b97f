#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <glib.h>

#include "dtls/dtls-transport.h"
#include "sdp/sdp.h"
#include "sdp/sdpfrag.h"
#include "session/session-sdp.h"
#include "transport/glib-thread.h"
#include "transport/ice-transport.h"
#include "util/log.h"
#include "util/secret.h"
#include "whip/whip-session.h"

#define OFFER_MAX 16384
#define TRICKLE_CHECK_MS 250

struct cb_whip_session {
	struct cb_whip_session_config config;	/* wiped on close: the token */
	struct cb_ice_transport *ice;
	struct cb_transport *transport;		/* DTLS around the ICE transport */
	struct cb_session_desc local;		/* what we offered */

	/* The GLib thread only. */
	struct cb_whip_client *http;
	GSource *trickle_timer;
	uint32_t gatherings_sent;
	uint32_t candidates_sent;
	atomic_bool ended;		/* the DELETE was answered, or nothing to delete */

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

static void on_answered(void *data, const char *text, size_t len,
			const struct cb_ice_servers *servers)
{
	struct cb_whip_session *s = data;
	struct cb_sdp *sdp = calloc(1, sizeof(*sdp));
	struct cb_session_desc *answer = calloc(1, sizeof(*answer));
	char err[256];
	int n;

	if (sdp == NULL || answer == NULL) {
		set_failure(s, 201, "out of memory reading the answer");
		goto out;
	}
	if (cb_sdp_parse(text, len, sdp, err, sizeof(err)) < 0) {
		char why[300];
		snprintf(why, sizeof(why), "the answer is not valid SDP: %s", err);
		set_failure(s, 201, why);
		goto out;
	}
	if ((n = cb_session_desc_from_sdp(sdp, answer, err, sizeof(err))) < 0) {
		set_failure(s, 201, err);
		goto out;
	}
	if (n != 1) {
		set_failure(s, 201, n == 0 ? "the answer has no audio section" :
			    "the answer has more than one audio section");
		goto out;
	}
	if (!answer->ice.present || answer->dtls.fingerprint_len != CB_SHA256_LEN) {
		set_failure(s, 201, "the answer lacks ICE credentials or a sha-256 fingerprint");
		goto out;
	}
	cb_ice_transport_set_remote_credentials(s->ice, answer->ice.ufrag, answer->ice.pwd);
	for (uint32_t i = 0; i < answer->ice.n_candidates; i++)
		cb_ice_transport_add_remote_candidate(s->ice, answer->ice.candidates[i]);
	if (answer->ice.end_of_candidates)
		cb_ice_transport_remote_gathering_done(s->ice);
	if (servers->n)
		pw_log_info("%s %s: the server names %u ICE server(s); this build uses those of "
			    "[ice]", s->info.kind, s->info.url, servers->n);
	cb_dtls_transport_set_peer(s->transport, our_role(answer->dtls.setup),
				   answer->dtls.fingerprint);
	pthread_mutex_lock(&s->lock);
	s->info.answered = true;
	s->info.http_status = 201;
	s->info.http_state = "active";
	s->info.payload_type = answer->media[0].payload_type;
	s->info.audio_level_ext_id = answer->media[0].audio_level_ext_id;
	s->info.remote_ssrc = answer->media[0].ssrc;
	pthread_mutex_unlock(&s->lock);
	pw_log_info("%s %s: answered; DTLS %s, ICE with %u candidate(s)", s->info.kind,
		    s->info.url, cb_dtls_role_name(our_role(answer->dtls.setup)),
		    answer->ice.n_candidates);
out:
	if (answer)
		cb_session_desc_clear(answer);
	free(answer);
	if (sdp)
		cb_secret_wipe(sdp, sizeof(*sdp));
	free(sdp);
}

static void on_failed(void *data, unsigned int status, const char *reason)
{
	set_failure(data, status, reason);
}

static void on_ended(void *data)
{
	struct cb_whip_session *s = data;

	pthread_mutex_lock(&s->lock);
	s->info.http_state = "ended";
	pthread_mutex_unlock(&s->lock);
	atomic_store(&s->ended, true);
}

static const struct cb_whip_events http_events = {
	.answered = on_answered, .failed = on_failed, .ended = on_ended,
};

/* ---- trickle: candidates found after the offer (GLib thread) ---- */

static gboolean check_trickle(gpointer data)
{
	struct cb_whip_session *s = data;
	uint32_t gatherings = cb_ice_transport_gatherings(s->ice);
	struct cb_session_desc *now;
	struct cb_sdpfrag *frag;
	char *body;
	int n;

	if (gatherings == s->gatherings_sent || s->http == NULL ||
	    cb_whip_client_state(s->http) == CB_WHIP_FAILED)
		return G_SOURCE_CONTINUE;
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
	return G_SOURCE_CONTINUE;
}

/* ---- lifetime ---- */

struct post_call {
	struct cb_whip_session *s;
	const char *offer;
	int result;
};

static gboolean post_in_thread(gpointer data)
{
	struct post_call *c = data;
	struct cb_whip_session *s = c->s;

	c->result = cb_whip_client_new(&s->http, s->config.url, s->config.token, &http_events, s);
	if (c->result < 0)
		return G_SOURCE_REMOVE;
	/* What the offer carried counts as sent; later gatherings trickle. */
	s->gatherings_sent = cb_ice_transport_gatherings(s->ice);
	s->candidates_sent = s->local.ice.n_candidates;
	s->trickle_timer = g_timeout_source_new(TRICKLE_CHECK_MS);
	g_source_set_callback(s->trickle_timer, check_trickle, s, NULL);
	g_source_attach(s->trickle_timer, g_main_context_get_thread_default());
	c->result = cb_whip_client_post(s->http, c->offer);
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

	if (state == CB_DTLS_CONNECTED)
		pw_log_info("%s %s: DTLS connected; SRTP keyed", s->info.kind, s->info.url);
	else if (reason)
		set_failure(s, s->info.http_status, reason);
}

int cb_whip_session_new(struct cb_whip_session **out, const struct cb_whip_session_config *config,
			char *err, size_t err_len)
{
	struct cb_whip_session *s = calloc(1, sizeof(*s));
	struct cb_dtls_config dtls = { 0 };
	struct post_call call = { .s = s };
	char *offer = NULL;
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
	describe_offer(s);
	if ((offer = malloc(OFFER_MAX)) == NULL) {
		res = -ENOMEM;
		goto error;
	}
	if ((res = cb_session_desc_render_webrtc(&s->local, offer, OFFER_MAX)) < 0) {
		snprintf(err, err_len, "cannot write the offer: %s", strerror(-res));
		goto error;
	}
	call.offer = offer;
	cb_glib_thread_call(post_in_thread, &call);
	if ((res = call.result) < 0) {
		snprintf(err, err_len, "%s: not an http or https URL", s->info.url);
		goto error;
	}
	free(offer);
	pw_log_info("%s %s: offer posted", s->info.kind, s->info.url);
	*out = s;
	return 0;
error:
	free(offer);
	cb_whip_session_close(s, 0);
	return res;
}

static gboolean delete_in_thread(gpointer data)
{
	struct cb_whip_session *s = data;

	if (s->http && cb_whip_client_resource(s->http)[0])
		cb_whip_client_delete(s->http);
	else
		atomic_store(&s->ended, true);
	return G_SOURCE_REMOVE;
}

static gboolean ended_in_thread(gpointer data)
{
	struct cb_whip_session *s = data;

	cb_glib_source_clear(&s->trickle_timer);
	cb_whip_client_free(s->http);
	s->http = NULL;
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
