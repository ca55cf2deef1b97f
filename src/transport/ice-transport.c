#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <agent.h>
#include <glib.h>

#include "net/address.h"
#include "sdp/sdp-ice.h"
#include "transport/glib-thread.h"
#include "transport/ice-queue.h"
#include "transport/ice-transport.h"
#include "util/log.h"
#include "util/secret.h"

#define COMPONENT 1
#define WATCHDOG_MS 250
/* The controlled side gives up on a silent path first, so that its fresh
 * stream already listens when the controlling side's checks arrive. */
#define SILENCE_CONTROLLED_US (3 * G_USEC_PER_SEC)
#define SILENCE_CONTROLLING_US (4 * G_USEC_PER_SEC)
#define CONNECT_TIMEOUT_US (8 * G_USEC_PER_SEC)
#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 4000
#define LIST_MAX 1024
#define SDP_MAX 4096
#define MAX_REMOTE_CANDIDATES 32

struct cb_ice_transport {
	struct cb_transport base;	/* first: the transport interface */
	struct cb_ice_params params;	/* wiped on destroy: holds passwords */
	const char *call_name;		/* params.name */

	GMainContext *ctx;		/* the shared GLib thread's */
	GSource *watchdog;
	NiceAgent *agent;
	struct cb_ice_queue queue;

	/* The peer, as it arrived (GLib thread only).  Kept so an unsignalled
	 * restart can hand them to the fresh stream; a signalled restart
	 * forgets them. */
	char remote_ufrag[CB_ICE_CRED_MAX + 1];
	char remote_pwd[CB_ICE_CRED_MAX + 1];	/* wiped on destroy */
	uint32_t n_remote;
	NiceCandidate *remote[MAX_REMOTE_CANDIDATES];
	uint32_t n_remote_addresses;	/* host candidates from addresses, for priorities */
	bool stream_gathered;		/* the current stream's gathering is done */

	/* Read by other threads. */
	atomic_uint stream_id;
	atomic_bool connected;
	atomic_int state;
	atomic_int_fast64_t last_rx_us;
	struct cb_ice_counters counters;
	bool started_thread;

	/* The libnice thread only. */
	gint64 stream_started_us;
	gint64 connected_us;
	gint64 restart_at_us;		/* 0: none pending */
	uint32_t backoff_ms;
	bool was_connected;

	/* Shared with the main thread under lock. */
	/* pthread, not GMutex: ThreadSanitizer sees pthread locks, while GLib's
	 * futex-based ones look to it like no lock at all. */
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* on CLOCK_MONOTONIC */
	bool started;			/* the host candidates are recorded */
	bool gathered;			/* gathering finished (STUN, TURN) once */
	uint32_t gatherings;		/* finished gatherings, restarts included */
	uint32_t n_candidates;
	char candidates[LIST_MAX];
	char candidate_sdp[SDP_MAX];
	struct cb_address default_addr;
	char pair_local[CB_ADDR_STR_MAX], pair_remote[CB_ADDR_STR_MAX];
	const char *pair_local_type, *pair_remote_type, *pair_type;
};

static const char *type_name(NiceCandidateType type)
{
	switch (type) {
	case NICE_CANDIDATE_TYPE_HOST: return "host";
	case NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE: return "srflx";
	case NICE_CANDIDATE_TYPE_PEER_REFLEXIVE: return "prflx";
	case NICE_CANDIDATE_TYPE_RELAYED: return "relay";
	}
	return "unknown";
}

/* A pair is as indirect as its most indirect end. */
static int type_rank(NiceCandidateType type)
{
	switch (type) {
	case NICE_CANDIDATE_TYPE_HOST: return 0;
	case NICE_CANDIDATE_TYPE_PEER_REFLEXIVE: return 1;
	case NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE: return 2;
	case NICE_CANDIDATE_TYPE_RELAYED: return 3;
	}
	return 0;
}

static void candidate_address(const NiceCandidate *c, char *out, size_t len)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	nice_address_copy_to_sockaddr(&c->addr, (struct sockaddr *)&ss);
	cb_address_format_sockaddr((struct sockaddr *)&ss, out, len);
}

static void on_recv(NiceAgent *agent, guint stream_id, guint component_id, guint len,
		    gchar *buf, gpointer data)
{
	struct cb_ice_transport *t = data;

	if (stream_id != atomic_load(&t->stream_id))
		return;
	atomic_store_explicit(&t->last_rx_us, g_get_monotonic_time(), memory_order_relaxed);
	/* libnice consumed STUN itself; what is left is classified here, on
	 * the GLib thread, so a DTLS layer gets its records on its thread. */
	if (cb_transport_accept(&t->base, (const uint8_t *)buf, len, NULL))
		cb_ice_queue_push(&t->queue, (const uint8_t *)buf, len);
}

