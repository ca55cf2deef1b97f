/* The Link header of a WHIP/WHEP answer (whip/link-header.h): servers as
 * RFC 9725 section 4.6 writes them, as real servers vary them (case,
 * spacing, several headers joined), and what must be refused whole. */
#include <errno.h>

#include "whip/link-header.h"
#include "test.h"

static int parse(const char *v, struct cb_ice_servers *s, char *err, size_t len)
{
	memset(s, 0, sizeof(*s));
	return cb_link_header_parse(v, s, err, len);
}

int main(void)
{
	struct cb_ice_servers s;
	char err[256];

	CHECK_INT_EQ(parse("<stun:stun.example.net>; rel=\"ice-server\", "
			   "<turn:turn.example.net?transport=udp>; rel=\"ice-server\"; "
			   "username=\"user\"; credential=\"my\\\"Password\"; "
			   "credential-type=\"password\"", &s, err, sizeof(err)), 0);
	CHECK_INT_EQ(s.n, 2);
	CHECK_INT_EQ(s.servers[0].kind, CB_ICE_SERVER_STUN);
	CHECK_STR_EQ(s.servers[0].host, "stun.example.net");
	CHECK_INT_EQ(s.servers[0].port, 3478);
	CHECK_INT_EQ(s.servers[1].kind, CB_ICE_SERVER_TURN);
	CHECK(!s.servers[1].tcp);
	CHECK_STR_EQ(s.servers[1].username, "user");
	CHECK_STR_EQ(s.servers[1].credential, "my\"Password");

	/* Case, tokens instead of quotes, ports, IPv6, TLS, other rels. */
	CHECK_INT_EQ(parse("<TURNS:[2001:db8::1]:443?transport=tcp>;REL=ice-server;"
			   "username=u;credential=c , <https://x/y>; rel=\"alternate\", "
			   "<stun:10.0.0.1:19302>;rel=ice-server", &s, err, sizeof(err)), 0);
	CHECK_INT_EQ(s.n, 2);
	CHECK_INT_EQ(s.skipped, 1);
	CHECK_INT_EQ(s.servers[0].kind, CB_ICE_SERVER_TURNS);
	CHECK_STR_EQ(s.servers[0].host, "2001:db8::1");
	CHECK_INT_EQ(s.servers[0].port, 443);
	CHECK(s.servers[0].tcp);
	CHECK_INT_EQ(s.servers[1].port, 19302);
	CHECK_INT_EQ(parse("<turns:t.example>; rel=ice-server; username=a; credential=b",
			   &s, err, sizeof(err)), 0);
	CHECK_INT_EQ(s.servers[0].port, 5349);

	/* Refused whole, with a reason. */
	const char *bad[] = {
		"<stun:x",					/* unterminated */
		"stun:x; rel=ice-server",			/* no <> */
		"<turn:t>; rel=ice-server",			/* TURN without credentials */
		"<stun:x>; rel=\"ice-server",			/* open quote */
		"<stun:x:99999>; rel=ice-server",		/* port */
		"<stun:x:>; rel=ice-server",
		"<stun:2001:db8::1>; rel=ice-server",		/* IPv6 without brackets */
		"<stun:[2001:db8::1>; rel=ice-server",
		"<stun:x?transport=udp>; rel=ice-server",	/* stun takes no query */
		"<turn:t?transport=sctp>; rel=ice-server; username=a; credential=b",
		"<http://x>; rel=ice-server",			/* not an ICE URI */
		"<stun:x>; rel=ice-server; credential-type=oauth",
		"<stun:x>; rel=ice-server junk",
		"<stun:x>; =v",
		"<stun:x> rel=ice-server",
		"<stun:>; rel=ice-server",
		"<stun:a b>; rel=ice-server",
		"<stun:x>; rel=\"ice\x01server\"",
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (parse(bad[i], &s, err, sizeof(err)) != -EINVAL) {
			fprintf(stderr, "accepted: %s\n", bad[i]);
			CHECK(false);
		}
		CHECK_STR_CONTAINS(err, "Link header: ");
	}
	/* More servers than fit. */
	char many[4096] = "";
	for (int i = 0; i < CB_ICE_SERVERS_MAX + 1; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "%s<stun:s%d>; rel=ice-server",
			 i ? ", " : "", i);
	CHECK_INT_EQ(parse(many, &s, err, sizeof(err)), -EINVAL);
	CHECK_STR_CONTAINS(err, "too many");
	return test_finish("test-link-header");
}
