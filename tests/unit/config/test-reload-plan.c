/* The reload plan follows the key table's reload column, for every key:
 * each row of cb_config_keys is changed on its own (the cases below must
 * cover the whole table) and the plan must refuse the reload naming a
 * fixed key, list a changed live [call] key, or change in place / remake
 * exactly the entry whose key changed.  Then the cases the column alone
 * does not show: added and removed entries, a recreate key beating a live
 * one, a track's stream list compared by name, a stream whose destination
 * moves with [call] keys, key files compared by the key they load, and
 * with transport = webrtc the profiles offered and token files compared by
 * the token they load. */
#include "test.h"

#include "config/reload-plan.h"
#include "dtls/certificate.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <math.h>

#include <openssl/pem.h>
#include <sndfile.h>

static bool mask_empty(const struct cb_key_mask *m)
{
	for (size_t i = 0; i < CB_KEY_MASK_WORDS; i++)
		if (m->w[i])
			return false;
	return true;
}

/* Exactly this row is set. */
static bool mask_only(const struct cb_key_mask *m, size_t row)
{
	struct cb_key_mask rest = *m;

	if (!cb_key_mask_test(m, row))
		return false;
	rest.w[row / 64] &= ~(UINT64_C(1) << (row % 64));
	return mask_empty(&rest);
}

#define KEY_A "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e"
#define KEY_B "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"
#define KEY_C "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CB"
#define PWD_A "abcdefghijklmnopqrstuv"
#define PWD_B "ABCDEFGHIJKLMNOPQRSTUV"

static struct cb_config old_cfg, new_cfg;
static struct cb_config_report rep;
static struct cb_reload_plan plan;
static char tmpdir[] = "/tmp/callbridge-test-plan-XXXXXX";
static char key_file_a[256], key_file_c[256], pwd_file_b[256], wav_file_a[256], wav_file_b[256];
static char token_file_a[256], token_file_a2[256], token_file_b[256];
static char pem_file_a[256], pem_file_b[256];

/* Plain UDP: stream s has its own remote, t and u go to the call's (u on
 * port+2 unless bundle), track a feeds s, track b its implicit stream. */
static const char *const udp_base[] = {
	"[call]", "name = base", "remote = 127.0.0.1:5004", "srtp-key = " KEY_A,
	"remote-srtp-key = " KEY_A, "sdp-file = none",
	"[stream s]", "remote = 127.0.0.1:6000",
	"[stream t]",
	"[stream u]",
	"[track a]", "stream = s", "capture = x",
	"[track b]",
	"[track c]", "stream = t, u",
	"[remote r]", "ssrc = 1",
	NULL,
};

/* A remote found by the peer's stream name, a track playing a file. */
static char wav_line[300];
static const char *const peer_base[] = {
	"[call]", "name = base", "remote = 127.0.0.1:5004", "srtp-key = " KEY_A,
	"remote-srtp-key = " KEY_A, "sdp-file = none",
	"[track a]", wav_line,
	"[remote r]", "peer-stream = program",
	NULL,
};

static const char *const ice_base[] = {
	"[call]", "name = base", "transport = ice", "local = 127.0.0.1:0", "srtp = none",
	"sdp-file = none",
	"[ice]", "ufrag = abcd", "pwd = " PWD_A, "remote-ufrag = efgh", "remote-pwd = " PWD_A,
	"remote-candidates = 127.0.0.1:7000", "turn-server = 127.0.0.1:3478",
	"turn-username = user", "turn-password = secret",
	"[track a]",
	NULL,
};

/* transport = webrtc: a token for the call and for each section, a
 * certificate; the lines naming files are filled in by main(). */
static char wr_call_token[300], wr_cert[300], wr_stream_token[300], wr_remote_token[300];
static const char *const webrtc_base[] = {
	"[call]", "name = base", "transport = webrtc", "sdp-file = none",
	wr_call_token, wr_cert,
	"[stream s]", "whip = https://sfu.example.com/whip/s", wr_stream_token,
	"[track a]", "stream = s",
	"[remote r]", "whep = https://sfu.example.com/whep/r", wr_remote_token,
	NULL,
};

