/* The [ice] section: every key stored, every error named FILE:LINE with its
 * key, credentials never quoted, the TURN password file, and the
 * remote-candidates list parser. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "config/config.h"
#include "net/address.h"
#include "sdp/sdp-ice.h"
#include "test.h"
#include "config-test.h"

#define UFRAG_A "abcd"
#define PWD_A "abcdefghijklmnopqrstuv"
#define UFRAG_B "wxyz"
#define PWD_B "0123456789+/0123456789"
#define CALL "[call]\nname = demo\ntransport = ice\nlocal = 127.0.0.1:5000\n"
/* Lines 5..10 */
#define ICE_MIN "[ice]\nrole = controlled\nufrag = " UFRAG_A "\npwd = " PWD_A \
	"\nremote-ufrag = " UFRAG_B "\nremote-pwd = " PWD_B "\n"

static char tmpdir[] = "/tmp/callbridge-test-ice-XXXXXX";


#define CHECK_LOADS(text) do { \
	int _r = load(text); \
	CHECK_INT_EQ(_r, 0); \
	if (_r) dump_report(); \
} while (0)

#define CHECK_FAILS(text, needle) do { \
	CHECK_INT_EQ(load(text), -EINVAL); \
	CHECK_STR_CONTAINS(find_error(needle), needle); \
} while (0)

static const char *tmp_path(const char *name)
{
	static char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	fchmod(fd, mode);
	close(fd);
}

static void test_minimal(void)
{
	CHECK_LOADS(CALL ICE_MIN);
	CHECK_INT_EQ(cfg.call.transport, CB_TRANSPORT_ICE);
	CHECK(cfg.ice.present);
	CHECK_INT_EQ(cfg.ice.role, CB_ICE_ROLE_CONTROLLED);
	CHECK_INT_EQ(strcmp(cfg.ice.ufrag, UFRAG_A), 0);
	CHECK_INT_EQ(strcmp(cfg.ice.pwd, PWD_A), 0);
	CHECK_INT_EQ(strcmp(cfg.ice.remote_ufrag, UFRAG_B), 0);
	CHECK_INT_EQ(strcmp(cfg.ice.remote_pwd, PWD_B), 0);
	CHECK_INT_EQ(cfg.ice.n_remote_candidates, 0);
	CHECK_INT_EQ(cfg.ice.policy, CB_ICE_POLICY_ALL);
	CHECK_INT_EQ(cfg.ice.turn_transport, CB_TURN_UDP);
	CHECK(!cfg.ice.stun_server.set && !cfg.ice.turn_server.set);
	cb_config_clear(&cfg);
}

