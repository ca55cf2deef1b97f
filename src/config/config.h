/* callbridge: the parsed, validated form of a call's INI file.
 *
 * Everything here is plain data.  The loader (config.c) fills it from a file,
 * driven by the key table (config-keys.c), which is also the source of
 * `pw-callbridge --help-keys` and is checked against man/callbridge.ini.5 by
 * a test.  Nothing else in the tree knows INI syntax.
 *
 * Who owns a struct cb_config.  It holds secrets (the SRTP keys, the ICE
 * passwords, the TURN password, the WHIP/WHEP bearer tokens), so it has one
 * owner at a time and every path ends in cb_config_clear():
 *  - whoever declares or allocates one owns it, and clears it before it is
 *    freed or goes out of scope: after a successful use, after a failure (a
 *    failed load has wiped it already; clear it anyway) and at exit;
 *  - it never changes hands by plain assignment or memcpy: cb_config_move()
 *    copies it and wipes the source, so no second copy of a secret is left;
 *  - a function that keeps a config (cb_bridge_new, cb_bridge_reload) moves
 *    it in and says so; the caller still clears its own, which then holds
 *    nothing, or the whole config when the callee did not take it.
 * A struct cb_call_config or cb_ice_config copied on its own is wiped the
 * same way where it is dropped.  The bearer tokens of [stream] and [remote]
 * sections live in struct cb_config itself, not in cb_stream_config or
 * cb_remote_config, which the pipeline copies by value: those hold no
 * secret.
 */
#ifndef CALLBRIDGE_CONFIG_H
#define CALLBRIDGE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "audio/opus-encoder.h"
#include "crypto/srtp-suite.h"
#include "net/address.h"
#include "transport/ice-params.h"

#define CB_NAME_MAX        32	/* [a-z0-9_-]{1,32} */
#define CB_MAX_STREAMS     64
#define CB_MAX_TRACKS      64
#define CB_MAX_REMOTES     64
#define CB_MAX_TRACK_STREAMS 4	/* a track may feed several streams (a tee) */
#define CB_MAX_ERRORS      32
#define CB_ERROR_MAX       512
#define CB_URL_MAX         2048	/* whip, whep: characters, without the NUL */
#define CB_BEARER_TOKEN_MAX 4096	/* a bearer-token-file's token */
#define CB_TARGET_MAX      255	/* capture, playback: "default" or a node.name */
#define CB_CHANNEL_NAME_MAX 15	/* a channel position's short name: FL, MONO, AUX63 */
#define CB_MAX_CAPTURE_CHANNELS 2	/* one per channel of a track at most */
#define CB_MAX_ECHO_REMOTES CB_MAX_TRACK_STREAMS	/* remotes named by echo-cancel */
#define CB_ECHO_DELAY_MAX 500	/* ms, echo-delay */
#define CB_ENDPOINT_PATH_MAX 64	/* whip-endpoint, whep-endpoint: /[A-Za-z0-9/_.-]... */

enum cb_transport_kind {
	CB_TRANSPORT_UDP,
	CB_TRANSPORT_ICE,
	/* Every [stream] a WHIP session, every [remote] a WHEP one, each with
	 * its own ICE agent and DTLS-SRTP handshake. */
	CB_TRANSPORT_WEBRTC,
};

/* All four SRTP protection profiles, as a mask of (1u << enum cb_srtp_suite). */
#define CB_SRTP_OFFER_ALL \
	((1u << CB_SRTP_AES_CM_128_HMAC_SHA1_80) | (1u << CB_SRTP_AES_CM_128_HMAC_SHA1_32) | \
	 (1u << CB_SRTP_AEAD_AES_128_GCM) | (1u << CB_SRTP_AEAD_AES_256_GCM))

