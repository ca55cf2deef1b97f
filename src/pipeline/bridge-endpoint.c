/* [endpoint]: callbridge serves WHIP and WHEP itself (endpoint/).  Each
 * [stream] with whep-endpoint is one session whose transport is a fan-out
 * to its viewers, so the stream keeps its one encoder and its one output
 * in the send worker however many browsers play it; each [remote] with
 * whip-endpoint is one session whose transport is a publisher slot, so
 * the receive worker has its input from the start and the remote's node
 * appears when a browser's media flows, and goes when it stops, as with
 * any other remote.  Main thread. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "endpoint/fanout.h"
#include "endpoint/slot.h"
#include "pipeline/bridge-private.h"
#include "util/log.h"
#include "util/secret.h"

int cb_bridge_open_served_stream(struct cb_bridge *b, uint32_t i, char *err, size_t err_len)
{
	const struct cb_config *config = &b->config;
	const struct cb_stream_config *sc = &config->streams[i];
	uint32_t index = b->n_sessions;
	struct cb_transport *fanout;
	struct cb_send_stream *s;
	int res;

	if ((res = cb_send_stream_new(&s, sc, config->call.ptime_samples,
				      &(struct cb_address){ 0 })) < 0) {
		snprintf(err, err_len, "stream %s: cannot create encoder: %s", sc->name,
			 strerror(-res));
		return res;
	}
	if ((res = cb_fanout_new(&fanout, s->audio_level_ext_id)) < 0 ||
	    (res = cb_call_session_open_endpoint(&b->sessions[index], sc->name, fanout, true)) < 0) {
		snprintf(err, err_len, "stream %s: cannot make its viewers' session: %s", sc->name,
			 strerror(-res));
		cb_send_stream_free(s);
		return res;
	}
	b->n_sessions++;
	/* Viewers' answers carry plain Opus, and the fan-out only rewrites
	 * the payload type per viewer: no RED on a served stream. */
	atomic_store(&b->sessions[index]->rtp.red_payload_type, CB_RTP_RED_OFF);
	if ((res = cb_bridge_attach_stream(b, s, index)) < 0) {
		snprintf(err, err_len, "stream %s: too many senders in its session", sc->name);
		cb_send_stream_free(s);
		return res;
	}
	b->streams[i] = s;
	b->n_streams++;
	return 0;
}

static int open_slot(struct cb_bridge *b, uint32_t k, char *err, size_t err_len)
{
	const struct cb_remote_config *rc = &b->config.remotes[k];
	uint32_t index = b->n_sessions;
	struct cb_transport *slot;
	int res;

	if ((res = cb_slot_new(&slot)) < 0 ||
	    (res = cb_call_session_open_endpoint(&b->sessions[index], rc->name, slot, false)) < 0) {
		snprintf(err, err_len, "remote %s: cannot make its publisher's session: %s",
			 rc->name, strerror(-res));
		return res;
	}
	b->n_sessions++;
	b->remote_session[k] = index + 1;
	return 0;
}

static int kick(void *data, const char *name)
{
	struct cb_bridge *b = data;

	return b->endpoint ? cb_endpoint_kick(b->endpoint, name) : -ENOENT;
}

