/* transport = webrtc: the keys it adds (whip, whep, bearer-token-file,
 * dtls-certificate-file), what srtp offers, and every key and section it
 * forbids or requires, each error named FILE:LINE with its key; tokens read
 * like every secret file (warning, trimming) and wiped with the config;
 * URLs never shown with their query. */
#include "test.h"
#include "config-test.h"

#include "config/config.h"
#include "dtls/certificate.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#define KEY30 "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e"
#define PWD_A "abcdefghijklmnopqrstuv"
#define CALL_TOKEN "eyJhbGciOiJIUzI1NiJ9.Y2FsbC10b2tlbg.c2lnbmF0dXJl"
#define STREAM_TOKEN "stream-token_0123456789~+/="
#define REMOTE_TOKEN "remote-token-abcdef"
#define WHIP "https://sfu.example.com/whip/program"
#define WHEP "https://sfu.example.com/whep/guest"

/* Lines 1..3; a [stream] with whip at 4..5, its track at 6..7. */
#define CALL "[call]\nname = show\ntransport = webrtc\n"
#define STREAM "[stream program]\nwhip = " WHIP "\n"
#define TRACK "[track music]\nstream = program\n"

static char tmpdir[] = "/tmp/callbridge-test-webrtc-XXXXXX";

#define CHECK_LOADS(text) do { \
	int _r = load(text); \
	CHECK_INT_EQ(_r, 0); \
	if (_r != 0) \
		dump_report(); \
} while (0)

/* Fails, and some error starts with `needle` (FILE:LINE: key: ...). */
#define CHECK_FAILS(text, needle) do { \
	int _r = load(text); \
	CHECK_INT_EQ(_r, -EINVAL); \
	CHECK_STR_CONTAINS(find_error(needle), needle); \
	CHECK_INT_EQ(strncmp(find_error(needle), needle, strlen(needle)), 0); \
} while (0)

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

static char *tmp_path(const char *name)
{
	static char bufs[4][PATH_MAX];
	static int next;
	char *b = bufs[next++ % 4];

	snprintf(b, PATH_MAX, "%s/%s", tmpdir, name);
	return b;
}

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

/* The certificate of `a` with the key of `b` (the same for a matching
 * pair), the key encrypted with a passphrase when asked; either may be
 * left out. */
static void write_pem(const char *path, struct cb_dtls_certificate *a,
		      struct cb_dtls_certificate *b, bool encrypted, mode_t mode)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (!f)
		return;
	if (a)
		CHECK(PEM_write_X509(f, cb_dtls_certificate_x509(a)) == 1);
	if (b && encrypted)
		CHECK(PEM_write_PrivateKey(f, cb_dtls_certificate_key(b), EVP_aes_128_cbc(),
					   (unsigned char *)"passphrase", 10, NULL, NULL) == 1);
	else if (b)
		CHECK(PEM_write_PrivateKey(f, cb_dtls_certificate_key(b), NULL, NULL, 0, NULL,
					   NULL) == 1);
	fchmod(fileno(f), mode);
	fclose(f);
}