/* Hands the candidates known so far to the current stream: only once its
 * own gathering is done, as libnice then pairs them with every local
 * candidate, relayed ones included. */
static void apply_remote_candidates(struct cb_ice_transport *t, guint sid)
{
	GSList *list = NULL;

	if (sid == 0 || !t->stream_gathered)
		return;
	for (uint32_t i = 0; i < t->n_remote; i++) {
		NiceCandidate *c = nice_candidate_copy(t->remote[i]);
		c->stream_id = sid;
		c->component_id = COMPONENT;
		list = g_slist_append(list, c);
	}
	if (list && nice_agent_set_remote_candidates(t->agent, sid, COMPONENT, list) < 0)
		pw_log_warn("call %s: ICE: libnice rejected the remote candidates", t->call_name);
	g_slist_free_full(list, (GDestroyNotify)nice_candidate_free);
}

static void forget_remote(struct cb_ice_transport *t)
{
	for (uint32_t i = 0; i < t->n_remote; i++)
		nice_candidate_free(t->remote[i]);
	t->n_remote = 0;
	t->n_remote_addresses = 0;
	cb_secret_wipe(t->remote_pwd, sizeof(t->remote_pwd));
	t->remote_ufrag[0] = '\0';
}

/* Called with done = false right after gathering starts, when libnice
 * already has the host candidates, so the call can start and publish them
 * without waiting for STUN or TURN; again with done = true when gathering
 * has finished. */
static void record_local_candidates(struct cb_ice_transport *t, guint sid, bool done,
				    bool *have_relay)
{
	GSList *cands = nice_agent_get_local_candidates(t->agent, sid, COMPONENT);
	char addr[CB_ADDR_STR_MAX];
	size_t used = 0, sdp_used = 0;
	int best = -1;

	*have_relay = false;
	pthread_mutex_lock(&t->lock);
	t->n_candidates = 0;
	t->candidates[0] = t->candidate_sdp[0] = '\0';
	for (GSList *i = cands; i; i = i->next) {
		NiceCandidate *c = i->data;
		gchar *line = nice_agent_generate_local_candidate_sdp(t->agent, c);
		int rank = type_rank(c->type);

		candidate_address(c, addr, sizeof(addr));
		if (done)
			pw_log_info("call %s: ICE: local candidate %s (%s)", t->call_name, addr,
				    type_name(c->type));
		if (c->type == NICE_CANDIDATE_TYPE_RELAYED)
			*have_relay = true;
		if (used < sizeof(t->candidates))
			used += (size_t)snprintf(t->candidates + used, sizeof(t->candidates) - used,
						 "%s%s", t->n_candidates ? ", " : "", addr);
		if (line && sdp_used < sizeof(t->candidate_sdp))
			sdp_used += (size_t)snprintf(t->candidate_sdp + sdp_used,
						     sizeof(t->candidate_sdp) - sdp_used,
						     "%s\r\n", line);
		g_free(line);
		/* The c= line names the candidate most likely to work (RFC 8839). */
		if (rank > best) {
			best = rank;
			memset(&t->default_addr, 0, sizeof(t->default_addr));
			nice_address_copy_to_sockaddr(&c->addr,
				(struct sockaddr *)&t->default_addr.addr);
			t->default_addr.len = sizeof(t->default_addr.addr);
			t->default_addr.set = true;
			snprintf(t->default_addr.text, sizeof(t->default_addr.text), "%s", addr);
		}
		t->n_candidates++;
	}
	t->started = true;
	if (done) {
		t->gathered = true;
		t->gatherings++;
	}
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
	g_slist_free_full(cands, (GDestroyNotify)nice_candidate_free);
}

static void schedule_restart(struct cb_ice_transport *t, const char *why)
{
	gint64 now = g_get_monotonic_time();

	if (t->restart_at_us)
		return;
	pw_log_warn("call %s: ICE: %s; restarting in %u ms", t->call_name, why, t->backoff_ms);
	t->restart_at_us = now + (gint64)t->backoff_ms * 1000;
	t->backoff_ms = t->backoff_ms ? MIN(t->backoff_ms * 2, BACKOFF_MAX_MS) : BACKOFF_FIRST_MS;
}

