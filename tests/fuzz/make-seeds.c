/* Writes the seed corpora under tests/fuzz/corpus/ from the project's own
 * packet writers and real Opus packets, so the seeds are what the bridge and
 * its peers actually put on the wire. Run once by hand when the formats
 * change:  build/tests/fuzz/make-seeds tests/fuzz/corpus
 * (configs are copied from config/ by tests/fuzz/run-seeds). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <opus/opus.h>

#include "crypto/keying.h"
#include "dtls/dtls-session.h"
#include "rtp/rtcp.h"
#include "rtp/rtp-ext.h"
#include "rtp/rtp-red.h"
#include "rtp/rtp.h"

static const char *root;

static void put(const char *harness, const char *name, const uint8_t *data, size_t len)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, harness);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", root, harness, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(data, 1, len, f) != len) {
		perror(path);
		return;
	}
	fclose(f);
}

static int opus_frames(int channels, int frame, uint8_t out[][400], int *lens, int n)
{
	OpusEncoder *enc = opus_encoder_create(48000, channels, OPUS_APPLICATION_AUDIO, NULL);
	float pcm[2 * 2880];

	opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(1));
	opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(10));
	for (int k = 0; k < n; k++) {
		for (int i = 0; i < frame * channels; i++)
			pcm[i] = 0.3f * sinf((float)(k * frame * channels + i) * 0.06f);
		lens[k] = opus_encode_float(enc, pcm, frame, out[k], 400);
	}
	opus_encoder_destroy(enc);
	return 0;
}

static size_t rtp_packet(uint8_t *buf, uint32_t ssrc, uint8_t pt, uint16_t seq, uint32_t ts,
			 const uint8_t *payload, size_t len)
{
	struct cb_rtp_header h = { .payload_type = pt, .sequence = seq, .timestamp = ts,
				   .ssrc = ssrc, .marker = seq == 0 };
	size_t n = cb_rtp_write_header(buf, 1600, &h);
	memcpy(buf + n, payload, len);
	return n + len;
}

/* As callbridge sends it: the RFC 6464 audio level in a one-byte header
 * extension (ID CB_AUDIO_LEVEL_EXT_ID) between the header and the Opus data. */
static size_t rtp_packet_level(uint8_t *buf, uint32_t ssrc, uint16_t seq, uint32_t ts,
			       uint8_t level, bool voice, const uint8_t *payload, size_t len)
{
	struct cb_rtp_header h = { .payload_type = 111, .sequence = seq, .timestamp = ts,
				   .ssrc = ssrc };
	uint8_t byte = cb_audio_level_pack(level, voice);
	struct cb_rtp_ext_element e = { CB_AUDIO_LEVEL_EXT_ID, 1, &byte };
	size_t n = cb_rtp_write_header(buf, 1600, &h);

	n = cb_rtp_ext_append(buf, n, 1600, &e, 1);
	memcpy(buf + n, payload, len);
	return n + len;
}

/* RFC 2198 as callbridge sends it with redundancy 2: frame k as the
 * primary, k-1 and k-2 (when there) as redundant blocks, oldest first. */
static size_t rtp_packet_red(uint8_t *buf, uint32_t ssrc, uint16_t seq, uint32_t ts,
			     uint32_t frame, uint8_t frames[][400], const int *lens, int k)
{
	struct cb_rtp_header h = { .payload_type = CB_RED_PAYLOAD_TYPE, .sequence = seq,
				   .timestamp = ts, .ssrc = ssrc };
	struct cb_red_block red[2];
	uint32_t n = 0;
	size_t hl = cb_rtp_write_header(buf, 1600, &h);

	for (int back = 2; back >= 1; back--) {
		if (k - back < 0)
			continue;
		red[n++] = (struct cb_red_block) { .payload_type = 111, .offset = frame * (uint32_t)back,
						   .data = frames[k - back],
						   .len = (size_t)lens[k - back] };
	}
	return hl + (size_t)cb_red_write(buf + hl, 1600 - hl, red, n, 111, frames[k],
					 (size_t)lens[k]);
}

