/* Tests for the INI loader: every key, every default, every error. */
#include "test.h"
#include "config-test.h"

#include "config/config.h"
#include "config/config-loader.h"
#include "config/reload-plan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY30 "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e"
#define KEY28 "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHA=="
#define KEY44 "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKyw="
#define KEY16 "AQIDBAUGBwgJCgsMDQ4PEA=="

/* The smallest call that has somewhere to send streams. */
#define CALL "[call]\nname = demo\nremote = 127.0.0.1:5004\n"

static char tmpdir[] = "/tmp/callbridge-test-config-XXXXXX";

#define CHECK_LOADS(text) do { \
	int _r = load(text); \
	CHECK_INT_EQ(_r, 0); \
	CHECK_INT_EQ(rep.n_errors, 0); \
	if (_r != 0) \
		dump_report(); \
} while (0)

/* Loading fails and some error contains `needle` (which usually starts with
 * "t.ini:LINE: " to pin the line). */
#define CHECK_FAILS(text, needle) do { \
	int _r = load(text); \
	CHECK_INT_EQ(_r, -EINVAL); \
	CHECK_STR_CONTAINS(find_error(needle), needle); \
	CHECK_INT_EQ(cfg.n_streams, 0); \
	CHECK_INT_EQ(cfg.call.name[0], 0); \
} while (0)

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_INT_EQ(write(fd, text, strlen(text)), (long long)strlen(text));
	fchmod(fd, mode);
	close(fd);
}

static char *tmp_path(const char *name)
{
	static char bufs[4][PATH_MAX];
	static int next;
	char *b = bufs[next++ % 4];

	snprintf(b, PATH_MAX, "%s/%s", tmpdir, name);
	return b;
}

static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static const char *fmt(const char *f, ...)
{
	static char bufs[4][8192];
	static int next;
	char *b = bufs[next++ % 4];
	va_list ap;

	va_start(ap, f);
	vsnprintf(b, sizeof(bufs[0]), f, ap);
	va_end(ap);
	return b;
}

static void test_table(void)
{
	static const char *const sections[] = { "call", "stream", "track", "remote", "ice", "endpoint" };

	/* A reload plan keeps a mask of the keys that changed, and the
	 * loader one of the keys it has seen. */
	CHECK(cb_config_n_keys > 0 && cb_config_n_keys <= 64 * CB_KEY_MASK_WORDS &&
	      cb_config_n_keys <= CB_LOADER_MAX_KEYS);
	for (size_t i = 0; i < cb_config_n_keys; i++) {
		const struct cb_key_info *k = &cb_config_keys[i];
		bool known = false;

		for (size_t s = 0; s < 6; s++)
			known |= strcmp(k->section, sections[s]) == 0;
		CHECK(known);
		CHECK(k->help && strlen(k->help) > 10);
		CHECK(k->values != NULL);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(k->section, cb_config_keys[j].section) != 0 ||
			      strcmp(k->key, cb_config_keys[j].key) != 0);
		if (k->type == CB_KEY_TYPE_INT || k->type == CB_KEY_TYPE_FLOAT)
			CHECK(k->min < k->max);
		/* Every row says what a reload does with it. */
		CHECK(k->reload == CB_RELOAD_FIXED || k->reload == CB_RELOAD_LIVE ||
		      k->reload == CB_RELOAD_RECREATE);
		CHECK(cb_reload_name(k->reload) != NULL);
		/* The ICE agent and the session keys live as long as the call. */
		if (strcmp(k->section, "ice") == 0)
			CHECK_INT_EQ(k->reload, CB_RELOAD_FIXED);
	}
	CHECK_STR_EQ(cb_reload_name(CB_RELOAD_FIXED), "fixed");
	CHECK_STR_EQ(cb_reload_name(CB_RELOAD_LIVE), "live");
	CHECK_STR_EQ(cb_reload_name(CB_RELOAD_RECREATE), "recreates");
	CHECK(cb_reload_name((enum cb_reload)0) == NULL);
}

static void test_minimal_defaults(void)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&cfg.call.local.addr;

	CHECK_LOADS("[call]\nname = demo\n");
	CHECK_STR_CONTAINS(cfg.call.name, "demo");
	CHECK_STR_CONTAINS(cfg.path, "t.ini");
	CHECK_INT_EQ(cfg.call.transport, CB_TRANSPORT_UDP);
	CHECK(cfg.call.local.set);
	CHECK_INT_EQ(cfg.call.local.addr.ss_family, AF_INET);
	CHECK_INT_EQ(sin->sin_addr.s_addr, htonl(INADDR_ANY));
	CHECK_INT_EQ(port_of(&cfg.call.local), 0);
	CHECK(!cfg.call.remote.set);
	CHECK_INT_EQ(cfg.call.srtp, CB_SRTP_AES_CM_128_HMAC_SHA1_80);
	CHECK(!cfg.call.srtp_key.set);
	CHECK(!cfg.call.remote_srtp_key.set);
	CHECK_INT_EQ(strlen(cfg.call.sdp_file), 0);
	CHECK_INT_EQ(cfg.call.ptime_samples, 960);
	CHECK(cfg.call.accept_unknown);
	CHECK_INT_EQ(cfg.call.remote_timeout_ms, 10000);
	CHECK_INT_EQ(cfg.n_streams, 0);
	CHECK_INT_EQ(cfg.n_tracks, 0);
	CHECK_INT_EQ(cfg.n_remotes, 0);
	CHECK_INT_EQ(rep.n_warnings, 0);
}

static void test_section_defaults(void)
{
	const struct cb_stream_config *s;
	const struct cb_track_config *t;
	const struct cb_remote_config *r;

	CHECK_LOADS(CALL "[stream s]\n[track t]\nstream = s\n[remote r]\n");
	CHECK_INT_EQ(cfg.n_streams, 1);
	CHECK_INT_EQ(cfg.n_tracks, 1);
	CHECK_INT_EQ(cfg.n_remotes, 1);
	s = &cfg.streams[0];
	CHECK_STR_CONTAINS(s->name, "s");
	CHECK_INT_EQ(s->line, 4);
	CHECK(!s->implicit);
	CHECK_INT_EQ(s->channels, 2);
	CHECK_INT_EQ(s->bitrate, 64000);
	CHECK(s->fec);
	CHECK(!s->dtx);
	CHECK_INT_EQ(s->expected_loss, 10);
	CHECK_INT_EQ(s->complexity, 10);
	CHECK_INT_EQ(s->application, CB_OPUS_APP_AUTO);
	CHECK_INT_EQ(s->payload_type, 111);
	CHECK(!s->remote.set);
	t = &cfg.tracks[0];
	CHECK_INT_EQ(t->line, 5);
	CHECK_INT_EQ(t->channels, 2);
	CHECK_INT_EQ(t->n_streams, 1);
	CHECK_INT_EQ(t->streams[0], 0);
	CHECK_NEAR(t->gain_db, 0, 1e-9);
	CHECK(!t->ignore_audio_level);
	CHECK_INT_EQ(t->speaking_hangover_ms, 500);
	r = &cfg.remotes[0];
	CHECK_INT_EQ(r->line, 7);
	CHECK_INT_EQ(r->channels, 1);
	CHECK(!r->has_ssrc);
	CHECK_INT_EQ(r->payload_type, 111);
	CHECK_INT_EQ(r->latency_ms, 5);
}