static void on_gathering_done(NiceAgent *agent, guint sid, gpointer data)
{
	struct cb_ice_transport *t = data;
	bool have_relay;

	if (sid != atomic_load(&t->stream_id))
		return;
	record_local_candidates(t, sid, true, &have_relay);
	t->stream_gathered = true;
	apply_remote_candidates(t, sid);
	if (t->params.turn_server.set && !have_relay) {
		atomic_fetch_add(&t->counters.turn_failures, 1);
		pw_log_warn("call %s: ICE: TURN server %s gave no relay candidate: the server "
			    "refused turn-username/turn-password or cannot be reached",
			    t->call_name, t->params.turn_server.text);
		if (t->params.policy == CB_ICE_POLICY_RELAY)
			schedule_restart(t, "no relay candidate with policy = relay");
	}
}

static void on_state_changed(NiceAgent *agent, guint sid, guint component, guint state,
			     gpointer data)
{
	struct cb_ice_transport *t = data;
	bool connected = state == NICE_COMPONENT_STATE_CONNECTED ||
			 state == NICE_COMPONENT_STATE_READY;

	if (sid != atomic_load(&t->stream_id))
		return;
	pw_log_info("call %s: ICE: %s", t->call_name,
		    nice_component_state_to_string((NiceComponentState)state));
	atomic_store(&t->state, (int)state);
	if (connected && !atomic_load(&t->connected)) {
		t->connected_us = g_get_monotonic_time();
		atomic_store(&t->last_rx_us, t->connected_us);
		t->was_connected = true;
		t->backoff_ms = 0;
	}
	atomic_store(&t->connected, connected);
	cb_transport_notify_state(&t->base, connected ? CB_TRANSPORT_CONNECTED :
				  state == NICE_COMPONENT_STATE_FAILED ? CB_TRANSPORT_FAILED :
				  CB_TRANSPORT_CONNECTING);
	if (state == NICE_COMPONENT_STATE_FAILED && t->params.restart_without_signalling)
		schedule_restart(t, "connectivity checks failed");
}

static void on_selected_pair(NiceAgent *agent, guint sid, guint component,
			     NiceCandidate *local, NiceCandidate *remote, gpointer data)
{
	struct cb_ice_transport *t = data;

	if (sid != atomic_load(&t->stream_id))
		return;
	pthread_mutex_lock(&t->lock);
	candidate_address(local, t->pair_local, sizeof(t->pair_local));
	candidate_address(remote, t->pair_remote, sizeof(t->pair_remote));
	t->pair_local_type = type_name(local->type);
	t->pair_remote_type = type_name(remote->type);
	t->pair_type = type_rank(local->type) >= type_rank(remote->type) ?
		       t->pair_local_type : t->pair_remote_type;
	pw_log_info("call %s: ICE: selected pair %s (%s) <-> %s (%s), type %s", t->call_name,
		    t->pair_local, t->pair_local_type, t->pair_remote, t->pair_remote_type,
		    t->pair_type);
	pthread_mutex_unlock(&t->lock);
}

static int add_stream(struct cb_ice_transport *t)
{
	const struct cb_ice_params *ice = &t->params;
	guint sid = nice_agent_add_stream(t->agent, 1);
	uint16_t port = 0;
	bool started;

	if (sid == 0)
		return -ENOMEM;
	nice_agent_set_stream_name(t->agent, sid, "audio");
	nice_agent_set_local_credentials(t->agent, sid, ice->ufrag, ice->pwd);
	/* When known up front (the file): the controlled side can answer
	 * checks before it has heard of any candidate of the other side. */
	if (t->remote_ufrag[0])
		nice_agent_set_remote_credentials(t->agent, sid, t->remote_ufrag, t->remote_pwd);
	t->stream_gathered = false;
	if (ice->local.set) {
		const struct sockaddr *sa = (const struct sockaddr *)&ice->local.addr;
		port = ntohs(sa->sa_family == AF_INET6 ?
			     ((const struct sockaddr_in6 *)sa)->sin6_port :
			     ((const struct sockaddr_in *)sa)->sin_port);
	}
	if (port)
		nice_agent_set_port_range(t->agent, sid, COMPONENT, port, port);
	if (ice->turn_server.set) {
		char host[INET6_ADDRSTRLEN] = "";
		const struct sockaddr *sa = (const struct sockaddr *)&ice->turn_server.addr;
		uint16_t tport;

		if (sa->sa_family == AF_INET6) {
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, host,
				  sizeof(host));
			tport = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
		} else {
			inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, host,
				  sizeof(host));
			tport = ntohs(((const struct sockaddr_in *)sa)->sin_port);
		}
		nice_agent_set_relay_info(t->agent, sid, COMPONENT, host, tport,
					  ice->turn_username, ice->turn_password,
					  ice->turn_transport == CB_TURN_TLS ? NICE_RELAY_TYPE_TURN_TLS :
					  ice->turn_transport == CB_TURN_TCP ? NICE_RELAY_TYPE_TURN_TCP :
					  NICE_RELAY_TYPE_TURN_UDP);
	}
	nice_agent_attach_recv(t->agent, sid, COMPONENT, t->ctx, on_recv, t);
	atomic_store(&t->stream_id, sid);
	t->stream_started_us = g_get_monotonic_time();
	if (!nice_agent_gather_candidates(t->agent, sid)) {
		pw_log_error("call %s: ICE: cannot gather candidates (is %s a local address, "
			     "and its port free?)", t->call_name,
			     ice->local.set ? ice->local.text : "-");
		return -EADDRNOTAVAIL;
	}
	/* libnice may have finished already (host candidates only) and said so
	 * from inside the call above. */
	pthread_mutex_lock(&t->lock);
	started = t->started;
	pthread_mutex_unlock(&t->lock);
	if (!started) {
		bool have_relay;
		record_local_candidates(t, sid, false, &have_relay);
	}
	return 0;
}