/* [endpoint]: callbridge serves a stream and takes a remote itself. */
static char ep_token[300], ep_cert_pair[700], ep_key_pair[700];
static const char *const endpoint_base[] = {
	"[call]", "name = base", "transport = webrtc", "sdp-file = none",
	"[endpoint]", ep_token,
	"[stream s]", "whep-endpoint = /whep/s",
	"[track a]", "stream = s",
	"[remote r]", "whip-endpoint = /whip/r",
	NULL,
};

/* One key changed: `key` = `value` in `section` (a header as written),
 * replacing the line of `replaces` (default: the key itself) or added at
 * the end of the section.  `named`: the key a refusal names, when not the
 * key itself (a key file is the key it loads). */
struct variant {
	const char *const *base;
	const char *section;
	const char *key;
	const char *value;
	const char *replaces;
	const char *named;
};

static const struct variant variants[] = {
	{ udp_base, "[call]", "name", "other" },
	{ ice_base, "[call]", "transport", "udp\nremote = 127.0.0.1:5004" },
	{ udp_base, "[call]", "local", "127.0.0.1:1" },
	{ udp_base, "[call]", "remote", "127.0.0.1:5006" },
	{ udp_base, "[call]", "srtp", "AES_CM_128_HMAC_SHA1_32" },
	{ udp_base, "[call]", "srtp-key", KEY_B },
	{ udp_base, "[call]", "srtp-key-file", key_file_c, "srtp-key", "srtp-key" },
	{ udp_base, "[call]", "remote-srtp-key", KEY_B },
	{ udp_base, "[call]", "remote-srtp-key-file", key_file_c, "remote-srtp-key",
	  "remote-srtp-key" },
	{ webrtc_base, "[call]", "bearer-token-file", token_file_b },
	{ webrtc_base, "[call]", "dtls-certificate-file", pem_file_b },
	{ udp_base, "[call]", "sdp-file", "/tmp/callbridge-test-plan.sdp" },
	{ udp_base, "[call]", "stats-file", "/tmp/callbridge-test-plan.json" },
	{ udp_base, "[call]", "ptime", "10" },
	{ udp_base, "[call]", "bundle", "true" },
	{ udp_base, "[call]", "accept-unknown", "false" },
	{ udp_base, "[call]", "remote-timeout", "20" },
	{ ice_base, "[ice]", "role", "controlled" },
	{ ice_base, "[ice]", "ufrag", "wxyz" },
	{ ice_base, "[ice]", "pwd", PWD_B },
	{ ice_base, "[ice]", "remote-ufrag", "ijkl" },
	{ ice_base, "[ice]", "remote-pwd", PWD_B },
	{ ice_base, "[ice]", "remote-candidates", "127.0.0.1:7002" },
	{ ice_base, "[ice]", "stun-server", "127.0.0.1:3478" },
	{ ice_base, "[ice]", "turn-server", "127.0.0.1:3479" },
	{ ice_base, "[ice]", "turn-transport", "tcp" },
	{ ice_base, "[ice]", "turn-username", "other" },
	{ ice_base, "[ice]", "turn-password", "other" },
	{ ice_base, "[ice]", "turn-password-file", pwd_file_b, "turn-password", "turn-password" },
	{ ice_base, "[ice]", "policy", "relay" },
	{ udp_base, "[stream s]", "channels", "1" },
	{ udp_base, "[stream s]", "bitrate", "32000" },
	{ udp_base, "[stream s]", "fec", "false" },
	{ udp_base, "[stream s]", "dtx", "true" },
	{ udp_base, "[stream s]", "expected-loss", "20" },
	{ udp_base, "[stream s]", "redundancy", "2" },
	{ udp_base, "[stream s]", "complexity", "5" },
	{ udp_base, "[stream s]", "application", "voip" },
	{ udp_base, "[stream s]", "payload-type", "100" },
	{ udp_base, "[stream s]", "remote", "127.0.0.1:6002" },
	{ udp_base, "[stream s]", "ssrc", "0x1234abcd" },
	{ webrtc_base, "[stream s]", "whip", "https://sfu.example.com/whip/other" },
	{ webrtc_base, "[stream s]", "bearer-token-file", token_file_b },
	{ udp_base, "[track a]", "channels", "1" },
	{ udp_base, "[track a]", "stream", "s, t" },
	{ udp_base, "[track a]", "gain", "-6" },
	{ udp_base, "[track a]", "ignore-audio-level", "true" },
	{ udp_base, "[track a]", "speaking-hangover", "100" },
	{ peer_base, "[track a]", "file", wav_file_b },
	{ peer_base, "[track a]", "loop", "true" },
	{ udp_base, "[track a]", "capture", "alsa_input.usb-mic" },
	{ udp_base, "[track a]", "capture-channels", "FR" },
	{ udp_base, "[track a]", "echo-cancel", "r" },
	{ udp_base, "[track a]", "echo-delay", "40" },
	{ udp_base, "[track a]", "noise-suppression", "high" },
	{ udp_base, "[track a]", "gain-control", "true" },
	{ udp_base, "[track a]", "gain-target", "-9" },
	{ udp_base, "[track a]", "high-pass", "true" },
	{ udp_base, "[remote r]", "playback", "alsa_output.pci-speakers" },
	{ udp_base, "[remote r]", "channels", "2" },
	{ udp_base, "[remote r]", "ssrc", "2" },
	{ udp_base, "[remote r]", "payload-type", "100" },
	{ udp_base, "[remote r]", "latency", "40" },
	{ peer_base, "[remote r]", "peer-stream", "talkback" },
	{ webrtc_base, "[remote r]", "whep", "http://sfu.example.com:8080/whep/other" },
	{ webrtc_base, "[remote r]", "bearer-token-file", token_file_b },
	{ endpoint_base, "[endpoint]", "listen", "127.0.0.1:8443" },
	{ endpoint_base, "[endpoint]", "tls", "false" },
	/* The two TLS files come as a pair: the first in the table is named. */
	{ endpoint_base, "[endpoint]", "tls-certificate-file", ep_cert_pair },
	{ endpoint_base, "[endpoint]", "tls-key-file", ep_key_pair, NULL, "tls-certificate-file" },
	{ endpoint_base, "[endpoint]", "bearer-token-file", token_file_b },
	{ endpoint_base, "[endpoint]", "allow-origin", "*" },
	{ endpoint_base, "[endpoint]", "page", "false" },
	{ endpoint_base, "[endpoint]", "consent-timeout", "20" },
	{ endpoint_base, "[endpoint]", "max-viewers", "5" },
	{ endpoint_base, "[stream s]", "whep-endpoint", "/whep/other" },
	{ endpoint_base, "[remote r]", "whip-endpoint", "/whip/other" },
};

