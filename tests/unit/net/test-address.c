/* Addresses as users write them and as sockets use them (net/address.h):
 * parsing with its messages, lists, formatting both ways, port steps. */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "net/address.h"
#include "test.h"

static void test_parse(void)
{
	struct cb_address a;
	char err[256], text[64];

	CHECK(cb_address_parse("127.0.0.1:5004", 1, &a, err, sizeof(err)));
	CHECK(a.set);
	CHECK_STR_EQ(a.text, "127.0.0.1:5004");
	cb_address_format(&a, text, sizeof(text));
	CHECK_STR_EQ(text, "127.0.0.1:5004");

	CHECK(cb_address_parse("[::1]:6000", 1, &a, err, sizeof(err)));
	cb_address_format(&a, text, sizeof(text));
	CHECK_STR_EQ(text, "[::1]:6000");

	CHECK(!cb_address_parse("127.0.0.1", 1, &a, err, sizeof(err)));
	CHECK_STR_CONTAINS(err, "has no port");
	CHECK(!cb_address_parse("::1:5", 1, &a, err, sizeof(err)));
	CHECK_STR_CONTAINS(err, "in brackets");
	CHECK(!cb_address_parse("127.0.0.1:0", 1, &a, err, sizeof(err)));
	CHECK_STR_CONTAINS(err, "out of range (1..65535)");
	CHECK(cb_address_parse("127.0.0.1:0", 0, &a, err, sizeof(err)));
	CHECK(!cb_address_parse("127.0.0.1:x", 0, &a, err, sizeof(err)));
	CHECK_STR_CONTAINS(err, "is not a number");
}

static void test_list_and_ports(void)
{
	struct cb_address list[3];
	uint32_t n = 99;
	char err[256], text[64];
	struct sockaddr_in6 ll = { .sin6_family = AF_INET6, .sin6_port = htons(9) };

	CHECK(cb_address_parse_list("", list, 3, &n, err, sizeof(err)));
	CHECK_INT_EQ(n, 0);
	CHECK(cb_address_parse_list("127.0.0.1:1, [::1]:2", list, 3, &n, err, sizeof(err)));
	CHECK_INT_EQ(n, 2);
	CHECK(!cb_address_parse_list("127.0.0.1:1,,127.0.0.1:2", list, 3, &n, err, sizeof(err)));
	CHECK_STR_CONTAINS(err, "empty entry");
	CHECK(!cb_address_parse_list("1.1.1.1:1,1.1.1.1:2,1.1.1.1:3,1.1.1.1:4", list, 3, &n, err,
				     sizeof(err)));
	CHECK_STR_CONTAINS(err, "too many");

	/* The list failed above after filling its first entries, so the
	 * address to move is set here rather than taken from the list. */
	CHECK(cb_address_parse("127.0.0.1:1", 1, &list[0], err, sizeof(err)));
	CHECK_INT_EQ(cb_address_add_port(&list[0], 4), 0);
	CHECK_STR_EQ(list[0].text, "127.0.0.1:5");
	CHECK_INT_EQ(cb_address_add_port(&list[0], 70000), -ERANGE);

	/* A link-local address keeps its zone so it can be pasted back. */
	inet_pton(AF_INET6, "fe80::1", &ll.sin6_addr);
	ll.sin6_scope_id = 1;
	cb_address_format_sockaddr((struct sockaddr *)&ll, text, sizeof(text));
	CHECK_STR_CONTAINS(text, "[fe80::1%");
	CHECK_STR_CONTAINS(text, "]:9");
}

int main(void)
{
	test_parse();
	test_list_and_ports();
	return test_finish("test-address");
}