struct cb_call_config {
	char name[CB_NAME_MAX + 1];
	enum cb_transport_kind transport;
	struct cb_address local;	/* default 0.0.0.0:0 */
	struct cb_address remote;	/* may be unset when every stream has its own */
	enum cb_srtp_suite srtp;	/* udp, ice: the suite; webrtc: see srtp_offer */
	/* transport = webrtc: the DTLS-SRTP profiles to offer, a bit
	 * (1u << enum cb_srtp_suite) each, as struct cb_dtls_config.suites
	 * takes them (which also sets their order, GCM first):
	 * CB_SRTP_OFFER_ALL when the file sets no srtp, only that suite when
	 * it names one.  0 with udp and ice, which use srtp alone. */
	uint32_t srtp_offer;
	struct cb_key srtp_key;		/* unset: a random key is made at start */
	struct cb_key remote_srtp_key;
	/* transport = webrtc: "Authorization: Bearer" of every WHIP and WHEP
	 * request whose section has no token of its own; "" = none.  Secret. */
	char bearer_token[CB_BEARER_TOKEN_MAX + 1];
	/* transport = webrtc: absolute path of a PEM certificate and key,
	 * checked at load; "" = a fresh ECDSA P-256 one per run. */
	char dtls_certificate_file[PATH_MAX];
	char sdp_file[PATH_MAX];	/* "" = default path, "none" = do not write */
	char stats_file[PATH_MAX];	/* "" = none */
	uint32_t ptime_samples;		/* at 48 kHz: 120 240 480 960 1920 2880 */
	bool bundle;			/* streams share the remote port */
	bool accept_unknown;
	uint32_t remote_timeout_ms;
};

/* The [ice] section: read only with transport = ice. */
struct cb_ice_config {
	bool present;
	enum cb_ice_role role;
	char ufrag[CB_ICE_CRED_MAX + 1];
	char pwd[CB_ICE_CRED_MAX + 1];
	char remote_ufrag[CB_ICE_CRED_MAX + 1];
	char remote_pwd[CB_ICE_CRED_MAX + 1];
	uint32_t n_remote_candidates;
	struct cb_address remote_candidates[CB_ICE_MAX_CANDIDATES];
	struct cb_address stun_server;
	struct cb_address turn_server;
	enum cb_turn_transport turn_transport;
	char turn_username[CB_ICE_CRED_MAX + 1];
	char turn_password[CB_ICE_CRED_MAX + 1];	/* never logged */
	enum cb_ice_policy policy;
};

struct cb_stream_config {
	char name[CB_NAME_MAX + 1];
	int line;			/* of the [stream] header; 0 when implicit */
	bool implicit;			/* made for a track that has no stream key */
	uint32_t channels;		/* 1 or 2 */
	uint32_t bitrate;		/* bit/s, 6000..510000 */
	bool fec;
	bool dtx;
	uint32_t expected_loss;		/* percent, tunes Opus in-band FEC */
	uint32_t redundancy;		/* RFC 2198 previous frames per packet, 0..2 */
	uint32_t complexity;		/* 0..10 */
	enum cb_opus_application application;
	uint8_t payload_type;		/* 96..127 */
	struct cb_address remote;	/* unset: the call's remote */
	/* A fixed SSRC (also a=ssrc in the SDP) instead of a random one. */
	bool has_ssrc;
	uint32_t ssrc;
	/* transport = webrtc: the WHIP endpoint this stream is published to,
	 * an http or https URL; "" otherwise.  Its query may hold a key: never
	 * log it whole. */
	char whip[CB_URL_MAX + 1];
	/* transport = webrtc with [endpoint]: browsers play this stream as WHEP
	 * viewers at this path ("/whep/program"); "" otherwise.  Encoded once,
	 * protected per viewer. */
	char whep_endpoint[CB_ENDPOINT_PATH_MAX + 1];
};

struct cb_track_config {
	char name[CB_NAME_MAX + 1];
	int line;
	uint32_t channels;		/* 1 or 2 */
	uint32_t n_streams;
	uint32_t streams[CB_MAX_TRACK_STREAMS];	/* indexes into cb_config.streams */
	float gain_db;			/* -60..+24 */
	bool ignore_audio_level;
	uint32_t speaking_hangover_ms;
	/* An audio file played into the track from the start (absolute
	 * path, checked at load: it opens and decodes); "" = none. */
	char file[PATH_MAX];
	bool loop;			/* file plays again and again, seamlessly */
	/* capture: "" for none, "default" (the session manager's default
	 * source), or the node.name of a node whose outputs the bridge links
	 * into the track (node/link-keeper.h).  capture_channels: the
	 * source's channels by position name, one for every channel of the
	 * track or one per channel in order; none: matched by position. */
	char capture[CB_TARGET_MAX + 1];
	uint32_t n_capture_channels;
	char capture_channels[CB_MAX_CAPTURE_CHANNELS][CB_CHANNEL_NAME_MAX + 1];
	/* Voice processing (voice/apm.h), all off by default.  echo_cancel
	 * with no names: the far end is every remote, mixed; else the
	 * [remote]s named (checked against the file's sections). */
	bool echo_cancel;
	uint32_t n_echo_remotes;
	char echo_remotes[CB_MAX_ECHO_REMOTES][CB_NAME_MAX + 1];
	int echo_delay_ms;		/* -1: auto (the library's estimator) */
	uint32_t noise_suppression;	/* 0 off, 1 low, 2 moderate, 3 high, 4 very-high */
	bool gain_control;
	int gain_target_dbfs;		/* -31..0 */
	bool high_pass;
};