/* Every key of the table, each set to something other than its default. */
static void test_every_key(void)
{
	char cwd[PATH_MAX];
	const struct cb_stream_config *s;
	const struct cb_track_config *t;
	const struct cb_remote_config *r;

	write_file(tmp_path("remote.key"), "  " KEY44 "\n\n", 0600);
	CHECK_LOADS(fmt(
		"[call]\n"
		"name = my-call_2\n"
		"transport = udp\n"
		"local = 127.0.0.1:4000\n"
		"remote = [::1]:5006\n"
		"srtp = AEAD_AES_256_GCM\n"
		"srtp-key = " KEY44 "\n"
		"remote-srtp-key-file = %s\n"
		"sdp-file = out/call.sdp\n"
		"ptime = 2.5\n"
		"accept-unknown = off\n"
		"remote-timeout = 30\n"
		"[stream program]\n"
		"channels = 1\n"
		"bitrate = 128000\n"
		"fec = no\n"
		"dtx = yes\n"
		"expected-loss = 25\n"
		"complexity = 5\n"
		"application = voip\n"
		"payload-type = 100\n"
		"remote = 127.0.0.1:6000\n"
		"[track music]\n"
		"channels = 1\n"
		"stream = program\n"
		"gain = -6.5\n"
		"ignore-audio-level = true\n"
		"speaking-hangover = 1000\n"
		"[remote peer]\n"
		"channels = 2\n"
		"ssrc = 0x1234abcd\n"
		"payload-type = 120\n"
		"latency = 80\n", tmp_path("remote.key")));

	CHECK_STR_CONTAINS(cfg.call.name, "my-call_2");
	CHECK_INT_EQ(cfg.call.transport, CB_TRANSPORT_UDP);
	CHECK_INT_EQ(cfg.call.local.addr.ss_family, AF_INET);
	CHECK_INT_EQ(port_of(&cfg.call.local), 4000);
	CHECK_STR_CONTAINS(cfg.call.local.text, "127.0.0.1:4000");
	CHECK(cfg.call.remote.set);
	CHECK_INT_EQ(cfg.call.remote.addr.ss_family, AF_INET6);
	CHECK_INT_EQ(cfg.call.remote.len, sizeof(struct sockaddr_in6));
	CHECK_INT_EQ(port_of(&cfg.call.remote), 5006);
	CHECK_INT_EQ(cfg.call.srtp, CB_SRTP_AEAD_AES_256_GCM);
	CHECK(cfg.call.srtp_key.set);
	CHECK_INT_EQ(cfg.call.srtp_key.len, 44);
	CHECK_INT_EQ(cfg.call.srtp_key.bytes[0], 1);
	CHECK_INT_EQ(cfg.call.srtp_key.bytes[43], 44);
	CHECK(cfg.call.remote_srtp_key.set);
	CHECK_INT_EQ(cfg.call.remote_srtp_key.len, 44);
	CHECK_INT_EQ(cfg.call.remote_srtp_key.bytes[43], 44);
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	CHECK_STR_CONTAINS(cfg.call.sdp_file, fmt("%s/out/call.sdp", cwd));
	CHECK_INT_EQ(cfg.call.ptime_samples, 120);
	CHECK(!cfg.call.accept_unknown);
	CHECK_INT_EQ(cfg.call.remote_timeout_ms, 30000);

	CHECK_INT_EQ(cfg.n_streams, 1);
	s = &cfg.streams[0];
	CHECK_INT_EQ(s->channels, 1);
	CHECK_INT_EQ(s->bitrate, 128000);
	CHECK(!s->fec);
	CHECK(s->dtx);
	CHECK_INT_EQ(s->expected_loss, 25);
	CHECK_INT_EQ(s->complexity, 5);
	CHECK_INT_EQ(s->application, CB_OPUS_APP_VOIP);
	CHECK_INT_EQ(s->payload_type, 100);
	CHECK(s->remote.set);
	CHECK_INT_EQ(port_of(&s->remote), 6000);

	t = &cfg.tracks[0];
	CHECK_STR_CONTAINS(t->name, "music");
	CHECK_INT_EQ(t->channels, 1);
	CHECK_INT_EQ(t->n_streams, 1);
	CHECK_INT_EQ(t->streams[0], 0);
	CHECK_NEAR(t->gain_db, -6.5, 1e-6);
	CHECK(t->ignore_audio_level);
	CHECK_INT_EQ(t->speaking_hangover_ms, 1000);

	r = &cfg.remotes[0];
	CHECK_STR_CONTAINS(r->name, "peer");
	CHECK_INT_EQ(r->channels, 2);
	CHECK(r->has_ssrc);
	CHECK_INT_EQ(r->ssrc, 0x1234abcd);
	CHECK_INT_EQ(r->payload_type, 120);
	CHECK_INT_EQ(r->latency_ms, 80);
	CHECK_INT_EQ(rep.n_warnings, 0);

	/* The remaining choices of the enums. */
	CHECK_LOADS(CALL "srtp = none\n[stream a]\napplication = lowdelay\n[track a1]\nstream = a\n");
	CHECK_INT_EQ(cfg.call.srtp, CB_SRTP_NONE);
	CHECK_INT_EQ(cfg.streams[0].application, CB_OPUS_APP_LOWDELAY);
	CHECK_LOADS(CALL "srtp = AES_CM_128_HMAC_SHA1_32\n[stream a]\napplication = audio\n");
	CHECK_INT_EQ(cfg.call.srtp, CB_SRTP_AES_CM_128_HMAC_SHA1_32);
	CHECK_INT_EQ(cfg.streams[0].application, CB_OPUS_APP_AUDIO);
	CHECK_LOADS(CALL "srtp = aead_aes_128_gcm\n");
	CHECK_INT_EQ(cfg.call.srtp, CB_SRTP_AEAD_AES_128_GCM);
	CHECK_LOADS(CALL "srtp = AES_CM_128_HMAC_SHA1_80\nsrtp-key = " KEY30 "\n");
	CHECK_INT_EQ(cfg.call.srtp_key.len, 30);
	CHECK_LOADS(CALL "sdp-file = none\n");
	CHECK_STR_CONTAINS(cfg.call.sdp_file, "none");
	CHECK_INT_EQ(strlen(cfg.call.sdp_file), 4);
	CHECK_LOADS(CALL "sdp-file = /run/x.sdp\n");
	CHECK_INT_EQ(strcmp(cfg.call.sdp_file, "/run/x.sdp"), 0);
	CHECK_LOADS(CALL "sdp-file =\n");
	CHECK_INT_EQ(strlen(cfg.call.sdp_file), 0);
}

static void test_value_syntax(void)
{
	static const char *const yes[] = { "true", "TRUE", "yes", "Yes", "on", "ON", "1" };
	static const char *const no[] = { "false", "False", "no", "NO", "off", "Off", "0" };
	static const struct { const char *text; uint32_t samples; } ptimes[] = {
		{ "2.5", 120 }, { "5", 240 }, { "10", 480 }, { "20", 960 },
		{ "40", 1920 }, { "60", 2880 }, { "20.0", 960 },
	};
	static const struct { const char *text; uint32_t ssrc; } ssrcs[] = {
		{ "0", 0 }, { "305441741", 0x1234abcd }, { "0x1234ABCD", 0x1234abcd },
		{ "0xffffffff", 0xffffffffu }, { "4294967295", 0xffffffffu },
	};

	for (size_t i = 0; i < 7; i++) {
		CHECK_LOADS(fmt(CALL "accept-unknown = %s\n", yes[i]));
		CHECK(cfg.call.accept_unknown);
		CHECK_LOADS(fmt(CALL "accept-unknown = %s\n", no[i]));
		CHECK(!cfg.call.accept_unknown);
	}
	for (size_t i = 0; i < sizeof(ptimes) / sizeof(ptimes[0]); i++) {
		CHECK_LOADS(fmt(CALL "ptime = %s\n", ptimes[i].text));
		CHECK_INT_EQ(cfg.call.ptime_samples, ptimes[i].samples);
	}
	for (size_t i = 0; i < sizeof(ssrcs) / sizeof(ssrcs[0]); i++) {
		CHECK_LOADS(fmt(CALL "[remote r]\nssrc = %s\n", ssrcs[i].text));
		CHECK(cfg.remotes[0].has_ssrc);
		CHECK_INT_EQ(cfg.remotes[0].ssrc, ssrcs[i].ssrc);
	}

	/* Boundaries are inclusive. */
	CHECK_LOADS(CALL "remote-timeout = 1\n[stream a]\nbitrate = 6000\nchannels = 1\n"
		    "complexity = 0\nexpected-loss = 100\npayload-type = 127\n"
		    "[track t]\nstream = a\ngain = -60\nspeaking-hangover = 0\n"
		    "[remote r]\nlatency = 1000\npayload-type = 96\n");
	CHECK_INT_EQ(cfg.streams[0].bitrate, 6000);
	CHECK_NEAR(cfg.tracks[0].gain_db, -60, 1e-6);
	CHECK_LOADS(CALL "remote-timeout = 3600\n[stream a]\nbitrate = 510000\n"
		    "[track t]\nstream = a\ngain = 24\nspeaking-hangover = 10000\n"
		    "[remote r]\nlatency = 1\n");
	CHECK_INT_EQ(cfg.call.remote_timeout_ms, 3600000);
	CHECK_INT_EQ(cfg.remotes[0].latency_ms, 1);
	CHECK_NEAR(cfg.tracks[0].gain_db, 24, 1e-6);

	/* Addresses: names, IPv6, any port for local. */
	CHECK_LOADS("[call]\nname = x\nlocal = [::]:0\nremote = localhost:5004\n");
	CHECK_INT_EQ(cfg.call.local.addr.ss_family, AF_INET6);
	CHECK(cfg.call.remote.set);
	CHECK_INT_EQ(port_of(&cfg.call.remote), 5004);
	CHECK_LOADS("[call]\nname = x\nlocal = 0.0.0.0:65535\nremote = 10.0.0.1:65535\n");
	CHECK_INT_EQ(port_of(&cfg.call.local), 65535);
}