/* A fresh stream: new sockets and a new TURN allocation.  Without
 * signalling there is nobody to tell new credentials to, so it keeps the
 * file's, and the other side's checks find it again. */
static void restart(struct cb_ice_transport *t)
{
	guint old = atomic_load(&t->stream_id);

	t->restart_at_us = 0;
	atomic_store(&t->connected, false);
	atomic_store(&t->stream_id, 0);
	if (old) {
		nice_agent_attach_recv(t->agent, old, COMPONENT, t->ctx, NULL, NULL);
		nice_agent_remove_stream(t->agent, old);
	}
	atomic_fetch_add(&t->counters.restarts, 1);
	pthread_mutex_lock(&t->lock);
	t->pair_type = NULL;
	pthread_mutex_unlock(&t->lock);
	pw_log_info("call %s: ICE: restart %u", t->call_name, atomic_load(&t->counters.restarts));
	if (add_stream(t) < 0)
		schedule_restart(t, "cannot add a stream");
}

static void set_stun_server(struct cb_ice_transport *t);

static gboolean on_watchdog(gpointer data)
{
	struct cb_ice_transport *t = data;
	gint64 now = g_get_monotonic_time();
	bool controlled = t->params.role == CB_ICE_ROLE_CONTROLLED;

	if (!t->params.restart_without_signalling)
		return G_SOURCE_CONTINUE;
	if (t->restart_at_us) {
		if (now >= t->restart_at_us)
			restart(t);
		return G_SOURCE_CONTINUE;
	}
	if (atomic_load(&t->connected)) {
		gint64 silence = now - atomic_load(&t->last_rx_us);
		if (silence > (controlled ? SILENCE_CONTROLLED_US : SILENCE_CONTROLLING_US))
			schedule_restart(t, "no packets on the selected pair");
	} else if (!controlled && now - t->stream_started_us > CONNECT_TIMEOUT_US) {
		/* The controlled side waits to be found instead: its address is
		 * what the controlling side's file names. */
		schedule_restart(t, "not connected");
	}
	return G_SOURCE_CONTINUE;
}