struct cb_remote_config {
	char name[CB_NAME_MAX + 1];
	int line;
	uint32_t channels;		/* 1 or 2 */
	bool has_ssrc;
	uint32_t ssrc;
	uint8_t payload_type;
	uint32_t latency_ms;		/* jitter buffer target */
	/* The peer's stream name (its RTCP SDES MID) this section plays,
	 * whatever its SSRC; "" = none. */
	char peer_stream[CB_NAME_MAX + 1];
	/* "" for none, "default" (the default sink) or the node.name of a
	 * node the remote's node is linked into (node/link-keeper.h). */
	char playback[CB_TARGET_MAX + 1];
	/* transport = webrtc: the WHEP resource played into this remote's
	 * node; "" otherwise.  As whip, never log its query. */
	char whep[CB_URL_MAX + 1];
	/* transport = webrtc with [endpoint]: a browser publishes into this
	 * remote at this path ("/whip/guest"); "" otherwise. */
	char whip_endpoint[CB_ENDPOINT_PATH_MAX + 1];
};

/* [endpoint]: callbridge serves WHIP and WHEP (and a guest page) itself. */
struct cb_endpoint_config {
	bool present;
	int line;			/* of the [endpoint] header */
	struct cb_address listen;	/* default 0.0.0.0:8443; port 0 picks one */
	bool tls;
	/* Absolute paths, checked at load; both "" = a self-signed one per run. */
	char tls_certificate_file[PATH_MAX];
	char tls_key_file[PATH_MAX];
	char bearer_token[CB_BEARER_TOKEN_MAX + 1];	/* secret; required */
	char allow_origin[256];		/* "" = no CORS headers */
	bool page;
	uint32_t consent_timeout_ms;	/* a guest silent this long is reaped */
	uint32_t max_viewers;		/* per WHEP path */
};

struct cb_config {
	char path[PATH_MAX];
	struct cb_call_config call;
	struct cb_ice_config ice;
	struct cb_endpoint_config endpoint;
	uint32_t n_streams;
	struct cb_stream_config streams[CB_MAX_STREAMS];
	uint32_t n_tracks;
	struct cb_track_config tracks[CB_MAX_TRACKS];
	uint32_t n_remotes;
	struct cb_remote_config remotes[CB_MAX_REMOTES];
	/* bearer-token-file of each [stream] and [remote], indexed like
	 * streams[] and remotes[]; "" where the section has none.  Secrets:
	 * read them through cb_config_stream_token()/cb_config_remote_token(). */
	char stream_tokens[CB_MAX_STREAMS][CB_BEARER_TOKEN_MAX + 1];
	char remote_tokens[CB_MAX_REMOTES][CB_BEARER_TOKEN_MAX + 1];
	/* By row of cb_config_keys, for the [call] and [ice] keys: the line
	 * the key is on, or its section's header line when the file leaves it
	 * at its default (0: no such section).  A refused reload names it. */
	int key_lines[64];
};

/* Problems found while loading: every error (up to CB_MAX_ERRORS) rather than
 * only the first, so a user fixes a file in one pass. Each message is
 * complete and ready to print: "FILE:LINE: message". Warnings (for example a
 * key file readable by others) never stop a load. */
struct cb_config_report {
	uint32_t n_errors;
	char errors[CB_MAX_ERRORS][CB_ERROR_MAX];
	uint32_t n_warnings;
	char warnings[CB_MAX_ERRORS][CB_ERROR_MAX];
};

/* Loads and validates `path`.  Returns 0, or -EINVAL with report->errors
 * filled (or another negative errno when the file cannot be read, also
 * described in the report).  On failure *cfg is wiped. */
int cb_config_load(const char *path, struct cb_config *cfg, struct cb_config_report *report);

