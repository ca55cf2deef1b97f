/* The SDP parser and renderer on the real offers and answers in
 * tests/data/sdp/ (see its README for who made each): every file parses,
 * says what its program is known to say, and survives parse(render(x)) ==
 * x; then broken descriptions, each refused with the line it broke on. */
#include <errno.h>
#include <arpa/inet.h>

#include "sdp/sdp.h"
#include "test.h"

static struct cb_sdp sdp, again;
static char text[CB_SDP_TEXT_MAX + 1], rendered[2 * CB_SDP_TEXT_MAX], err[256];

static size_t load(const char *name)
{
	const char *root = getenv("CALLBRIDGE_SOURCE_ROOT");
	char path[4096];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/data/sdp/%s", root ? root : ".", name);
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(1);
	}
	n = fread(text, 1, CB_SDP_TEXT_MAX, f);
	fclose(f);
	text[n] = '\0';
	return n;
}

/* What each program is known to put in its description. */
struct facts {
	const char *file;
	uint32_t n_media;
	int opus_pt;
	int audio_level_id;		/* -ENOENT: none */
	const char *mids;		/* the BUNDLE group, "" for none */
	enum cb_sdp_setup setup;
	enum cb_sdp_direction direction;
	bool webrtc;			/* ICE credentials and a sha-256 fingerprint */
	int stereo;			/* the Opus fmtp's stereo, -1 when not given */
};

static const struct facts corpus[] = {
	{ "chromium-offer.sdp", 1, 111, 1, "0", CB_SDP_SETUP_ACTPASS, CB_SDP_DIR_SENDRECV, true, -1 },
	{ "chromium-offer-av.sdp", 2, 111, 1, "0 1", CB_SDP_SETUP_ACTPASS, CB_SDP_DIR_SENDRECV, true, -1 },
	{ "chromium-answer.sdp", 1, 96, 2, "0", CB_SDP_SETUP_ACTIVE, CB_SDP_DIR_SENDRECV, true, -1 },
	{ "firefox-offer.sdp", 1, 109, 1, "0", CB_SDP_SETUP_ACTPASS, CB_SDP_DIR_SENDRECV, true, 1 },
	{ "firefox-answer.sdp", 1, 111, 1, "0", CB_SDP_SETUP_ACTIVE, CB_SDP_DIR_SENDRECV, true, 1 },
	{ "aiortc-offer.sdp", 1, 96, 2, "0", CB_SDP_SETUP_ACTPASS, CB_SDP_DIR_SENDRECV, true, -1 },
	{ "aiortc-answer.sdp", 1, 111, 1, "0", CB_SDP_SETUP_ACTIVE, CB_SDP_DIR_SENDRECV, true, -1 },
	{ "webrtcbin-offer.sdp", 1, 97, -ENOENT, "audio0", CB_SDP_SETUP_ACTPASS, CB_SDP_DIR_SENDRECV, true, -1 },
	{ "webrtcbin-answer.sdp", 1, 111, -ENOENT, "0", CB_SDP_SETUP_ACTIVE, CB_SDP_DIR_RECVONLY, true, -1 },
	{ "janus-echotest-answer.sdp", 1, 111, 1, "0", CB_SDP_SETUP_ACTIVE, CB_SDP_DIR_SENDRECV, true, -1 },
	{ "janus-videoroom-answer.sdp", 1, 96, 2, "0", CB_SDP_SETUP_ACTIVE, CB_SDP_DIR_RECVONLY, true, -1 },
	{ "janus-videoroom-offer.sdp", 1, 111, 1, "0", CB_SDP_SETUP_ACTPASS, CB_SDP_DIR_SENDONLY, true, -1 },
	{ "callbridge-plain.sdp", 1, 111, -ENOENT, "", CB_SDP_SETUP_NONE, CB_SDP_DIR_SENDONLY, false, 1 },
	{ "callbridge-multi.sdp", 3, 111, -ENOENT, "program voice talkback", CB_SDP_SETUP_NONE, CB_SDP_DIR_SENDONLY, false, 1 },
	{ "callbridge-ice.sdp", 2, 111, -ENOENT, "program voice", CB_SDP_SETUP_NONE, CB_SDP_DIR_SENDONLY, false, 1 },
};

