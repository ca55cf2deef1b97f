/* What `pw-callbridge status` prints when the metadata holds something other
 * than what a bridge wrote: JSON values are re-encoded strictly, text never
 * carries a control character, and a field too long for its buffer is
 * absent rather than garbage. */
#include "tools/status-print.h"
#include "tools/strict-json.h"
#include "json-check.h"
#include "test.h"

static char *value_json(const char *text)
{
	static char buf[4096];
	FILE *out = fmemopen(buf, sizeof(buf), "w");

	cb_json_put_value(out, text);
	fclose(out);
	return buf;
}

#define CHECK_VALUE(in, want) do { \
	const char *_got = value_json(in); \
	CHECK_STR_EQ(_got, want); \
	CHECK(json_check(_got, strlen(_got))); \
} while (0)

static void test_values(void)
{
	char deep[64] = "";

	/* What a bridge writes comes out the same, in compact form. */
	CHECK_VALUE("{ \"level\": 12, \"speaking\": true, \"rtt_ms\": null, \"jitter_ms\": 0.25 }",
		    "{\"level\":12,\"speaking\":true,\"rtt_ms\":null,\"jitter_ms\":0.25}");
	CHECK_VALUE("{ \"state\": \"ice connected\", \"selected_pair\": \"a -> b\" }",
		    "{\"state\":\"ice connected\",\"selected_pair\":\"a -> b\"}");
	/* Control words, bare as pw-metadata writes them, or quoted. */
	CHECK_VALUE("pause", "\"pause\"");
	CHECK_VALUE("\"resume\"", "\"resume\"");
	/* Not one value: the whole text is a string. */
	CHECK_VALUE("{garbage", "\"{garbage\"");
	CHECK_VALUE("hello world", "\"hello world\"");
	CHECK_VALUE("1 2", "\"1 2\"");
	CHECK_VALUE("a]b", "\"a]b\"");
	CHECK_VALUE("\x1b]0;x", "\"\\u001b]0;x\"");
	CHECK_VALUE("{} }", "\"{} }\"");
	CHECK_VALUE(" 7 ", "7");
	CHECK_VALUE("", "\"\"");
	CHECK_VALUE("\"", "\"\\\"\"");
	/* SPA's relaxed forms become strict. */
	CHECK_VALUE("{a=1 b=[1,2,x]}", "{\"a\":1,\"b\":[1,2,\"x\"]}");
	CHECK_VALUE("[true, false, null, nul]", "[true,false,null,\"nul\"]");
	/* Numbers JSON does not have are strings. */
	CHECK_VALUE("-0.5e3", "-0.5e3");
	CHECK_VALUE("0x10", "\"0x10\"");
	CHECK_VALUE("nan", "\"nan\"");
	CHECK_VALUE("01", "\"01\"");
	CHECK_VALUE("1.", "\"1.\"");
	CHECK_VALUE("+1", "\"+1\"");
	/* Escapes are decoded and re-escaped; bad UTF-8 is replaced. */
	CHECK_VALUE("\"caf\\u00e9\"", "\"caf\xc3\xa9\"");
	CHECK_VALUE("\"tab\\there\"", "\"tab\\u0009here\"");
	CHECK_VALUE("\xff\xfe", "\"\\ufffd\\ufffd\"");
	CHECK_VALUE("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");	/* a surrogate */
	CHECK_VALUE("\xc0\xaf", "\"\\ufffd\\ufffd\"");		/* overlong '/' */
	CHECK_VALUE("a\x01", "\"a\\u0001\"");
	/* A key where a value should be, a container where a key should be. */
	CHECK_VALUE("{\"a\"}", "{\"a\":null}");
	CHECK_VALUE("{[1]:2}", "{\"\":2}");
	/* Nesting past the limit is cut off, and what is printed stays valid. */
	for (int i = 0; i < 20; i++)
		strcat(deep, "[");
	for (int i = 0; i < 20; i++)
		strcat(deep, "]");
	CHECK_VALUE(deep, "[[[[[[[[[[[[[[[[null]]]]]]]]]]]]]]]]");
}

static void test_numbers(void)
{
	CHECK(cb_json_is_number("0", 1));
	CHECK(cb_json_is_number("-12.5E+3", 8));
	CHECK(!cb_json_is_number("-", 1));
	CHECK(!cb_json_is_number("1e", 2));
	CHECK(!cb_json_is_number("", 0));
	CHECK(!cb_json_is_number("Infinity", 8));
}

static char *print(int which, const struct spa_dict_item *items, uint32_t n)
{
	static char buf[16384];
	struct spa_dict dict = SPA_DICT_INIT(items, n);
	struct cb_status_call call = { .name = "studio", .keys = &dict };
	FILE *out = fmemopen(buf, sizeof(buf), "w");

	if (which == 0)
		cb_status_print_json(out, &call, 1);
	else if (which == 1)
		cb_status_print_text(out, &call, 1);
	else
		cb_status_print_watch(out, &call, 1, NULL);
	fclose(out);
	return buf;
}