/* Layout the parser must accept: comments, indentation, CRLF, a BOM, ':'. */
static void test_file_syntax(void)
{
	CHECK_FAILS("\xef\xbb\xbf; a comment\r\n"
		    "# another\r\n"
		    "\r\n"
		    "  [call]   ; trailing comment\r\n"
		    "    name = demo   ; inline comment\r\n"
		    "    remote: 127.0.0.1:5004\r\n"
		    "\t[stream a]\r\n"
		    "\t\tbitrate = 32000\r\n"
		    "\t\tcomplexity = 3\r\n"
		    "[track b]\n"
		    "stream = a\n"
		    "[foo",
		    /* The last line has no ']' and no newline. */
		    "t.ini:12: syntax error: section header without ']'");
	CHECK_INT_EQ(rep.n_errors, 1);
	CHECK_LOADS("\xef\xbb\xbf[call]\r\n"
		    "    name = demo   ; inline comment\r\n"
		    "    remote: 127.0.0.1:5004\r\n"
		    "\t[stream a]\r\n"
		    "\t\tbitrate = 32000\r\n"
		    "\t\tcomplexity = 3\r\n"
		    "[track b]\nstream = a ; a tee of one\n");
	CHECK_INT_EQ(cfg.streams[0].bitrate, 32000);
	CHECK_INT_EQ(cfg.streams[0].complexity, 3);
	CHECK_INT_EQ(cfg.streams[0].line, 4);
	CHECK_INT_EQ(cfg.tracks[0].line, 7);
	/* An indented key after another is a key, not a continuation line. */
	CHECK_LOADS("[call]\n  name = demo\n  remote = 127.0.0.1:5004\n  ptime = 10\n");
	CHECK_INT_EQ(cfg.call.ptime_samples, 480);
	CHECK_LOADS("[call]\nname = demo");
}

static void test_streams_and_tracks(void)
{
	const struct cb_config *c = &cfg;

	/* Explicit streams in file order, then implicit ones in track order. */
	CHECK_LOADS(CALL
		    "[track voice]\nchannels = 1\n"
		    "[stream program]\n"
		    "[track music]\nstream = program, backup\n"
		    "[track fx]\n"
		    "[stream backup]\nremote = 127.0.0.1:7000\n");
	CHECK_INT_EQ(c->n_streams, 4);
	CHECK_STR_CONTAINS(c->streams[0].name, "program");
	CHECK_STR_CONTAINS(c->streams[1].name, "backup");
	CHECK_INT_EQ(strcmp(c->streams[2].name, "voice"), 0);
	CHECK_INT_EQ(strcmp(c->streams[3].name, "fx"), 0);
	CHECK(!c->streams[0].implicit);
	CHECK_INT_EQ(c->streams[0].line, 6);
	CHECK(c->streams[2].implicit);
	CHECK_INT_EQ(c->streams[2].line, 0);
	/* Default stream settings but the track's channel count. */
	CHECK_INT_EQ(c->streams[2].channels, 1);
	CHECK_INT_EQ(c->streams[2].bitrate, 64000);
	CHECK_INT_EQ(c->streams[2].payload_type, 111);
	CHECK(c->streams[2].fec);
	CHECK_INT_EQ(c->streams[3].channels, 2);
	CHECK(c->streams[3].implicit);

	CHECK_INT_EQ(c->n_tracks, 3);
	CHECK_INT_EQ(c->tracks[0].n_streams, 1);
	CHECK_INT_EQ(c->tracks[0].streams[0], 2);
	CHECK_INT_EQ(c->tracks[1].n_streams, 2);
	CHECK_INT_EQ(c->tracks[1].streams[0], 0);
	CHECK_INT_EQ(c->tracks[1].streams[1], 1);
	CHECK_INT_EQ(c->tracks[2].streams[0], 3);

	CHECK_INT_EQ(cb_config_find_stream(c, "program"), 0);
	CHECK_INT_EQ(cb_config_find_stream(c, "fx"), 3);
	CHECK_INT_EQ(cb_config_find_stream(c, "nope"), -1);
	CHECK_INT_EQ(cb_config_find_track(c, "music"), 1);
	CHECK_INT_EQ(cb_config_find_track(c, "program"), -1);

	/* A tee of four; several tracks may feed one stream. */
	CHECK_LOADS(CALL "[stream a]\n[stream b]\n[stream c]\n[stream d]\n"
		    "[track t]\nstream = a,b,c,d\n[track u]\nstream = a\n");
	CHECK_INT_EQ(c->tracks[0].n_streams, 4);
	CHECK_INT_EQ(c->tracks[0].streams[3], 3);
	CHECK_INT_EQ(c->tracks[1].streams[0], 0);
	CHECK_INT_EQ(rep.n_warnings, 0);

	/* Every stream has its own destination: no call remote needed. */
	CHECK_LOADS("[call]\nname = x\n[stream a]\nremote = 127.0.0.1:1\n[track t]\nstream = a\n");
	CHECK(!cfg.call.remote.set);
}

static void test_warnings(void)
{
	CHECK_LOADS(CALL "[stream lonely]\n");
	CHECK_INT_EQ(rep.n_warnings, 1);
	CHECK_STR_CONTAINS(find_warning("lonely"),
			   "t.ini:4: [stream lonely] is not fed by any track");

	write_file(tmp_path("open.key"), KEY30 "\n", 0644);
	CHECK_LOADS(fmt(CALL "srtp-key-file = %s\n", tmp_path("open.key")));
	CHECK(cfg.call.srtp_key.set);
	CHECK_INT_EQ(cfg.call.srtp_key.len, 30);
	CHECK_STR_CONTAINS(find_warning("chmod"),
			   fmt("t.ini:4: srtp-key-file: %s is readable by other users; chmod 600 it",
			       tmp_path("open.key")));
	CHECK(!report_contains(KEY30));

	write_file(tmp_path("closed.key"), KEY30, 0600);
	CHECK_LOADS(fmt(CALL "srtp-key-file = %s\n", tmp_path("closed.key")));
	CHECK_INT_EQ(rep.n_warnings, 0);
}