static bool starts_with_key(const char *line, const char *key)
{
	size_t n = strlen(key);

	return strncmp(line, key, n) == 0 && strncmp(line + n, " = ", 3) == 0;
}

/* The base, with v applied when not NULL. */
static void render(char *out, size_t len, const char *const *base, const struct variant *v)
{
	const char *replaces = v ? (v->replaces ? v->replaces : v->key) : NULL;
	bool in_target = false, done = v == NULL;
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0;; i++) {
		const char *line = base[i];

		if ((line == NULL || line[0] == '[') && in_target && !done) {
			o += (size_t)snprintf(out + o, len - o, "%s = %s\n", v->key, v->value);
			done = true;
		}
		if (line == NULL)
			break;
		if (line[0] == '[')
			in_target = v && strcmp(line, v->section) == 0;
		if (in_target && !done && starts_with_key(line, replaces)) {
			o += (size_t)snprintf(out + o, len - o, "%s = %s\n", v->key, v->value);
			done = true;
			continue;
		}
		o += (size_t)snprintf(out + o, len - o, "%s\n", line);
	}
}

static bool load(struct cb_config *cfg, const char *const *base, const struct variant *v)
{
	static char text[8192];
	int res;

	render(text, sizeof(text), base, v);
	res = cb_config_load_string("t.ini", text, strlen(text), cfg, &rep);
	if (res < 0) {
		fprintf(stderr, "cannot load:\n%s", text);
		for (uint32_t i = 0; i < rep.n_errors; i++)
			fprintf(stderr, "    %s\n", rep.errors[i]);
	}
	return res == 0;
}

static bool load_text(struct cb_config *cfg, const char *text)
{
	int res = cb_config_load_string("t.ini", text, strlen(text), cfg, &rep);

	for (uint32_t i = 0; res < 0 && i < rep.n_errors; i++)
		fprintf(stderr, "    %s\n", rep.errors[i]);
	return res == 0;
}

static int row_of(const char *section, const char *key)
{
	for (size_t i = 0; i < cb_config_n_keys; i++)
		if (strcmp(cb_config_keys[i].section, section) == 0 &&
		    strcmp(cb_config_keys[i].key, key) == 0)
			return (int)i;
	return -1;
}