/* A receive-harness record: flags (clock advance in ms | 0x80 raw), length. */
static size_t record(uint8_t *out, uint8_t flags, const uint8_t *data, size_t len)
{
	out[0] = flags;
	out[1] = (uint8_t)(len >> 8);
	out[2] = (uint8_t)len;
	memcpy(out + 3, data, len);
	return len + 3;
}

static size_t compound(uint8_t *buf, size_t cap, int kind)
{
	struct cb_rtcp_writer w;
	struct cb_rtcp_sender_info info = { .ntp_time = 0xe5a1b2c3d4e5f607ull,
					    .rtp_timestamp = 96000, .packet_count = 100,
					    .octet_count = 8000 };
	struct cb_rtcp_report_block block = { .ssrc = 0xc0ffee01, .fraction_lost = 5,
					      .cumulative_lost = 3, .highest_seq = 0x10064,
					      .jitter = 120, .last_sr = 0x12345678,
					      .delay_since_last_sr = 0x8000 };
	uint32_t ssrc = 0x11111111;

	cb_rtcp_writer_init(&w, buf, cap);
	switch (kind) {
	case 0:	/* what a sender sends: SR + SDES */
		cb_rtcp_write_sr(&w, ssrc, &info, &block, 1);
		cb_rtcp_write_sdes_cname(&w, ssrc, "peer@example.org");
		break;
	case 1:	/* what a receiver sends: RR + SDES */
		cb_rtcp_write_rr(&w, 0x22222222, &block, 1);
		cb_rtcp_write_sdes_cname(&w, 0x22222222, "listener@host");
		break;
	case 2:	/* end of call: SR + SDES + BYE */
		cb_rtcp_write_sr(&w, ssrc, &info, NULL, 0);
		cb_rtcp_write_sdes_cname(&w, ssrc, "peer@example.org");
		cb_rtcp_write_bye(&w, &ssrc, 1, "hangup");
		break;
	default: {	/* many report blocks */
		struct cb_rtcp_report_block blocks[4] = { block, block, block, block };
		for (int i = 0; i < 4; i++)
			blocks[i].ssrc += (uint32_t)i;
		cb_rtcp_write_rr(&w, 0x33333333, blocks, 4);
		break;
	}
	}
	return w.failed ? 0 : w.len;
}

/* fuzz-dtls: what a real client's first flight and a real server's answer
 * look like, framed as the harness reads them (role byte, then 2-byte
 * lengths). */
struct flight {
	uint8_t buf[8192];
	size_t len;
};

static int capture(void *data, const uint8_t *rec, size_t len)
{
	struct flight *f = data;

	if (f->len + 2 + len > sizeof(f->buf))
		return -1;
	f->buf[f->len++] = (uint8_t)(len >> 8);
	f->buf[f->len++] = (uint8_t)len;
	memcpy(f->buf + f->len, rec, len);
	f->len += len;
	return 0;
}

static void dtls_seeds(void)
{
	static struct flight hello, answer;
	const struct cb_dtls_events ev_client = { .send = capture }, ev_server = { .send = capture };
	struct cb_dtls_certificate *ca = NULL, *cb = NULL;
	struct cb_dtls_session *client = NULL, *server = NULL;
	struct cb_keying ka, kb;
	struct cb_dtls_config c = { 0 };
	size_t off = 1;

	cb_keying_init(&ka);
	cb_keying_init(&kb);
	cb_dtls_certificate_generate(&ca);
	cb_dtls_certificate_generate(&cb);
	hello.buf[0] = 3;	/* to a server (bit 0 clear) whose path is up (bit 1) */
	hello.len = 1;
	answer.buf[0] = 1;	/* to a client that has not started */
	answer.len = 1;
	c = (struct cb_dtls_config) { .certificate = ca, .role = CB_DTLS_CLIENT, .keying = &ka };
	cb_dtls_session_new(&client, &c, &ev_client, &hello);
	c = (struct cb_dtls_config) { .certificate = cb, .role = CB_DTLS_SERVER, .keying = &kb };
	cb_dtls_session_new(&server, &c, &ev_server, &answer);
	cb_dtls_session_start(client, 0);
	cb_dtls_session_start(server, 0);
	hello.buf[0] = 2;	/* to a server whose path is up */
	while (off + 2 <= hello.len) {
		size_t len = (size_t)hello.buf[off] << 8 | hello.buf[off + 1];
		cb_dtls_session_input(server, hello.buf + off + 2, len, 0);
		off += 2 + len;
	}
	put("fuzz-dtls", "client-hello", hello.buf, hello.len);
	put("fuzz-dtls", "server-flight", answer.buf, answer.len);
	cb_dtls_session_free(client);
	cb_dtls_session_free(server);
	cb_dtls_certificate_free(ca);
	cb_dtls_certificate_free(cb);
	cb_keying_clear(&ka);
	cb_keying_clear(&kb);
}