static void test_every_key(void)
{
	char text[8192];

	write_file(tmp_path("turn.pass"), "  s3cret-pass \n", 0600);
	snprintf(text, sizeof(text), "[call]\nname = demo\ntransport = ice\n"
		 "[ice]\nrole = controlling\nufrag = " UFRAG_A "\npwd = " PWD_A "\n"
		 "remote-ufrag = " UFRAG_B "\nremote-pwd = " PWD_B "\n"
		 "remote-candidates = 192.0.2.7:5000, [2001:db8::7]:5002 ,localhost:7\n"
		 "stun-server = 127.0.0.1:3478\nturn-server = [::1]:3479\n"
		 "turn-transport = tls\nturn-username = alice\n"
		 "turn-password-file = %s\npolicy = relay\n", tmp_path("turn.pass"));
	CHECK_LOADS(text);
	CHECK_INT_EQ(rep.n_warnings, 0);
	if (cfg.ice.turn_server.set) {
		CHECK_INT_EQ(cfg.ice.n_remote_candidates, 3);
		CHECK_INT_EQ(cfg.ice.remote_candidates[0].addr.ss_family, AF_INET);
		CHECK_INT_EQ(port_of(&cfg.ice.remote_candidates[0]), 5000);
		CHECK_INT_EQ(cfg.ice.remote_candidates[1].addr.ss_family, AF_INET6);
		CHECK_INT_EQ(port_of(&cfg.ice.remote_candidates[1]), 5002);
		CHECK_INT_EQ(port_of(&cfg.ice.remote_candidates[2]), 7);
		CHECK_INT_EQ(port_of(&cfg.ice.stun_server), 3478);
		CHECK_INT_EQ(port_of(&cfg.ice.turn_server), 3479);
		CHECK_INT_EQ(cfg.ice.turn_transport, CB_TURN_TLS);
		CHECK_INT_EQ(cfg.ice.policy, CB_ICE_POLICY_RELAY);
		CHECK_INT_EQ(strcmp(cfg.ice.turn_username, "alice"), 0);
		CHECK_INT_EQ(strcmp(cfg.ice.turn_password, "s3cret-pass"), 0);
	}
	cb_config_clear(&cfg);
	CHECK_LOADS("[call]\nname = demo\ntransport = ice\n"
		    "[ice]\nufrag = " UFRAG_A "\npwd = " PWD_A "\n"
		    "remote-ufrag = " UFRAG_B "\nremote-pwd = " PWD_B "\n"
		    "remote-candidates = 127.0.0.1:5000\nturn-server = 127.0.0.1:3478\n"
		    "turn-transport = tcp\nturn-username = bob\nturn-password = pw\n");
	CHECK_INT_EQ(cfg.ice.role, CB_ICE_ROLE_CONTROLLING);
	CHECK_INT_EQ(cfg.ice.turn_transport, CB_TURN_TCP);
	CHECK_INT_EQ(strcmp(cfg.ice.turn_password, "pw"), 0);
	cb_config_clear(&cfg);
}