/* "[stream s]" -> "stream", "s". */
static void split_section(const char *header, char *kind, size_t kind_len, char *name,
			  size_t name_len)
{
	const char *space = strchr(header, ' ');
	size_t n = space ? (size_t)(space - header - 1) : strlen(header) - 2;

	snprintf(kind, kind_len, "%.*s", (int)n, header + 1);
	if (space)
		snprintf(name, name_len, "%.*s", (int)(strlen(space + 1) - 1), space + 1);
	else
		name[0] = '\0';
}

/* Every entry of a section array KEEP, but the one named `except`. */
static void check_others_kept(const struct cb_plan_entry *entries, uint32_t n,
			      const char *(*name_of)(uint32_t), const char *except)
{
	for (uint32_t i = 0; i < n; i++)
		if (!except || strcmp(name_of(i), except) != 0)
			CHECK_INT_EQ(entries[i].action, CB_PLAN_KEEP);
}

static const char *stream_name(uint32_t i) { return new_cfg.streams[i].name; }
static const char *track_name(uint32_t i) { return new_cfg.tracks[i].name; }
static const char *remote_name(uint32_t i) { return new_cfg.remotes[i].name; }

static void check_variant(const struct variant *v)
{
	char kind[16], name[CB_NAME_MAX + 1];
	const struct cb_key_info *k;
	const struct cb_plan_entry *e = NULL;
	int res, i, row;

	split_section(v->section, kind, sizeof(kind), name, sizeof(name));
	row = row_of(kind, v->key);
	CHECK(row >= 0);
	if (row < 0)
		return;
	k = &cb_config_keys[row];
	if (!load(&old_cfg, v->base, NULL) || !load(&new_cfg, v->base, v)) {
		CHECK(!"variant loads");
		return;
	}
	res = cb_reload_plan_make(&plan, &old_cfg, &new_cfg);
	if (k->reload == CB_RELOAD_FIXED) {
		CHECK_INT_EQ(res, -EINVAL);
		CHECK(plan.fixed != NULL);
		if (plan.fixed) {
			CHECK_STR_EQ(plan.fixed->section, kind);
			CHECK_STR_EQ(plan.fixed->key, v->named ? v->named : v->key);
		}
		CHECK_INT_EQ(plan.added + plan.removed + plan.live + plan.recreated, 0);
		return;
	}
	CHECK_INT_EQ(res, 0);
	CHECK(plan.fixed == NULL);
	CHECK_INT_EQ(plan.added, 0);
	CHECK_INT_EQ(plan.removed, 0);
	if (strcmp(kind, "call") == 0) {
		CHECK(mask_only(&plan.call_changed, (size_t)row));
		CHECK(cb_reload_key_changed(plan.call_changed, "call", v->key));
		return;
	}
	CHECK(mask_empty(&plan.call_changed));
	if (strcmp(kind, "stream") == 0 && (i = cb_config_find_stream(&new_cfg, name)) >= 0)
		e = &plan.streams[i];
	else if (strcmp(kind, "track") == 0 && (i = cb_config_find_track(&new_cfg, name)) >= 0)
		e = &plan.tracks[i];
	else if (strcmp(kind, "remote") == 0)
		e = &plan.remotes[0];
	CHECK(e != NULL);
	if (e == NULL)
		return;
	CHECK_INT_EQ(e->action, k->reload == CB_RELOAD_LIVE ? CB_PLAN_LIVE : CB_PLAN_RECREATE);
	CHECK(e->key == k);
	CHECK(mask_only(&e->changed, (size_t)row));
	CHECK_INT_EQ(k->reload == CB_RELOAD_LIVE ? plan.live : plan.recreated, 1);
	check_others_kept(plan.streams, new_cfg.n_streams, stream_name,
			  strcmp(kind, "stream") == 0 ? name : NULL);
	check_others_kept(plan.tracks, new_cfg.n_tracks, track_name,
			  strcmp(kind, "track") == 0 ? name : NULL);
	check_others_kept(plan.remotes, new_cfg.n_remotes, remote_name,
			  strcmp(kind, "remote") == 0 ? name : NULL);
}

