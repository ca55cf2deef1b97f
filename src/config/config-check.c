/* callbridge: storing parsed values into struct cb_config, and the checks
 * that need the whole file (keys against the suite, stream references,
 * implicit streams, destinations, SSRCs). */
#include "config/config-loader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <spa/utils/defs.h>

#include "audio/file-decoder.h"

/* A base64 key is at most 60 characters: anything much bigger is not a key
 * file, and need not be read whole. */
#define KEY_FILE_MAX 4096

static int row_of(const char *section, const char *key)
{
	return cb_loader_find_key(section, key);
}

static bool seen(const struct cb_section_state *st, const char *section, const char *key)
{
	int row = row_of(section, key);

	return cb_loader_seen(st, row);
}

static int key_line(const struct cb_section_state *st, const char *section, const char *key)
{
	int row = row_of(section, key);

	return row >= 0 ? st->key_lines[row] : 0;
}

bool cb_loader_resolve_path(struct cb_loader *l, const char *path, char *out, size_t out_len)
{
	int n;

	if (path[0] == '/')
		n = snprintf(out, out_len, "%s", path);
	else
		n = snprintf(out, out_len, "%s/%s", l->dir, path);
	return n >= 0 && (size_t)n < out_len;
}

static void load_key_file(struct cb_loader *l, const char *keyname, const char *path,
			  struct cb_key *key, int line)
{
	char text[KEY_FILE_MAX + 1], err[CB_ERROR_MAX];

	/* Same reading rules as every secret file: regular file, permission
	 * warning, one trimmed line, buffers wiped. */
	if (cb_loader_read_secret_file(l, keyname, path, text, sizeof(text), line) &&
	    !cb_base64_key_parse(text, strlen(text), key, err, sizeof(err)))
		cb_loader_error(l, line, "%s: %s: %s", keyname, path, err);
	explicit_bzero(text, sizeof(text));
}

/* A key and a key file for the same direction would disagree sooner or later. */
static bool only_one_of(struct cb_loader *l, const char *key, const char *other, int line)
{
	if (!seen(&l->call, "call", other))
		return true;
	cb_loader_error(l, line, "%s: %s is already set (line %d); set only one of them",
			key, other, key_line(&l->call, "call", other));
	return false;
}

static void store_call(struct cb_loader *l, const char *key, const char *text,
		       struct cb_value *v, int line)
{
	struct cb_call_config *c = &l->cfg->call;

	if (strcmp(key, "name") == 0) {
		snprintf(c->name, sizeof(c->name), "%s", text);
	} else if (strcmp(key, "transport") == 0) {
		c->transport = strcasecmp(text, "webrtc") == 0 ? CB_TRANSPORT_WEBRTC :
			       strcasecmp(text, "ice") == 0 ? CB_TRANSPORT_ICE : CB_TRANSPORT_UDP;
	} else if (strcmp(key, "local") == 0) {
		c->local = v->addr;
	} else if (strcmp(key, "remote") == 0) {
		c->remote = v->addr;
	} else if (strcmp(key, "srtp") == 0) {
		for (int s = CB_SRTP_NONE; s <= CB_SRTP_AEAD_AES_256_GCM; s++)
			if (strcasecmp(text, cb_srtp_suite_name((enum cb_srtp_suite)s)) == 0)
				c->srtp = (enum cb_srtp_suite)s;
	} else if (strcmp(key, "srtp-key") == 0) {
		if (only_one_of(l, key, "srtp-key-file", line))
			c->srtp_key = v->key;
	} else if (strcmp(key, "srtp-key-file") == 0) {
		if (only_one_of(l, key, "srtp-key", line))
			load_key_file(l, key, text, &c->srtp_key, line);
	} else if (strcmp(key, "remote-srtp-key") == 0) {
		if (only_one_of(l, key, "remote-srtp-key-file", line))
			c->remote_srtp_key = v->key;
	} else if (strcmp(key, "remote-srtp-key-file") == 0) {
		if (only_one_of(l, key, "remote-srtp-key", line))
			load_key_file(l, key, text, &c->remote_srtp_key, line);
	} else if (strcmp(key, "bearer-token-file") == 0) {
		cb_loader_read_token_file(l, key, text, c->bearer_token, sizeof(c->bearer_token),
					  line);
	} else if (strcmp(key, "dtls-certificate-file") == 0) {
		cb_loader_store_certificate(l, key, text, c->dtls_certificate_file,
					    sizeof(c->dtls_certificate_file), line);
	} else if (strcmp(key, "sdp-file") == 0) {
		/* "" and "none" are instructions to the runtime, not paths. */
		if (!*text || strcmp(text, "none") == 0)
			snprintf(c->sdp_file, sizeof(c->sdp_file), "%s", text);
		else if (!cb_loader_resolve_path(l, text, c->sdp_file, sizeof(c->sdp_file)))
			cb_loader_error(l, line, "%s: path is too long", key);
	} else if (strcmp(key, "stats-file") == 0) {
		if (*text && !cb_loader_resolve_path(l, text, c->stats_file, sizeof(c->stats_file)))
			cb_loader_error(l, line, "%s: path is too long", key);
	} else if (strcmp(key, "ptime") == 0) {
		c->ptime_samples = (uint32_t)v->i;
	} else if (strcmp(key, "bundle") == 0) {
		c->bundle = v->b;
	} else if (strcmp(key, "accept-unknown") == 0) {
		c->accept_unknown = v->b;
	} else if (strcmp(key, "remote-timeout") == 0) {
		c->remote_timeout_ms = (uint32_t)v->i * 1000;
	} else {
		cb_loader_error(l, line, "internal error: [call] key '%s' is not stored", key);
	}
}

