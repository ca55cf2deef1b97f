/* The call's own session description, and the SDP file made from it.
 *
 * What this side says about a session comes from the config (ICE
 * credentials, SDES key) and from what runs (each stream's SSRC and
 * destination, the candidates gathered so far): it is described in the
 * session's `local` description, and the file is rendered from that
 * through the SDP model (session/session-sdp.c), the same model a WHIP
 * offer will be built from.  Main thread only. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>

#include "pipeline/bridge-private.h"
#include "session/session-sdp.h"

static void describe_candidates(struct cb_call_session *cs, struct cb_session_desc *d)
{
	char lines[4096];

	cb_ice_transport_candidate_sdp(cs->ice, lines, sizeof(lines), &d->ice.default_addr);
	cb_session_desc_add_candidate_lines(d, lines);
}

/* Our side of the call's session, as it is now. */
static void describe_local(struct cb_bridge *b, struct cb_call_session *cs)
{
	struct cb_session_desc *d = &cs->local;
	struct cb_session_crypto crypto = d->crypto;	/* set at open; kept */

	cb_session_desc_clear(d);
	d->crypto = crypto;
	/* RFC 8866 section 5.2: the session id stays, the version grows with
	 * each change. */
	if (b->sdp_session_id == 0) {
		uint64_t id = 0;
		if (getrandom(&id, sizeof(id), 0) != sizeof(id))
			id = (uint64_t)getpid();
		b->sdp_session_id = (id >> 2) | 1;
	}
	d->session_id = b->sdp_session_id;
	d->version = ++b->sdp_version;
	snprintf(d->name, sizeof(d->name), "%s", b->config.call.name);
	snprintf(d->cname, sizeof(d->cname), "%s", b->cname);
	if (cs->ice) {
		d->ice.present = true;
		d->bundle = true;
		snprintf(d->ice.ufrag, sizeof(d->ice.ufrag), "%s", b->config.ice.ufrag);
		snprintf(d->ice.pwd, sizeof(d->ice.pwd), "%s", b->config.ice.pwd);
		describe_candidates(cs, d);
		if (!d->ice.default_addr.set)
			d->ice.default_addr = b->config.call.local;
		d->origin = d->ice.default_addr;
	} else {
		d->origin = *cb_udp_transport_local(cs->transport);
	}
	for (uint32_t i = 0; i < b->n_streams; i++) {
		const struct cb_send_stream *s = b->streams[i];
		int red = cb_rtp_session_red_send_pt(s->rtp, s->config.redundancy);
		const struct cb_session_media m = {
			.direction = CB_DIRECTION_SENDONLY,
			.payload_type = s->config.payload_type,
			.channels = s->config.channels,
			.ptime_samples = s->frame,
			.ssrc = s->ssrc,
			.fec = s->config.fec,
			.dtx = s->config.dtx,
			.bitrate = s->config.bitrate,
			.audio_level_ext_id = s->audio_level_ext_id,
			.red_payload_type = red > 0 ? red : 0,
			.dest = s->dest,
		};
		if (cb_session_desc_add_media(d, &m) == 0)
			snprintf(d->media[d->n_media - 1].mid, sizeof(m.mid), "%s", s->config.name);
	}
}

int cb_bridge_write_sdp(struct cb_bridge *b)
{
	struct cb_call_session *cs = b->sessions[0];

	describe_local(b, cs);
	return cb_session_desc_write_file(&cs->local, b->sdp_path);
}
