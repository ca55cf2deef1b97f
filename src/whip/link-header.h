/* The Link header a WHIP or WHEP server sends with its answer (RFC 9725
 * section 4.6, RFC 8288): the STUN and TURN servers the client should use,
 * with their credentials.
 *
 *   Link: <stun:stun.example.net>; rel="ice-server",
 *         <turn:turn.example.net?transport=udp>; rel="ice-server";
 *         username="user"; credential="pass"; credential-type="password"
 *
 * Strict and bounded: a header that does not parse is reported as a whole
 * (the session fails with the reason) rather than half used; links with
 * another rel are skipped. */
#ifndef CALLBRIDGE_LINK_HEADER_H
#define CALLBRIDGE_LINK_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CB_ICE_SERVERS_MAX 8
#define CB_LINK_TEXT_MAX 256

enum cb_ice_server_kind {
	CB_ICE_SERVER_STUN,
	CB_ICE_SERVER_TURN,		/* turn: */
	CB_ICE_SERVER_TURNS,		/* turns: (TLS) */
};

struct cb_ice_server {
	enum cb_ice_server_kind kind;
	char host[CB_LINK_TEXT_MAX];	/* brackets removed from an IPv6 literal */
	uint16_t port;			/* 3478, or 5349 for turns, when not given */
	bool tcp;			/* ?transport=tcp */
	char username[CB_LINK_TEXT_MAX];
	char credential[CB_LINK_TEXT_MAX];	/* secret */
};

struct cb_ice_servers {
	uint32_t n;
	struct cb_ice_server servers[CB_ICE_SERVERS_MAX];
	uint32_t skipped;		/* links with another rel */
};

/* Parses one header value (several links, comma-separated; several Link
 * headers may be joined with ", " first).  Appends to out; -EINVAL with a
 * reason in err for anything malformed. */
int cb_link_header_parse(const char *value, struct cb_ice_servers *out, char *err,
			 size_t err_len);

#endif