static gboolean setup_in_thread(gpointer data)
{
	struct cb_ice_transport *t = data;
	const struct cb_ice_params *ice = &t->params;

	t->agent = nice_agent_new_full(t->ctx, NICE_COMPATIBILITY_RFC5245,
				       NICE_AGENT_OPTION_CONSENT_FRESHNESS);
	g_object_set(t->agent,
		     "controlling-mode", ice->role == CB_ICE_ROLE_CONTROLLING,
		     "upnp", FALSE,
		     "ice-tcp", FALSE,
		     "force-relay", ice->policy == CB_ICE_POLICY_RELAY,
		     /* ~3 s instead of ~40 s before a dead server or path counts
		      * as failed; media cannot wait that long. */
		     "stun-max-retransmissions", 3,
		     NULL);
	if (ice->stun_server.set)
		set_stun_server(t);
	if (ice->local.set) {
		const struct sockaddr *sa = (const struct sockaddr *)&ice->local.addr;
		bool any = sa->sa_family == AF_INET ?
			   ((const struct sockaddr_in *)sa)->sin_addr.s_addr == INADDR_ANY :
			   IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)sa)->sin6_addr);
		if (!any) {
			NiceAddress addr;
			nice_address_set_from_sockaddr(&addr, sa);
			nice_address_set_port(&addr, 0);
			nice_agent_add_local_address(t->agent, &addr);
		}
	}
	g_signal_connect(t->agent, "candidate-gathering-done", G_CALLBACK(on_gathering_done), t);
	g_signal_connect(t->agent, "component-state-changed", G_CALLBACK(on_state_changed), t);
	g_signal_connect(t->agent, "new-selected-pair-full", G_CALLBACK(on_selected_pair), t);

	if (add_stream(t) < 0) {
		pthread_mutex_lock(&t->lock);
		t->started = t->gathered = true;	/* nothing will come: do not make start wait */
		pthread_cond_broadcast(&t->cond);
		pthread_mutex_unlock(&t->lock);
		schedule_restart(t, "cannot start gathering");
	}
	t->watchdog = g_timeout_source_new(WATCHDOG_MS);
	g_source_set_callback(t->watchdog, on_watchdog, t, NULL);
	g_source_attach(t->watchdog, t->ctx);
	return G_SOURCE_REMOVE;
}

static gboolean teardown_in_thread(gpointer data)
{
	struct cb_ice_transport *t = data;

	cb_glib_source_clear(&t->watchdog);
	if (t->agent) {
		guint sid = atomic_load(&t->stream_id);
		atomic_store(&t->connected, false);
		atomic_store(&t->stream_id, 0);
		if (sid)
			nice_agent_remove_stream(t->agent, sid);
		g_object_unref(t->agent);
		t->agent = NULL;
	}
	forget_remote(t);
	return G_SOURCE_REMOVE;
}

static const struct cb_transport_ops ice_ops;

int cb_ice_transport_new(struct cb_ice_transport **out, const struct cb_ice_params *params,
			 char *err, size_t err_len)
{
	struct cb_ice_transport *t;
	pthread_condattr_t cond_attr;
	int res;

	cb_log_init();
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	cb_transport_init(&t->base, &ice_ops);
	t->params = *params;
	t->call_name = t->params.name;
	pthread_mutex_init(&t->lock, NULL);
	pthread_condattr_init(&cond_attr);
	pthread_condattr_setclock(&cond_attr, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cond, &cond_attr);
	pthread_condattr_destroy(&cond_attr);
	if ((res = cb_ice_queue_init(&t->queue)) < 0) {
		snprintf(err, err_len, "cannot make the ICE receive queue: %s", strerror(-res));
		cb_ice_transport_destroy(t);
		return res;
	}
	if ((t->ctx = cb_glib_thread_ref()) == NULL) {
		snprintf(err, err_len, "cannot start the GLib thread");
		cb_ice_transport_destroy(t);
		return -ENOMEM;
	}
	*out = t;
	return 0;
}

/* Bounds the wait for the host candidates, which libnice has at once; it
 * only matters if the libnice thread never gets to run. */
#define START_TIMEOUT_MS 5000

int cb_ice_transport_start(struct cb_ice_transport *t, uint32_t gather_wait_ms)
{
	uint32_t timeout_ms = gather_wait_ms ? gather_wait_ms : START_TIMEOUT_MS;
	struct timespec deadline;

	t->started_thread = true;
	cb_glib_thread_call(setup_in_thread, t);

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&t->lock);
	while (gather_wait_ms ? !t->gathered : !t->started)
		if (pthread_cond_timedwait(&t->cond, &t->lock, &deadline) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&t->lock);
	return 0;
}

void cb_ice_transport_destroy(struct cb_ice_transport *t)
{
	if (t == NULL)
		return;
	if (t->ctx) {
		cb_glib_thread_call(teardown_in_thread, t);
		cb_glib_thread_unref();
	}
	cb_ice_queue_clear(&t->queue);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->cond);
	cb_secret_wipe(&t->params, sizeof(t->params));
	cb_secret_wipe(t->remote_pwd, sizeof(t->remote_pwd));
	free(t);
}

