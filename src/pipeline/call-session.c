#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "pipeline/call-session.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/secret.h"

/* The peer's side as the file describes it: its ICE credentials and
 * candidates, and the key it sends with. */
static void describe_remote(struct cb_call_session *s, const struct cb_config *config)
{
	struct cb_session_desc *r = &s->remote;

	cb_session_desc_init(r);
	r->crypto.suite = config->call.srtp;
	r->crypto.key = config->call.remote_srtp_key;
	if (config->call.transport != CB_TRANSPORT_ICE)
		return;
	r->ice.present = true;
	snprintf(r->ice.ufrag, sizeof(r->ice.ufrag), "%s", config->ice.remote_ufrag);
	snprintf(r->ice.pwd, sizeof(r->ice.pwd), "%s", config->ice.remote_pwd);
	for (uint32_t i = 0; i < config->ice.n_remote_candidates; i++)
		r->ice.addresses[r->ice.n_addresses++] = config->ice.remote_candidates[i];
}

void cb_call_session_ice_params(struct cb_ice_params *p, const struct cb_config *config)
{
	const struct cb_ice_config *ice = &config->ice;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", config->call.name);
	p->role = ice->role;
	p->local = config->call.local;
	snprintf(p->ufrag, sizeof(p->ufrag), "%s", ice->ufrag);
	snprintf(p->pwd, sizeof(p->pwd), "%s", ice->pwd);
	p->stun_server = ice->stun_server;
	p->turn_server = ice->turn_server;
	p->turn_transport = ice->turn_transport;
	snprintf(p->turn_username, sizeof(p->turn_username), "%s", ice->turn_username);
	snprintf(p->turn_password, sizeof(p->turn_password), "%s", ice->turn_password);
	p->policy = ice->policy;
	/* Both sides' credentials are in the files: nobody to signal to. */
	p->restart_without_signalling = true;
}

/* Starts with the host candidates, which are known at once, so that the
 * nodes appear and (in the module) PipeWire's main loop goes on while a
 * STUN or TURN server is slow or gone; the bridge's timer publishes what
 * they add. */
static int open_ice(struct cb_call_session *s, const struct cb_config *config, char *err,
		    size_t err_len)
{
	struct cb_ice_params params;
	const struct cb_session_ice *peer = &s->remote.ice;
	int res;

	cb_call_session_ice_params(&params, config);
	res = cb_ice_transport_new(&s->ice, &params, err, err_len);
	cb_secret_wipe(&params, sizeof(params));
	if (res < 0)
		return res;
	s->transport = cb_ice_transport_base(s->ice);
	/* The peer, as trickle would hand it over: credentials, then one
	 * candidate at a time. */
	if ((res = cb_ice_transport_set_remote_credentials(s->ice, peer->ufrag, peer->pwd)) < 0) {
		snprintf(err, err_len, "ICE: cannot set the peer's credentials");
		return res;
	}
	for (uint32_t i = 0; i < peer->n_addresses; i++)
		if ((res = cb_ice_transport_add_remote_address(s->ice, &peer->addresses[i])) < 0) {
			snprintf(err, err_len, "ICE: cannot add remote candidate %s",
				 peer->addresses[i].text);
			return res;
		}
	cb_ice_transport_start(s->ice, 0);
	if (cb_ice_transport_candidate_list(s->ice, s->ice_candidates,
					    sizeof(s->ice_candidates)) == 0 &&
	    config->ice.policy != CB_ICE_POLICY_RELAY) {
		snprintf(err, err_len, "ICE gathered no candidate on %s", config->call.local.text);
		return -EADDRNOTAVAIL;
	}
	/* The pwd is a secret; the other side has it in its file already. */
	pw_log_info("call %s: ICE %s, ufrag %s, candidates: %s", config->call.name,
		    config->ice.role == CB_ICE_ROLE_CONTROLLING ? "controlling" : "controlled",
		    config->ice.ufrag, s->ice_candidates[0] ? s->ice_candidates : "(none yet)");
	return 0;
}

/* The file's keys, or a fresh sending key per run: the SDP file carries it
 * to whoever may read that file. */
static int set_keys(struct cb_call_session *s, const struct cb_config *config, char *err,
		    size_t err_len)
{
	const struct cb_call_config *call = &config->call;
	struct cb_key *send = &s->local.crypto.key;
	size_t key_len = cb_srtp_suite_key_len(call->srtp);
	int res;

	s->local.crypto.suite = call->srtp;
	if (call->srtp == CB_SRTP_NONE) {
		s->receiving = true;
		return cb_keying_set(&s->keying, CB_SRTP_NONE, NULL, NULL);
	}
	if (call->srtp_key.set) {
		*send = call->srtp_key;
	} else {
		if (getrandom(send->bytes, key_len, 0) != (ssize_t)key_len) {
			snprintf(err, err_len, "cannot make a random SRTP key: %s", strerror(errno));
			return -EIO;
		}
		send->len = key_len;
		send->set = true;
	}
	s->receiving = s->remote.crypto.key.set;
	res = cb_keying_set(&s->keying, call->srtp, send,
			    s->receiving ? &s->remote.crypto.key : NULL);
	if (res < 0)
		snprintf(err, err_len, "cannot set up SRTP: %s", strerror(-res));
	return res;
}