/* Every row of the table has a case, and the comparison knows every row. */
static void test_table_covered(void)
{
	CHECK(load(&old_cfg, udp_base, NULL));
	for (size_t row = 0; row < cb_config_n_keys; row++) {
		const struct cb_key_info *k = &cb_config_keys[row];
		bool covered = false;

		for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
			char kind[16], name[CB_NAME_MAX + 1];

			split_section(variants[i].section, kind, sizeof(kind), name, sizeof(name));
			covered |= strcmp(kind, k->section) == 0 && strcmp(variants[i].key, k->key) == 0;
		}
		test_checks++;
		if (!covered) {
			test_failures++;
			fprintf(stderr, "[%s] %s: no case in test-reload-plan.c\n", k->section, k->key);
		}
		CHECK_INT_EQ(cb_config_key_differs(row, &old_cfg, 0, &old_cfg, 0), 0);
	}
	CHECK_INT_EQ(cb_config_key_differs(cb_config_n_keys, &old_cfg, 0, &old_cfg, 0), -ENOENT);
}

static void test_every_key(void)
{
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		check_variant(&variants[i]);
}

static void test_unchanged(void)
{
	CHECK(load(&old_cfg, udp_base, NULL));
	CHECK(load(&new_cfg, udp_base, NULL));
	CHECK_INT_EQ(cb_reload_plan_make(&plan, &old_cfg, &new_cfg), 0);
	CHECK(plan.fixed == NULL);
	CHECK_INT_EQ(plan.added + plan.removed + plan.live + plan.recreated, 0);
	CHECK(mask_empty(&plan.call_changed));
	for (uint32_t i = 0; i < new_cfg.n_streams; i++) {
		CHECK_INT_EQ(plan.streams[i].action, CB_PLAN_KEEP);
		CHECK_INT_EQ(plan.streams[i].old_index, (int)i);
	}
	for (uint32_t i = 0; i < new_cfg.n_tracks; i++)
		CHECK_INT_EQ(plan.tracks[i].action, CB_PLAN_KEEP);
	CHECK_INT_EQ(plan.remotes[0].action, CB_PLAN_KEEP);
}

/* bundle: every stream goes to the one port, so adding or removing one
 * moves no other. */
#define CALL "[call]\nname = c\nremote = 127.0.0.1:5004\nbundle = true\n" \
	"remote-srtp-key = " KEY_A "\n"

static void test_added_and_removed(void)
{
	CHECK(load_text(&old_cfg, CALL "[stream s]\n[stream gone]\n[track a]\nstream = s, gone\n"
			"[track old]\n[remote r]\n[remote q]\n"));
	CHECK(load_text(&new_cfg, CALL "[stream new]\n[stream s]\n[track a]\nstream = s\n"
			"[track fresh]\nstream = new\n[remote q]\n[remote p]\n"));
	CHECK_INT_EQ(cb_reload_plan_make(&plan, &old_cfg, &new_cfg), 0);
	/* streams: new added, s kept although its index moved; gone and old's
	 * implicit stream removed */
	CHECK_INT_EQ(plan.streams[0].action, CB_PLAN_ADD);
	CHECK_INT_EQ(plan.streams[0].old_index, -1);
	CHECK_INT_EQ(plan.streams[1].action, CB_PLAN_KEEP);
	CHECK_INT_EQ(plan.streams[1].old_index, 0);
	CHECK(!plan.stream_removed[0]);
	CHECK(plan.stream_removed[1]);
	CHECK(plan.stream_removed[2]);	/* "old", implicit */
	/* tracks: a feeds one stream less (live), old removed, fresh added */
	CHECK_INT_EQ(plan.tracks[0].action, CB_PLAN_LIVE);
	CHECK(cb_reload_key_changed(plan.tracks[0].changed, "track", "stream"));
	CHECK(!cb_reload_key_changed(plan.tracks[0].changed, "track", "gain"));
	CHECK_INT_EQ(plan.tracks[1].action, CB_PLAN_ADD);
	CHECK(!plan.track_removed[0]);
	CHECK(plan.track_removed[1]);
	/* remotes: r removed, q kept at a new index, p added */
	CHECK(plan.remote_removed[0]);
	CHECK(!plan.remote_removed[1]);
	CHECK_INT_EQ(plan.remotes[0].action, CB_PLAN_KEEP);
	CHECK_INT_EQ(plan.remotes[0].old_index, 1);
	CHECK_INT_EQ(plan.remotes[1].action, CB_PLAN_ADD);
	CHECK_INT_EQ(plan.added, 3);
	CHECK_INT_EQ(plan.removed, 4);
	CHECK_INT_EQ(plan.live, 1);
	CHECK_INT_EQ(plan.recreated, 0);
}