static void test_printers(void)
{
	static const char long_level[] = "{ \"level\": \"12345678901234567890123456789012345\" }";
	const struct spa_dict_item good[] = {
		{ "transport", "{ \"state\": \"udp\", \"local\": \"127.0.0.1:5004\", \"srtp\": \"aes\", \"selected_pair\": null }" },
		{ "track.voice", "{ \"level\": 20, \"speaking\": true, \"paused\": false }" },
		{ "track.voice.control", "pause" },
		{ "stream.main", "{ \"packets\": 50, \"bitrate\": 64000, \"rtt_ms\": 1.5, \"peer_fraction_lost\": 0 }" },
		{ "remote.peer", "{ \"level\": 127, \"voice\": false, \"jitter_ms\": 0.30, \"depth_ms\": 40, \"lost\": 2, \"auth_failures\": 0 }" },
		{ "session.program", "{ \"kind\": \"whip\", \"http_state\": \"active\", \"dtls_state\": \"connected\" }" },
		{ "endpoint", "{ \"url\": \"http://127.0.0.1:8443\", \"encoders\": 1 }" },
		{ "guest.guest.3f2a", "{ \"kind\": \"whip\", \"ice_state\": \"connected\" }" },
		{ "someone.else", "ignored" },
	};
	const struct spa_dict_item hostile[] = {
		{ "transport", "{ \"state\": \"\\u001b]0;owned\\u0007\" }" },
		{ "track.\x1b[31mred", "{ \"level\": 5 }" },
		{ "track.x.control", "\x1b[2Jpause" },
		{ "remote.long", long_level },
		{ "stream.s", "{ \"packets\": \"\xc2\x9b" "31m\" }" },
	};
	char *text;

	text = print(0, good, SPA_N_ELEMENTS(good));
	CHECK(json_check(text, strlen(text)));
	CHECK_STR_CONTAINS(text, "\"metadata\": \"callbridge.studio\"");
	CHECK_STR_CONTAINS(text, "\"voice\": {\"level\":20,\"speaking\":true,\"paused\":false}");
	CHECK_STR_CONTAINS(text, "\"controls\": {\n      \"voice\": \"pause\"");
	CHECK(strstr(text, "ignored") == NULL);
	/* WebRTC sessions, the endpoint and its guests, in the same document. */
	CHECK_STR_CONTAINS(text, "\"endpoint\": {\"url\":\"http://127.0.0.1:8443\",\"encoders\":1}");
	CHECK_STR_CONTAINS(text, "\"sessions\": {\n      \"program\": {\"kind\":\"whip\"");
	CHECK_STR_CONTAINS(text, "\"guests\": {\n      \"guest.3f2a\": {\"kind\":\"whip\"");

	text = print(1, good, SPA_N_ELEMENTS(good));
	CHECK_STR_CONTAINS(text, "  session program      kind=whip http_state=active dtls_state=connected");
	CHECK_STR_CONTAINS(text, "  guest   guest.3f2a   kind=whip ice_state=connected");
	CHECK_STR_CONTAINS(text, "url=http://127.0.0.1:8443 encoders=1");
	CHECK_STR_CONTAINS(text, "call studio (metadata callbridge.studio)");
	CHECK_STR_CONTAINS(text, "  track   voice        level=20 speaking=true paused=false");
	CHECK_STR_CONTAINS(text, "  control voice        pause");

	text = print(2, good, SPA_N_ELEMENTS(good));
	CHECK_STR_CONTAINS(text, "CALL studio   transport udp   local 127.0.0.1:5004   SRTP aes");
	CHECK_STR_CONTAINS(text, "  track  voice           -20 dBov [####################..........] SPEAKING");
	CHECK_STR_CONTAINS(text, "jitter 0.30 ms, buffer 40 ms, lost 2, auth failures 0");
	CHECK_STR_CONTAINS(text, "  stream main           50 packets, 64.0 kbit/s, rtt 1.5 ms, peer loss 0");

	text = print(0, hostile, SPA_N_ELEMENTS(hostile));
	CHECK(json_check(text, strlen(text)));
	CHECK_STR_CONTAINS(text, "\"state\":\"\\u001b]0;owned\\u0007\"");
	for (int which = 1; which <= 2; which++) {
		text = print(which, hostile, SPA_N_ELEMENTS(hostile));
		if (which == 2)
			text += strlen("\033[H\033[2J");
		for (const char *p = text; *p; p++)
			CHECK((unsigned char)*p >= 0x20 || *p == '\n');
		CHECK(strstr(text, "\xc2\x9b") == NULL);
	}
	/* The level does not fit its buffer: shown as no level, not garbage. */
	text = print(2, hostile, SPA_N_ELEMENTS(hostile));
	CHECK_STR_CONTAINS(text, "  remote long           -inf dBov [..............................]");
	CHECK_STR_CONTAINS(text, "  track  ?[31mred");
}

int main(void)
{
	test_values();
	test_numbers();
	test_printers();
	return test_finish("test-status-print");
}