/* The same on text in memory; `name` stands for the file in messages and
 * relative paths are taken from the working directory. Used by tests and
 * by the fuzzer. */
int cb_config_load_string(const char *name, const char *text, size_t len,
			  struct cb_config *cfg, struct cb_config_report *report);

/* Wipes key material and resets to empty; safe to repeat. */
void cb_config_clear(struct cb_config *cfg);

/* Moves src into dst: dst is cleared, takes src's content, and src is
 * wiped, so the secrets exist once.  The only way a config changes hands. */
void cb_config_move(struct cb_config *dst, struct cb_config *src);

/* The [remote] section as the key table's defaults make it, with no name:
 * what an incoming stream no [remote] claims plays with. */
void cb_config_default_remote(struct cb_remote_config *out);

/* Where config->streams[index] sends to: its own remote, else the call's,
 * on consecutive even ports (port, port+2, ...) among the streams without
 * their own remote unless bundle. */
void cb_config_stream_dest(const struct cb_config *config, uint32_t index,
			   struct cb_address *dest);

/* The bearer token of the WHIP session of config->streams[index], or of
 * the WHEP session of config->remotes[index]: the section's own, else the
 * call's; "" for none.  Points into config; never log it. */
const char *cb_config_stream_token(const struct cb_config *config, uint32_t index);
const char *cb_config_remote_token(const struct cb_config *config, uint32_t index);

/* Whether path is one [endpoint] serves: /[A-Za-z0-9/_.-]+, no //, no /. */
bool cb_endpoint_path_valid(const char *path);
/* Name lookups; -1 when absent. */
int cb_config_find_stream(const struct cb_config *cfg, const char *name);
int cb_config_find_track(const struct cb_config *cfg, const char *name);


/* ---- The key table: one row per key, the single source of truth. ---- */

enum cb_key_type {
	CB_KEY_TYPE_NAME,	/* [a-z0-9_-]{1,32} */
	CB_KEY_TYPE_STRING,
	CB_KEY_TYPE_PATH,
	CB_KEY_TYPE_BOOL,	/* true false yes no on off 1 0 */
	CB_KEY_TYPE_INT,
	CB_KEY_TYPE_FLOAT,
	CB_KEY_TYPE_ENUM,	/* one of `values`, a "|"-separated list */
	CB_KEY_TYPE_ADDRESS,	/* host:port, [v6]:port */
	CB_KEY_TYPE_BASE64_KEY,
	CB_KEY_TYPE_LIST,	/* comma separated names */
	CB_KEY_TYPE_SSRC,	/* 32-bit, decimal or 0x hex */
	CB_KEY_TYPE_PTIME,	/* 2.5 5 10 20 40 60 */
	CB_KEY_TYPE_URL,	/* http:// or https://, a host, at most CB_URL_MAX */
	CB_KEY_TYPE_TARGET,	/* "default" or a PipeWire node.name */
	CB_KEY_TYPE_CHANNELS,	/* comma separated channel positions: FL, FR, MONO, AUX0... */
};

/* What a reload does when a key changed: the column every reload decision
 * is taken from (config/reload-plan.c), printed by --help-keys and stated
 * per key in callbridge.ini(5).  Zero is no value, so a row that misses it
 * is caught by test-config. */
enum cb_reload {
	/* Defines the session: a reload changing it is rejected, naming the
	 * key, and the call goes on unchanged; restart to apply it. */
	CB_RELOAD_FIXED = 1,
	/* Applied in place, without a gap. */
	CB_RELOAD_LIVE,
	/* Its section's object is made anew: a stream gets a new encoder and
	 * SSRC, a track a new node, a remote restarts with its next packet. */
	CB_RELOAD_RECREATE,
};

/* "fixed", "live" or "recreates": the word --help-keys and the man page use. */
const char *cb_reload_name(enum cb_reload reload);

struct cb_key_info {
	const char *section;	/* "call", "ice", "endpoint", "stream", "track", "remote" */
	const char *key;
	enum cb_key_type type;
	enum cb_reload reload;	/* what a reload that changes it does */
	const char *def;	/* default as the user would write it, NULL: none */
	const char *values;	/* ENUM choices, or a human range such as "1..2" */
	double min, max;	/* INT/FLOAT range */
	const char *help;	/* one line */
};

extern const struct cb_key_info cb_config_keys[];
extern const size_t cb_config_n_keys;

#endif