static void test_recreate_beats_live(void)
{
	CHECK(load_text(&old_cfg, CALL "[stream s]\n[track a]\nstream = s\n[remote r]\n"));
	CHECK(load_text(&new_cfg, CALL "[stream s]\nbitrate = 32000\nchannels = 1\n"
			"[track a]\nstream = s\ngain = -3\nchannels = 1\n"
			"[remote r]\nlatency = 50\nchannels = 2\n"));
	CHECK_INT_EQ(cb_reload_plan_make(&plan, &old_cfg, &new_cfg), 0);
	CHECK_INT_EQ(plan.streams[0].action, CB_PLAN_RECREATE);
	CHECK_STR_EQ(plan.streams[0].key->key, "channels");
	CHECK(cb_reload_key_changed(plan.streams[0].changed, "stream", "bitrate"));
	CHECK_INT_EQ(plan.tracks[0].action, CB_PLAN_RECREATE);
	CHECK(cb_reload_key_changed(plan.tracks[0].changed, "track", "gain"));
	CHECK_INT_EQ(plan.remotes[0].action, CB_PLAN_RECREATE);
	CHECK_STR_EQ(plan.remotes[0].key->key, "channels");
	CHECK_INT_EQ(plan.recreated, 3);
	CHECK_INT_EQ(plan.live, 0);
}

/* A track's streams are compared by name: a stream removed before them
 * moves their indexes but not what the track feeds. */
static void test_track_streams_by_name(void)
{
	CHECK(load_text(&old_cfg, CALL "[stream x]\n[stream s]\n[stream t]\n"
			"[track a]\nstream = s, t\n[track b]\nstream = x\n"));
	CHECK(load_text(&new_cfg, CALL "[stream s]\n[stream t]\n[track a]\nstream = s, t\n"));
	CHECK_INT_EQ(old_cfg.tracks[0].streams[0], 1);
	CHECK_INT_EQ(new_cfg.tracks[0].streams[0], 0);
	CHECK_INT_EQ(cb_reload_plan_make(&plan, &old_cfg, &new_cfg), 0);
	CHECK_INT_EQ(plan.tracks[0].action, CB_PLAN_KEEP);
	CHECK(plan.track_removed[1]);

	/* Same streams, another order: ring j feeds stream j, so it changed. */
	CHECK(load_text(&new_cfg, CALL "[stream x]\n[stream s]\n[stream t]\n"
			"[track a]\nstream = t, s\n[track b]\nstream = x\n"));
	CHECK_INT_EQ(cb_reload_plan_make(&plan, &old_cfg, &new_cfg), 0);
	CHECK_INT_EQ(plan.tracks[0].action, CB_PLAN_LIVE);
	CHECK_STR_EQ(plan.tracks[0].key->key, "stream");
}

/* [call] remote and bundle move streams without touching their sections:
 * live for those that go elsewhere, with no key of their own. */
static void test_destinations(void)
{
	struct variant bundle = { udp_base, "[call]", "bundle", "true" };
	int t, u, s;

	CHECK(load(&old_cfg, udp_base, NULL));
	CHECK(load(&new_cfg, udp_base, &bundle));
	CHECK_INT_EQ(cb_reload_plan_make(&plan, &old_cfg, &new_cfg), 0);
	s = cb_config_find_stream(&new_cfg, "s");
	t = cb_config_find_stream(&new_cfg, "t");
	u = cb_config_find_stream(&new_cfg, "u");
	CHECK(s >= 0 && t >= 0 && u >= 0);
	if (s < 0 || t < 0 || u < 0)
		return;
	/* t went to the call's port either way; u moves from port+2 to it. */
	CHECK_INT_EQ(plan.streams[s].action, CB_PLAN_KEEP);
	CHECK_INT_EQ(plan.streams[t].action, CB_PLAN_KEEP);
	CHECK_INT_EQ(plan.streams[u].action, CB_PLAN_LIVE);
	CHECK(plan.streams[u].dest_changed);
	CHECK(plan.streams[u].key == NULL);
	CHECK(mask_empty(&plan.streams[u].changed));
}