static void store_stream(struct cb_loader *l, uint32_t index, const char *key,
			 const char *text, struct cb_value *v, int line)
{
	struct cb_stream_config *s = &l->cfg->streams[index];

	if (strcmp(key, "channels") == 0) {
		s->channels = (uint32_t)v->i;
	} else if (strcmp(key, "bitrate") == 0) {
		s->bitrate = (uint32_t)v->i;
	} else if (strcmp(key, "fec") == 0) {
		s->fec = v->b;
	} else if (strcmp(key, "dtx") == 0) {
		s->dtx = v->b;
	} else if (strcmp(key, "expected-loss") == 0) {
		s->expected_loss = (uint32_t)v->i;
	} else if (strcmp(key, "redundancy") == 0) {
		s->redundancy = (uint32_t)v->i;
	} else if (strcmp(key, "complexity") == 0) {
		s->complexity = (uint32_t)v->i;
	} else if (strcmp(key, "application") == 0) {
		if (strcasecmp(text, "voip") == 0)
			s->application = CB_OPUS_APP_VOIP;
		else if (strcasecmp(text, "lowdelay") == 0)
			s->application = CB_OPUS_APP_LOWDELAY;
		else if (strcasecmp(text, "auto") == 0)
			s->application = CB_OPUS_APP_AUTO;
		else
			s->application = CB_OPUS_APP_AUDIO;
	} else if (strcmp(key, "payload-type") == 0) {
		s->payload_type = (uint8_t)v->i;
	} else if (strcmp(key, "remote") == 0) {
		s->remote = v->addr;
	} else if (strcmp(key, "ssrc") == 0) {
		/* RFC 3550 allows 0, but it is every tool's "none". */
		if (v->i == 0)
			cb_loader_error(l, line, "ssrc: 0 is not a usable SSRC (1..0xffffffff)");
		s->has_ssrc = true;
		s->ssrc = (uint32_t)v->i;
	} else if (strcmp(key, "whip") == 0) {
		snprintf(s->whip, sizeof(s->whip), "%s", text);
	} else if (strcmp(key, "whep-endpoint") == 0) {
		snprintf(s->whep_endpoint, sizeof(s->whep_endpoint), "%s", text);
	} else if (strcmp(key, "bearer-token-file") == 0) {
		cb_loader_read_token_file(l, key, text, l->cfg->stream_tokens[index],
					  sizeof(l->cfg->stream_tokens[index]), line);
	} else {
		cb_loader_error(l, line, "internal error: [stream] key '%s' is not stored", key);
	}
}