static void test_errors(void)
{
	/* Credentials: missing, short, bad characters; never quoted. */
	CHECK_FAILS(CALL, "t.ini:3: transport = ice needs an [ice] section");
	CHECK_FAILS(CALL "[ice]\nrole = controlled\n", "t.ini:5: [ice] has no ufrag");
	CHECK_FAILS(CALL "[ice]\nrole = controlled\n", "t.ini:5: [ice] has no remote-pwd");
	CHECK_FAILS(CALL ICE_MIN "ufrag = abc\n", "t.ini:11: duplicate key 'ufrag' in [ice]");
	CHECK_FAILS(CALL "[ice]\nrole = controlled\nufrag = abc\npwd = " PWD_A "\n"
		    "remote-ufrag = " UFRAG_B "\nremote-pwd = " PWD_B "\n",
		    "t.ini:7: ufrag: must be 4..256 characters long, not 3");
	CHECK_FAILS(CALL "[ice]\nrole = controlled\nufrag = " UFRAG_A "\npwd = tooshort0123456789012\n"
		    "remote-ufrag = " UFRAG_B "\nremote-pwd = " PWD_B "\n",
		    "t.ini:8: pwd: must be 22..256 characters long, not 21");
	CHECK(strstr(find_error("pwd"), "tooshort") == NULL);
	CHECK_FAILS(CALL "[ice]\nrole = controlled\nufrag = " UFRAG_A "\npwd = " PWD_A "\n"
		    "remote-ufrag = wx-z\nremote-pwd = " PWD_B "\n",
		    "t.ini:9: remote-ufrag: only letters, digits, '+' and '/' are allowed");
	CHECK_FAILS(CALL "[ice]\nrole = controlled\nufrag = " UFRAG_A "\npwd = " PWD_A "\n"
		    "remote-ufrag = " UFRAG_B "\nremote-pwd = short\n",
		    "t.ini:10: remote-pwd: must be 22..256 characters long, not 5");
	/* Role, policy, transport enums. */
	CHECK_FAILS(CALL ICE_MIN "policy = direct\n", "t.ini:11: policy: 'direct' is not one of all, relay");
	CHECK_FAILS(CALL "[ice]\nrole = boss\n", "t.ini:6: role: 'boss' is not one of controlling, controlled");
	CHECK_FAILS(CALL ICE_MIN "turn-transport = sctp\n",
		    "t.ini:11: turn-transport: 'sctp' is not one of udp, tcp, tls");
	/* The controlling side must know where the other side is. */
	CHECK_FAILS(CALL "[ice]\nrole = controlling\nufrag = " UFRAG_A "\npwd = " PWD_A "\n"
		    "remote-ufrag = " UFRAG_B "\nremote-pwd = " PWD_B "\n",
		    "t.ini:5: remote-candidates: the controlling side must know");
	/* Candidate lists. */
	CHECK_FAILS(CALL ICE_MIN "remote-candidates = 127.0.0.1\n",
		    "t.ini:11: remote-candidates: '127.0.0.1' has no port");
	CHECK_FAILS(CALL ICE_MIN "remote-candidates = 127.0.0.1:5000,,127.0.0.1:5002\n",
		    "t.ini:11: remote-candidates: empty entry");
	CHECK_FAILS(CALL ICE_MIN "remote-candidates = 2001:db8::1:5000\n",
		    "t.ini:11: remote-candidates: '2001:db8::1:5000': write IPv6 addresses in brackets");
	CHECK_FAILS(CALL ICE_MIN "remote-candidates = 127.0.0.1:0\n",
		    "t.ini:11: remote-candidates: '127.0.0.1:0': port 0 is out of range");
	CHECK_FAILS(CALL ICE_MIN "remote-candidates = no-such-host.invalid:5000\n",
		    "t.ini:11: remote-candidates: cannot resolve 'no-such-host.invalid'");
	CHECK_FAILS(CALL ICE_MIN "remote-candidates = 1.1.1.1:1, 1.1.1.1:2, 1.1.1.1:3, 1.1.1.1:4, "
		    "1.1.1.1:5, 1.1.1.1:6, 1.1.1.1:7, 1.1.1.1:8, 1.1.1.1:9\n",
		    "t.ini:11: remote-candidates: too many candidates (at most 8)");
	/* Servers: resolved at load time. */
	CHECK_FAILS(CALL ICE_MIN "stun-server = stun.invalid:3478\n",
		    "t.ini:11: stun-server: cannot resolve 'stun.invalid'");
	CHECK_FAILS(CALL ICE_MIN "turn-server = turn.invalid:3478\nturn-username = a\nturn-password = b\n",
		    "t.ini:11: turn-server: cannot resolve 'turn.invalid'");
	CHECK_FAILS(CALL ICE_MIN "turn-server = 127.0.0.1:3478\n",
		    "t.ini:11: turn-server: set turn-username as well");
	CHECK_FAILS(CALL ICE_MIN "turn-server = 127.0.0.1:3478\nturn-username = a\n",
		    "t.ini:11: turn-server: set turn-password or turn-password-file as well");
	CHECK_FAILS(CALL ICE_MIN "turn-username = a\n", "t.ini:11: turn-username is set but there is no turn-server");
	CHECK_FAILS(CALL ICE_MIN "policy = relay\n", "t.ini:11: policy = relay needs a turn-server");
	CHECK_FAILS(CALL ICE_MIN "turn-server = 127.0.0.1:3478\nturn-username = a\n"
		    "turn-password = b\nturn-password-file = x\n",
		    "t.ini:14: turn-password-file: turn-password is already set (line 13)");
	CHECK_FAILS(CALL ICE_MIN "turn-server = 127.0.0.1:3478\nturn-username = a\n"
		    "turn-password-file = /nonexistent/turn.pass\n",
		    "t.ini:13: turn-password-file: cannot read /nonexistent/turn.pass");
	/* Addresses of the udp transport have no place here. */
	CHECK_FAILS("[call]\nname = demo\ntransport = ice\nremote = 127.0.0.1:5000\n" ICE_MIN,
		    "t.ini:4: remote: with transport = ice");
	CHECK_FAILS(CALL ICE_MIN "[stream s]\nremote = 127.0.0.1:6000\n",
		    "t.ini:12: [stream s]: remote cannot be used with transport = ice");
	CHECK_FAILS(CALL "[ice x]\n", "t.ini:5: [ice x]: the [ice] section takes no name");
	CHECK_FAILS(CALL ICE_MIN "[ice]\n", "t.ini:11: duplicate section [ice] (first at line 5)");
	CHECK_FAILS(CALL ICE_MIN "bitrate = 5\n", "t.ini:11: unknown key 'bitrate' in [ice]");
}