int main(int argc, char **argv)
{
	static uint8_t mono[60][400], stereo[30][400], celt[60][400];
	int mono_len[60], stereo_len[30], celt_len[60];
	uint8_t pkt[1600], file[65536], rtcp[512];
	size_t n, fl;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 1;
	}
	root = argv[1];
	mkdir(root, 0755);
	dtls_seeds();
	opus_frames(1, 960, mono, mono_len, 60);
	opus_frames(2, 480, stereo, stereo_len, 30);
	opus_frames(1, 240, celt, celt_len, 60);	/* 5 ms: CELT only */

	/* --- RTP: plain packets, and CSRCs/extension/padding --- */
	n = rtp_packet(pkt, 0x11111111, 111, 7, 960 * 7, mono[5], (size_t)mono_len[5]);
	put("fuzz-rtp", "opus-mono", pkt, n);
	n = rtp_packet(pkt, 0x2222, 111, 65535, 0xfffffc40, stereo[3], (size_t)stereo_len[3]);
	put("fuzz-rtp", "opus-stereo-wrap", pkt, n);
	{
		/* V=2 P=1 X=1 CC=2, one-byte-header extension (RFC 8285), 3 bytes padding */
		static const uint8_t full[] = {
			0xb2, 0x6f, 0x00, 0x10, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x11, 0x11,
			0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
			0xbe, 0xde, 0x00, 0x01, 0x10, 0x85, 0x00, 0x00,
			0xf8, 0xff, 0xfe, 0x00, 0x00, 0x03,
		};
		put("fuzz-rtp", "csrc-ext-padding", full, sizeof(full));
		put("fuzz-receive-plain", "csrc-ext-padding-raw", file,
		    record(file, 0, full, sizeof(full)));
	}

	/* --- RTCP compound packets --- */
	for (int k = 0; k < 4; k++) {
		static const char *names[] = { "sr-sdes", "rr-sdes", "sr-sdes-bye", "rr-4-blocks" };
		n = compound(rtcp, sizeof(rtcp), k);
		put("fuzz-rtcp", names[k], rtcp, n);
	}
	n = compound(rtcp, sizeof(rtcp), 1);
	rtcp[3] = 0x40;	/* RR says it is 65 words long */
	put("fuzz-rtcp", "rr-lying-length", rtcp, n);

	/* --- Receive path: a call as it arrives, with RTCP in between --- */
	for (int variant = 0; variant < 2; variant++) {
		const char *harness = variant ? "fuzz-receive-srtp" : "fuzz-receive-plain";
		uint8_t raw = 0;

		fl = 0;
		for (int k = 0; k < 40; k++) {
			/* 20 ms apart, with one loss and one reordering */
			int seq = k == 12 ? 13 : k == 13 ? 12 : k;
			if (k == 20)
				continue;
			n = rtp_packet(pkt, 0x11111111, 111, (uint16_t)(100 + seq),
				       (uint32_t)(5000 + 960 * seq), mono[seq],
				       (size_t)mono_len[seq]);
			fl += record(file + fl, (uint8_t)(20 | raw), pkt, n);
			if (k == 25) {
				n = compound(rtcp, sizeof(rtcp), 0);
				fl += record(file + fl, raw, rtcp, n);
			}
		}
		n = compound(rtcp, sizeof(rtcp), 2);
		fl += record(file + fl, raw, rtcp, n);
		put(harness, "call-mono-sr-bye", file, fl);

		fl = 0;
		for (int k = 0; k < 30; k++) {
			/* an SSRC no [remote] names: bound by accept-unknown, stereo */
			n = rtp_packet(pkt, 0xabcdef01, 111, (uint16_t)(65520 + k),
				       (uint32_t)(0xffff0000u + 480u * (uint32_t)k), stereo[k],
				       (size_t)stereo_len[k]);
			fl += record(file + fl, (uint8_t)(10 | raw), pkt, n);
		}
		n = compound(rtcp, sizeof(rtcp), 3);
		fl += record(file + fl, 0x3f, rtcp, n);
		put(harness, "call-stereo-unknown-timeout", file, fl);

		fl = 0;
		n = rtp_packet(pkt, 0x11111111, 96, 1, 960, mono[0], (size_t)mono_len[0]);
		fl += record(file + fl, 1, pkt, n);	/* wrong payload type */
		fl += record(file + fl, 1, pkt, 0);	/* empty */
		fl += record(file + fl, 1, pkt, 5);	/* truncated */
		n = compound(rtcp, sizeof(rtcp), 1);
		rtcp[3] = 0x40;
		fl += record(file + fl, 1, rtcp, n);	/* lying length */
		put(harness, "drops", file, fl);

		fl = 0;
		for (int k = 0; k < 30; k++) {
			/* levels rising from silence, voice flag from the 10th */
			uint8_t level = (uint8_t)(127 - 4 * k);
			n = rtp_packet_level(pkt, 0x11111111, (uint16_t)(300 + k),
					     (uint32_t)(960 * k), level, k >= 10, mono[k],
					     (size_t)mono_len[k]);
			fl += record(file + fl, (uint8_t)(20 | raw), pkt, n);
		}
		put(harness, "call-mono-audio-level", file, fl);
	}
	{
		/* Raw bytes to the keyed session: a packet with a bad tag. */
		n = rtp_packet(pkt, 0x11111111, 111, 9, 9 * 960, mono[9], (size_t)mono_len[9]);
		memset(pkt + n, 0xaa, 10);
		put("fuzz-receive-srtp", "bad-tag-raw", file, record(file, 0x80 | 5, pkt, n + 10));
	}

	/* --- RFC 2198: a RED call with 5 ms frames and losses, malformed RED --- */
	for (int variant = 0; variant < 2; variant++) {
		const char *harness = variant ? "fuzz-receive-srtp" : "fuzz-receive-plain";

		fl = 0;
		for (int k = 0; k < 60; k++) {
			/* every 7th lost, two in a row at 30/31 (redundancy 2
			 * covers both), and packet 45 comes again after its
			 * copies filled its place */
			if (k % 7 == 3 || k == 30 || k == 31)
				continue;
			n = rtp_packet_red(pkt, 0x11111111, (uint16_t)(200 + k),
					   (uint32_t)(7000 + 240 * k), 240, celt, celt_len, k);
			fl += record(file + fl, 5, pkt, n);
			if (k == 47) {
				n = rtp_packet_red(pkt, 0x11111111, 245, 7000 + 240 * 45, 240,
						   celt, celt_len, 45);
				fl += record(file + fl, 0, pkt, n);
			}
		}
		put(harness, "call-red-5ms-loss", file, fl);

		fl = 0;
		n = rtp_packet_red(pkt, 0x11111111, 10, 2400, 240, celt, celt_len, 10);
		fl += record(file + fl, 5, pkt, n);	/* a good one first: the SSRC binds */
		pkt[12 + 3] = 0xff;			/* a block length beyond the payload */
		fl += record(file + fl, 5, pkt, n);
		n = rtp_packet_red(pkt, 0x11111111, 11, 2640, 240, celt, celt_len, 11);
		pkt[12 + 4] = 0x80 | CB_RED_PAYLOAD_TYPE;	/* RED in RED */
		fl += record(file + fl, 5, pkt, n);
		n = rtp_packet_red(pkt, 0x11111111, 12, 2880, 240, celt, celt_len, 12);
		fl += record(file + fl, 5, pkt, 12 + 9);	/* headers only, no data */
		n = rtp_packet_red(pkt, 0x11111111, 13, 3120, 240, celt, celt_len, 13);
		pkt[12 + 1] = 0;			/* offset 0 (its own timestamp) */
		pkt[12 + 2] &= 0x03;
		fl += record(file + fl, 5, pkt, n);
		n = rtp_packet_red(pkt, 0x11111111, 14, 3360, 240, celt, celt_len, 14);
		pkt[12] = 0x80 | 96;			/* a redundant block not Opus */
		fl += record(file + fl, 5, pkt, n);
		n = rtp_packet_red(pkt, 0x11111111, 15, 3600, 240, celt, celt_len, 15);
		pkt[12 + 8] = 96;			/* the primary not Opus */
		fl += record(file + fl, 5, pkt, n);
		put(harness, "red-malformed", file, fl);
	}
	{
		/* The parser alone: byte 0 is the RED payload type (and the
		 * block limit in its top bit), the rest the payload. */
		n = rtp_packet_red(pkt, 0x11111111, 10, 2400, 240, celt, celt_len, 10);
		pkt[11] = 0x80 | CB_RED_PAYLOAD_TYPE;
		put("fuzz-rtp-red", "opus-2-redundant", pkt + 11, n - 11);
		n = rtp_packet_red(pkt, 0x11111111, 0, 0, 240, celt, celt_len, 0);
		pkt[11] = 0x80 | CB_RED_PAYLOAD_TYPE;
		put("fuzz-rtp-red", "primary-only", pkt + 11, n - 11);
		static const uint8_t nested[] = { 0xbf, 0xbf, 0x03, 0xc0, 0x01, 0x6f, 0xe8, 0xe8 };
		put("fuzz-rtp-red", "nested", nested, sizeof(nested));
		static const uint8_t beyond[] = { 0xbf, 0xef, 0x03, 0xc0, 0x03, 0x6f, 0xe8, 0x01 };
		put("fuzz-rtp-red", "length-beyond", beyond, sizeof(beyond));
	}
	{
		/* Jitter buffer: 5 ms frames, every 5th lost and filled by a
		 * copy (op 2) put right after the next packet. */
		fl = 0;
		for (int k = 0; k < 40; k++) {
			for (int copy = 0; copy < 2; copy++) {
				int seq = copy ? k - 1 : k;
				uint32_t ts = (uint32_t)(seq * 240);
				if (k % 5 == 4 && !copy)
					continue;	/* lost */
				if (copy && (k % 5 != 0 || k == 0))
					continue;
				file[fl++] = (uint8_t)((copy ? 2 : 0) | ((copy ? 0 : 10) << 3));
				file[fl++] = 0;
				file[fl++] = (uint8_t)(seq >> 8);
				file[fl++] = (uint8_t)seq;
				file[fl++] = (uint8_t)(ts >> 24);
				file[fl++] = (uint8_t)(ts >> 16);
				file[fl++] = (uint8_t)(ts >> 8);
				file[fl++] = (uint8_t)ts;
				file[fl++] = 240 >> 8;
				file[fl++] = 240 & 0xff;
				file[fl++] = 0;
				file[fl++] = (uint8_t)celt_len[seq % 60];
			}
			file[fl++] = (uint8_t)(3 | (10 << 3));	/* get */
		}
		file[fl++] = 6;
		put("fuzz-jitter-buffer", "red-fill", file, fl);
	}

	/* --- Jitter buffer schedules: op byte, then its arguments --- */
	{
		fl = 0;
		for (int k = 0; k < 50; k++) {
			int seq = k == 10 ? 11 : k == 11 ? 10 : k;
			uint32_t ts = (uint32_t)(seq * 960);
			if (k == 30)
				continue;
			/* put, 20 ms later (op>>3 = 40 half-ms is out of range: 31*0.5 ms max) */
			file[fl++] = (uint8_t)(0 | (31 << 3));
			file[fl++] = 0;
			file[fl++] = (uint8_t)(seq >> 8);
			file[fl++] = (uint8_t)seq;
			file[fl++] = (uint8_t)(ts >> 24);
			file[fl++] = (uint8_t)(ts >> 16);
			file[fl++] = (uint8_t)(ts >> 8);
			file[fl++] = (uint8_t)ts;
			file[fl++] = 960 >> 8;
			file[fl++] = 960 & 0xff;
			file[fl++] = 0;
			file[fl++] = (uint8_t)mono_len[seq % 60];
			file[fl++] = (uint8_t)(3 | (9 << 3));	/* get */
			file[fl++] = 6;				/* stats */
		}
		put("fuzz-jitter-buffer", "steady-loss-reorder", file, fl);
	}
	return 0;
}