static int ice_send(struct cb_transport *base, const uint8_t *buf, size_t len,
		    const struct cb_address *dest)
{
	struct cb_ice_transport *t = (struct cb_ice_transport *)base;
	guint sid = atomic_load(&t->stream_id);

	/* One destination, the selected pair: dest is not read. */
	if (!atomic_load(&t->connected) || sid == 0) {
		atomic_fetch_add_explicit(&base->counters.tx_not_ready, 1, memory_order_relaxed);
		return 0;
	}
	if (nice_agent_send(t->agent, sid, COMPONENT, (guint)len, (const gchar *)buf) < 0) {
		atomic_fetch_add_explicit(&base->counters.tx_errors, 1, memory_order_relaxed);
		return -EIO;
	}
	atomic_fetch_add_explicit(&base->counters.tx_packets, 1, memory_order_relaxed);
	return 0;
}

static ssize_t ice_recv(struct cb_transport *base, uint8_t *buf, size_t cap,
			struct cb_address *from, uint64_t *arrival_ns)
{
	struct cb_ice_transport *t = (struct cb_ice_transport *)base;
	ssize_t n = cb_ice_queue_pop(&t->queue, buf, cap, arrival_ns);

	if (n >= 0 && from) {
		/* Reports are answered over the same transport, wherever the
		 * pair leads: the address only has to say "known". */
		memset(from, 0, sizeof(*from));
		from->set = true;
		snprintf(from->text, sizeof(from->text), "ice");
	}
	return n;
}

static int ice_fd(struct cb_transport *base)
{
	return ((struct cb_ice_transport *)base)->queue.event_fd;
}

static void ice_destroy(struct cb_transport *base)
{
	cb_ice_transport_destroy((struct cb_ice_transport *)base);
}

bool cb_ice_transport_connected(const struct cb_ice_transport *t)
{
	return atomic_load(&t->connected);
}

const struct cb_ice_counters *cb_ice_transport_counters(const struct cb_ice_transport *t)
{
	return &t->counters;
}

uint32_t cb_ice_transport_candidate_list(struct cb_ice_transport *t, char *out, size_t len)
{
	uint32_t n;

	pthread_mutex_lock(&t->lock);
	snprintf(out, len, "%s", t->candidates);
	n = t->n_candidates;
	pthread_mutex_unlock(&t->lock);
	return n;
}

uint32_t cb_ice_transport_gatherings(struct cb_ice_transport *t)
{
	uint32_t n;

	pthread_mutex_lock(&t->lock);
	n = t->gatherings;
	pthread_mutex_unlock(&t->lock);
	return n;
}

uint32_t cb_ice_transport_candidate_sdp(struct cb_ice_transport *t, char *out, size_t len,
					struct cb_address *default_addr)
{
	uint32_t n;

	pthread_mutex_lock(&t->lock);
	snprintf(out, len, "%s", t->candidate_sdp);
	n = t->n_candidates;
	if (default_addr)
		*default_addr = t->default_addr;
	pthread_mutex_unlock(&t->lock);
	return n;
}

static void ice_describe(struct cb_transport *base, struct cb_transport_info *info)
{
	struct cb_ice_transport *t = (struct cb_ice_transport *)base;
	NiceComponentState state = (NiceComponentState)atomic_load(&t->state);

	info->state = state == NICE_COMPONENT_STATE_FAILED ? CB_TRANSPORT_FAILED :
		      atomic_load(&t->connected) ? CB_TRANSPORT_CONNECTED :
		      CB_TRANSPORT_CONNECTING;
	snprintf(info->state_name, sizeof(info->state_name), "%s",
		 nice_component_state_to_string(state));
	if (t->params.local.set)
		snprintf(info->local, sizeof(info->local), "%s", t->params.local.text);
	pthread_mutex_lock(&t->lock);
	info->has_pair = t->pair_type != NULL;
	if (info->has_pair) {
		snprintf(info->pair_local, sizeof(info->pair_local), "%s", t->pair_local);
		snprintf(info->pair_remote, sizeof(info->pair_remote), "%s", t->pair_remote);
		info->pair_local_type = t->pair_local_type;
		info->pair_remote_type = t->pair_remote_type;
		info->pair_type = t->pair_type;
	}
	pthread_mutex_unlock(&t->lock);
	info->restarts = atomic_load(&t->counters.restarts);
	info->turn_failures = atomic_load(&t->counters.turn_failures);
	info->rx_queue_dropped = (uint64_t)atomic_load(&t->queue.dropped);
}

static const struct cb_transport_ops ice_ops = {
	.kind = "ice",
	.accepts_on_read = true,
	.send = ice_send,
	.recv_raw = ice_recv,
	.fd = ice_fd,
	.describe = ice_describe,
	.destroy = ice_destroy,
};