/* A file that cannot play is an error now, with its line, not a silent
 * track later: it must open and its first block decode. */
static void store_track_file(struct cb_loader *l, struct cb_track_config *t, const char *path,
			     int line)
{
	char err[CB_ERROR_MAX];

	if (!*path) {
		cb_loader_error(l, line, "file: empty path");
		return;
	}
	if (!cb_loader_resolve_path(l, path, t->file, sizeof(t->file))) {
		cb_loader_error(l, line, "file: path is too long");
		t->file[0] = '\0';
		return;
	}
	if (cb_file_decoder_probe(t->file, err, sizeof(err)) < 0)
		cb_loader_error(l, line, "file: %s: %s", t->file, err);
}

/* echo-cancel: a boolean alone, or [remote] names (checked once the whole
 * file is read, check_echo_remotes). */
static void store_echo_cancel(struct cb_loader *l, struct cb_track_config *t,
			      const struct cb_value *v, int line)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	t->n_echo_remotes = 0;
	if (v->n_names == 1) {
		for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
			if (strcmp(v->names[0], yes[i]) == 0) {
				t->echo_cancel = true;
				return;
			}
			if (strcmp(v->names[0], no[i]) == 0) {
				t->echo_cancel = false;
				return;
			}
		}
	}
	t->echo_cancel = true;
	t->n_echo_remotes = SPA_MIN(v->n_names, (uint32_t)CB_MAX_ECHO_REMOTES);
	for (uint32_t i = 0; i < t->n_echo_remotes; i++)
		snprintf(t->echo_remotes[i], sizeof(t->echo_remotes[i]), "%s", v->names[i]);
	(void)line;
	(void)l;
}

static void store_echo_delay(struct cb_loader *l, struct cb_track_config *t, const char *text,
			     int line)
{
	char *end = NULL;
	long ms;

	if (strcmp(text, "auto") == 0) {
		t->echo_delay_ms = -1;
		return;
	}
	errno = 0;
	ms = strtol(text, &end, 10);
	if (!*text || *end || errno || ms < 0 || ms > CB_ECHO_DELAY_MAX) {
		cb_loader_error(l, line, "echo-delay: '%s' is not auto or a delay in ms "
				"(0..%d)", text, CB_ECHO_DELAY_MAX);
		return;
	}
	t->echo_delay_ms = (int)ms;
}

static void store_track(struct cb_loader *l, uint32_t index, const char *key,
			struct cb_value *v, int line)
{
	struct cb_track_config *t = &l->cfg->tracks[index];
	struct cb_track_state *ts = &l->tracks[index];

	if (strcmp(key, "channels") == 0) {
		t->channels = (uint32_t)v->i;
	} else if (strcmp(key, "stream") == 0) {
		/* [stream]s may come later in the file: resolved in cb_loader_check. */
		ts->n_names = v->n_names;
		memcpy(ts->names, v->names, sizeof(ts->names));
	} else if (strcmp(key, "gain") == 0) {
		t->gain_db = (float)v->f;
	} else if (strcmp(key, "ignore-audio-level") == 0) {
		t->ignore_audio_level = v->b;
	} else if (strcmp(key, "speaking-hangover") == 0) {
		t->speaking_hangover_ms = (uint32_t)v->i;
	} else if (strcmp(key, "file") == 0) {
		store_track_file(l, t, v->s, line);
	} else if (strcmp(key, "loop") == 0) {
		t->loop = v->b;
	} else if (strcmp(key, "capture") == 0) {
		snprintf(t->capture, sizeof(t->capture), "%s", v->s);
	} else if (strcmp(key, "capture-channels") == 0) {
		t->n_capture_channels = v->n_names;
		for (uint32_t i = 0; i < v->n_names; i++)
			snprintf(t->capture_channels[i], sizeof(t->capture_channels[i]), "%s",
				 v->names[i]);
	} else if (strcmp(key, "echo-cancel") == 0) {
		store_echo_cancel(l, t, v, line);
	} else if (strcmp(key, "echo-delay") == 0) {
		store_echo_delay(l, t, v->s, line);
	} else if (strcmp(key, "noise-suppression") == 0) {
		t->noise_suppression = (uint32_t)v->i;
	} else if (strcmp(key, "gain-control") == 0) {
		t->gain_control = v->b;
	} else if (strcmp(key, "gain-target") == 0) {
		t->gain_target_dbfs = (int)v->i;
	} else if (strcmp(key, "high-pass") == 0) {
		t->high_pass = v->b;
	} else {
		cb_loader_error(l, line, "internal error: [track] key '%s' is not stored", key);
	}
}