/* A key file counts by the key it loads: another file with the same key
 * is no change; the key inline instead of in a file neither. */
static void test_key_files(void)
{
	static char text[1024];

	snprintf(text, sizeof(text), "[call]\nname = c\nremote = 127.0.0.1:5004\nbundle = true\n"
		 "srtp-key-file = %s\n[track a]\n", key_file_a);
	CHECK(load_text(&old_cfg, text));
	CHECK(load_text(&new_cfg, CALL "srtp-key = " KEY_A "\n[track a]\n"));
	/* CALL has a remote-srtp-key the old one lacks: that one is named. */
	CHECK_INT_EQ(cb_reload_plan_make(&plan, &old_cfg, &new_cfg), -EINVAL);
	CHECK_STR_EQ(plan.fixed ? plan.fixed->key : NULL, "remote-srtp-key");
	CHECK(load_text(&new_cfg, "[call]\nname = c\nremote = 127.0.0.1:5004\nbundle = true\n"
			"srtp-key = " KEY_A "\n[track a]\n"));
	CHECK_INT_EQ(cb_reload_plan_make(&plan, &old_cfg, &new_cfg), 0);
	CHECK(plan.fixed == NULL);
}

/* webrtc: what srtp offers is part of the key, beyond the one suite it
 * names; a token file counts as the token it loads. */
static void test_webrtc(void)
{
	static char text[2048];

	CHECK(load(&old_cfg, webrtc_base, NULL));
	CHECK_INT_EQ(old_cfg.call.srtp_offer, CB_SRTP_OFFER_ALL);
	/* The same suite in srtp as its default, but now the only one offered. */
	snprintf(text, sizeof(text), "[call]\nname = base\ntransport = webrtc\nsdp-file = none\n"
		 "srtp = AES_CM_128_HMAC_SHA1_80\n%s\n%s\n[stream s]\n"
		 "whip = https://sfu.example.com/whip/s\n%s\n[track a]\nstream = s\n"
		 "[remote r]\nwhep = https://sfu.example.com/whep/r\n%s\n",
		 wr_call_token, wr_cert, wr_stream_token, wr_remote_token);
	CHECK(load_text(&new_cfg, text));
	CHECK_INT_EQ(new_cfg.call.srtp, old_cfg.call.srtp);
	CHECK_INT_EQ(new_cfg.call.srtp_offer, 1u << CB_SRTP_AES_CM_128_HMAC_SHA1_80);
	CHECK_INT_EQ(cb_reload_plan_make(&plan, &old_cfg, &new_cfg), -EINVAL);
	CHECK_STR_EQ(plan.fixed ? plan.fixed->key : NULL, "srtp");

	/* Another file with the same token: no change, the session goes on. */
	snprintf(text, sizeof(text), "[call]\nname = base\ntransport = webrtc\nsdp-file = none\n"
		 "bearer-token-file = %s\n%s\n[stream s]\n"
		 "whip = https://sfu.example.com/whip/s\nbearer-token-file = %s\n"
		 "[track a]\nstream = s\n[remote r]\nwhep = https://sfu.example.com/whep/r\n"
		 "bearer-token-file = %s\n", token_file_a2, wr_cert, token_file_a2, token_file_a2);
	CHECK(load_text(&new_cfg, text));
	CHECK_INT_EQ(cb_reload_plan_make(&plan, &old_cfg, &new_cfg), 0);
	CHECK_INT_EQ(plan.added + plan.removed + plan.live + plan.recreated, 0);

	/* A stream that loses its own token falls back to the call's: a
	 * change, a new session. */
	snprintf(text, sizeof(text), "[call]\nname = base\ntransport = webrtc\nsdp-file = none\n"
		 "%s\n%s\n[stream s]\nwhip = https://sfu.example.com/whip/s\n"
		 "[track a]\nstream = s\n[remote r]\nwhep = https://sfu.example.com/whep/r\n%s\n",
		 wr_call_token, wr_cert, wr_remote_token);
	CHECK(load_text(&new_cfg, text));
	CHECK_INT_EQ(cb_reload_plan_make(&plan, &old_cfg, &new_cfg), 0);
	CHECK_INT_EQ(plan.streams[0].action, CB_PLAN_RECREATE);
	CHECK_STR_EQ(plan.streams[0].key ? plan.streams[0].key->key : NULL, "bearer-token-file");
	CHECK_INT_EQ(plan.remotes[0].action, CB_PLAN_KEEP);
}