struct cb_transport *cb_ice_transport_base(struct cb_ice_transport *t)
{
	return &t->base;
}

struct cb_ice_transport *cb_ice_transport_from(struct cb_transport *base)
{
	return base && base->ops == &ice_ops ? (struct cb_ice_transport *)base : NULL;
}

/* ---- The peer at run time: each call runs on the GLib thread ---- */

struct remote_call {
	struct cb_ice_transport *t;
	const char *ufrag, *pwd;
	const struct cb_address *address;
	const char *attribute;
	int result;
};

static gboolean set_credentials_in_thread(gpointer data)
{
	struct remote_call *c = data;
	struct cb_ice_transport *t = c->t;
	guint sid = atomic_load(&t->stream_id);

	snprintf(t->remote_ufrag, sizeof(t->remote_ufrag), "%s", c->ufrag);
	snprintf(t->remote_pwd, sizeof(t->remote_pwd), "%s", c->pwd);
	if (sid && t->agent &&
	    !nice_agent_set_remote_credentials(t->agent, sid, t->remote_ufrag, t->remote_pwd))
		c->result = -EINVAL;
	return G_SOURCE_REMOVE;
}

int cb_ice_transport_set_remote_credentials(struct cb_ice_transport *t, const char *ufrag,
					    const char *pwd)
{
	struct remote_call c = { .t = t, .ufrag = ufrag, .pwd = pwd };

	if (strlen(ufrag) > CB_ICE_CRED_MAX || strlen(pwd) > CB_ICE_CRED_MAX)
		return -EINVAL;
	cb_glib_thread_call(set_credentials_in_thread, &c);
	return c.result;
}

/* Keeps cand (taken over) and hands it to the stream if it can pair now. */
static int add_remote(struct cb_ice_transport *t, NiceCandidate *cand)
{
	guint sid = atomic_load(&t->stream_id);

	if (t->n_remote >= MAX_REMOTE_CANDIDATES) {
		nice_candidate_free(cand);
		atomic_fetch_add(&t->counters.remote_candidates_rejected, 1);
		return -ENOSPC;
	}
	t->remote[t->n_remote++] = cand;
	if (sid && t->stream_gathered) {
		GSList one = { .data = nice_candidate_copy(cand), .next = NULL };
		((NiceCandidate *)one.data)->stream_id = sid;
		if (nice_agent_set_remote_candidates(t->agent, sid, COMPONENT, &one) < 0)
			pw_log_warn("call %s: ICE: libnice rejected a remote candidate", t->call_name);
		nice_candidate_free(one.data);
	}
	return 0;
}

static gboolean add_address_in_thread(gpointer data)
{
	struct remote_call *c = data;
	struct cb_ice_transport *t = c->t;
	NiceCandidate *cand = nice_candidate_new(NICE_CANDIDATE_TYPE_HOST);
	uint32_t i = t->n_remote_addresses;

	cand->component_id = COMPONENT;
	cand->transport = NICE_CANDIDATE_TRANSPORT_UDP;
	nice_address_set_from_sockaddr(&cand->addr, (const struct sockaddr *)&c->address->addr);
	/* RFC 8445 5.1.2.1 host priority, earlier entries preferred. */
	cand->priority = (126u << 24) | ((65535u - i) << 8) | (256u - COMPONENT);
	snprintf(cand->foundation, sizeof(cand->foundation), "r%u", i + 1);
	if ((c->result = add_remote(t, cand)) == 0)
		t->n_remote_addresses++;
	return G_SOURCE_REMOVE;
}

int cb_ice_transport_add_remote_address(struct cb_ice_transport *t, const struct cb_address *a)
{
	struct remote_call c = { .t = t, .address = a };

	if (!a->set)
		return -EINVAL;
	cb_glib_thread_call(add_address_in_thread, &c);
	return c.result;
}

static gboolean add_candidate_in_thread(gpointer data)
{
	struct remote_call *c = data;
	struct cb_ice_transport *t = c->t;
	NiceCandidate *cand = NULL;
	guint sid = atomic_load(&t->stream_id);

	/* libnice parses the attribute against a stream; before the first
	 * one exists there is nothing to parse it against. */
	if (t->agent != NULL && sid != 0)
		cand = nice_agent_parse_remote_candidate_sdp(t->agent, sid, c->attribute);
	if (cand == NULL || cand->component_id != COMPONENT ||
	    cand->transport != NICE_CANDIDATE_TRANSPORT_UDP) {
		if (cand)
			nice_candidate_free(cand);
		atomic_fetch_add(&t->counters.remote_candidates_rejected, 1);
		c->result = -EINVAL;
		return G_SOURCE_REMOVE;
	}
	c->result = add_remote(t, cand);
	return G_SOURCE_REMOVE;
}

