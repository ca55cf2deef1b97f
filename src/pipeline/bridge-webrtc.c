/* transport = webrtc: every [stream] is published as a WHIP session of its
 * own (RFC 9725 allows one audio track per session), every [remote] with a
 * whep URL plays a WHEP session of its own; each session has its own ICE
 * agent, DTLS handshake and keys, and the streams and remotes name theirs
 * by index (a stream's output, a remote's bound input), as the workers'
 * outputs and inputs follow the bridge's session list.  Main thread. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/bridge-private.h"
#include "util/log.h"
#include "util/secret.h"

/* What every session of the call shares: servers, certificate, profiles. */
static void common(struct cb_bridge *b, const struct cb_config *config,
		   struct cb_whip_session_config *wc, const char *what)
{
	memset(wc, 0, sizeof(*wc));
	cb_call_session_ice_params(&wc->ice, config);
	snprintf(wc->ice.name, sizeof(wc->ice.name), "%s/%s", config->call.name, what);
	wc->certificate = b->certificate;
	wc->suites = config->call.srtp_offer;
	snprintf(wc->name, sizeof(wc->name), "%s", config->call.name);
	snprintf(wc->cname, sizeof(wc->cname), "%s", b->cname);
	wc->media.ptime_samples = config->call.ptime_samples;
	snprintf(wc->media.mid, sizeof(wc->media.mid), "0");
}

int cb_bridge_make_whip(struct cb_bridge *b, const struct cb_config *config, uint32_t i,
			struct cb_send_stream *s, struct cb_call_session **session,
			char *err, size_t err_len)
{
	const struct cb_stream_config *sc = &config->streams[i];
	struct cb_whip_session_config *wc = calloc(1, sizeof(*wc));
	struct cb_call_session *cs = NULL;
	char why[256] = "";
	int res;

	if (wc == NULL)
		return -ENOMEM;
	/* The session's offer names the stream's SSRC: the stream comes first,
	 * and joins its session once that exists. */
	common(b, config, wc, sc->name);
	snprintf(wc->url, sizeof(wc->url), "%s", sc->whip);
	snprintf(wc->token, sizeof(wc->token), "%s", cb_config_stream_token(config, i));
	wc->media.payload_type = sc->payload_type;
	wc->media.channels = sc->channels;
	wc->media.ssrc = s->ssrc;
	wc->media.fec = sc->fec;
	wc->media.dtx = sc->dtx;
	wc->media.bitrate = sc->bitrate;
	wc->media.audio_level_ext_id = s->audio_level_ext_id;
	if ((res = cb_call_session_open_whip(&cs, sc->name, wc, why, sizeof(why))) < 0) {
		snprintf(err, err_len, "stream %s: WHIP session: %s", sc->name, why);
		goto out;
	}
	if ((res = cb_bridge_join_session(s, cs)) < 0) {
		snprintf(err, err_len, "stream %s: too many senders in its session", sc->name);
		cb_call_session_close(cs);
		goto out;
	}
	*session = cs;
out:
	cb_secret_wipe(wc, sizeof(*wc));
	free(wc);
	return res;
}

int cb_bridge_make_whep(struct cb_bridge *b, const struct cb_config *config, uint32_t k,
			struct cb_call_session **session, char *err, size_t err_len)
{
	const struct cb_remote_config *rc = &config->remotes[k];
	struct cb_whip_session_config *wc = calloc(1, sizeof(*wc));
	char why[256] = "";
	int res;

	if (wc == NULL)
		return -ENOMEM;
	common(b, config, wc, rc->name);
	wc->whep = true;
	snprintf(wc->url, sizeof(wc->url), "%s", rc->whep);
	snprintf(wc->token, sizeof(wc->token), "%s", cb_config_remote_token(config, k));
	wc->media.payload_type = rc->payload_type;
	wc->media.channels = rc->channels;
	wc->media.fec = true;	/* we decode in-band FEC: ask for it */
	res = cb_call_session_open_whip(session, rc->name, wc, why, sizeof(why));
	cb_secret_wipe(wc, sizeof(*wc));
	free(wc);
	if (res < 0)
		snprintf(err, err_len, "remote %s: WHEP session: %s", rc->name, why);
	return res;
}

static int open_stream(struct cb_bridge *b, uint32_t i, char *err, size_t err_len)
{
	const struct cb_stream_config *sc = &b->config.streams[i];
	struct cb_send_stream *s;
	struct cb_call_session *cs;
	int res, slot;

	if ((res = cb_send_stream_new(&s, sc, b->config.call.ptime_samples,
				      &(struct cb_address){ 0 })) < 0) {
		snprintf(err, err_len, "stream %s: cannot create encoder: %s", sc->name,
			 strerror(-res));
		return res;
	}
	if ((res = cb_bridge_make_whip(b, &b->config, i, s, &cs, err, err_len)) < 0) {
		cb_send_stream_free(s);
		return res;
	}
	if ((slot = cb_bridge_plug_session(b, cs, false)) < 0) {
		cb_bridge_free_stream(b, s);
		cb_call_session_close(cs);
		snprintf(err, err_len, "stream %s: too many sessions", b->config.streams[i].name);
		return slot;
	}
	s->output = (uint32_t)slot;
	b->streams[i] = s;
	b->n_streams++;
	return 0;
}

static int open_remote(struct cb_bridge *b, uint32_t k, char *err, size_t err_len)
{
	struct cb_call_session *cs;
	int res, slot;

	if ((res = cb_bridge_make_whep(b, &b->config, k, &cs, err, err_len)) < 0)
		return res;
	if ((slot = cb_bridge_plug_session(b, cs, false)) < 0) {
		cb_call_session_close(cs);
		snprintf(err, err_len, "remote %s: too many sessions", b->config.remotes[k].name);
		return slot;
	}
	b->remote_session[k] = (uint32_t)slot + 1;
	return 0;
}

int cb_bridge_open_webrtc(struct cb_bridge *b, char *err, size_t err_len)
{
	const struct cb_config *config = &b->config;
	char why[256];
	int res = 0;

	if (config->call.dtls_certificate_file[0]) {
		res = cb_dtls_certificate_load(&b->certificate, config->call.dtls_certificate_file,
					       why, sizeof(why));
		if (res < 0)
			snprintf(err, err_len, "dtls-certificate-file: %s", why);
	} else if ((res = cb_dtls_certificate_generate(&b->certificate)) < 0) {
		snprintf(err, err_len, "cannot make a DTLS certificate");
	}
	if (res == 0) {
		char fp[CB_FINGERPRINT_TEXT_MAX];
		cb_dtls_format_fingerprint(cb_dtls_certificate_fingerprint(b->certificate),
					   CB_SHA256_LEN, fp, sizeof(fp));
		pw_log_info("call %s: DTLS certificate sha-256 %s", config->call.name, fp);
	}
	for (uint32_t i = 0; res == 0 && i < config->n_streams; i++)
		res = config->streams[i].whep_endpoint[0] ?
		      cb_bridge_open_served_stream(b, i, err, err_len) :
		      open_stream(b, i, err, err_len);
	for (uint32_t k = 0; res == 0 && k < config->n_remotes; k++)
		if (config->remotes[k].whep[0])
			res = open_remote(b, k, err, err_len);
	if (res == 0 && config->endpoint.present)
		res = cb_bridge_open_endpoint(b, err, err_len);
	return res;
}