/* A short tone, as a track's file. */
static void write_wav(char *path, size_t len, const char *name, int rate)
{
	SF_INFO info = { .samplerate = rate, .channels = 1,
			 .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
	float pcm[4410];
	SNDFILE *f;

	snprintf(path, len, "%s/%s", tmpdir, name);
	for (int i = 0; i < 4410; i++)
		pcm[i] = 0.25f * sinf(2.0f * 3.14159265f * 441.0f * (float)i / (float)rate);
	f = sf_open(path, SFM_WRITE, &info);
	if (f == NULL || sf_writef_float(f, pcm, 4410) != 4410) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(1);
	}
	sf_close(f);
}

static void write_file(char *path, size_t len, const char *name, const char *text)
{
	int fd;

	snprintf(path, len, "%s/%s", tmpdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	if (fd >= 0)
		close(fd);
}

/* A fresh certificate and its key, as PEM. */
static void write_certificate(char *path, size_t len, const char *name)
{
	struct cb_dtls_certificate *c = NULL;
	FILE *f;

	snprintf(path, len, "%s/%s", tmpdir, name);
	CHECK_INT_EQ(cb_dtls_certificate_generate(&c), 0);
	f = fopen(path, "w");
	CHECK(f != NULL && c != NULL);
	if (f && c) {
		CHECK(PEM_write_X509(f, cb_dtls_certificate_x509(c)) == 1);
		CHECK(PEM_write_PrivateKey(f, cb_dtls_certificate_key(c), NULL, NULL, 0, NULL,
					   NULL) == 1);
	}
	if (f) {
		fchmod(fileno(f), 0600);
		fclose(f);
	}
	cb_dtls_certificate_free(c);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	write_file(key_file_a, sizeof(key_file_a), "a.key", KEY_A "\n");
	write_wav(wav_file_a, sizeof(wav_file_a), "a.wav", 44100);
	write_wav(wav_file_b, sizeof(wav_file_b), "b.wav", 48000);
	snprintf(wav_line, sizeof(wav_line), "file = %s", wav_file_a);
	write_file(key_file_c, sizeof(key_file_c), "c.key", KEY_C "\n");
	write_file(pwd_file_b, sizeof(pwd_file_b), "b.pwd", "password-b\n");
	write_file(token_file_a, sizeof(token_file_a), "a.token", "token-a\n");
	write_file(token_file_a2, sizeof(token_file_a2), "a2.token", "token-a");
	write_file(token_file_b, sizeof(token_file_b), "b.token", "token-b\n");
	write_certificate(pem_file_a, sizeof(pem_file_a), "a.pem");
	write_certificate(pem_file_b, sizeof(pem_file_b), "b.pem");
	snprintf(wr_call_token, sizeof(wr_call_token), "bearer-token-file = %s", token_file_a);
	snprintf(wr_cert, sizeof(wr_cert), "dtls-certificate-file = %s", pem_file_a);
	snprintf(wr_stream_token, sizeof(wr_stream_token), "bearer-token-file = %s", token_file_a);
	snprintf(wr_remote_token, sizeof(wr_remote_token), "bearer-token-file = %s", token_file_a);
	snprintf(ep_token, sizeof(ep_token), "bearer-token-file = %s", token_file_a);
	snprintf(ep_cert_pair, sizeof(ep_cert_pair), "%s\ntls-key-file = %s", pem_file_a, pem_file_a);
	snprintf(ep_key_pair, sizeof(ep_key_pair), "%s\ntls-certificate-file = %s", pem_file_a,
		 pem_file_a);

	test_table_covered();
	test_every_key();
	test_unchanged();
	test_added_and_removed();
	test_recreate_beats_live();
	test_track_streams_by_name();
	test_destinations();
	test_key_files();
	test_webrtc();

	cb_config_clear(&old_cfg);
	cb_config_clear(&new_cfg);
	unlink(key_file_a);
	unlink(key_file_c);
	unlink(pwd_file_b);
	unlink(token_file_a);
	unlink(token_file_a2);
	unlink(token_file_b);
	unlink(pem_file_a);
	unlink(pem_file_b);
	unlink(wav_file_a);
	unlink(wav_file_b);
	rmdir(tmpdir);
	return test_finish("test-reload-plan");
}