/* False for a key it does not store; needs no loader, so that the [remote]
 * defaults can be made without a file (cb_config_default_remote). */
static bool store_remote(struct cb_remote_config *r, const char *key, const struct cb_value *v)
{
	if (strcmp(key, "channels") == 0) {
		r->channels = (uint32_t)v->i;
	} else if (strcmp(key, "ssrc") == 0) {
		r->has_ssrc = true;
		r->ssrc = (uint32_t)v->i;
	} else if (strcmp(key, "payload-type") == 0) {
		r->payload_type = (uint8_t)v->i;
	} else if (strcmp(key, "latency") == 0) {
		r->latency_ms = (uint32_t)v->i;
	} else if (strcmp(key, "peer-stream") == 0) {
		snprintf(r->peer_stream, sizeof(r->peer_stream), "%s", v->s);
	} else if (strcmp(key, "whep") == 0) {
		snprintf(r->whep, sizeof(r->whep), "%s", v->s);
	} else if (strcmp(key, "playback") == 0) {
		snprintf(r->playback, sizeof(r->playback), "%s", v->s);
	} else if (strcmp(key, "whip-endpoint") == 0) {
		snprintf(r->whip_endpoint, sizeof(r->whip_endpoint), "%s", v->s);
	} else {
		return false;
	}
	return true;
}

void cb_loader_store(struct cb_loader *l, enum cb_section_kind kind, uint32_t index,
		     size_t row, const char *text, struct cb_value *v, int line)
{
	const char *key = cb_config_keys[row].key;

	switch (kind) {
	case CB_SECTION_CALL:
		store_call(l, key, text, v, line);
		break;
	case CB_SECTION_STREAM:
		store_stream(l, index, key, text, v, line);
		break;
	case CB_SECTION_TRACK:
		store_track(l, index, key, v, line);
		break;
	case CB_SECTION_REMOTE:
		/* The token needs the loader (a file to read) and is no default. */
		if (strcmp(key, "bearer-token-file") == 0)
			cb_loader_read_token_file(l, key, text, l->cfg->remote_tokens[index],
						  sizeof(l->cfg->remote_tokens[index]), line);
		else if (!store_remote(&l->cfg->remotes[index], key, v))
			cb_loader_error(l, line, "internal error: [remote] key '%s' is not stored",
					key);
		break;
	case CB_SECTION_ICE:
		cb_loader_store_ice(l, key, text, v, line);
		break;
	case CB_SECTION_ENDPOINT:
		cb_loader_store_endpoint(l, key, text, v, line);
		break;
	default:
		break;
	}
}

void cb_loader_apply_defaults(struct cb_loader *l, enum cb_section_kind kind, uint32_t index)
{
	const char *section = cb_section_kind_name(kind);
	char err[CB_ERROR_MAX];
	struct cb_value v;

	for (size_t row = 0; row < cb_config_n_keys; row++) {
		const struct cb_key_info *info = &cb_config_keys[row];

		if (!info->def || strcmp(info->section, section) != 0)
			continue;
		if (cb_value_parse(info, info->def, &v, err, sizeof(err)))
			cb_loader_store(l, kind, index, row, info->def, &v, 0);
		else
			cb_loader_error(l, 0, "internal error: default of %s.%s: %s",
					section, info->key, err);
	}
}