static bool all_zero(const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

/* The example of the issue, loaded from a file: paths relative to it. */
static void test_valid(void)
{
	char ini[PATH_MAX];
	int r;

	snprintf(ini, sizeof(ini), "%s", tmp_path("show/show.ini"));
	CHECK(mkdir(tmp_path("show"), 0700) == 0);
	write_file(tmp_path("show/show.token"), "\n  " CALL_TOKEN "  \n", 0600);
	write_file(tmp_path("show/program.token"), STREAM_TOKEN "\n", 0600);
	write_file(tmp_path("show/guest.token"), REMOTE_TOKEN, 0600);
	write_file(ini,
		   "[call]\n"
		   "name = show\n"
		   "transport = webrtc                 ; udp | ice | webrtc\n"
		   "bearer-token-file = show.token\n"
		   "dtls-certificate-file = show.pem\n"
		   "\n"
		   "[ice]\n"
		   "stun-server = 127.0.0.1:3478\n"
		   "\n"
		   "[stream program]\n"
		   "channels = 2\n"
		   "whip = " WHIP "    ; publish this stream\n"
		   "bearer-token-file = program.token\n"
		   "\n"
		   "[track music]\n"
		   "stream = program\n"
		   "\n"
		   "[remote guest]\n"
		   "whep = " WHEP "\n"
		   "\n"
		   "[remote host]\n"
		   "whep = http://[::1]:8080/whep/host?token=abc\n"
		   "bearer-token-file = guest.token\n", 0600);
	r = cb_config_load(ini, &cfg, &rep);
	/* No certificate yet: an error naming the key at its line. */
	CHECK_INT_EQ(r, -EINVAL);
	CHECK_STR_CONTAINS(find_error("dtls-certificate-file"),
			   fmt("%s:5: dtls-certificate-file: cannot read %s", ini,
			       tmp_path("show/show.pem")));
	CHECK_INT_EQ(rep.n_errors, 1);
	CHECK(all_zero(&cfg, sizeof(cfg)));

	{
		struct cb_dtls_certificate *c = NULL;

		CHECK_INT_EQ(cb_dtls_certificate_generate(&c), 0);
		write_pem(tmp_path("show/show.pem"), c, c, false, 0600);
		cb_dtls_certificate_free(c);
	}
	r = cb_config_load(ini, &cfg, &rep);
	CHECK_INT_EQ(r, 0);
	if (r)
		dump_report();
	CHECK_INT_EQ(rep.n_warnings, 0);
	CHECK_INT_EQ(cfg.call.transport, CB_TRANSPORT_WEBRTC);
	CHECK_INT_EQ(cfg.call.srtp_offer, CB_SRTP_OFFER_ALL);
	CHECK_INT_EQ(cfg.call.srtp_offer, (1u << CB_SRTP_AES_CM_128_HMAC_SHA1_80) |
			 (1u << CB_SRTP_AES_CM_128_HMAC_SHA1_32) | (1u << CB_SRTP_AEAD_AES_128_GCM) |
			 (1u << CB_SRTP_AEAD_AES_256_GCM));
	CHECK(!cfg.call.srtp_key.set && !cfg.call.remote_srtp_key.set);
	CHECK(!cfg.call.remote.set);
	CHECK_STR_EQ(cfg.call.bearer_token, CALL_TOKEN);
	CHECK_STR_EQ(cfg.call.dtls_certificate_file, tmp_path("show/show.pem"));
	CHECK(cfg.ice.present);
	CHECK(cfg.ice.stun_server.set);
	CHECK_STR_EQ(cfg.ice.stun_server.text, "127.0.0.1:3478");
	CHECK(!cfg.ice.turn_server.set);

	CHECK_INT_EQ(cfg.n_streams, 1);
	CHECK_STR_EQ(cfg.streams[0].name, "program");
	CHECK(!cfg.streams[0].implicit);
	CHECK_INT_EQ(cfg.streams[0].channels, 2);
	CHECK_STR_EQ(cfg.streams[0].whip, WHIP);
	CHECK(!cfg.streams[0].remote.set);
	CHECK_STR_EQ(cfg.stream_tokens[0], STREAM_TOKEN);
	CHECK_INT_EQ(cfg.n_tracks, 1);
	CHECK_INT_EQ(cfg.tracks[0].n_streams, 1);
	CHECK_INT_EQ(cfg.tracks[0].streams[0], 0);

	CHECK_INT_EQ(cfg.n_remotes, 2);
	CHECK_STR_EQ(cfg.remotes[0].whep, WHEP);
	CHECK_STR_EQ(cfg.remote_tokens[0], "");
	CHECK_STR_EQ(cfg.remotes[1].whep, "http://[::1]:8080/whep/host?token=abc");
	CHECK_STR_EQ(cfg.remote_tokens[1], REMOTE_TOKEN);

	/* A section's token beats the call's. */
	CHECK_STR_EQ(cb_config_stream_token(&cfg, 0), STREAM_TOKEN);
	CHECK_STR_EQ(cb_config_remote_token(&cfg, 0), CALL_TOKEN);
	CHECK_STR_EQ(cb_config_remote_token(&cfg, 1), REMOTE_TOKEN);
	cb_config_clear(&cfg);
}

static void test_minimal_and_defaults(void)
{
	/* No [ice], no token, no certificate, no remote: enough. */
	CHECK_LOADS(CALL STREAM TRACK);
	CHECK_INT_EQ(rep.n_warnings, 0);
	CHECK_INT_EQ(cfg.call.transport, CB_TRANSPORT_WEBRTC);
	CHECK(!cfg.ice.present);
	CHECK_STR_EQ(cfg.call.bearer_token, "");
	CHECK_STR_EQ(cfg.call.dtls_certificate_file, "");
	CHECK_STR_EQ(cb_config_stream_token(&cfg, 0), "");
	CHECK_INT_EQ(cfg.call.srtp_offer, CB_SRTP_OFFER_ALL);

	/* An explicit srtp offers that profile only. */
	CHECK_LOADS(CALL "srtp = AEAD_AES_256_GCM\n" STREAM TRACK);
	CHECK_INT_EQ(cfg.call.srtp, CB_SRTP_AEAD_AES_256_GCM);
	CHECK_INT_EQ(cfg.call.srtp_offer, 1u << CB_SRTP_AEAD_AES_256_GCM);
	CHECK_LOADS(CALL "srtp = aes_cm_128_hmac_sha1_32\n" STREAM TRACK);
	CHECK_INT_EQ(cfg.call.srtp_offer, 1u << CB_SRTP_AES_CM_128_HMAC_SHA1_32);
	CHECK_LOADS(CALL "srtp = AES_CM_128_HMAC_SHA1_80\n" STREAM TRACK);
	CHECK_INT_EQ(cfg.call.srtp_offer, 1u << CB_SRTP_AES_CM_128_HMAC_SHA1_80);

	/* udp and ice keep one suite and offer nothing. */
	CHECK_LOADS("[call]\nname = u\nremote = 127.0.0.1:5004\n");
	CHECK_INT_EQ(cfg.call.srtp, CB_SRTP_AES_CM_128_HMAC_SHA1_80);
	CHECK_INT_EQ(cfg.call.srtp_offer, 0);
	CHECK_LOADS("[call]\nname = u\ntransport = WebRTC\n");
	CHECK_INT_EQ(cfg.call.transport, CB_TRANSPORT_WEBRTC);

	/* [ice]'s STUN, TURN and policy apply, with their rules, and no
	 * warning that it is ignored. */
	CHECK_LOADS(CALL "[ice]\nturn-server = 127.0.0.1:3478\nturn-transport = tcp\n"
		    "turn-username = alice\nturn-password = secret\npolicy = relay\n" STREAM TRACK);
	CHECK_INT_EQ(rep.n_warnings, 0);
	CHECK(cfg.ice.turn_server.set);
	CHECK_INT_EQ(cfg.ice.turn_transport, CB_TURN_TCP);
	CHECK_INT_EQ(cfg.ice.policy, CB_ICE_POLICY_RELAY);
	CHECK_FAILS(CALL "[ice]\nturn-username = alice\n" STREAM TRACK,
		    "t.ini:5: turn-username is set but there is no turn-server");
	/* Relay-only without a TURN server of its own: the WHIP server's
	 * Link header may name one. */
	CHECK_LOADS(CALL "[ice]\npolicy = relay\n" STREAM TRACK);
	CHECK_INT_EQ(cfg.ice.policy, CB_ICE_POLICY_RELAY);
	CHECK_FAILS(CALL "[ice]\nturn-server = 127.0.0.1:3478\n" STREAM TRACK,
		    "t.ini:5: turn-server: set turn-username as well");
	CHECK_FAILS(CALL "[ice]\nstun-server = stun.invalid:3478\n" STREAM TRACK,
		    "t.ini:5: stun-server: cannot resolve 'stun.invalid'");

	/* URLs as the WHIP client takes them. */
	CHECK_LOADS(CALL "[stream program]\nwhip = HTTPS://SFU.example.com:8443/a/b?c=d#e\n" TRACK);
	CHECK_LOADS(CALL "[stream program]\nwhip = http://192.0.2.1/whip\n" TRACK);
	CHECK_LOADS(CALL "[stream program]\nwhip = https://[2001:db8::1]/whip\n" TRACK);
	CHECK_STR_EQ(cfg.streams[0].whip, "https://[2001:db8::1]/whip");
	/* As long as a line may be: 197 characters. */
	{
		char url[256];

		snprintf(url, sizeof(url), "https://sfu.example.com/%0*d", 197 - 7 - 24, 0);
		CHECK_INT_EQ(strlen("whip = ") + strlen(url), 197);
		CHECK_LOADS(fmt(CALL "[stream program]\nwhip = %s\n" TRACK, url));
		CHECK_STR_EQ(cfg.streams[0].whip, url);
		CHECK_FAILS(fmt(CALL "[stream program]\nwhip = %s0\n" TRACK, url),
			    "t.ini:5: line is too long (198 characters, at most 197)");
	}
	cb_config_clear(&cfg);
}

/* Keys DTLS or the session make: each an error naming the key and why. */
static void test_forbidden_keys(void)
{
	static const char *const ice_creds[] = {
		"ufrag = abcd", "pwd = " PWD_A, "remote-ufrag = efgh", "remote-pwd = " PWD_A,
		"remote-candidates = 127.0.0.1:5000",
	};

	write_file(tmp_path("k.key"), KEY30 "\n", 0600);
	CHECK_FAILS(CALL "srtp-key = " KEY30 "\n" STREAM TRACK,
		    "t.ini:4: srtp-key: keys come from DTLS with transport = webrtc");
	CHECK_INT_EQ(rep.n_errors, 1);
	CHECK(!report_contains(KEY30));
	CHECK_FAILS(fmt(CALL "srtp-key-file = %s\n" STREAM TRACK, tmp_path("k.key")),
		    "t.ini:4: srtp-key-file: keys come from DTLS with transport = webrtc");
	CHECK_INT_EQ(rep.n_errors, 1);
	CHECK_FAILS(CALL "remote-srtp-key = " KEY30 "\n" STREAM TRACK,
		    "t.ini:4: remote-srtp-key: keys come from DTLS with transport = webrtc");
	CHECK_FAILS(fmt(CALL "remote-srtp-key-file = %s\n" STREAM TRACK, tmp_path("k.key")),
		    "t.ini:4: remote-srtp-key-file: keys come from DTLS with transport = webrtc");
	/* Even one that fits no suite: the reason is DTLS, not its length. */
	CHECK_FAILS(CALL "srtp = AEAD_AES_256_GCM\nsrtp-key = " KEY30 "\n" STREAM TRACK,
		    "t.ini:5: srtp-key: keys come from DTLS with transport = webrtc");
	CHECK_INT_EQ(rep.n_errors, 1);
	CHECK_FAILS(CALL "srtp = none\n" STREAM TRACK,
		    "t.ini:4: srtp: none is not possible with transport = webrtc");

	for (size_t i = 0; i < sizeof(ice_creds) / sizeof(ice_creds[0]); i++) {
		char key[32];

		snprintf(key, sizeof(key), "%.*s", (int)strcspn(ice_creds[i], " "), ice_creds[i]);
		CHECK_FAILS(fmt(CALL "[ice]\nstun-server = 127.0.0.1:3478\n%s\n" STREAM TRACK,
				ice_creds[i]),
			    fmt("t.ini:6: %s: ICE credentials are made per session with "
				"transport = webrtc", key));
		CHECK_INT_EQ(rep.n_errors, 1);
	}
	CHECK(!report_contains(PWD_A));
	CHECK_FAILS(CALL "[ice]\nrole = controlled\n" STREAM TRACK,
		    "t.ini:5: role: ICE credentials are made per session with transport = webrtc");
	/* Even with the default value: the file sets it. */
	CHECK_FAILS(CALL "[ice]\nrole = controlling\n" STREAM TRACK,
		    "t.ini:5: role: ICE credentials are made per session");

	CHECK_FAILS(CALL "remote = 127.0.0.1:5004\n" STREAM TRACK,
		    "t.ini:4: remote: with transport = webrtc");
	CHECK_FAILS(CALL STREAM "remote = 127.0.0.1:5004\n" TRACK,
		    "t.ini:6: [stream program]: remote cannot be used with transport = webrtc");
}

/* What each section needs, at its header's line. */
static void test_required(void)
{
	CHECK_FAILS(CALL "[stream program]\nbitrate = 32000\n" TRACK,
		    "t.ini:4: [stream program] has no whip: with transport = webrtc");
	CHECK_INT_EQ(rep.n_errors, 1);
	CHECK_FAILS(CALL STREAM TRACK "[remote guest]\nlatency = 20\n",
		    "t.ini:8: [remote guest] has no whep: with transport = webrtc");
	CHECK_INT_EQ(rep.n_errors, 1);
	/* No implicit stream: it could have no whip. */
	CHECK_FAILS(CALL STREAM TRACK "[track voice]\nchannels = 1\n",
		    "t.ini:8: [track voice] has no stream key: with transport = webrtc");
	CHECK_INT_EQ(rep.n_errors, 1);
	CHECK_FAILS(CALL "[track voice]\n", "t.ini:4: [track voice] has no stream key");
	/* A bad URL is its own error, not also a missing one. */
	CHECK_FAILS(CALL "[stream program]\nwhip = ftp://sfu.example.com/x\n" TRACK,
		    "t.ini:5: whip: 'ftp://sfu.example.com/x' is not an http:// or https:// URL");
	CHECK_INT_EQ(rep.n_errors, 1);
}

static void test_urls(void)
{
	CHECK_FAILS(CALL "[stream program]\nwhip =\n" TRACK,
		    "t.ini:5: whip: empty value, expected an http:// or https:// URL");
	CHECK_FAILS(CALL "[stream program]\nwhip = sfu.example.com/whip\n" TRACK,
		    "t.ini:5: whip: 'sfu.example.com/whip' is not a valid URL");
	CHECK_FAILS(CALL "[stream program]\nwhip = https:///whip\n" TRACK,
		    "t.ini:5: whip: 'https:///whip' has no host");
	CHECK_FAILS(CALL "[stream program]\nwhip = wss://sfu.example.com/whip\n" TRACK,
		    "t.ini:5: whip: 'wss://sfu.example.com/whip' is not an http:// or https:// URL");
	CHECK_FAILS(CALL "[stream program]\nwhip = https://sfu.example.com/a b\n" TRACK,
		    "t.ini:5: whip: the URL holds a space, a control or a non-ASCII character at "
		    "position 26");
	CHECK_FAILS(CALL "[stream program]\nwhip = https://sfu.example.com/\xc3\xa9\n" TRACK,
		    "t.ini:5: whip: the URL holds a space, a control or a non-ASCII character");
	CHECK_FAILS(CALL STREAM TRACK "[remote guest]\nwhep = https://[::1/whep\n",
		    "t.ini:9: whep: 'https://[::1/whep' is not a valid URL");
	CHECK_FAILS(CALL STREAM TRACK "[remote guest]\nwhep = file:///etc/passwd\n",
		    "t.ini:9: whep: 'file:///etc/passwd' is not an http:// or https:// URL");

	/* Never the query, the fragment or user info: they may hold a key. */
	CHECK_FAILS(CALL "[stream program]\nwhip = ftp://user:hunter2@sfu.example.com/w?key=s3cr3t#frag\n"
		    TRACK, "t.ini:5: whip: 'ftp://sfu.example.com/w' is not an http:// or https:// URL");
	CHECK(!report_contains("s3cr3t"));
	CHECK(!report_contains("hunter2"));
	CHECK(!report_contains("frag"));
	CHECK_FAILS(CALL "[stream program]\nwhip = https://user:hunter2@[::1/w?key=s3cr3t\n" TRACK,
		    "t.ini:5: whip: 'https://[::1/w' is not a valid URL");
	CHECK(!report_contains("s3cr3t"));
	CHECK(!report_contains("hunter2"));
	CHECK_FAILS(CALL "[stream program]\nwhip = https://?key=s3cr3t\n" TRACK, "t.ini:5: whip: ");
	CHECK(!report_contains("s3cr3t"));
}

/* whip, whep and the webrtc keys with another transport. */
static void test_other_transports(void)
{
	const char *udp = "[call]\nname = u\nremote = 127.0.0.1:5004\n";
	const char *ice = "[call]\nname = i\ntransport = ice\n[ice]\nrole = controlled\n"
			  "ufrag = abcd\npwd = " PWD_A "\nremote-ufrag = efgh\nremote-pwd = " PWD_A "\n";
	struct cb_dtls_certificate *c = NULL;

	write_file(tmp_path("u.token"), "token\n", 0600);
	CHECK_INT_EQ(cb_dtls_certificate_generate(&c), 0);
	write_pem(tmp_path("u.pem"), c, c, false, 0600);
	cb_dtls_certificate_free(c);

	CHECK_FAILS(fmt("%s" STREAM TRACK, udp),
		    "t.ini:5: whip: needs transport = webrtc (transport is udp)");
	CHECK_INT_EQ(rep.n_errors, 1);
	CHECK_FAILS(fmt("%s" STREAM TRACK, ice),
		    "t.ini:11: whip: needs transport = webrtc (transport is ice)");
	CHECK_INT_EQ(rep.n_errors, 1);
	CHECK_FAILS(fmt("%s[remote guest]\nwhep = " WHEP "\n", udp),
		    "t.ini:5: whep: needs transport = webrtc");
	CHECK_FAILS(fmt("%sbearer-token-file = %s\n", udp, tmp_path("u.token")),
		    "t.ini:4: bearer-token-file: needs transport = webrtc");
	CHECK_FAILS(fmt("%sdtls-certificate-file = %s\n", udp, tmp_path("u.pem")),
		    "t.ini:4: dtls-certificate-file: needs transport = webrtc");
	CHECK_FAILS(fmt("%s[stream s]\nbearer-token-file = %s\n[track t]\nstream = s\n", udp,
			tmp_path("u.token")),
		    "t.ini:5: bearer-token-file: needs transport = webrtc");
	CHECK_FAILS(fmt("%s[remote r]\nbearer-token-file = %s\n", udp, tmp_path("u.token")),
		    "t.ini:5: bearer-token-file: needs transport = webrtc");
	CHECK(!report_contains("token\n"));
}

static void test_token_files(void)
{
	write_file(tmp_path("open.token"), "  open-token\n", 0644);
	CHECK_LOADS(fmt(CALL "bearer-token-file = %s\n" STREAM TRACK, tmp_path("open.token")));
	CHECK_INT_EQ(rep.n_warnings, 1);
	CHECK_STR_CONTAINS(find_warning("chmod"),
			   fmt("t.ini:4: bearer-token-file: %s is readable by other users; "
			       "chmod 600 it", tmp_path("open.token")));
	CHECK_STR_EQ(cfg.call.bearer_token, "open-token");
	CHECK(!report_contains("open-token"));
	CHECK_LOADS(fmt(CALL STREAM "bearer-token-file = %s\n" TRACK, tmp_path("open.token")));
	CHECK_STR_CONTAINS(find_warning("chmod"), "t.ini:6: bearer-token-file: ");
	CHECK_STR_EQ(cfg.stream_tokens[0], "open-token");
	CHECK_LOADS(fmt(CALL STREAM TRACK "[remote r]\nwhep = " WHEP "\nbearer-token-file = %s\n",
			tmp_path("open.token")));
	CHECK_STR_CONTAINS(find_warning("chmod"), "t.ini:10: bearer-token-file: ");
	CHECK_STR_EQ(cfg.remote_tokens[0], "open-token");

	CHECK_FAILS(CALL "bearer-token-file = /nonexistent/x.token\n" STREAM TRACK,
		    "t.ini:4: bearer-token-file: cannot read /nonexistent/x.token");
	CHECK_FAILS(CALL "bearer-token-file =\n" STREAM TRACK,
		    "t.ini:4: bearer-token-file: empty path");
	write_file(tmp_path("empty.token"), " \n\n", 0600);
	CHECK_FAILS(fmt(CALL "bearer-token-file = %s\n" STREAM TRACK, tmp_path("empty.token")),
		    fmt("t.ini:4: bearer-token-file: %s must hold one line", tmp_path("empty.token")));
	/* It goes into a header as it is: no space, no line break. */
	write_file(tmp_path("two.token"), "first-line\nsecond-line\n", 0600);
	CHECK_FAILS(fmt(CALL "bearer-token-file = %s\n" STREAM TRACK, tmp_path("two.token")),
		    fmt("t.ini:4: bearer-token-file: %s must hold one token of visible ASCII "
			"characters, without spaces", tmp_path("two.token")));
	CHECK(!report_contains("first-line"));
	write_file(tmp_path("space.token"), "Bearer abc\n", 0600);
	CHECK_FAILS(fmt(CALL STREAM "bearer-token-file = %s\n" TRACK, tmp_path("space.token")),
		    "t.ini:6: bearer-token-file: ");
	CHECK_STR_CONTAINS(find_error("bearer"), "must hold one token of visible ASCII");
	/* At most 4096 characters. */
	{
		static char big[CB_BEARER_TOKEN_MAX + 2];

		memset(big, 'a', CB_BEARER_TOKEN_MAX);
		big[CB_BEARER_TOKEN_MAX] = '\0';
		write_file(tmp_path("big.token"), big, 0600);
		CHECK_LOADS(fmt(CALL "bearer-token-file = %s\n" STREAM TRACK, tmp_path("big.token")));
		CHECK_INT_EQ(strlen(cfg.call.bearer_token), CB_BEARER_TOKEN_MAX);
		big[CB_BEARER_TOKEN_MAX] = 'a';
		write_file(tmp_path("big.token"), big, 0600);
		CHECK_FAILS(fmt(CALL "bearer-token-file = %s\n" STREAM TRACK, tmp_path("big.token")),
			    "t.ini:4: bearer-token-file: ");
		CHECK_STR_CONTAINS(find_error("bearer"), "must hold one line of 1..4096 characters");
	}
	cb_config_clear(&cfg);
}

/* Tokens are secrets: cb_config_clear, a failed load and cb_config_move
 * leave none of their bytes behind. */
static void test_tokens_wiped(void)
{
	static struct cb_config moved;
	const char *text;

	write_file(tmp_path("call.token"), CALL_TOKEN "\n", 0600);
	write_file(tmp_path("stream.token"), STREAM_TOKEN "\n", 0600);
	write_file(tmp_path("remote.token"), REMOTE_TOKEN "\n", 0600);
	text = fmt(CALL "bearer-token-file = %s\n" STREAM "bearer-token-file = %s\n" TRACK
		   "[remote r]\nwhep = " WHEP "\nbearer-token-file = %s\n",
		   tmp_path("call.token"), tmp_path("stream.token"), tmp_path("remote.token"));
	CHECK_LOADS(text);
	CHECK_STR_EQ(cfg.call.bearer_token, CALL_TOKEN);
	CHECK_STR_EQ(cfg.stream_tokens[0], STREAM_TOKEN);
	CHECK_STR_EQ(cfg.remote_tokens[0], REMOTE_TOKEN);
	cb_config_clear(&cfg);
	CHECK(all_zero(cfg.call.bearer_token, sizeof(cfg.call.bearer_token)));
	CHECK(all_zero(cfg.stream_tokens, sizeof(cfg.stream_tokens)));
	CHECK(all_zero(cfg.remote_tokens, sizeof(cfg.remote_tokens)));
	CHECK(all_zero(&cfg, sizeof(cfg)));

	/* A load that fails after the tokens were read wipes them too. */
	CHECK_FAILS(fmt("%s[track stray]\n", text), "t.ini:13: [track stray] has no stream key");
	CHECK(all_zero(&cfg, sizeof(cfg)));

	CHECK_LOADS(text);
	cb_config_move(&moved, &cfg);
	CHECK(all_zero(&cfg, sizeof(cfg)));
	CHECK_STR_EQ(moved.call.bearer_token, CALL_TOKEN);
	CHECK_STR_EQ(cb_config_stream_token(&moved, 0), STREAM_TOKEN);
	CHECK_STR_EQ(cb_config_remote_token(&moved, 0), REMOTE_TOKEN);
	cb_config_clear(&moved);
	CHECK(all_zero(&moved, sizeof(moved)));
}

static void test_certificate(void)
{
	struct cb_dtls_certificate *a = NULL, *b = NULL;

	CHECK_INT_EQ(cb_dtls_certificate_generate(&a), 0);
	CHECK_INT_EQ(cb_dtls_certificate_generate(&b), 0);

	write_pem(tmp_path("ok.pem"), a, a, false, 0600);
	CHECK_LOADS(fmt(CALL "dtls-certificate-file = %s\n" STREAM TRACK, tmp_path("ok.pem")));
	CHECK_INT_EQ(rep.n_warnings, 0);
	CHECK_STR_EQ(cfg.call.dtls_certificate_file, tmp_path("ok.pem"));

	/* Relative to the working directory for a string, absolute in the config. */
	{
		char cwd[PATH_MAX];

		CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
		CHECK(chdir(tmpdir) == 0);
		CHECK_LOADS(CALL "dtls-certificate-file = ok.pem\n" STREAM TRACK);
		CHECK_STR_EQ(cfg.call.dtls_certificate_file, tmp_path("ok.pem"));
		CHECK(chdir(cwd) == 0);
	}

	write_pem(tmp_path("open.pem"), a, a, false, 0644);
	CHECK_LOADS(fmt(CALL "dtls-certificate-file = %s\n" STREAM TRACK, tmp_path("open.pem")));
	CHECK_STR_CONTAINS(find_warning("chmod"),
			   fmt("t.ini:4: dtls-certificate-file: %s holds a private key and is "
			       "readable by other users; chmod 600 it", tmp_path("open.pem")));

	CHECK_FAILS(CALL "dtls-certificate-file = /nonexistent/c.pem\n" STREAM TRACK,
		    "t.ini:4: dtls-certificate-file: cannot read /nonexistent/c.pem: "
		    "No such file or directory");
	CHECK_FAILS(CALL "dtls-certificate-file =\n" STREAM TRACK,
		    "t.ini:4: dtls-certificate-file: empty path");
	CHECK_FAILS(fmt(CALL "dtls-certificate-file = %s\n" STREAM TRACK, tmpdir),
		    fmt("t.ini:4: dtls-certificate-file: cannot read %s: not a regular file", tmpdir));
	write_file(tmp_path("junk.pem"), "not a certificate\n", 0600);
	CHECK_FAILS(fmt(CALL "dtls-certificate-file = %s\n" STREAM TRACK, tmp_path("junk.pem")),
		    fmt("t.ini:4: dtls-certificate-file: %s: needs a PEM certificate and its "
			"private key", tmp_path("junk.pem")));
	write_pem(tmp_path("cert-only.pem"), a, NULL, false, 0600);
	CHECK_FAILS(fmt(CALL "dtls-certificate-file = %s\n" STREAM TRACK, tmp_path("cert-only.pem")),
		    fmt("t.ini:4: dtls-certificate-file: %s: needs a PEM certificate and its "
			"private key", tmp_path("cert-only.pem")));
	write_pem(tmp_path("key-only.pem"), NULL, a, false, 0600);
	CHECK_FAILS(fmt(CALL "dtls-certificate-file = %s\n" STREAM TRACK, tmp_path("key-only.pem")),
		    "t.ini:4: dtls-certificate-file: ");
	write_pem(tmp_path("mismatch.pem"), a, b, false, 0600);
	CHECK_FAILS(fmt(CALL "dtls-certificate-file = %s\n" STREAM TRACK, tmp_path("mismatch.pem")),
		    fmt("t.ini:4: dtls-certificate-file: %s: the private key does not match the "
			"certificate", tmp_path("mismatch.pem")));
	/* An encrypted key would have OpenSSL ask for a passphrase. */
	write_pem(tmp_path("encrypted.pem"), a, a, true, 0600);
	CHECK_FAILS(fmt(CALL "dtls-certificate-file = %s\n" STREAM TRACK, tmp_path("encrypted.pem")),
		    fmt("t.ini:4: dtls-certificate-file: %s: the private key is encrypted",
			tmp_path("encrypted.pem")));
	{
		static char big[70 * 1024];

		memset(big, 'x', sizeof(big) - 1);
		write_file(tmp_path("big.pem"), big, 0600);
		CHECK_FAILS(fmt(CALL "dtls-certificate-file = %s\n" STREAM TRACK, tmp_path("big.pem")),
			    fmt("t.ini:4: dtls-certificate-file: %s is larger than 64 KiB",
				tmp_path("big.pem")));
	}

	cb_dtls_certificate_free(a);
	cb_dtls_certificate_free(b);
	cb_config_clear(&cfg);
}

/* The key table: the new keys, and what a reload does with them. */
static void test_table(void)
{
	static const struct { const char *section, *key; enum cb_reload reload; } rows[] = {
		{ "call", "transport", CB_RELOAD_FIXED },
		{ "call", "bearer-token-file", CB_RELOAD_FIXED },
		{ "call", "dtls-certificate-file", CB_RELOAD_FIXED },
		{ "stream", "whip", CB_RELOAD_RECREATE },
		{ "stream", "bearer-token-file", CB_RELOAD_RECREATE },
		{ "remote", "whep", CB_RELOAD_RECREATE },
		{ "remote", "bearer-token-file", CB_RELOAD_RECREATE },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct cb_key_info *k = NULL;

		for (size_t j = 0; j < cb_config_n_keys; j++)
			if (strcmp(cb_config_keys[j].section, rows[i].section) == 0 &&
			    strcmp(cb_config_keys[j].key, rows[i].key) == 0)
				k = &cb_config_keys[j];
		CHECK(k != NULL);
		if (!k)
			continue;
		CHECK_INT_EQ(k->reload, rows[i].reload);
		CHECK(k->def == NULL || strcmp(rows[i].key, "transport") == 0);
	}
}

static void cleanup(void)
{
	static const char *const files[] = {
		"show/show.token", "show/program.token", "show/guest.token", "show/show.ini",
		"show/show.pem", "k.key", "u.token", "u.pem", "open.token", "empty.token",
		"two.token", "space.token", "big.token", "call.token", "stream.token",
		"remote.token", "ok.pem", "open.pem", "junk.pem", "cert-only.pem", "key-only.pem",
		"mismatch.pem", "encrypted.pem", "big.pem",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(tmp_path(files[i]));
	rmdir(tmp_path("show"));
	rmdir(tmpdir);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_table();
	test_valid();
	test_minimal_and_defaults();
	test_forbidden_keys();
	test_required();
	test_urls();
	test_other_transports();
	test_token_files();
	test_tokens_wiped();
	test_certificate();
	cleanup();
	return test_finish("test-webrtc-config");
}