/* Key files named relative to the config file, through cb_config_load. */
static void test_load_file(void)
{
	char path[PATH_MAX];
	int r;

	CHECK(mkdir(tmp_path("sub"), 0700) == 0);
	write_file(tmp_path("sub/send.key"), "\n\t" KEY28 "  \n", 0600);
	write_file(tmp_path("sub/call.ini"),
		   "[call]\nname = filed\nremote = 127.0.0.1:5004\nsrtp = AEAD_AES_128_GCM\n"
		   "srtp-key-file = send.key\nremote-srtp-key = " KEY28 "\n"
		   "sdp-file = call.sdp\n", 0600);
	r = cb_config_load(tmp_path("sub/call.ini"), &cfg, &rep);
	CHECK_INT_EQ(r, 0);
	if (r)
		dump_report();
	CHECK_INT_EQ(strcmp(cfg.path, tmp_path("sub/call.ini")), 0);
	CHECK_INT_EQ(cfg.call.srtp_key.len, 28);
	CHECK_INT_EQ(cfg.call.srtp_key.bytes[27], 28);
	CHECK_INT_EQ(strcmp(cfg.call.sdp_file, tmp_path("sub/call.sdp")), 0);
	CHECK_INT_EQ(rep.n_warnings, 0);

	/* A call file that holds a key inline is a key file: others must
	 * not read it either. */
	chmod(tmp_path("sub/call.ini"), 0644);
	r = cb_config_load(tmp_path("sub/call.ini"), &cfg, &rep);
	CHECK_INT_EQ(r, 0);
	CHECK_STR_CONTAINS(find_warning("chmod"),
			   fmt("call.ini:6: remote-srtp-key: %s is readable by other users; chmod 600 it",
			       tmp_path("sub/call.ini")));
	CHECK(!report_contains(KEY28));
	chmod(tmp_path("sub/call.ini"), 0600);

	/* A relative config path still gives an absolute directory. */
	CHECK(getcwd(path, sizeof(path)) != NULL);
	CHECK(chdir(tmpdir) == 0);
	r = cb_config_load("sub/call.ini", &cfg, &rep);
	CHECK_INT_EQ(r, 0);
	CHECK_INT_EQ(strcmp(cfg.call.sdp_file, tmp_path("sub/call.sdp")), 0);
	CHECK(chdir(path) == 0);

	r = cb_config_load(tmp_path("missing.ini"), &cfg, &rep);
	CHECK_INT_EQ(r, -ENOENT);
	CHECK_INT_EQ(rep.n_errors, 1);
	CHECK_STR_CONTAINS(rep.errors[0],
			   fmt("%s: cannot read: No such file or directory", tmp_path("missing.ini")));
	r = cb_config_load(tmpdir, &cfg, &rep);
	CHECK_INT_EQ(r, -EISDIR);
	CHECK_STR_CONTAINS(rep.errors[0], ": cannot read: ");

	/* Errors in a file name the file. */
	write_file(tmp_path("sub/bad.ini"), "[call]\nname = x\nptime = 7\n", 0600);
	r = cb_config_load(tmp_path("sub/bad.ini"), &cfg, &rep);
	CHECK_INT_EQ(r, -EINVAL);
	CHECK_STR_CONTAINS(rep.errors[0], fmt("%s:3: ptime: '7' is not one of", tmp_path("sub/bad.ini")));
}

static void test_example(void)
{
	const char *root = getenv("CALLBRIDGE_SOURCE_ROOT");
	char path[PATH_MAX];
	FILE *f;
	char text[65536];
	size_t n;
	int r;

	char *copy;

	snprintf(path, sizeof(path), "%s/config/example.ini", root ? root : "../..");
	/* It holds an inline remote-srtp-key, which warns in a file others may
	 * read: load a private copy, as a user's own call file would be. */
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	copy = tmp_path("example.ini");
	write_file(copy, text, 0600);
	r = cb_config_load(copy, &cfg, &rep);
	CHECK_INT_EQ(r, 0);
	CHECK_INT_EQ(rep.n_errors, 0);
	CHECK_INT_EQ(rep.n_warnings, 0);
	if (r || rep.n_warnings)
		dump_report();
	CHECK(cfg.n_streams >= 2);
	CHECK(cfg.n_tracks >= 2);
	CHECK(cfg.n_remotes >= 1);

	/* Every key shows up, set or commented out, as "key =". */
	for (size_t i = 0; i < cb_config_n_keys; i++) {
		const char *line = fmt("\n%s =", cb_config_keys[i].key);
		const char *commented = fmt("\n; %s =", cb_config_keys[i].key);

		if (!strstr(text, line) && !strstr(text, commented)) {
			test_failures++;
			fprintf(stderr, "example.ini does not show %s.%s\n",
				cb_config_keys[i].section, cb_config_keys[i].key);
		}
	}
}

static void test_section_errors(void)
{
	CHECK_FAILS(CALL "[foo]\nx = 1\n", "t.ini:4: unknown section [foo]");
	CHECK_FAILS(CALL "[stream]\nbitrate = 1\n", "t.ini:4: [stream] needs a name");
	CHECK_FAILS(CALL "[track]\n", "t.ini:4: [track] needs a name");
	CHECK_FAILS(CALL "[remote ]\n", "t.ini:4: [remote] needs a name");
	CHECK_FAILS("[call demo]\nname = demo\n", "t.ini:1: [call demo]: the [call] section takes no name");
	CHECK_FAILS(CALL "[call]\nname = other\n", "t.ini:4: duplicate section [call] (first at line 1)");
	CHECK_FAILS(CALL "[stream a]\n[track t]\nstream = a\n[stream a]\nbitrate = 9000\n",
		    "t.ini:7: duplicate section [stream a] (first at line 4)");
	CHECK_INT_EQ(rep.n_errors, 1);
	CHECK_FAILS(CALL "[track t]\n[track t]\n", "t.ini:5: duplicate section [track t]");
	CHECK_FAILS(CALL "[remote r]\n[remote r]\n", "t.ini:5: duplicate section [remote r]");
	CHECK_FAILS(CALL "[stream Music]\n", "t.ini:4: [stream Music]: 'Music' is not a valid name");
	CHECK_FAILS(CALL "[track a b]\n", "'a b' is not a valid name");
	CHECK_FAILS(CALL "[remote abcdefghijklmnopqrstuvwxyz0123456]\n", "is not a valid name");
	CHECK_LOADS(CALL "[remote abcdefghijklmnopqrstuvwxyz012345]\n");
	CHECK_FAILS(CALL "[track t\n", "t.ini:4: syntax error: section header without ']'");
	CHECK_FAILS(CALL "[track t] x\n", "t.ini:4: syntax error: text after ']'");
	CHECK_FAILS("name = demo\n[call]\nname = demo\n", "t.ini:1: key 'name' is outside any section");

	/* Missing [call] and missing name: no line, or the header's line. */
	CHECK_FAILS("", "t.ini: missing [call] section");
	CHECK_STR_CONTAINS(rep.errors[0], "t.ini: missing [call] section");
	CHECK_FAILS("[track t]\n", "t.ini: missing [call] section");
	CHECK_FAILS("; nothing\n\n[call]\nptime = 10\n", "t.ini:3: [call] has no name");
}