void cb_config_default_remote(struct cb_remote_config *out)
{
	char err[CB_ERROR_MAX];
	struct cb_value v;

	memset(out, 0, sizeof(*out));
	/* The same parse and store as a [remote] section that sets nothing;
	 * test-config checks that every default of the table parses. */
	for (size_t row = 0; row < cb_config_n_keys; row++) {
		const struct cb_key_info *info = &cb_config_keys[row];

		if (info->def && strcmp(info->section, "remote") == 0 &&
		    cb_value_parse(info, info->def, &v, err, sizeof(err)))
			store_remote(out, info->key, &v);
	}
}

/* A key for the wrong suite would only fail later, at the first packet. */
static void check_key(struct cb_loader *l, const struct cb_key *key,
		      const char *name, const char *file_name)
{
	const char *used = seen(&l->call, "call", name) ? name : file_name;
	int line = key_line(&l->call, "call", used);
	enum cb_srtp_suite suite = l->cfg->call.srtp;
	size_t need = cb_srtp_suite_key_len(suite);

	/* With webrtc any key is an error of its own (config-webrtc.c). */
	if (!key->set || l->cfg->call.transport == CB_TRANSPORT_WEBRTC)
		return;
	if (suite == CB_SRTP_NONE)
		cb_loader_error(l, line, "%s is set but srtp = none", used);
	else if (key->len != need)
		cb_loader_error(l, line, "%s: the key is %zu bytes but %s needs %zu "
				"(master key and salt)", used, key->len,
				cb_srtp_suite_name(suite), need);
}

static void resolve_track_streams(struct cb_loader *l, uint32_t ti, uint32_t n_explicit)
{
	struct cb_config *cfg = l->cfg;
	struct cb_track_config *t = &cfg->tracks[ti];
	struct cb_track_state *ts = &l->tracks[ti];
	struct cb_stream_config *s;
	int si;

	if (seen(&ts->s, "track", "stream")) {
		for (uint32_t k = 0; k < ts->n_names; k++) {
			si = cb_config_find_stream(cfg, ts->names[k]);
			if (si < 0 || (uint32_t)si >= n_explicit) {
				cb_loader_error(l, key_line(&ts->s, "track", "stream"),
						"stream: [track %s] names unknown stream '%s' "
						"(there is no [stream %s])", t->name,
						ts->names[k], ts->names[k]);
				continue;
			}
			t->streams[t->n_streams++] = (uint32_t)si;
		}
		return;
	}

	/* An implicit stream has no section to hold its whip URL. */
	if (cfg->call.transport == CB_TRANSPORT_WEBRTC) {
		cb_loader_error(l, t->line, "[track %s] has no stream key: with transport = "
				"webrtc every stream needs a whip URL, which a track's own "
				"(implicit) stream cannot have; add stream = NAME naming a "
				"[stream] with whip", t->name);
		return;
	}
	si = cb_config_find_stream(cfg, t->name);
	if (si >= 0) {
		cb_loader_error(l, t->line, "[track %s] has no stream key, so it would be sent "
				"in an implicit stream '%s', but [stream %s] exists (line %d): "
				"add stream = %s to the track, or rename one of them",
				t->name, t->name, t->name, cfg->streams[si].line, t->name);
		return;
	}
	if (cfg->n_streams >= CB_MAX_STREAMS) {
		cb_loader_error(l, t->line, "too many streams: no room for the implicit stream "
				"of [track %s] (at most %d streams)", t->name, CB_MAX_STREAMS);
		return;
	}
	si = (int)cfg->n_streams++;
	s = &cfg->streams[si];
	memcpy(s->name, t->name, sizeof(s->name));
	s->implicit = true;
	s->line = 0;
	cb_loader_apply_defaults(l, CB_SECTION_STREAM, (uint32_t)si);
	s->channels = t->channels;
	t->streams[t->n_streams++] = (uint32_t)si;
}

static bool stream_is_fed(const struct cb_config *cfg, uint32_t si)
{
	for (uint32_t t = 0; t < cfg->n_tracks; t++)
		for (uint32_t k = 0; k < cfg->tracks[t].n_streams; k++)
			if (cfg->tracks[t].streams[k] == si)
				return true;
	return false;
}