static void round_trip(const char *file)
{
	int n = cb_sdp_render(&sdp, rendered, sizeof(rendered));
	char why[128];

	CHECK(n > 0);
	CHECK_INT_EQ(cb_sdp_parse(rendered, (size_t)n, &again, err, sizeof(err)), 0);
	if (!cb_sdp_equal(&sdp, &again, why, sizeof(why))) {
		test_failures++;
		fprintf(stderr, "%s: parse(render(x)) != x: %s\n", file, why);
	}
}

static void check_facts(const struct facts *f)
{
	const struct cb_sdp_section *m = &sdp.media[0];
	const struct cb_sdp_fingerprint *fp;
	struct cb_sdp_opus_params opus;
	char bundle[256] = "";
	size_t len = load(f->file);

	CHECK_INT_EQ(cb_sdp_parse(text, len, &sdp, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "%s: %s\n", f->file, err);
	CHECK_INT_EQ(sdp.n_media, f->n_media);
	CHECK_STR_EQ(m->type, "audio");
	CHECK_INT_EQ(cb_sdp_opus_pt(m), f->opus_pt);
	/* RFC 7587 §7: opus/48000/2 whatever the stream carries */
	CHECK_INT_EQ(cb_sdp_find_format(m, m->formats[0].id)->channels, 2);
	CHECK_INT_EQ(m->formats[0].pt, f->opus_pt);
	CHECK_INT_EQ(cb_sdp_extmap_id(m, CB_SDP_URI_AUDIO_LEVEL), f->audio_level_id);
	for (uint32_t g = 0; g < sdp.n_groups; g++) {
		CHECK_STR_EQ(sdp.groups[g].semantics, "BUNDLE");
		for (uint32_t i = 0; i < sdp.groups[g].n_mids; i++)
			snprintf(bundle + strlen(bundle), sizeof(bundle) - strlen(bundle), "%s%s",
				 i ? " " : "", sdp.groups[g].mids[i]);
	}
	CHECK_STR_EQ(bundle, f->mids);
	if (f->mids[0]) {
		CHECK(cb_sdp_find_mid(&sdp, sdp.groups[0].mids[0]) == m);
		CHECK(m->rtcp_mux);
	}
	CHECK_INT_EQ(cb_sdp_setup_of(&sdp, m), f->setup);
	CHECK_INT_EQ(cb_sdp_direction_of(&sdp, m), f->direction);
	CHECK_INT_EQ(cb_sdp_opus_params(m, f->opus_pt, &opus), 0);
	CHECK_INT_EQ(opus.stereo, f->stereo);
	if (f->webrtc) {
		CHECK_STR_EQ(m->proto, "UDP/TLS/RTP/SAVPF");
		CHECK(strlen(cb_sdp_ice_ufrag(&sdp, m)) >= 4);
		CHECK(strlen(cb_sdp_ice_pwd(&sdp, m)) >= 22);
		fp = cb_sdp_fingerprint_of(&sdp, m, "sha-256");
		CHECK(fp != NULL);
		if (fp)
			CHECK_INT_EQ(fp->len, 32);
		CHECK(m->n_candidates > 0);
		CHECK(m->n_crypto == 0);
	} else {
		CHECK(m->n_crypto == 0 || strcmp(m->proto, "RTP/SAVP") == 0);
		CHECK(cb_sdp_fingerprint_of(&sdp, m, "sha-256") == NULL);
	}
	round_trip(f->file);
}

/* The particulars of some of the programs. */
static void check_particulars(void)
{
	const struct cb_sdp_section *m, *v;
	struct cb_sdp_opus_params opus;
	struct cb_address addr;
	enum cb_srtp_suite suite;
	uint8_t key[64];
	size_t len;

	/* Chromium: video parses, with its many formats and feedback lines. */
	len = load("chromium-offer-av.sdp");
	CHECK_INT_EQ(cb_sdp_parse(text, len, &sdp, err, sizeof(err)), 0);
	v = cb_sdp_find_mid(&sdp, "1");
	CHECK(v != NULL);
	if (v) {
		CHECK_STR_EQ(v->type, "video");
		CHECK(v->n_formats > 16);
		CHECK(v->n_rtcp_fb > 32);
		CHECK_INT_EQ(cb_sdp_opus_pt(v), -ENOENT);
		CHECK_INT_EQ(v->n_ssrc_groups, 1);
		CHECK_STR_EQ(v->ssrc_groups[0].semantics, "FID");
		CHECK_INT_EQ(v->ssrc_groups[0].n_ssrcs, 2);
	}
	CHECK(sdp.level.extmap_allow_mixed);
	CHECK(strncmp(sdp.msid_semantic, "WMS ", 4) == 0);	/* "a=msid-semantic: WMS" */
	m = &sdp.media[0];
	CHECK_STR_EQ(m->level.ice_options, "trickle");
	CHECK(m->rtcp_rsize);
	CHECK_INT_EQ(m->level.n_other_attributes, 2);		/* a=rtcp, a=rtcp-xr */
	CHECK_INT_EQ(cb_sdp_opus_params(m, 111, &opus), 0);
	CHECK_INT_EQ(opus.minptime, 10);
	CHECK_INT_EQ(opus.useinbandfec, 1);
	CHECK(cb_sdp_ssrc_attribute(m, "cname") != NULL);

	/* Firefox: direction and fingerprint at session level, RTCP candidates,
	 * fmtp before rtpmap, an extmap with a direction. */
	len = load("firefox-offer.sdp");
	CHECK_INT_EQ(cb_sdp_parse(text, len, &sdp, err, sizeof(err)), 0);
	m = &sdp.media[0];
	CHECK_INT_EQ(sdp.level.direction, CB_SDP_DIR_SENDRECV);
	CHECK_INT_EQ(sdp.level.n_fingerprints, 1);
	CHECK_INT_EQ(m->level.n_fingerprints, 0);
	CHECK_INT_EQ(m->n_candidates, 8);
	CHECK(m->level.end_of_candidates);
	CHECK_INT_EQ(m->extmaps[1].direction, CB_SDP_DIR_RECVONLY);
	CHECK_INT_EQ(cb_sdp_opus_params(m, 109, &opus), 0);
	CHECK_INT_EQ(opus.maxplaybackrate, 48000);
	CHECK_STR_EQ(cb_sdp_find_format(m, "9")->encoding, "G722");

	/* webrtcbin: upper-case OPUS, rtcp-mux-only, 32-character ufrag. */
	len = load("webrtcbin-offer.sdp");
	CHECK_INT_EQ(cb_sdp_parse(text, len, &sdp, err, sizeof(err)), 0);
	m = &sdp.media[0];
	CHECK_STR_EQ(m->formats[0].encoding, "OPUS");
	CHECK(m->rtcp_mux_only);
	CHECK_INT_EQ(strlen(m->level.ice_ufrag), 32);
	CHECK_INT_EQ(cb_sdp_opus_params(m, 97, &opus), 0);
	CHECK_INT_EQ(opus.sprop_stereo, 0);

	/* Janus: fixed msid and cname. */
	len = load("janus-videoroom-offer.sdp");
	CHECK_INT_EQ(cb_sdp_parse(text, len, &sdp, err, sizeof(err)), 0);
	CHECK_STR_EQ(sdp.media[0].msids[0], "janus janus0");
	CHECK_STR_EQ(cb_sdp_ssrc_attribute(&sdp.media[0], "cname"), "janus");
	CHECK_STR_EQ(sdp.name, "VideoRoom 1234");

	/* callbridge's own file: keys, addresses, 2.5 ms frames. */
	len = load("callbridge-multi.sdp");
	CHECK_INT_EQ(cb_sdp_parse(text, len, &sdp, err, sizeof(err)), 0);
	CHECK_INT_EQ(cb_sdp_crypto_key(&sdp.media[0].crypto[0], &suite, key, sizeof(key)), 30);
	CHECK_INT_EQ(suite, CB_SRTP_AES_CM_128_HMAC_SHA1_80);
	CHECK_INT_EQ(key[0], 3);
	CHECK_INT_EQ(key[29], 29 * 7 + 3);
	CHECK_INT_EQ(cb_sdp_section_address(&sdp, &sdp.media[1], &addr), 0);
	CHECK_STR_EQ(addr.text, "[::1]:5006");
	CHECK_INT_EQ(sdp.media[1].ptime, 25);
	CHECK_INT_EQ(sdp.media[2].extmaps[0].id, 14);
	CHECK_INT_EQ(sdp.media[0].level.bandwidths[0].value, 64);
	CHECK_INT_EQ(cb_sdp_opus_params(&sdp.media[1], 109, &opus), 0);
	CHECK_INT_EQ(opus.usedtx, 1);
	CHECK_INT_EQ(opus.minptime, 3);
	len = load("callbridge-ice.sdp");
	CHECK_INT_EQ(cb_sdp_parse(text, len, &sdp, err, sizeof(err)), 0);
	CHECK_INT_EQ(cb_sdp_crypto_key(&sdp.media[0].crypto[0], &suite, key, sizeof(key)), 44);
	CHECK_INT_EQ(suite, CB_SRTP_AEAD_AES_256_GCM);
	CHECK_INT_EQ(sdp.media[1].n_candidates, 3);
	CHECK_INT_EQ(cb_sdp_section_address(&sdp, &sdp.media[0], &addr), 0);
	CHECK_STR_EQ(addr.text, "192.0.2.10:41000");

	/* A key that is not exactly right is refused. */
	struct cb_sdp_crypto c = { .tag = 1, .suite = "AES_CM_128_HMAC_SHA1_80" };
	strcpy(c.key_params, "inline:AwoRGB8mLTQ7QklQV15lbHN6gYiPlp2kq7K5wMfO|2^20|1:4");
	CHECK_INT_EQ(cb_sdp_crypto_key(&c, &suite, key, sizeof(key)), -EINVAL);
	strcpy(c.key_params, "inline:AwoRGB8mLTQ7QklQV15lbHN6gYiPlp2kq7K5wMf");
	CHECK_INT_EQ(cb_sdp_crypto_key(&c, &suite, key, sizeof(key)), -EINVAL);
	strcpy(c.key_params, "inline:AwoRGB8mLTQ7QklQV15lbHN6gYiPlp2kq7K5wMfO1dzj");
	CHECK_INT_EQ(cb_sdp_crypto_key(&c, &suite, key, sizeof(key)), -EINVAL);
	strcpy(c.suite, "F8_128_HMAC_SHA1_80");
	CHECK_INT_EQ(cb_sdp_crypto_key(&c, &suite, key, sizeof(key)), -ENOTSUP);
}

/* Bare LF lines read as CRLF ones do; too small a buffer is -ENOSPC. */
static void check_line_ends(void)
{
	static struct cb_sdp crlf;
	size_t len = load("chromium-offer.sdp"), j = 0;
	char why[128];

	CHECK_INT_EQ(cb_sdp_parse(text, len, &crlf, err, sizeof(err)), 0);
	for (size_t i = 0; i < len; i++)
		if (text[i] != '\r')
			text[j++] = text[i];
	CHECK_INT_EQ(cb_sdp_parse(text, j, &sdp, err, sizeof(err)), 0);
	CHECK(cb_sdp_equal(&crlf, &sdp, why, sizeof(why)));
	CHECK_INT_EQ(cb_sdp_render(&sdp, rendered, 100), -ENOSPC);
	CHECK_STR_EQ(rendered, "");
}

#define HEAD "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
#define AUDIO "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n"

static const struct {
	const char *text;
	int code;
	const char *message;
} broken[] = {
	{ "o=- 1 1 IN IP4 127.0.0.1\r\n", -EINVAL, "line 1: a description starts with v=0" },
	{ "v=1\r\n", -EINVAL, "line 1: v=: version '1' is not 0" },
	{ "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\nt=0 0\r\n", -EINVAL, "line 3: missing s= line" },
	{ "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n", -EINVAL, "line 3: missing t= line" },
	{ "v=0\r\ns=-\r\n", -EINVAL, "line 2: missing o= line before this one" },
	{ HEAD AUDIO "a=mid:0\r\na=rtpmap:111 opus/48000/2", -EINVAL,
	  "line 8: no line end (truncated?)" },
	{ HEAD "m=audio 70000 RTP/AVP 111\r\n", -EINVAL, "line 5: m=: port 70000 out of range" },
	{ HEAD "m=audio 9 RTP/AVP 128\r\n", -EINVAL, "line 5: m=: '128' is not an RTP payload type" },
	{ HEAD "m=audio 9 RTP/AVP\r\n", -EINVAL, "line 5: m=: no formats" },
	{ HEAD "m=audio 9/2 RTP/AVP 0\r\n", -EINVAL, "line 5: m=: port ranges" },
	{ HEAD AUDIO "a=fingerprint:sha-256 2E:99:B6:A8:A7:A5:CB:B6:D1:19:6E:F6:A8:B1:AA:EB:45:27:"
	  "2D:55:18:59:D5:AA:1C:3D:7F:7F:9B:9C:6F:ZZ\r\n", -EINVAL,
	  "line 7: a=fingerprint: byte 32 is not two hex digits" },
	{ HEAD AUDIO "a=fingerprint:sha-256 2E:99:B6:A8:A7:A5:CB:B6:D1:19:6E:F6:A8:B1:AA:EB:45:27:"
	  "2D:55:18:59:D5:AA:1C:3D:7F:7F:9B:9C:6F\r\n", -EINVAL,
	  "line 7: a=fingerprint: 31 bytes, sha-256 has 32" },
	{ HEAD AUDIO "a=fingerprint:sha-3 2E:99\r\n", -EINVAL,
	  "line 7: a=fingerprint: unknown hash function 'sha-3'" },
	{ HEAD AUDIO "a=mid:0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n", -EINVAL,
	  "line 9: a=mid: '0' is already the mid of another section" },
	{ HEAD "a=group:BUNDLE 0 1\r\n" AUDIO "a=mid:0\r\n", -EINVAL,
	  "line 5: a=group: no m= section has mid '1'" },
	{ HEAD AUDIO "a=ice-lite\r\n", -EINVAL, "line 7: a=ice-lite: only allowed at session level" },
	{ HEAD "a=mid:0\r\n", -EINVAL, "line 5: a=mid: only allowed in a media section" },
	{ HEAD AUDIO "a=ice-pwd:short\r\n", -EINVAL, "line 7: a=ice-pwd: 5 characters, not 22 to 256" },
	{ HEAD AUDIO "a=ice-ufrag:ab_cd\r\n", -EINVAL, "line 7: a=ice-ufrag: not ice-chars" },
	{ HEAD AUDIO "a=setup:both\r\n", -EINVAL, "line 7: a=setup: 'both' is not actpass" },
	{ HEAD AUDIO "a=rtpmap:96 opus/48000/2\r\n", -EINVAL,
	  "line 7: a=rtpmap: format 96 is not on the m= line" },
	{ HEAD AUDIO "a=rtpmap:111 opus/0/2\r\n", -EINVAL, "line 7: a=rtpmap: clock rate '0'" },
	{ HEAD AUDIO "a=extmap:1 urn:a\r\na=extmap:1 urn:b\r\n", -EINVAL,
	  "line 8: a=extmap: id 1 used twice" },
	{ HEAD AUDIO "a=extmap:256 urn:a\r\n", -EINVAL, "line 7: a=extmap: id '256' is not 1-255" },
	{ HEAD AUDIO "a=ptime:2.55\r\n", -EINVAL, "line 7: a=ptime: '2.55' is not a time in ms" },
	{ HEAD AUDIO "a=sendonly\r\na=recvonly\r\n", -EINVAL,
	  "line 8: a=recvonly: a second direction attribute" },
	{ HEAD AUDIO "a=rtcp-mux:1\r\n", -EINVAL, "line 7: a=rtcp-mux: takes no value" },
	{ HEAD AUDIO "a=candidate:1 1 udp 2122194687 192.0.2.2 56978 typ\r\n", -EINVAL,
	  "line 7: a=candidate: 7 fields, fewer than 8" },
	{ HEAD AUDIO "a=crypto:1 AES_CM_128_HMAC_SHA1_80 key:abc\r\n", -EINVAL,
	  "line 7: a=crypto: key parameters are not \"inline:...\"" },
	{ HEAD "c=IN IP4 224.2.1.1/127\r\n", -EINVAL, "line 5: c= out of order" },
	{ "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 224.2.1.1/127\r\nt=0 0\r\n", -EINVAL,
	  "line 4: c=: '224.2.1.1/127' is not an IPv4 address" },
	{ HEAD "m=audio 9 RTP/AVP 0\r\n", -EINVAL,
	  "line 5: m=: no c= line here nor at session level" },
	{ HEAD AUDIO "t=0 0\r\n", -EINVAL, "line 7: t= is not allowed in a media section" },
	{ HEAD "x=1\r\n", -EINVAL, "line 5: unknown line type 'x'" },
	{ HEAD "\r\n" AUDIO, -EINVAL, "line 5: empty line" },
	{ HEAD "a=tool:\tx\r\n", -EINVAL, "line 5: control character 0x09 at column 8" },
	{ HEAD "a=tool:x\rx\r\n", -EINVAL, "line 5: control character 0x0d at column 9" },
	{ "v=0\r\no=- 18446744073709551616 1 IN IP4 127.0.0.1\r\n", -EINVAL,
	  "line 2: o=: the session id is not a 64-bit number" },
	{ "v=0\r\nv=0\r\n", -EINVAL, "line 2: a second v= line" },
	{ HEAD "s=again\r\n", -EINVAL, "line 5: s= out of order" },
	{ "", -EINVAL, "line 1: empty description" },
};

static void check_broken(void)
{
	static char big[CB_SDP_TEXT_MAX];
	size_t len, n;

	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		err[0] = '\0';
		CHECK_INT_EQ(cb_sdp_parse(broken[i].text, strlen(broken[i].text), &sdp, err,
					  sizeof(err)), broken[i].code);
		CHECK_STR_CONTAINS(err, broken[i].message);
	}

	/* A NUL byte inside a real offer. */
	len = load("chromium-offer.sdp");
	text[strstr(text, "s=-") - text + 2] = '\0';
	CHECK_INT_EQ(cb_sdp_parse(text, len, &sdp, err, sizeof(err)), -EINVAL);
	CHECK_STR_EQ(err, "line 3: NUL byte at column 3");

	/* A real offer cut short, at a line end and within a line. */
	len = load("aiortc-offer.sdp");
	CHECK_INT_EQ(cb_sdp_parse(text, (size_t)(strstr(text, "t=0") - text), &sdp, err,
				  sizeof(err)), -EINVAL);
	CHECK_STR_EQ(err, "line 3: missing t= line");
	CHECK_INT_EQ(cb_sdp_parse(text, len - 5, &sdp, err, sizeof(err)), -EINVAL);
	CHECK_STR_CONTAINS(err, "no line end (truncated?)");

	/* Over the limits: -E2BIG, still naming the line. */
	n = (size_t)snprintf(big, sizeof(big), "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
			     "c=IN IP4 0.0.0.0\r\nt=0 0\r\n");
	for (int i = 0; i <= CB_SDP_MAX_MEDIA; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "m=audio 9 RTP/AVP 0\r\n");
	CHECK_INT_EQ(cb_sdp_parse(big, n, &sdp, err, sizeof(err)), -E2BIG);
	CHECK_STR_EQ(err, "line 70: m=: more than 64 media sections");
	n = (size_t)snprintf(big, sizeof(big), HEAD AUDIO);
	for (int i = 0; i <= CB_SDP_MAX_CANDIDATES; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
				      "a=candidate:%d 1 udp 1 192.0.2.2 %d typ host\r\n", i, 1000 + i);
	CHECK_INT_EQ(cb_sdp_parse(big, n, &sdp, err, sizeof(err)), -E2BIG);
	CHECK_STR_EQ(err, "line 39: a=candidate: more than 32 in one section");
	n = (size_t)snprintf(big, sizeof(big), HEAD "a=tool:");
	memset(big + n, 'x', CB_SDP_LINE_MAX);
	memcpy(big + n + CB_SDP_LINE_MAX, "\r\n", 2);
	CHECK_INT_EQ(cb_sdp_parse(big, n + CB_SDP_LINE_MAX + 2, &sdp, err, sizeof(err)), -E2BIG);
	CHECK_STR_EQ(err, "line 5: longer than 1024 bytes");
	CHECK_INT_EQ(cb_sdp_parse(big, CB_SDP_TEXT_MAX + 1, &sdp, err, sizeof(err)), -E2BIG);

	/* Unknown attributes are counted, not refused; a short err is cut, not overrun. */
	static const char unknown[] = HEAD AUDIO "a=x-google-flag:conference\r\n"
				      "a=rtcp:9 IN IP4 0.0.0.0\r\n";
	CHECK_INT_EQ(cb_sdp_parse(unknown, strlen(unknown), &sdp, err, sizeof(err)), 0);
	CHECK_INT_EQ(sdp.media[0].level.n_other_attributes, 2);
	CHECK_INT_EQ(cb_sdp_parse("v=1\r\n", 5, &sdp, err, 8), -EINVAL);
	CHECK_STR_EQ(err, "line 1:");
}

int main(void)
{
	for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++)
		check_facts(&corpus[i]);
	check_particulars();
	check_line_ends();
	check_broken();
	return test_finish("test-sdp-parse");
}