static void test_key_errors(void)
{
	CHECK_FAILS(CALL "[track music]\nx = 1\n", "t.ini:5: unknown key 'x' in [track music]");
	CHECK_FAILS(CALL "bogus-key = 1\n", "t.ini:4: unknown key 'bogus-key' in [call]");
	/* A key valid in another section is still unknown here. */
	CHECK_FAILS(CALL "bitrate = 1\n", "unknown key 'bitrate' in [call]");
	CHECK_FAILS(CALL "[remote r]\nstream = x\n", "unknown key 'stream' in [remote r]");
	CHECK_FAILS(CALL "[stream a]\nbitrate = 8000\nbitrate = 9000\n",
		    "t.ini:6: duplicate key 'bitrate' in [stream a] (first at line 5)");
	CHECK_FAILS(CALL "name = again\n", "t.ini:4: duplicate key 'name' in [call] (first at line 2)");
	CHECK_FAILS(CALL "just some words\n", "t.ini:4: syntax error: expected [SECTION] or KEY = VALUE");
	CHECK_FAILS(CALL "= 5\n", "t.ini:4: syntax error");
	/* The [ice] keys have a test of their own (test-ice-config). */
	CHECK_FAILS(CALL "transport = ice\n", "t.ini:4: transport = ice needs an [ice] section");

	CHECK_FAILS(CALL "[stream a]\nfec = maybe\n",
		    "t.ini:5: fec: 'maybe' is not a boolean (true, false, yes, no, on, off, 1, 0)");
	CHECK_FAILS(CALL "[stream a]\nbitrate = 64k\n", "t.ini:5: bitrate: '64k' is not an integer");
	CHECK_FAILS(CALL "[stream a]\nbitrate =\n", "bitrate: empty value");
	CHECK_FAILS(CALL "[stream a]\nbitrate = 99999999999999999999\n", "bitrate: 99999999999999999999 is out of range");
	CHECK_FAILS(CALL "[track t]\ngain = loud\n", "t.ini:5: gain: 'loud' is not a number");
	CHECK_FAILS(CALL "[track t]\ngain = nan\n", "gain: 'nan' is not a number");
	CHECK_FAILS(CALL "[stream a]\napplication = music\n",
		    "t.ini:5: application: 'music' is not one of auto, voip, audio, lowdelay");
	CHECK_FAILS(CALL "transport = tcp\n", "transport: 'tcp' is not one of udp, ice");
	CHECK_FAILS(CALL "srtp = AES\n", "srtp: 'AES' is not one of AES_CM_128_HMAC_SHA1_80, "
		    "AES_CM_128_HMAC_SHA1_32, AEAD_AES_128_GCM, AEAD_AES_256_GCM, none");
	CHECK_FAILS(CALL "ptime = 30\n", "t.ini:4: ptime: '30' is not one of 2.5, 5, 10, 20, 40, 60");
	CHECK_FAILS(CALL "ptime = fast\n", "ptime: 'fast' is not one of");
	CHECK_FAILS(CALL "[remote r]\nssrc = 0x100000000\n", "t.ini:5: ssrc: '0x100000000' is not a 32-bit number");
	CHECK_FAILS(CALL "[remote r]\nssrc = -1\n", "ssrc: '-1' is not a 32-bit number");
	CHECK_FAILS(CALL "[remote r]\nssrc = 12ab\n", "ssrc: '12ab' is not a 32-bit number");
	CHECK_FAILS(CALL "[remote r]\nssrc = 0x\n", "ssrc: '0x' is not a 32-bit number");
	CHECK_FAILS("[call]\nname = Demo\n", "t.ini:2: name: 'Demo' is not a valid name");
	CHECK_FAILS("[call]\nname = abcdefghijklmnopqrstuvwxyz0123456\n", "name: 'abcdefghijklmnopqrstuvwxyz0123456' is not a valid name");

	/* The example from the documentation, to the letter. */
	CHECK_INT_EQ(cb_config_load_string("call.ini", CALL "[stream a]\n\nbitrate = 5000\n",
					   strlen(CALL "[stream a]\n\nbitrate = 5000\n"), &cfg, &rep),
		     -EINVAL);
	CHECK_INT_EQ(rep.n_errors, 1);
	CHECK_INT_EQ(strcmp(rep.errors[0], "call.ini:6: bitrate: 5000 is out of range (6000..510000)"), 0);
}

/* Every INT and FLOAT key, just past each end of its range. */
static void test_ranges(void)
{
	for (size_t i = 0; i < cb_config_n_keys; i++) {
		const struct cb_key_info *k = &cb_config_keys[i];
		const char *head;
		double bad[2] = { k->min - 1, k->max + 1 };

		if (k->type != CB_KEY_TYPE_INT && k->type != CB_KEY_TYPE_FLOAT)
			continue;
		head = strcmp(k->section, "call") == 0 ? "" : fmt("[%s x]\n", k->section);
		for (int j = 0; j < 2; j++) {
			const char *text = fmt(CALL "%s%s = %.10g\n", head, k->key, bad[j]);
			const char *want = fmt("%s: %.10g is out of range (%.10g..%.10g)",
					       k->key, bad[j], k->min, k->max);

			CHECK_FAILS(text, want);
		}
		/* And the default is inside it. */
		CHECK(k->def != NULL);
		if (k->def)
			CHECK(atof(k->def) >= k->min && atof(k->def) <= k->max);
	}
}

static void test_reference_errors(void)
{
	CHECK_FAILS(CALL "[track music]\nchannels = 1\nstream = program, nope\n[stream program]\n",
		    "t.ini:6: stream: [track music] names unknown stream 'nope'");
	CHECK_FAILS(CALL "[track music]\nstream = a,a\n", "t.ini:5: stream: 'a' is listed twice");
	CHECK_FAILS(CALL "[track music]\nstream = a,,b\n", "stream: empty name in list");
	CHECK_FAILS(CALL "[track music]\nstream =\n", "t.ini:5: stream: empty value, expected NAME[,NAME...]");
	CHECK_FAILS(CALL "[track music]\nstream = a,Bad\n", "stream: 'Bad' is not a valid name");
	CHECK_FAILS(CALL "[stream a]\n[stream b]\n[stream c]\n[stream d]\n[stream e]\n"
		    "[track t]\nstream = a,b,c,d,e\n", "t.ini:10: stream: too many names (at most 4)");

	/* The implicit stream of a track would be named like a [stream]. */
	CHECK_FAILS(CALL "[stream music]\n[track other]\nstream = music\n[track music]\n",
		    "t.ini:7: [track music] has no stream key, so it would be sent in an "
		    "implicit stream 'music', but [stream music] exists (line 4): "
		    "add stream = music to the track, or rename one of them");
	/* Not if the track says where it goes. */
	CHECK_LOADS(CALL "[stream music]\n[track music]\nstream = music\n");

	/* No destination for a stream. */
	CHECK_FAILS("[call]\nname = x\n[stream a]\n[track t]\nstream = a\n",
		    "t.ini:3: [stream a] has no destination");
	CHECK_FAILS("[call]\nname = x\n\n[track t]\n", "t.ini:4: [track t] is sent in a stream of its own, which has no destination");

	/* Two [remote]s for one SSRC. */
	CHECK_FAILS(CALL "[remote a]\nssrc = 0x10\n[remote b]\nssrc = 16\n",
		    "t.ini:7: ssrc: 0x00000010 is also the ssrc of [remote a] (line 5)");
	CHECK_LOADS(CALL "[remote a]\nssrc = 1\n[remote b]\nssrc = 2\n[remote c]\n[remote d]\n");
}

/* Issue 16's keys: a stream's fixed SSRC, a remote's peer-stream, a
 * track's file (which must play). */
static void test_identity_and_files(void)
{
	CHECK_LOADS(CALL "[stream a]\nssrc = 0x1234abcd\n[track t]\nstream = a\n");
	CHECK(cfg.streams[0].has_ssrc && cfg.streams[0].ssrc == 0x1234abcd);
	CHECK_FAILS(CALL "[stream a]\nssrc = 0\n", "t.ini:5: ssrc: 0 is not a usable SSRC");
	CHECK_FAILS(CALL "[stream a]\nssrc = 7\n[stream b]\nssrc = 0x7\n",
		    "t.ini:7: ssrc: 0x00000007 is also the ssrc of [stream a] (line 5)");
	CHECK_LOADS(CALL "[remote a]\npeer-stream = program\n[remote b]\npeer-stream = talk\n");
	CHECK_STR_EQ(cfg.remotes[0].peer_stream, "program");
	CHECK_FAILS(CALL "[remote a]\npeer-stream = Program\n",
		    "t.ini:5: peer-stream: 'Program' is not a valid name");
	CHECK_FAILS(CALL "[remote a]\npeer-stream = p\n[remote b]\npeer-stream = p\n",
		    "t.ini:7: peer-stream: 'p' is also the peer-stream of [remote a] (line 5)");
	CHECK_FAILS(CALL "[remote a]\nssrc = 5\npeer-stream = p\n",
		    "t.ini:6: peer-stream: [remote a] also has ssrc (line 5); set only one of them");
	CHECK_FAILS(CALL "[track t]\nfile = /nonexistent/bed.flac\nloop = true\n",
		    "t.ini:5: file: /nonexistent/bed.flac: cannot open: ");
	CHECK_FAILS(CALL "[track t]\nfile =\n", "t.ini:5: file: empty path");
	/* A directory opens but is no audio file. */
	CHECK_FAILS(CALL "[track t]\nfile = /tmp\n", "t.ini:5: file: /tmp: ");
}