static void check_destinations(struct cb_loader *l)
{
	struct cb_config *cfg = l->cfg;

	if (cfg->call.transport != CB_TRANSPORT_UDP || cfg->call.remote.set)
		return;
	for (uint32_t i = 0; i < cfg->n_streams; i++) {
		const struct cb_stream_config *s = &cfg->streams[i];
		int ti;

		if (s->remote.set)
			continue;
		if (!s->implicit) {
			cb_loader_error(l, s->line, "[stream %s] has no destination: set "
					"remote = HOST:PORT in it or in [call]", s->name);
			continue;
		}
		ti = cb_config_find_track(cfg, s->name);
		cb_loader_error(l, ti >= 0 ? cfg->tracks[ti].line : 0,
				"[track %s] is sent in a stream of its own, which has no "
				"destination: set remote = HOST:PORT in [call], or send the "
				"track to a [stream] with its own remote", s->name);
	}
}

static void check_stream_ssrcs(struct cb_loader *l)
{
	struct cb_config *cfg = l->cfg;

	for (uint32_t j = 0; j < cfg->n_streams; j++) {
		if (!cfg->streams[j].has_ssrc)
			continue;
		for (uint32_t i = 0; i < j; i++) {
			if (!cfg->streams[i].has_ssrc || cfg->streams[i].ssrc != cfg->streams[j].ssrc)
				continue;
			cb_loader_error(l, key_line(&l->streams[j], "stream", "ssrc"),
					"ssrc: 0x%08x is also the ssrc of [stream %s] (line %d)",
					cfg->streams[j].ssrc, cfg->streams[i].name,
					key_line(&l->streams[i], "stream", "ssrc"));
			break;
		}
	}
}

/* A [remote] is found by its SSRC or by the peer's stream name, not both;
 * and two cannot wait for the same name. */
static void check_peer_streams(struct cb_loader *l)
{
	struct cb_config *cfg = l->cfg;

	for (uint32_t j = 0; j < cfg->n_remotes; j++) {
		const struct cb_remote_config *r = &cfg->remotes[j];
		int line = key_line(&l->remotes[j], "remote", "peer-stream");

		if (!r->peer_stream[0])
			continue;
		if (r->has_ssrc)
			cb_loader_error(l, line, "peer-stream: [remote %s] also has ssrc (line %d); "
					"set only one of them", r->name,
					key_line(&l->remotes[j], "remote", "ssrc"));
		if (cfg->call.transport == CB_TRANSPORT_WEBRTC)
			cb_loader_error(l, line, "peer-stream: with transport = webrtc each [remote] "
					"is its own WHEP session; peer-stream does not apply");
		for (uint32_t i = 0; i < j; i++) {
			if (strcmp(cfg->remotes[i].peer_stream, r->peer_stream) != 0)
				continue;
			cb_loader_error(l, line, "peer-stream: '%s' is also the peer-stream of "
					"[remote %s] (line %d)", r->peer_stream, cfg->remotes[i].name,
					key_line(&l->remotes[i], "remote", "peer-stream"));
			break;
		}
	}
}

static void check_ssrcs(struct cb_loader *l)
{
	struct cb_config *cfg = l->cfg;

	for (uint32_t j = 0; j < cfg->n_remotes; j++) {
		if (!cfg->remotes[j].has_ssrc)
			continue;
		for (uint32_t i = 0; i < j; i++) {
			if (!cfg->remotes[i].has_ssrc || cfg->remotes[i].ssrc != cfg->remotes[j].ssrc)
				continue;
			cb_loader_error(l, key_line(&l->remotes[j], "remote", "ssrc"),
					"ssrc: 0x%08x is also the ssrc of [remote %s] (line %d)",
					cfg->remotes[j].ssrc, cfg->remotes[i].name,
					key_line(&l->remotes[i], "remote", "ssrc"));
			break;
		}
	}
}

/* capture-channels picks from what capture links in: one name for every
 * channel of the track, or one per channel. */