/* An empty session: no keys, no senders, nothing described. */
static struct cb_call_session *session_new(void)
{
	struct cb_call_session *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	cb_keying_init(&s->keying);
	cb_rtp_session_init(&s->rtp);
	cb_session_desc_init(&s->local);
	cb_session_desc_init(&s->remote);
	return s;
}

int cb_call_session_open(struct cb_call_session **out, const struct cb_config *config,
			 char *err, size_t err_len)
{
	struct cb_call_session *s = session_new();
	int res;

	if (s == NULL)
		return -ENOMEM;
	describe_remote(s, config);

	if (config->call.transport == CB_TRANSPORT_ICE) {
		if ((res = open_ice(s, config, err, err_len)) < 0)
			goto error;
	} else if ((res = cb_udp_transport_new(&s->transport, &config->call.local)) < 0) {
		snprintf(err, err_len, "cannot bind %s: %s", config->call.local.text, strerror(-res));
		goto error;
	}
	if ((res = set_keys(s, config, err, err_len)) < 0)
		goto error;
	*out = s;
	return 0;

error:
	cb_call_session_close(s);
	return res;
}

int cb_call_session_open_whip(struct cb_call_session **out, const char *name,
			      const struct cb_whip_session_config *config, char *err,
			      size_t err_len)
{
	struct cb_call_session *s = session_new();
	struct cb_whip_session_config *c = malloc(sizeof(*c));
	int res = -ENOMEM;

	if (s == NULL || c == NULL)
		goto error;
	snprintf(s->name, sizeof(s->name), "%s", name);
	*c = *config;
	c->keying = &s->keying;
	c->rtp = &s->rtp;
	/* DTLS keys both ways: whatever the peer sends is authenticated. */
	s->receiving = true;
	if ((res = cb_whip_session_new(&s->whip, c, err, err_len)) < 0)
		goto error;
	s->transport = cb_whip_session_transport(s->whip);
	cb_secret_wipe(c, sizeof(*c));
	free(c);
	*out = s;
	return 0;
error:
	if (c) {
		cb_secret_wipe(c, sizeof(*c));
		free(c);
	}
	cb_call_session_close(s);
	return res;
}

int cb_call_session_open_endpoint(struct cb_call_session **out, const char *name,
				  struct cb_transport *transport, bool whep)
{
	struct cb_call_session *s = session_new();
	int res;

	if (s == NULL) {
		cb_transport_destroy(transport);
		return -ENOMEM;
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->transport = transport;
	s->receiving = true;
	/* WHEP: the fan-out protects per viewer, so the worker hands it clear
	 * packets (suite none here never reaches a wire unprotected).  WHIP:
	 * no keys until a publisher's DTLS sets them. */
	if (whep && (res = cb_keying_set(&s->keying, CB_SRTP_NONE, NULL, NULL)) < 0) {
		cb_call_session_close(s);
		return res;
	}
	*out = s;
	return 0;
}

/* A WHIP/WHEP server is told the session ends; it frees what it holds for
 * us at once instead of waiting for ICE consent to lapse. */
#define DELETE_WAIT_MS 2000

void cb_call_session_end(struct cb_call_session *s, uint64_t now_ns)
{
	if (s->end_deadline_ns)
		return;
	s->end_deadline_ns = now_ns + DELETE_WAIT_MS * 1000000ull;
	if (s->whip)
		cb_whip_session_end(s->whip);
}

bool cb_call_session_end_done(struct cb_call_session *s, uint64_t now_ns)
{
	return s->whip == NULL || cb_whip_session_ended(s->whip) || now_ns >= s->end_deadline_ns;
}

void cb_call_session_close(struct cb_call_session *s)
{
	uint32_t wait_ms = DELETE_WAIT_MS;

	if (s == NULL)
		return;
	if (s->end_deadline_ns) {
		uint64_t now = cb_now_ns();
		wait_ms = now < s->end_deadline_ns ?
			  (uint32_t)((s->end_deadline_ns - now) / 1000000ull) : 0;
	}
	if (s->whip)
		cb_whip_session_close(s->whip, wait_ms);	/* its transport with it */
	else
		cb_transport_destroy(s->transport);
	cb_keying_clear(&s->keying);
	cb_session_desc_clear(&s->local);
	cb_session_desc_clear(&s->remote);
	free(s);
}

const char *cb_call_session_local_text(struct cb_call_session *s)
{
	if (s->ice == NULL && s->transport)
		return cb_udp_transport_local(s->transport)->text;
	return NULL;
}