static void test_limits(void)
{
	static char text[65536];
	size_t o;

	o = (size_t)snprintf(text, sizeof(text), "%s", CALL);
	for (int i = 0; i <= CB_MAX_STREAMS; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "[stream s%d]\n[track t%d]\nstream = s%d\n", i, i, i);
	CHECK_FAILS(text, "too many [stream] sections (at most 64)");
	CHECK_STR_CONTAINS(find_error("too many"), "t.ini:196: too many [stream]");

	o = (size_t)snprintf(text, sizeof(text), "%s", CALL);
	for (int i = 0; i <= CB_MAX_TRACKS; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "[track t%d]\nstream = s\n", i);
	o += (size_t)snprintf(text + o, sizeof(text) - o, "[stream s]\n");
	CHECK_FAILS(text, "too many [track] sections (at most 64)");

	o = (size_t)snprintf(text, sizeof(text), "%s", CALL);
	for (int i = 0; i <= CB_MAX_REMOTES; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "[remote r%d]\n", i);
	CHECK_FAILS(text, "too many [remote] sections (at most 64)");

	/* Exactly at the limits is fine. */
	o = (size_t)snprintf(text, sizeof(text), "%s", CALL);
	for (int i = 0; i < CB_MAX_REMOTES; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "[remote r%d]\n", i);
	for (int i = 0; i < CB_MAX_STREAMS; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "[track t%d]\n", i);
	CHECK_LOADS(text);
	CHECK_INT_EQ(cfg.n_streams, CB_MAX_STREAMS);

	/* Implicit streams count too: one named stream, then a track each. */
	o = (size_t)snprintf(text, sizeof(text), "%s[stream x]\n", CALL);
	for (int i = 0; i < CB_MAX_STREAMS; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "[track t%d]\n", i);
	CHECK_FAILS(text, "t.ini:68: too many streams: no room for the implicit stream of [track t63]");

	/* Many errors: all reported up to the limit, then a note. */
	o = (size_t)snprintf(text, sizeof(text), "%s[stream a]\n", CALL);
	for (int i = 0; i < 40; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "nokey%d = 1\n", i);
	CHECK_FAILS(text, "t.ini:5: unknown key 'nokey0'");
	CHECK_INT_EQ(rep.n_errors, CB_MAX_ERRORS);
	CHECK_STR_CONTAINS(rep.errors[CB_MAX_ERRORS - 2], "t.ini:35: unknown key 'nokey30'");
	CHECK_STR_CONTAINS(rep.errors[CB_MAX_ERRORS - 1], "t.ini: too many errors");

	/* Errors of different kinds in one pass. */
	CHECK_FAILS(CALL "ptime = 3\n[stream a]\nfec = 2\n[foo]\n[track t]\nstream = a\ngain = 99\n",
		    "t.ini:4: ptime");
	CHECK_INT_EQ(rep.n_errors, 4);
	CHECK_STR_CONTAINS(rep.errors[1], "t.ini:6: fec");
	CHECK_STR_CONTAINS(rep.errors[2], "t.ini:7: unknown section [foo]");
	CHECK_STR_CONTAINS(rep.errors[3], "t.ini:10: gain: 99 is out of range (-60..24)");
}

static void test_long_lines(void)
{
	static const char nul_text[] = CALL "ptime = 2\0000\nptime = 1\n";
	char text[4096], longval[400];
	size_t o;

	memset(longval, 'x', sizeof(longval) - 1);
	longval[sizeof(longval) - 1] = '\0';
	/* Line 4 is too long; counting must go on right after it. */
	o = (size_t)snprintf(text, sizeof(text), "%s; %s\n[stream a]\nbitrate = 1\n", CALL, longval);
	(void)o;
	CHECK_FAILS(text, "t.ini:4: line is too long (401 characters, at most 197)");
	CHECK_INT_EQ(rep.n_errors, 2);
	CHECK_STR_CONTAINS(rep.errors[1], "t.ini:6: bitrate: 1 is out of range");

	/* 197 is fine, 198 is not. */
	snprintf(text, sizeof(text), "%s;%.196s\n", CALL, longval);
	CHECK_LOADS(text);
	snprintf(text, sizeof(text), "%s;%.197s\n", CALL, longval);
	CHECK_FAILS(text, "t.ini:4: line is too long (198 characters, at most 197)");

	/* A too long header does not lend its keys to the section before. */
	snprintf(text, sizeof(text), "%s[stream %s]\nbitrate = 1\n[stream b]\nbitrate = 2\n", CALL, longval);
	CHECK_FAILS(text, "t.ini:4: line is too long");
	CHECK_INT_EQ(rep.n_errors, 2);
	CHECK_STR_CONTAINS(rep.errors[1], "t.ini:7: bitrate: 2 is out of range");

	/* A NUL byte is an error of its own line only. */
	CHECK_INT_EQ(cb_config_load_string("t.ini", nul_text, sizeof(nul_text) - 1, &cfg, &rep),
		     -EINVAL);
	CHECK_STR_CONTAINS(find_error("NUL"), "t.ini:4: line contains a NUL byte");
	CHECK_STR_CONTAINS(find_error(":5:"), "t.ini:5: ptime: '1' is not one of");
}

static void test_address_errors(void)
{
	CHECK_FAILS("[call]\nname = x\nremote = 127.0.0.1\n",
		    "t.ini:3: remote: '127.0.0.1' has no port (expected HOST:PORT)");
	CHECK_FAILS("[call]\nname = x\nremote = ::1:5004\n", "remote: '::1:5004': write IPv6 addresses in brackets");
	CHECK_FAILS("[call]\nname = x\nremote = [::1]5004\n", "remote: '[::1]5004' is not [ADDRESS]:PORT");
	CHECK_FAILS("[call]\nname = x\nremote = [127.0.0.1]:5004\n", "remote: cannot resolve '127.0.0.1'");
	CHECK_FAILS("[call]\nname = x\nremote = :5004\n", "remote: ':5004' has no host");
	CHECK_FAILS("[call]\nname = x\nremote = 127.0.0.1:0\n",
		    "t.ini:3: remote: '127.0.0.1:0': port 0 is out of range (1..65535)");
	CHECK_FAILS("[call]\nname = x\nremote = 127.0.0.1:65536\n", "port 65536 is out of range (1..65535)");
	CHECK_FAILS("[call]\nname = x\nremote = 127.0.0.1:http\n", "port 'http' is not a number");
	CHECK_FAILS("[call]\nname = x\nremote = 127.0.0.1:-1\n", "port '-1' is not a number");
	CHECK_FAILS(CALL "local = 0.0.0.0:70000\n", "t.ini:4: local: '0.0.0.0:70000': port 70000 is out of range (0..65535)");
	CHECK_FAILS(CALL "[stream a]\nremote = no-such-host.invalid:5004\n",
		    "t.ini:5: remote: cannot resolve 'no-such-host.invalid'");
	CHECK_FAILS(CALL "local = 999.1.2.3.invalid:0\n", "t.ini:4: local: cannot resolve");
}

