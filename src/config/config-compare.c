/* callbridge: does one key of the table hold another value in two configs?
 *
 * The reload plan asks this for every row, so what counts as a change is
 * decided here once, per key.  Values are compared as the loader stored
 * them: addresses by the text the user wrote, key files by the key they
 * load (a bearer-token-file by its token), a certificate file by its
 * path, a track's stream list by the names in it (its indexes move when
 * streams are added or removed).  Secrets are compared in place, never
 * copied.
 */
#include "config/reload-plan.h"

#include <errno.h>
#include <string.h>

#define IS(name) (strcmp(key, (name)) == 0)

static bool same_address(const struct cb_address *a, const struct cb_address *b)
{
	return a->set == b->set && strcmp(a->text, b->text) == 0;
}

static bool same_key(const struct cb_key *a, const struct cb_key *b)
{
	return a->set == b->set && a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

static int call_differs(const char *key, const struct cb_call_config *a,
			const struct cb_call_config *b)
{
	if (IS("name"))
		return strcmp(a->name, b->name) != 0;
	if (IS("transport"))
		return a->transport != b->transport;
	if (IS("local"))
		return !same_address(&a->local, &b->local);
	if (IS("remote"))
		return !same_address(&a->remote, &b->remote);
	if (IS("srtp"))
		return a->srtp != b->srtp || a->srtp_offer != b->srtp_offer;
	if (IS("srtp-key") || IS("srtp-key-file"))
		return !same_key(&a->srtp_key, &b->srtp_key);
	if (IS("remote-srtp-key") || IS("remote-srtp-key-file"))
		return !same_key(&a->remote_srtp_key, &b->remote_srtp_key);
	if (IS("bearer-token-file"))
		return strcmp(a->bearer_token, b->bearer_token) != 0;
	if (IS("dtls-certificate-file"))
		return strcmp(a->dtls_certificate_file, b->dtls_certificate_file) != 0;
	if (IS("sdp-file"))
		return strcmp(a->sdp_file, b->sdp_file) != 0;
	if (IS("stats-file"))
		return strcmp(a->stats_file, b->stats_file) != 0;
	if (IS("ptime"))
		return a->ptime_samples != b->ptime_samples;
	if (IS("bundle"))
		return a->bundle != b->bundle;
	if (IS("accept-unknown"))
		return a->accept_unknown != b->accept_unknown;
	if (IS("remote-timeout"))
		return a->remote_timeout_ms != b->remote_timeout_ms;
	return -ENOENT;
}

static bool same_candidates(const struct cb_ice_config *a, const struct cb_ice_config *b)
{
	if (a->n_remote_candidates != b->n_remote_candidates)
		return false;
	for (uint32_t i = 0; i < a->n_remote_candidates; i++)
		if (!same_address(&a->remote_candidates[i], &b->remote_candidates[i]))
			return false;
	return true;
}

static int ice_differs(const char *key, const struct cb_ice_config *a,
		       const struct cb_ice_config *b)
{
	if (IS("role"))
		return a->role != b->role;
	if (IS("ufrag"))
		return strcmp(a->ufrag, b->ufrag) != 0;
	if (IS("pwd"))
		return strcmp(a->pwd, b->pwd) != 0;
	if (IS("remote-ufrag"))
		return strcmp(a->remote_ufrag, b->remote_ufrag) != 0;
	if (IS("remote-pwd"))
		return strcmp(a->remote_pwd, b->remote_pwd) != 0;
	if (IS("remote-candidates"))
		return !same_candidates(a, b);
	if (IS("stun-server"))
		return !same_address(&a->stun_server, &b->stun_server);
	if (IS("turn-server"))
		return !same_address(&a->turn_server, &b->turn_server);
	if (IS("turn-transport"))
		return a->turn_transport != b->turn_transport;
	if (IS("turn-username"))
		return strcmp(a->turn_username, b->turn_username) != 0;
	if (IS("turn-password") || IS("turn-password-file"))
		return strcmp(a->turn_password, b->turn_password) != 0;
	if (IS("policy"))
		return a->policy != b->policy;
	return -ENOENT;
}

static int stream_differs(const char *key, const struct cb_config *ca, uint32_t ia,
			  const struct cb_config *cb, uint32_t ib)
{
	const struct cb_stream_config *a = &ca->streams[ia], *b = &cb->streams[ib];

	if (IS("channels"))
		return a->channels != b->channels;
	if (IS("bitrate"))
		return a->bitrate != b->bitrate;
	if (IS("fec"))
		return a->fec != b->fec;
	if (IS("dtx"))
		return a->dtx != b->dtx;
	if (IS("expected-loss"))
		return a->expected_loss != b->expected_loss;
	if (IS("redundancy"))
		return a->redundancy != b->redundancy;
	if (IS("complexity"))
		return a->complexity != b->complexity;
	if (IS("application"))
		return a->application != b->application;
	if (IS("payload-type"))
		return a->payload_type != b->payload_type;
	if (IS("remote"))
		return !same_address(&a->remote, &b->remote);
	if (IS("ssrc"))
		return a->has_ssrc != b->has_ssrc || a->ssrc != b->ssrc;
	if (IS("whip"))
		return strcmp(a->whip, b->whip) != 0;
	if (IS("whep-endpoint"))
		return strcmp(a->whep_endpoint, b->whep_endpoint) != 0;
	if (IS("bearer-token-file"))
		return strcmp(ca->stream_tokens[ia], cb->stream_tokens[ib]) != 0;
	return -ENOENT;
}

/* Ring j of a track feeds its j-th stream: same names in the same order. */
static bool same_track_streams(const struct cb_config *ca, const struct cb_track_config *a,
			       const struct cb_config *cb, const struct cb_track_config *b)
{
	if (a->n_streams != b->n_streams)
		return false;
	for (uint32_t j = 0; j < a->n_streams; j++)
		if (strcmp(ca->streams[a->streams[j]].name, cb->streams[b->streams[j]].name) != 0)
			return false;
	return true;
}

static int track_differs(const char *key, const struct cb_config *ca, uint32_t ia,
			 const struct cb_config *cb, uint32_t ib)
{
	const struct cb_track_config *a = &ca->tracks[ia], *b = &cb->tracks[ib];

	if (IS("channels"))
		return a->channels != b->channels;
	if (IS("stream"))
		return !same_track_streams(ca, a, cb, b);
	if (IS("gain"))
		return a->gain_db != b->gain_db;
	if (IS("ignore-audio-level"))
		return a->ignore_audio_level != b->ignore_audio_level;
	if (IS("speaking-hangover"))
		return a->speaking_hangover_ms != b->speaking_hangover_ms;
	if (IS("file"))
		return strcmp(a->file, b->file) != 0;
	if (IS("loop"))
		return a->loop != b->loop;
	if (IS("capture"))
		return strcmp(a->capture, b->capture) != 0;
	if (IS("capture-channels"))
		return a->n_capture_channels != b->n_capture_channels ||
		       memcmp(a->capture_channels, b->capture_channels,
			      sizeof(a->capture_channels)) != 0;
	if (IS("echo-cancel"))
		return a->echo_cancel != b->echo_cancel || a->n_echo_remotes != b->n_echo_remotes ||
		       memcmp(a->echo_remotes, b->echo_remotes, sizeof(a->echo_remotes)) != 0;
	if (IS("echo-delay"))
		return a->echo_delay_ms != b->echo_delay_ms;
	if (IS("noise-suppression"))
		return a->noise_suppression != b->noise_suppression;
	if (IS("gain-control"))
		return a->gain_control != b->gain_control;
	if (IS("gain-target"))
		return a->gain_target_dbfs != b->gain_target_dbfs;
	if (IS("high-pass"))
		return a->high_pass != b->high_pass;
	return -ENOENT;
}

static int remote_differs(const char *key, const struct cb_config *ca, uint32_t ia,
			  const struct cb_config *cb, uint32_t ib)
{
	const struct cb_remote_config *a = &ca->remotes[ia], *b = &cb->remotes[ib];

	if (IS("channels"))
		return a->channels != b->channels;
	if (IS("ssrc"))
		return a->has_ssrc != b->has_ssrc || a->ssrc != b->ssrc;
	if (IS("payload-type"))
		return a->payload_type != b->payload_type;
	if (IS("latency"))
		return a->latency_ms != b->latency_ms;
	if (IS("peer-stream"))
		return strcmp(a->peer_stream, b->peer_stream) != 0;
	if (IS("whep"))
		return strcmp(a->whep, b->whep) != 0;
	if (IS("playback"))
		return strcmp(a->playback, b->playback) != 0;
	if (IS("whip-endpoint"))
		return strcmp(a->whip_endpoint, b->whip_endpoint) != 0;
	if (IS("bearer-token-file"))
		return strcmp(ca->remote_tokens[ia], cb->remote_tokens[ib]) != 0;
	return -ENOENT;
}

static int endpoint_differs(const char *key, const struct cb_endpoint_config *a,
			    const struct cb_endpoint_config *b)
{
	if (a->present != b->present)
		return 1;
	if (IS("listen"))
		return !same_address(&a->listen, &b->listen);
	if (IS("tls"))
		return a->tls != b->tls;
	if (IS("tls-certificate-file"))
		return strcmp(a->tls_certificate_file, b->tls_certificate_file) != 0;
	if (IS("tls-key-file"))
		return strcmp(a->tls_key_file, b->tls_key_file) != 0;
	if (IS("bearer-token-file"))
		return strcmp(a->bearer_token, b->bearer_token) != 0;
	if (IS("allow-origin"))
		return strcmp(a->allow_origin, b->allow_origin) != 0;
	if (IS("page"))
		return a->page != b->page;
	if (IS("consent-timeout"))
		return a->consent_timeout_ms != b->consent_timeout_ms;
	if (IS("max-viewers"))
		return a->max_viewers != b->max_viewers;
	return -ENOENT;
}

int cb_config_key_differs(size_t row, const struct cb_config *a, uint32_t a_index,
			  const struct cb_config *b, uint32_t b_index)
{
	const struct cb_key_info *k;

	if (row >= cb_config_n_keys)
		return -ENOENT;
	k = &cb_config_keys[row];
	if (strcmp(k->section, "call") == 0)
		return call_differs(k->key, &a->call, &b->call);
	if (strcmp(k->section, "ice") == 0)
		return ice_differs(k->key, &a->ice, &b->ice);
	if (strcmp(k->section, "endpoint") == 0)
		return endpoint_differs(k->key, &a->endpoint, &b->endpoint);
	if (strcmp(k->section, "stream") == 0)
		return stream_differs(k->key, a, a_index, b, b_index);
	if (strcmp(k->section, "track") == 0)
		return track_differs(k->key, a, a_index, b, b_index);
	if (strcmp(k->section, "remote") == 0)
		return remote_differs(k->key, a, a_index, b, b_index);
	return -ENOENT;
}