int cb_bridge_open_endpoint(struct cb_bridge *b, char *err, size_t err_len)
{
	const struct cb_config *config = &b->config;
	const struct cb_endpoint_config *ec = &config->endpoint;
	struct cb_endpoint_params *p = calloc(1, sizeof(*p));
	int res = 0;

	if (p == NULL)
		return -ENOMEM;
	for (uint32_t k = 0; res == 0 && k < config->n_remotes; k++)
		if (config->remotes[k].whip_endpoint[0])
			res = open_slot(b, k, err, err_len);
	if (res < 0)
		goto out;

	snprintf(p->call, sizeof(p->call), "%s", config->call.name);
	snprintf(p->cname, sizeof(p->cname), "%s", b->cname);
	p->listen = ec->listen;
	p->tls = ec->tls;
	snprintf(p->tls_certificate_file, sizeof(p->tls_certificate_file), "%s",
		 ec->tls_certificate_file);
	snprintf(p->tls_key_file, sizeof(p->tls_key_file), "%s", ec->tls_key_file);
	snprintf(p->token, sizeof(p->token), "%s", ec->bearer_token);
	snprintf(p->allow_origin, sizeof(p->allow_origin), "%s", ec->allow_origin);
	p->page = ec->page;
	p->consent_timeout_ms = ec->consent_timeout_ms;
	p->max_viewers = ec->max_viewers;
	cb_call_session_ice_params(&p->ice, config);
	p->certificate = b->certificate;
	p->suites = config->call.srtp_offer;

	for (uint32_t i = 0; i < b->n_streams && p->n_routes < CB_ENDPOINT_ROUTES; i++) {
		const struct cb_send_stream *s = b->streams[i];
		struct cb_endpoint_route *r = &p->routes[p->n_routes];

		if (!s->config.whep_endpoint[0])
			continue;
		snprintf(r->path, sizeof(r->path), "%s", s->config.whep_endpoint);
		snprintf(r->name, sizeof(r->name), "%s", s->config.name);
		r->whep = true;
		r->transport = b->sessions[s->output]->transport;
		r->media = (struct cb_session_media) {
			.payload_type = s->config.payload_type, .channels = s->config.channels,
			.ptime_samples = config->call.ptime_samples, .ssrc = s->ssrc,
			.fec = s->config.fec, .dtx = s->config.dtx, .bitrate = s->config.bitrate,
			.audio_level_ext_id = s->audio_level_ext_id,
		};
		p->n_routes++;
	}
	for (uint32_t k = 0; k < config->n_remotes && p->n_routes < CB_ENDPOINT_ROUTES; k++) {
		const struct cb_remote_config *rc = &config->remotes[k];
		struct cb_endpoint_route *r = &p->routes[p->n_routes];
		struct cb_call_session *cs;

		if (!rc->whip_endpoint[0])
			continue;
		cs = b->sessions[b->remote_session[k] - 1];
		snprintf(r->path, sizeof(r->path), "%s", rc->whip_endpoint);
		snprintf(r->name, sizeof(r->name), "%s", rc->name);
		r->transport = cs->transport;
		r->keying = &cs->keying;
		r->media = (struct cb_session_media) {
			.payload_type = rc->payload_type, .channels = rc->channels,
			.ptime_samples = config->call.ptime_samples, .fec = true,
		};
		p->n_routes++;
	}
	res = cb_endpoint_new(&b->endpoint, p, err, err_len);
	if (res < 0 && !err[0])
		snprintf(err, err_len, "[endpoint]: %s", strerror(-res));
out:
	cb_secret_wipe(p, sizeof(*p));
	free(p);
	return res;
}

void cb_bridge_fill_endpoint(struct cb_bridge *b, struct cb_snapshot *snap)
{
	struct cb_snapshot_endpoint *e = &snap->endpoint;
	struct cb_endpoint_route_info *info;
	uint32_t n;

	snap->encoders = b->n_streams;
	e->present = b->endpoint != NULL;
	e->n_routes = e->n_guests = 0;
	if (!e->present)
		return;
	if (b->control)
		cb_control_set_guest_kick(b->control, kick, b);
	if ((info = calloc(CB_SNAPSHOT_ENDPOINT_ROUTES, sizeof(*info))) == NULL)
		return;
	snprintf(e->base, sizeof(e->base), "%s", cb_endpoint_base(b->endpoint));
	n = cb_endpoint_info(b->endpoint, info, CB_SNAPSHOT_ENDPOINT_ROUTES, &e->counters);
	for (uint32_t k = 0; k < n; k++) {
		snprintf(e->routes[k].path, sizeof(e->routes[k].path), "%s", info[k].path);
		snprintf(e->routes[k].name, sizeof(e->routes[k].name), "%s", info[k].name);
		e->routes[k].whep = info[k].whep;
		e->routes[k].peers = info[k].n_peers;
		e->routes[k].sessions_total = info[k].sessions_total;
		for (uint32_t i = 0; i < info[k].n_peers && e->n_guests < CB_SNAPSHOT_GUESTS; i++) {
			struct cb_snapshot_guest *g = &e->guests[e->n_guests++];
			snprintf(g->route, sizeof(g->route), "%s", info[k].name);
			g->peer = info[k].peers[i];
		}
	}
	e->n_routes = n;
	free(info);
}
