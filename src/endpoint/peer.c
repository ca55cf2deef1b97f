#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <glib.h>

#include "dtls/dtls-transport.h"
#include "endpoint/peer.h"
#include "sdp/sdpfrag.h"
#include "transport/ice-transport.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/secret.h"

static void random_chars(char *out, size_t len)
{
	static const char chars[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t r[64];

	if (getrandom(r, len, 0) != (ssize_t)len)
		for (size_t i = 0; i < len; i++)
			r[i] = (uint8_t)g_random_int();
	for (size_t i = 0; i < len; i++)
		out[i] = chars[r[i] & 63];
	out[len] = '\0';
	cb_secret_wipe(r, sizeof(r));
}

/* Resource ids and ETags go into URLs and headers: no + or /. */
static void random_id(char *out, size_t len)
{
	random_chars(out, len);
	for (size_t i = 0; i < len; i++)
		if (out[i] == '+' || out[i] == '/')
			out[i] = (char)('a' + (out[i] & 7));
}

static void new_etag(struct cb_peer *p)
{
	char raw[CB_PEER_ID_LEN + 1];

	random_id(raw, 16);
	snprintf(p->etag, sizeof(p->etag), "\"%s\"", raw);
}

static uint64_t now_ms(void)
{
	return cb_now_ns() / 1000000ull;
}

static void on_dtls(void *data, enum cb_dtls_state state, const char *reason)
{
	struct cb_peer *p = data;

	if (state == CB_DTLS_CONNECTED) {
		pw_log_info("endpoint %s %s (%s): DTLS connected, SRTP keyed", p->config.label,
			    p->id, p->config.client);
	} else if (state == CB_DTLS_FAILED) {
		p->dtls_failed = true;
		pw_log_warn("endpoint %s %s (%s): DTLS failed: %s", p->config.label, p->id,
			    p->config.client, reason ? reason : "?");
	}
}

/* Our side as the answer (or a restart's fragment) tells it. */
static void describe_local(struct cb_peer *p)
{
	char lines[4096];

	cb_session_desc_clear(&p->local);
	p->local.session_id = ((uint64_t)g_random_int() << 20) | 1;
	p->local.version = 1;
	snprintf(p->local.name, sizeof(p->local.name), "%s", p->config.name);
	snprintf(p->local.cname, sizeof(p->local.cname), "%s", p->config.cname);
	p->local.ice.present = true;
	snprintf(p->local.ice.ufrag, sizeof(p->local.ice.ufrag), "%s", p->config.ice.ufrag);
	snprintf(p->local.ice.pwd, sizeof(p->local.ice.pwd), "%s", p->config.ice.pwd);
	cb_ice_transport_candidate_sdp(p->ice, lines, sizeof(lines), NULL);
	cb_session_desc_add_candidate_lines(&p->local, lines);
	/* WHIP gives the server no way to trickle to the client (RFC 9725
	 * section 4.3.1): what the answer holds is all the client learns, so
	 * it says so.  Host candidates are known at once; a STUN server's
	 * reflexive one may miss the answer, and the client's checks reach us
	 * as peer-reflexive anyway. */
	p->local.ice.end_of_candidates = true;
	snprintf(p->local.dtls.hash, sizeof(p->local.dtls.hash), "sha-256");
	memcpy(p->local.dtls.fingerprint, cb_dtls_certificate_fingerprint(p->config.certificate),
	       CB_SHA256_LEN);
	p->local.dtls.fingerprint_len = CB_SHA256_LEN;
}

int cb_peer_new(struct cb_peer **out, const struct cb_peer_config *config,
		const struct cb_offer_terms *terms, const char *offer, size_t len,
		char *answer, size_t cap, unsigned int *status, char *reason, size_t reason_len)
{
	struct cb_peer *p = calloc(1, sizeof(*p));
	struct cb_offer_result *r = calloc(1, sizeof(*r));
	struct cb_dtls_config dtls = { 0 };
	char err[256];
	int res;

	*status = 500;
	snprintf(reason, reason_len, "out of memory");
	if (p == NULL || r == NULL) {
		res = -ENOMEM;
		goto error;
	}
	p->config = *config;
	cb_keying_init(&p->own_keying);
	cb_session_desc_init(&p->local);
	p->keying = config->keying ? config->keying : &p->own_keying;
	random_id(p->id, CB_PEER_ID_LEN);
	new_etag(p);
	p->created_ms = p->last_rx_ms = now_ms();

	if ((res = cb_offer_check(offer, len, terms, r)) < 0) {
		*status = r->status;
		snprintf(reason, reason_len, "%s", r->reason);
		goto error;
	}
	p->payload_type = r->ours.payload_type;
	p->audio_level_ext_id = r->ours.audio_level_ext_id;
	/* RFC 8445 section 5.3: 24 ice-chars, 144 bits, for the pwd. */
	random_chars(p->config.ice.ufrag, 8);
	random_chars(p->config.ice.pwd, 24);
	p->config.ice.role = CB_ICE_ROLE_CONTROLLED;	/* the offerer controls */
	p->config.ice.restart_without_signalling = false;
	snprintf(p->config.ice.name, sizeof(p->config.ice.name), "%.40s/%.8s", config->label, p->id);
	if ((res = cb_ice_transport_new(&p->ice, &p->config.ice, err, sizeof(err))) < 0) {
		snprintf(reason, reason_len, "ICE: %s", err);
		goto error;
	}
	dtls.certificate = config->certificate;
	dtls.role = r->role;
	memcpy(dtls.remote_fingerprint, r->peer.dtls.fingerprint, CB_SHA256_LEN);
	dtls.suites = config->suites;
	dtls.keying = p->keying;
	if ((res = cb_dtls_transport_new(&p->transport, cb_ice_transport_base(p->ice), &dtls,
					 on_dtls, p)) < 0) {
		cb_ice_transport_destroy(p->ice);
		p->ice = NULL;
		snprintf(reason, reason_len, "cannot set up DTLS");
		goto error;
	}
	cb_ice_transport_start(p->ice, 0);
	cb_ice_transport_set_remote_credentials(p->ice, r->peer.ice.ufrag, r->peer.ice.pwd);
	snprintf(p->remote_ufrag, sizeof(p->remote_ufrag), "%s", r->peer.ice.ufrag);
	for (uint32_t i = 0; i < r->peer.ice.n_candidates; i++)
		cb_ice_transport_add_remote_candidate(p->ice, r->peer.ice.candidates[i]);
	if (r->peer.ice.end_of_candidates) {
		p->remote_done = true;
		cb_ice_transport_remote_gathering_done(p->ice);
	}
	describe_local(p);
	if ((res = cb_offer_answer(r, &p->local, answer, cap)) < 0) {
		snprintf(reason, reason_len, "cannot write the answer: %s", strerror(-res));
		goto error;
	}
	*status = 0;
	reason[0] = '\0';
	pw_log_info("endpoint %s %s (%s): answered; ICE controlled with %u candidate(s) of "
		    "the offer, DTLS %s, payload type %u", config->label, p->id, config->client,
		    r->peer.ice.n_candidates, cb_dtls_role_name(r->role), p->payload_type);
	cb_session_desc_clear(&r->peer);
	free(r);
	*out = p;
	return 0;
error:
	if (r) {
		cb_session_desc_clear(&r->peer);
		free(r);
	}
	cb_peer_free(p);
	return res < 0 ? res : -EINVAL;
}

void cb_peer_free(struct cb_peer *p)
{
	if (p == NULL)
		return;
	if (p->transport)
		cb_transport_destroy(p->transport);	/* the ICE transport with it */
	else if (p->ice)
		cb_ice_transport_destroy(p->ice);
	cb_keying_clear(&p->own_keying);
	cb_session_desc_clear(&p->local);
	cb_secret_wipe(&p->config, sizeof(p->config));
	free(p);
}

static unsigned int restart(struct cb_peer *p, const struct cb_sdpfrag *frag, char *out,
			    size_t cap, size_t *out_len, char *reason, size_t reason_len)
{
	struct cb_sdpfrag *ours = calloc(1, sizeof(*ours));
	int n;

	if (ours == NULL)
		return 500;
	random_chars(p->config.ice.ufrag, 8);
	random_chars(p->config.ice.pwd, 24);
	if (cb_ice_transport_restart(p->ice, p->config.ice.ufrag, p->config.ice.pwd) < 0) {
		free(ours);
		snprintf(reason, reason_len, "cannot restart ICE");
		return 500;
	}
	cb_ice_transport_set_remote_credentials(p->ice, frag->ufrag, frag->pwd);
	snprintf(p->remote_ufrag, sizeof(p->remote_ufrag), "%s", frag->ufrag);
	p->remote_done = frag->end_of_candidates;
	for (uint32_t i = 0; i < frag->n_candidates; i++)
		cb_ice_transport_add_remote_candidate(p->ice, frag->candidates[i]);
	if (frag->end_of_candidates)
		cb_ice_transport_remote_gathering_done(p->ice);
	describe_local(p);
	new_etag(p);
	/* RFC 9725 section 4.3.2: the answer is a fragment with our new
	 * credentials and candidates. */
	snprintf(ours->ufrag, sizeof(ours->ufrag), "%s", p->local.ice.ufrag);
	snprintf(ours->pwd, sizeof(ours->pwd), "%s", p->local.ice.pwd);
	snprintf(ours->mid, sizeof(ours->mid), "%s", frag->mid[0] ? frag->mid : "0");
	for (uint32_t i = 0; i < p->local.ice.n_candidates && i < CB_SDPFRAG_CANDIDATES; i++)
		snprintf(ours->candidates[ours->n_candidates++], CB_SDPFRAG_LINE_MAX, "%s",
			 p->local.ice.candidates[i]);
	ours->end_of_candidates = true;
	n = cb_sdpfrag_write(ours, out, cap);
	cb_secret_wipe(ours, sizeof(*ours));
	free(ours);
	if (n < 0)
		return 500;
	*out_len = (size_t)n;
	pw_log_info("endpoint %s %s (%s): ICE restart", p->config.label, p->id, p->config.client);
	return 200;
}

unsigned int cb_peer_patch(struct cb_peer *p, const char *if_match, const char *body, size_t len,
			   char *out, size_t cap, size_t *out_len, char *reason, size_t reason_len)
{
	struct cb_sdpfrag *frag = calloc(1, sizeof(*frag));
	char err[200];
	unsigned int status = 204;

	*out_len = 0;
	if (frag == NULL)
		return 500;
	/* RFC 9725 section 4.3.1: a PATCH names the state it acts on. */
	if (if_match == NULL) {
		status = 428;
		snprintf(reason, reason_len, "a PATCH needs If-Match (the ETag, or \"*\" for an ICE "
			 "restart)");
		goto out;
	}
	if (strcmp(if_match, "*") != 0 && strcmp(if_match, p->etag) != 0) {
		status = 412;
		snprintf(reason, reason_len, "If-Match does not name this session's ETag");
		goto out;
	}
	if (cb_sdpfrag_parse(body, len, frag, err, sizeof(err)) < 0) {
		snprintf(reason, reason_len, "malformed trickle-ice-sdpfrag: %s", err);
		status = 400;
		goto out;
	}
	/* New credentials: an ICE restart (RFC 9725 section 4.3.2), sent
	 * with If-Match: "*" or the current ETag. */
	if (frag->ufrag[0] && frag->pwd[0] && strcmp(frag->ufrag, p->remote_ufrag) != 0) {
		if (if_match == NULL) {
			status = 428;
			snprintf(reason, reason_len, "an ICE restart needs If-Match");
		} else if (strcmp(if_match, "*") != 0 && strcmp(if_match, p->etag) != 0) {
			status = 412;
			snprintf(reason, reason_len, "If-Match does not name this session's ETag");
		} else {
			status = restart(p, frag, out, cap, out_len, reason, reason_len);
		}
		goto out;
	}
	if (if_match == NULL) {
		status = 428;
		snprintf(reason, reason_len, "trickle needs If-Match with the ETag");
		goto out;
	}
	if (strcmp(if_match, p->etag) != 0 && strcmp(if_match, "*") != 0) {
		status = 412;
		snprintf(reason, reason_len, "If-Match does not name this session's ETag");
		goto out;
	}
	if (frag->ufrag[0] && strcmp(frag->ufrag, p->remote_ufrag) != 0) {
		status = 422;
		snprintf(reason, reason_len, "the ufrag is not this session's");
		goto out;
	}
	if (p->remote_done && frag->n_candidates > 0) {
		status = 422;
		snprintf(reason, reason_len, "candidates after end-of-candidates");
		goto out;
	}
	for (uint32_t i = 0; i < frag->n_candidates; i++)
		if (cb_ice_transport_add_remote_candidate(p->ice, frag->candidates[i]) < 0) {
			status = 422;
			snprintf(reason, reason_len, "candidate %u cannot be parsed", i + 1);
		}
	if (frag->end_of_candidates && !p->remote_done) {
		p->remote_done = true;
		cb_ice_transport_remote_gathering_done(p->ice);
	}
out:
	cb_secret_wipe(frag, sizeof(*frag));
	free(frag);
	return status;
}

bool cb_peer_alive(struct cb_peer *p, uint64_t now, uint64_t timeout_ms)
{
	uint8_t buf[1500];
	uint64_t rx;
	struct cb_transport_info info;

	/* A viewer's RTCP: nobody else reads its transport.  A publisher's
	 * media is the receive worker's, through the slot. */
	if (p->config.keying == NULL)
		while (cb_transport_recv(p->transport, buf, sizeof(buf), NULL) >= 0)
			p->rtcp_drained++;
	rx = atomic_load(&p->transport->counters.rx_datagrams);
	cb_transport_describe(p->transport, &info);
	rx = info.rx_datagrams;
	if (rx != p->last_rx_count) {
		p->last_rx_count = rx;
		p->last_rx_ms = now;
	}
	if (p->dtls_failed)
		return false;
	return now - p->last_rx_ms < timeout_ms;
}

void cb_peer_describe(struct cb_peer *p, uint64_t now, struct cb_peer_info *info)
{
	struct cb_transport_info t;

	memset(info, 0, sizeof(*info));
	cb_transport_describe(p->transport, &t);
	snprintf(info->id, sizeof(info->id), "%s", p->id);
	snprintf(info->client, sizeof(info->client), "%s", p->config.client);
	snprintf(info->state, sizeof(info->state), "%s", t.state_name);
	snprintf(info->dtls, sizeof(info->dtls), "%s", t.dtls_state ? t.dtls_state : "-");
	snprintf(info->profile, sizeof(info->profile), "%s", t.srtp_profile ? t.srtp_profile : "");
	if (t.has_pair)
		snprintf(info->pair, sizeof(info->pair), "%s <-> %s", t.pair_local, t.pair_remote);
	info->rx_datagrams = t.rx_datagrams;
	info->tx_packets = t.tx_packets;
	info->fan_packets = atomic_load(&p->fan.packets);
	info->fan_no_key = atomic_load(&p->fan.no_key);
	info->restarts = t.restarts;
	info->age_ms = now - p->created_ms;
}