static void test_warnings(void)
{
	char want[PATH_MAX + 64];

	/* A password file others can read works, with a warning. */
	write_file(tmp_path("open.pass"), "pw\n", 0644);
	{
		char text[8192];
		snprintf(text, sizeof(text), CALL ICE_MIN "turn-server = 127.0.0.1:3478\n"
			 "turn-username = a\nturn-password-file = %s\n", tmp_path("open.pass"));
		CHECK_LOADS(text);
		CHECK_INT_EQ(rep.n_warnings, 1);
		snprintf(want, sizeof(want), "t.ini:13: turn-password-file: %s is readable by other users",
			 tmp_path("open.pass"));
		CHECK_STR_CONTAINS(rep.warnings[0], want);
		CHECK_INT_EQ(strcmp(cfg.ice.turn_password, "pw"), 0);
		cb_config_clear(&cfg);
	}
	/* [ice] with transport = udp is ignored, with a warning. */
	CHECK_LOADS("[call]\nname = demo\nremote = 127.0.0.1:5000\n" ICE_MIN);
	CHECK_INT_EQ(rep.n_warnings, 1);
	CHECK_STR_CONTAINS(rep.warnings[0], "t.ini:4: [ice] is ignored: transport is not ice");
	cb_config_clear(&cfg);
}

static void test_candidate_parser(void)
{
	struct cb_address a[CB_ICE_MAX_CANDIDATES];
	char err[256], text[64];
	uint32_t n = 99;

	CHECK(cb_address_parse_list("", a, CB_ICE_MAX_CANDIDATES, &n, err, sizeof(err)));
	CHECK_INT_EQ(n, 0);
	CHECK(cb_address_parse_list("  ", a, CB_ICE_MAX_CANDIDATES, &n, err, sizeof(err)));
	CHECK_INT_EQ(n, 0);
	CHECK(cb_address_parse_list("10.1.2.3:40000,[::1]:9", a, CB_ICE_MAX_CANDIDATES, &n,
				      err, sizeof(err)));
	CHECK_INT_EQ(n, 2);
	cb_address_format_sockaddr((struct sockaddr *)&a[0].addr, text, sizeof(text));
	CHECK_INT_EQ(strcmp(text, "10.1.2.3:40000"), 0);
	cb_address_format_sockaddr((struct sockaddr *)&a[1].addr, text, sizeof(text));
	CHECK_INT_EQ(strcmp(text, "[::1]:9"), 0);
	/* What --print-ice prints parses back to the same addresses. */
	CHECK(cb_address_parse_list("10.1.2.3:40000, [::1]:9", a, 1, &n, err, sizeof(err)) == false);
	CHECK_STR_CONTAINS(err, "too many candidates (at most 1)");
	CHECK(!cb_address_parse_list("[::1:9", a, 8, &n, err, sizeof(err)));
	CHECK_STR_CONTAINS(err, "is not [ADDRESS]:PORT");
	CHECK(!cb_address_parse_list("1.2.3.4:x", a, 8, &n, err, sizeof(err)));
	CHECK_STR_CONTAINS(err, "port 'x' is not a number");
	CHECK(!cb_address_parse_list("1.2.3.4:5,", a, 8, &n, err, sizeof(err)));
	CHECK_STR_CONTAINS(err, "empty entry");

	CHECK(cb_ice_chars_valid("ab+/09Z"));
	CHECK(!cb_ice_chars_valid(""));
	CHECK(!cb_ice_chars_valid("ab=c"));
	CHECK(!cb_ice_chars_valid("ab c"));
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_minimal();
	test_every_key();
	test_errors();
	test_warnings();
	test_candidate_parser();
	unlink(tmp_path("turn.pass"));
	unlink(tmp_path("open.pass"));
	rmdir(tmpdir);
	return test_finish("test-ice-config");
}
