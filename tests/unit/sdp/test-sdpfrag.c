/* Trickle ICE fragments (sdp/sdpfrag.h): written and read back, as RFC
 * 8840's example and WHIP servers send them, and strictness. */
#include <errno.h>

#include "sdp/sdpfrag.h"
#include "test.h"

int main(void)
{
	struct cb_sdpfrag f, g;
	char buf[4096], err[256];
	const char *example =
		"a=ice-ufrag:EsAw\r\n"
		"a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"
		"a=ice-options:trickle\r\n"
		"m=audio 9 RTP/AVP 0\r\n"
		"a=mid:0\r\n"
		"a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0\r\n"
		"a=candidate:3471623853 1 udp 2122194687 198.51.100.2 61765 typ host\r\n"
		"a=end-of-candidates\r\n";
	int n;

	CHECK_INT_EQ(cb_sdpfrag_parse(example, strlen(example), &f, err, sizeof(err)), 0);
	CHECK_STR_EQ(f.ufrag, "EsAw");
	CHECK_STR_EQ(f.pwd, "P2uYro0UCOQ4zxjKXaWCBui1");
	CHECK_STR_EQ(f.mid, "0");
	CHECK_INT_EQ(f.n_candidates, 2);
	CHECK_STR_EQ(f.candidates[1], "candidate:3471623853 1 udp 2122194687 198.51.100.2 61765 typ host");
	CHECK(f.end_of_candidates);

	n = cb_sdpfrag_write(&f, buf, sizeof(buf));
	CHECK(n > 0);
	CHECK_INT_EQ(cb_sdpfrag_parse(buf, (size_t)n, &g, err, sizeof(err)), 0);
	CHECK(memcmp(&f, &g, sizeof(f)) == 0);
	CHECK_INT_EQ(cb_sdpfrag_write(&f, buf, 40), -ENOSPC);

	/* Bare LF, credentials only (an ICE restart). */
	CHECK_INT_EQ(cb_sdpfrag_parse("a=ice-ufrag:abcd\na=ice-pwd:abcdefghijklmnopqrstuv\n", 46,
				      &f, err, sizeof(err)), 0);
	CHECK_INT_EQ(f.n_candidates, 0);
	CHECK_STR_EQ(f.mid, "");

	const char *bad[] = {
		"v=0\r\n",
		"a=ice-ufrag:ab cd\r\n",
		"a=ice-ufrag:\r\n",
		"a=candidate:1 1 udp 1 1.2.3.4 5 typ host\r\n",	/* outside a media section */
		"m=audio 9 RTP/AVP 0\r\na=candidate:1 1 udp 1 1.2.3.4 5 typ host\r\n",	/* no mid */
		"m=audio 9 RTP/AVP 0\r\na=mid:0\r\nm=audio 9 RTP/AVP 0\r\n",
		"m=audio x RTP/AVP 0\r\n",
		"m=audio 70000 RTP/AVP 0\r\n",
		"a=mid:0\r\n",
		"a=ice-pwd:ok\r\n\r\na=mid:0\r\n",
		"a=ice-pwd:x\x01y\r\n",
		"garbage\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (cb_sdpfrag_parse(bad[i], strlen(bad[i]), &f, err, sizeof(err)) != -EINVAL) {
			fprintf(stderr, "accepted: %s\n", bad[i]);
			CHECK(false);
		}
		CHECK_STR_CONTAINS(err, "line ");
	}
	CHECK_INT_EQ(cb_sdpfrag_parse("a=mid\0:0", 8, &f, err, sizeof(err)), -EINVAL);
	return test_finish("test-sdpfrag");
}