int cb_ice_transport_add_remote_candidate(struct cb_ice_transport *t, const char *attribute)
{
	char line[512];
	struct remote_call c = { .t = t, .attribute = line };

	if (strncmp(attribute, "a=", 2) == 0)
		attribute += 2;
	/* libnice reads the attribute line as it writes it, with "a=". */
	if (strncmp(attribute, "candidate:", 10) != 0 ||
	    (size_t)snprintf(line, sizeof(line), "a=%s", attribute) >= sizeof(line)) {
		atomic_fetch_add(&t->counters.remote_candidates_rejected, 1);
		return -EINVAL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	cb_glib_thread_call(add_candidate_in_thread, &c);
	return c.result;
}

static gboolean gathering_done_in_thread(gpointer data)
{
	struct remote_call *c = data;
	guint sid = atomic_load(&c->t->stream_id);

	if (sid && c->t->agent)
		nice_agent_peer_candidate_gathering_done(c->t->agent, sid);
	return G_SOURCE_REMOVE;
}

void cb_ice_transport_remote_gathering_done(struct cb_ice_transport *t)
{
	struct remote_call c = { .t = t };

	cb_glib_thread_call(gathering_done_in_thread, &c);
}

static gboolean restart_in_thread(gpointer data)
{
	struct remote_call *c = data;
	struct cb_ice_transport *t = c->t;

	snprintf(t->params.ufrag, sizeof(t->params.ufrag), "%s", c->ufrag);
	snprintf(t->params.pwd, sizeof(t->params.pwd), "%s", c->pwd);
	forget_remote(t);
	t->backoff_ms = 0;
	if (t->agent)
		restart(t);
	return G_SOURCE_REMOVE;
}

int cb_ice_transport_restart(struct cb_ice_transport *t, const char *ufrag, const char *pwd)
{
	struct remote_call c = { .t = t, .ufrag = ufrag, .pwd = pwd };

	if (!cb_ice_chars_valid(ufrag) || !cb_ice_chars_valid(pwd) ||
	    strlen(ufrag) < CB_ICE_UFRAG_MIN || strlen(pwd) < CB_ICE_PWD_MIN ||
	    strlen(ufrag) > CB_ICE_CRED_MAX || strlen(pwd) > CB_ICE_CRED_MAX)
		return -EINVAL;
	cb_glib_thread_call(restart_in_thread, &c);
	return 0;
}

struct servers_call {
	struct cb_ice_transport *t;
	const struct cb_address *stun, *turn;
	enum cb_turn_transport turn_transport;
	const char *username, *password;
	int added;
};

static void set_stun_server(struct cb_ice_transport *t)
{
	char host[INET6_ADDRSTRLEN] = "";
	const struct sockaddr *sa = (const struct sockaddr *)&t->params.stun_server.addr;
	uint16_t port;

	if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, host, sizeof(host));
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	} else {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, host, sizeof(host));
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	}
	g_object_set(t->agent, "stun-server", host, "stun-server-port", (guint)port, NULL);
}

static gboolean add_servers_in_thread(gpointer data)
{
	struct servers_call *c = data;
	struct cb_ice_params *p = &c->t->params;

	if (c->stun && c->stun->set && !p->stun_server.set) {
		p->stun_server = *c->stun;
		if (c->t->agent)
			set_stun_server(c->t);
		c->added++;
	}
	if (c->turn && c->turn->set && !p->turn_server.set) {
		p->turn_server = *c->turn;
		p->turn_transport = c->turn_transport;
		snprintf(p->turn_username, sizeof(p->turn_username), "%s", c->username);
		snprintf(p->turn_password, sizeof(p->turn_password), "%s", c->password);
		c->added++;
	}
	return G_SOURCE_REMOVE;
}

int cb_ice_transport_add_servers(struct cb_ice_transport *t, const struct cb_address *stun,
				 const struct cb_address *turn, enum cb_turn_transport turn_transport,
				 const char *turn_username, const char *turn_password)
{
	struct servers_call c = { .t = t, .stun = stun, .turn = turn,
				  .turn_transport = turn_transport,
				  .username = turn_username ? turn_username : "",
				  .password = turn_password ? turn_password : "" };

	cb_glib_thread_call(add_servers_in_thread, &c);
	return c.added;
}