static void check_capture(struct cb_loader *l)
{
	for (uint32_t i = 0; i < l->cfg->n_tracks; i++) {
		const struct cb_track_config *t = &l->cfg->tracks[i];
		const struct cb_section_state *st = &l->tracks[i].s;
		int line = key_line(st, "track", "capture-channels");

		if (!seen(st, "track", "capture-channels"))
			continue;
		if (!seen(st, "track", "capture"))
			cb_loader_error(l, line, "capture-channels: [track %s] has no capture; "
					"set capture = default or a node.name", t->name);
		else if (t->n_capture_channels != 1 && t->n_capture_channels != t->channels)
			cb_loader_error(l, line, "capture-channels: [track %s] has %u channel%s: "
					"name one channel for all of them, or %u", t->name,
					t->channels, t->channels == 1 ? "" : "s", t->channels);
	}
}

/* echo-cancel names [remote] sections of this file. */
static void check_echo_remotes(struct cb_loader *l)
{
	const struct cb_config *cfg = l->cfg;

	for (uint32_t i = 0; i < cfg->n_tracks; i++) {
		const struct cb_track_config *t = &cfg->tracks[i];

		for (uint32_t k = 0; k < t->n_echo_remotes; k++) {
			bool found = false;

			for (uint32_t j = 0; j < cfg->n_remotes && !found; j++)
				found = strcmp(cfg->remotes[j].name, t->echo_remotes[k]) == 0;
			if (!found)
				cb_loader_error(l, key_line(&l->tracks[i].s, "track", "echo-cancel"),
						"echo-cancel: [track %s] names '%s', but there is no "
						"[remote %s]; name [remote] sections, or true for "
						"every remote", t->name, t->echo_remotes[k],
						t->echo_remotes[k]);
		}
	}
}

/* A [remote] of a call with nothing to authenticate the peer's packets
 * with never receives: without remote-srtp-key no receive path is made at
 * all (pipeline/bridge.c), and every packet would fail authentication
 * anyway.  Said at load, so --check tells it and not only the run-time
 * log.  With webrtc DTLS brings the keys, with srtp = none none is needed. */
static void check_receiving(struct cb_loader *l)
{
	const struct cb_call_config *c = &l->cfg->call;

	if (c->transport == CB_TRANSPORT_WEBRTC || c->srtp == CB_SRTP_NONE ||
	    c->remote_srtp_key.set)
		return;
	for (uint32_t i = 0; i < l->cfg->n_remotes; i++)
		cb_loader_warning(l, l->cfg->remotes[i].line, "[remote %s] can never receive: "
				  "[call] has no remote-srtp-key (the key the peer sends with), so "
				  "this call accepts nothing; set remote-srtp-key or "
				  "remote-srtp-key-file", l->cfg->remotes[i].name);
}

void cb_loader_check(struct cb_loader *l)
{
	struct cb_config *cfg = l->cfg;
	uint32_t n_explicit = cfg->n_streams;

	if (!l->have_call)
		cb_loader_error(l, 0, "missing [call] section (it needs at least name = NAME)");
	else if (!seen(&l->call, "call", "name"))
		cb_loader_error(l, l->call.line, "[call] has no name: add name = NAME");

	check_key(l, &cfg->call.srtp_key, "srtp-key", "srtp-key-file");
	check_key(l, &cfg->call.remote_srtp_key, "remote-srtp-key", "remote-srtp-key-file");

	/* Implicit streams go after every explicit one, in track order. */
	for (uint32_t t = 0; t < cfg->n_tracks; t++)
		resolve_track_streams(l, t, n_explicit);

	for (uint32_t i = 0; i < n_explicit; i++)
		if (!stream_is_fed(cfg, i))
			cb_loader_warning(l, cfg->streams[i].line, "[stream %s] is not fed by any "
					  "track (add stream = %s to a [track])",
					  cfg->streams[i].name, cfg->streams[i].name);

	if (l->have_call)
		check_destinations(l);
	check_ssrcs(l);
	check_stream_ssrcs(l);
	check_peer_streams(l);
	check_capture(l);
	check_echo_remotes(l);
	check_receiving(l);
	cb_loader_check_ice(l);
	cb_loader_check_webrtc(l);
	cb_loader_check_endpoint(l);
}