static void test_key_errors_srtp(void)
{
	static const struct { const char *suite, *key; size_t len, need; } wrong[] = {
		{ "AES_CM_128_HMAC_SHA1_80", KEY28, 28, 30 },
		{ "AES_CM_128_HMAC_SHA1_32", KEY44, 44, 30 },
		{ "AEAD_AES_128_GCM", KEY30, 30, 28 },
		{ "AEAD_AES_256_GCM", KEY16, 16, 44 },
	};

	for (size_t i = 0; i < 4; i++) {
		CHECK_FAILS(fmt(CALL "srtp = %s\nsrtp-key = %s\n", wrong[i].suite, wrong[i].key),
			    fmt("t.ini:5: srtp-key: the key is %zu bytes but %s needs %zu",
				wrong[i].len, wrong[i].suite, wrong[i].need));
		CHECK(!report_contains(wrong[i].key));
		CHECK_FAILS(fmt(CALL "remote-srtp-key = %s\nsrtp = %s\n", wrong[i].key, wrong[i].suite),
			    fmt("t.ini:4: remote-srtp-key: the key is %zu bytes", wrong[i].len));
	}
	/* The default suite wants 30 bytes. */
	CHECK_FAILS(CALL "srtp-key = " KEY16 "\n", "the key is 16 bytes but AES_CM_128_HMAC_SHA1_80 needs 30");

	CHECK_FAILS(CALL "srtp = none\nsrtp-key = " KEY30 "\n", "t.ini:5: srtp-key is set but srtp = none");
	CHECK_FAILS(CALL "remote-srtp-key = " KEY30 "\nsrtp = none\n",
		    "t.ini:4: remote-srtp-key is set but srtp = none");
	write_file(tmp_path("k30"), KEY30, 0600);
	CHECK_FAILS(fmt(CALL "srtp = none\nremote-srtp-key-file = %s\n", tmp_path("k30")),
		    "t.ini:5: remote-srtp-key-file is set but srtp = none");

	/* Base64 that GLib would quietly accept. */
	CHECK_FAILS(CALL "srtp-key = AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0!\n",
		    "t.ini:4: srtp-key: not valid base64 (bad character at position 40)");
	CHECK(!report_contains("AQIDBAUG"));
	CHECK_FAILS(CALL "srtp-key = AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0\n",
		    "srtp-key: not valid base64 (length 39 is not a multiple of 4)");
	CHECK_FAILS(CALL "srtp-key = AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRob=B0e\n",
		    "srtp-key: not valid base64 (bad character at position 37)");
	CHECK_FAILS(CALL "srtp-key = AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e A==\n",
		    "srtp-key: not valid base64");
	CHECK_FAILS(CALL "srtp-key = AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eA===\n",
		    "srtp-key: not valid base64");
	CHECK_FAILS(CALL "srtp-key =\n", "srtp-key: empty key");
	CHECK_FAILS(CALL "remote-srtp-key = " KEY30 KEY30 KEY30 "\n", "remote-srtp-key: key is 90 bytes");

	/* Key files. */
	CHECK_FAILS(fmt(CALL "\nsrtp-key-file = %s\n", tmp_path("nope.key")),
		    fmt("t.ini:5: srtp-key-file: cannot read %s: No such file or directory",
			tmp_path("nope.key")));
	CHECK_FAILS(fmt(CALL "srtp-key-file = %s\n", tmpdir), "srtp-key-file: cannot read");
	CHECK_FAILS(CALL "srtp-key-file =\n", "t.ini:4: srtp-key-file: empty path");
	write_file(tmp_path("bad.key"), "not base64 at all\n", 0600);
	CHECK_FAILS(fmt(CALL "remote-srtp-key-file = %s\n", tmp_path("bad.key")),
		    fmt("t.ini:4: remote-srtp-key-file: %s: not valid base64", tmp_path("bad.key")));
	CHECK(!report_contains("at all"));
	write_file(tmp_path("short.key"), KEY16 "\n", 0600);
	CHECK_FAILS(fmt(CALL "srtp-key-file = %s\n", tmp_path("short.key")),
		    "t.ini:4: srtp-key-file: the key is 16 bytes but AES_CM_128_HMAC_SHA1_80 needs 30");

	/* A key and a key file for one direction. */
	CHECK_FAILS(fmt(CALL "srtp-key = " KEY30 "\nsrtp-key-file = %s\n", tmp_path("k30")),
		    "t.ini:5: srtp-key-file: srtp-key is already set (line 4); set only one of them");
	CHECK_FAILS(fmt(CALL "remote-srtp-key-file = %s\nremote-srtp-key = " KEY30 "\n", tmp_path("k30")),
		    "t.ini:5: remote-srtp-key: remote-srtp-key-file is already set (line 4)");
	CHECK_LOADS(fmt(CALL "srtp-key = " KEY30 "\nremote-srtp-key-file = %s\n", tmp_path("k30")));

	/* No message ever quotes a key. */
	CHECK_FAILS(CALL "[stream a]\n" KEY30 "\n", "t.ini:5: syntax error");
	CHECK(!report_contains("AQID"));
	CHECK_FAILS(CALL "[stream a]\n" KEY28 "\n", "t.ini:5: unknown key in [stream a]");
	CHECK(!report_contains("AQID"));
	CHECK_FAILS(CALL "[stream a]\nAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHA=x\n", "t.ini:5: unknown key in [stream a]");
	CHECK(!report_contains("AQID"));
}

static void test_clear_and_suites(void)
{
	const uint8_t *p = (const uint8_t *)&cfg;
	bool zero = true;

	CHECK_LOADS(CALL "srtp-key = " KEY30 "\nremote-srtp-key = " KEY30 "\n[track t]\n");
	CHECK(cfg.call.srtp_key.set);
	cb_config_clear(&cfg);
	for (size_t i = 0; i < sizeof(cfg); i++)
		zero &= p[i] == 0;
	CHECK(zero);

	/* A failed load leaves nothing behind either. */
	CHECK_FAILS(CALL "srtp-key = " KEY30 "\nptime = 1\n", "ptime");
	CHECK(!cfg.call.srtp_key.set);
	CHECK_INT_EQ(cfg.call.srtp_key.bytes[0], 0);

	CHECK_INT_EQ(cb_srtp_suite_key_len(CB_SRTP_NONE), 0);
	CHECK_INT_EQ(cb_srtp_suite_key_len(CB_SRTP_AES_CM_128_HMAC_SHA1_80), 30);
	CHECK_INT_EQ(cb_srtp_suite_key_len(CB_SRTP_AES_CM_128_HMAC_SHA1_32), 30);
	CHECK_INT_EQ(cb_srtp_suite_key_len(CB_SRTP_AEAD_AES_128_GCM), 28);
	CHECK_INT_EQ(cb_srtp_suite_key_len(CB_SRTP_AEAD_AES_256_GCM), 44);
	CHECK_INT_EQ(strcmp(cb_srtp_suite_name(CB_SRTP_NONE), "none"), 0);
	CHECK_INT_EQ(strcmp(cb_srtp_suite_name(CB_SRTP_AES_CM_128_HMAC_SHA1_80), "AES_CM_128_HMAC_SHA1_80"), 0);
	CHECK_INT_EQ(strcmp(cb_srtp_suite_name(CB_SRTP_AES_CM_128_HMAC_SHA1_32), "AES_CM_128_HMAC_SHA1_32"), 0);
	CHECK_INT_EQ(strcmp(cb_srtp_suite_name(CB_SRTP_AEAD_AES_128_GCM), "AEAD_AES_128_GCM"), 0);
	CHECK_INT_EQ(strcmp(cb_srtp_suite_name(CB_SRTP_AEAD_AES_256_GCM), "AEAD_AES_256_GCM"), 0);
}

static bool all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

/* The one way a config changes hands leaves its secrets in one place. */
static void test_move(void)
{
	static struct cb_config dst, copy;

	CHECK_LOADS(CALL "srtp-key = " KEY30 "\nremote-srtp-key = " KEY30 "\n[track t]\n");
	memcpy(&copy, &cfg, sizeof(copy));
	/* What dst held before is wiped, not merely overwritten in part. */
	memset(&dst, 0xa5, sizeof(dst));
	cb_config_move(&dst, &cfg);
	CHECK(memcmp(&dst, &copy, sizeof(dst)) == 0);
	CHECK(all_zero(&cfg, sizeof(cfg)));
	CHECK(dst.call.srtp_key.set);
	/* Moving into itself keeps it. */
	cb_config_move(&dst, &dst);
	CHECK(memcmp(&dst, &copy, sizeof(dst)) == 0);
	cb_config_clear(&dst);
	cb_config_clear(&copy);
	CHECK(all_zero(&dst, sizeof(dst)));
}

/* The defaults an unclaimed incoming stream plays with are those of a
 * [remote] section that sets nothing. */
static void test_default_remote(void)
{
	struct cb_remote_config d;

	CHECK_LOADS(CALL "[remote r]\n");
	memset(&d, 0xa5, sizeof(d));
	cb_config_default_remote(&d);
	CHECK_STR_EQ(d.name, "");
	CHECK_INT_EQ(d.line, 0);
	CHECK_INT_EQ(d.channels, cfg.remotes[0].channels);
	CHECK_INT_EQ(d.payload_type, cfg.remotes[0].payload_type);
	CHECK_INT_EQ(d.latency_ms, cfg.remotes[0].latency_ms);
	CHECK_INT_EQ(d.has_ssrc, false);
	CHECK_INT_EQ(d.ssrc, 0);
}

/* capture, capture-channels, playback: the targets of links the bridge
 * makes (node/link-keeper.h). */
