/* A resolved socket address plus the text the user wrote, for messages;
 * the one address type every folder above this one uses. */
#ifndef CALLBRIDGE_NET_ADDRESS_H
#define CALLBRIDGE_NET_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>	/* INET6_ADDRSTRLEN */

#define CB_ADDR_STR_MAX    (INET6_ADDRSTRLEN + 16)

struct cb_address {
	bool set;
	struct sockaddr_storage addr;
	socklen_t len;
	char text[CB_ADDR_STR_MAX];
};

/* Parses and resolves HOST:PORT or [V6]:PORT with the port in
 * min_port..65535; on failure a message (without the key name) in err. */
bool cb_address_parse(const char *text, int min_port, struct cb_address *a,
		      char *err, size_t err_len);

/* Parses "HOST:PORT, [V6]:PORT, ..." (empty is an empty list), resolving
 * each entry.  On failure writes a message naming the bad entry to err. */
bool cb_address_parse_list(const char *text, struct cb_address *out, uint32_t max,
			   uint32_t *n_out, char *err, size_t err_len);

/* "1.2.3.4:5" or "[::1]:5", "(none)" for an unset family. */
void cb_address_format(const struct cb_address *a, char *out, size_t len);
/* The same for a bare sockaddr, keeping an IPv6 zone ("[fe80::1%eth0]:5")
 * so the text can be pasted back into a file. */
void cb_address_format_sockaddr(const struct sockaddr *sa, char *out, size_t len);

/* Moves the port up by delta (and refreshes the text); -ERANGE past 65535. */
int cb_address_add_port(struct cb_address *a, uint32_t delta);

#endif