static void test_links(void)
{
	CHECK_LOADS(CALL "[track mic]\nchannels = 1\n");
	CHECK_STR_EQ(cfg.tracks[0].capture, "");
	CHECK_INT_EQ(cfg.tracks[0].n_capture_channels, 0);

	CHECK_LOADS(CALL "[track mic]\ncapture = default\n"
		    "[track usb]\nchannels = 2\n"
		    "capture = alsa_input.usb-Blue_Microphones_Yeti-00.analog-stereo\n"
		    "capture-channels = FR, FL\n"
		    "[track mono]\nchannels = 2\ncapture = vmic\ncapture-channels = MONO\n"
		    "[remote guest]\nplayback = default\n[remote b]\nplayback = my:sink/1\n");
	CHECK_STR_EQ(cfg.tracks[0].capture, "default");
	CHECK_STR_EQ(cfg.tracks[1].capture, "alsa_input.usb-Blue_Microphones_Yeti-00.analog-stereo");
	CHECK_INT_EQ(cfg.tracks[1].n_capture_channels, 2);
	CHECK_STR_EQ(cfg.tracks[1].capture_channels[0], "FR");
	CHECK_STR_EQ(cfg.tracks[1].capture_channels[1], "FL");
	CHECK_INT_EQ(cfg.tracks[2].n_capture_channels, 1);
	CHECK_STR_EQ(cfg.tracks[2].capture_channels[0], "MONO");
	CHECK_STR_EQ(cfg.remotes[0].playback, "default");
	CHECK_STR_EQ(cfg.remotes[1].playback, "my:sink/1");

	CHECK_FAILS(CALL "[track mic]\ncapture =\n",
		    "t.ini:5: capture: empty value, expected default or a node.name");
	CHECK_FAILS(CALL "[track mic]\ncapture = my mic\n",
		    "t.ini:5: capture: 'my mic' holds a space");
	CHECK_FAILS(CALL "[remote r]\nplayback = sink\x01\n", "t.ini:5: playback: ");
	/* As long as a line allows. */
	CHECK_LOADS(fmt(CALL "[track mic]\ncapture = %0180d\n", 7));
	CHECK_INT_EQ(strlen(cfg.tracks[0].capture), 180);
	CHECK_FAILS(CALL "[track mic]\ncapture = x\ncapture-channels = fl\n",
		    "t.ini:6: capture-channels: 'fl' is not a channel position");
	CHECK_FAILS(CALL "[track mic]\ncapture = x\ncapture-channels = FL,,FR\n",
		    "t.ini:6: capture-channels: empty channel in list");
	CHECK_FAILS(CALL "[track mic]\ncapture = x\ncapture-channels = FL, FR, FC\n",
		    "t.ini:6: capture-channels: too many channels (at most 2");
	CHECK_FAILS(CALL "[track mic]\nchannels = 1\ncapture = x\ncapture-channels = FL, FR\n",
		    "t.ini:7: capture-channels: [track mic] has 1 channel: name one channel for all "
		    "of them, or 1");
	CHECK_FAILS(CALL "[track mic]\ncapture-channels = FL\n",
		    "t.ini:5: capture-channels: [track mic] has no capture");
}

static int row(const char *section, const char *key)
{
	for (size_t i = 0; i < cb_config_n_keys; i++)
		if (strcmp(cb_config_keys[i].section, section) == 0 &&
		    strcmp(cb_config_keys[i].key, key) == 0)
			return (int)i;
	return -1;
}

/* Where [call] and [ice] keys stand, for a reload that refuses one. */
static void test_key_lines(void)
{
	CHECK_LOADS("; a comment\n[call]\nname = demo\nremote = 127.0.0.1:5004\n\nptime = 10\n");
	CHECK_INT_EQ(cfg.key_lines[row("call", "ptime")], 6);
	CHECK_INT_EQ(cfg.key_lines[row("call", "name")], 3);
	/* Not in the file: the section's header line. */
	CHECK_INT_EQ(cfg.key_lines[row("call", "srtp")], 2);
	/* No [ice] section: nothing to point at. */
	CHECK_INT_EQ(cfg.key_lines[row("ice", "ufrag")], 0);
}

/* A [remote] with no key to authenticate the peer by never receives:
 * --check says so, naming the section's line. */
/* Voice processing: off by default; echo-cancel true, false or [remote]
 * names; bad names, levels and delays are FILE:LINE errors naming the key. */
static void test_voice(void)
{
	CHECK_LOADS(CALL "[track mic]\n");
	CHECK(!cfg.tracks[0].echo_cancel);
	CHECK_INT_EQ(cfg.tracks[0].noise_suppression, 0);
	CHECK(!cfg.tracks[0].gain_control);
	CHECK(!cfg.tracks[0].high_pass);
	CHECK_INT_EQ(cfg.tracks[0].echo_delay_ms, -1);
	CHECK_INT_EQ(cfg.tracks[0].gain_target_dbfs, -3);
	CHECK_LOADS(CALL "[track mic]\necho-cancel = true\nnoise-suppression = very-high\n"
		    "gain-control = yes\nhigh-pass = on\necho-delay = 40\ngain-target = -12\n");
	CHECK(cfg.tracks[0].echo_cancel);
	CHECK_INT_EQ(cfg.tracks[0].n_echo_remotes, 0);
	CHECK_INT_EQ(cfg.tracks[0].noise_suppression, 4);
	CHECK(cfg.tracks[0].gain_control && cfg.tracks[0].high_pass);
	CHECK_INT_EQ(cfg.tracks[0].echo_delay_ms, 40);
	CHECK_INT_EQ(cfg.tracks[0].gain_target_dbfs, -12);
	CHECK_LOADS(CALL "[track mic]\necho-cancel = bob, carol\n[remote carol]\n[remote bob]\n");
	CHECK(cfg.tracks[0].echo_cancel);
	CHECK_INT_EQ(cfg.tracks[0].n_echo_remotes, 2);
	CHECK_STR_EQ(cfg.tracks[0].echo_remotes[1], "carol");
	CHECK_LOADS(CALL "[track mic]\necho-cancel = off\n");
	CHECK(!cfg.tracks[0].echo_cancel);
	CHECK_FAILS(CALL "[track mic]\necho-cancel = bob, dave\n[remote bob]\n",
		    "t.ini:5: echo-cancel: [track mic] names 'dave', but there is no [remote dave]");
	CHECK_FAILS(CALL "[track mic]\nnoise-suppression = loud\n",
		    "t.ini:5: noise-suppression: 'loud' is not one of");
	CHECK_FAILS(CALL "[track mic]\necho-delay = 600\n",
		    "t.ini:5: echo-delay: '600' is not auto or a delay in ms (0..500)");
	CHECK_FAILS(CALL "[track mic]\necho-delay = soon\n", "t.ini:5: echo-delay: 'soon'");
	CHECK_FAILS(CALL "[track mic]\ngain-target = 3\n", "t.ini:5: gain-target: ");
}

static void test_remote_never_receives(void)
{
	CHECK_LOADS(CALL "\n[remote guest]\nchannels = 1\n");
	CHECK_INT_EQ(rep.n_warnings, 1);
	CHECK_STR_CONTAINS(find_warning("guest"),
			   "t.ini:5: [remote guest] can never receive: [call] has no "
			   "remote-srtp-key");
	CHECK_LOADS(CALL "remote-srtp-key = " KEY30 "\n[remote guest]\n");
	CHECK(!report_contains("never receive"));
	CHECK_LOADS(CALL "srtp = none\n[remote guest]\n");
	CHECK(!report_contains("never receive"));
	/* Nothing to warn about without a [remote]. */
	CHECK_LOADS(CALL "[track t]\n");
	CHECK_INT_EQ(rep.n_warnings, 0);
}

static void cleanup(void)
{
	static const char *const files[] = {
		"remote.key", "open.key", "closed.key", "k30", "bad.key", "short.key",
		"sub/send.key", "sub/call.ini", "sub/bad.ini", "example.ini",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(tmp_path(files[i]));
	rmdir(tmp_path("sub"));
	rmdir(tmpdir);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_table();
	test_minimal_defaults();
	test_section_defaults();
	test_every_key();
	test_value_syntax();
	test_file_syntax();
	test_streams_and_tracks();
	test_warnings();
	test_load_file();
	test_example();
	test_section_errors();
	test_key_errors();
	test_ranges();
	test_reference_errors();
	test_identity_and_files();
	test_limits();
	test_long_lines();
	test_address_errors();
	test_key_errors_srtp();
	test_clear_and_suites();
	test_move();
	test_default_remote();
	test_links();
	test_remote_never_receives();
	test_voice();
	test_key_lines();
	cleanup();
	return test_finish("test-config");
}
