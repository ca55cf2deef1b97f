/* A whole WHIP session in one process, as libnice's tests pair two agents:
 * the client (whip/whip-session.h) posts its offer to a libsoup server on
 * port 0, whose handler plays a WHIP endpoint with the same building
 * blocks (its own ICE agent, controlled, and a DTLS layer that answers
 * setup:active).  Checked: the offer parses strictly and says sendonly,
 * actpass, rtcp-mux-only, stereo; the answer is followed (we become the
 * DTLS server); ICE connects, DTLS keys both sides, an SRTP packet
 * crosses both ways; closing DELETEs the resource. */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <string.h>

#include <libsoup/soup.h>

#include "dtls/dtls-transport.h"
#include "rtp/rtp.h"
#include "sdp/sdp.h"
#include "session/session-sdp.h"
#include "transport/glib-thread.h"
#include "transport/ice-transport.h"
#include "whip/whip-session.h"
#include "test.h"
#include "test-server.h"


static struct {
	struct cb_ice_transport *ice;
	struct cb_transport *t;
	struct cb_dtls_certificate *cert;
	struct cb_keying keying;
	atomic_uint deletes;
	atomic_bool answered;		/* release: the fields above are written */
	bool offer_ok;
	char auth[128];
} peer;

static struct cb_sdp offer_model;
static struct cb_session_desc offer, answer;

static const char *mode;	/* the path's last part: how to answer */

static void answer_offer(SoupServerMessage *msg, SoupMessageBody *body)
{
	struct cb_session_media m = { 0 };
	struct cb_dtls_config c = { 0 };
	struct cb_ice_params p = { .role = CB_ICE_ROLE_CONTROLLED };
	char err[256], text[16384], lines[4096], *line, *save = NULL;
	int n;

	CHECK_INT_EQ(cb_sdp_parse(body->data, (size_t)body->length, &offer_model, err, sizeof(err)), 0);
	CHECK_INT_EQ(cb_session_desc_from_sdp(&offer_model, &offer, err, sizeof(err)), 1);
	peer.offer_ok = offer.media[0].direction == CB_DIRECTION_SENDONLY &&
			offer.dtls.setup == CB_DTLS_SETUP_ACTPASS && offer.media[0].channels == 2 &&
			offer_model.media[0].rtcp_mux_only && offer.ice.n_candidates >= 1;

	snprintf(p.name, sizeof(p.name), "endpoint");
	snprintf(p.ufrag, sizeof(p.ufrag), "srvr");
	snprintf(p.pwd, sizeof(p.pwd), "serverserverserverserver");
	cb_address_parse("127.0.0.1:0", 0, &p.local, err, sizeof(err));
	CHECK_INT_EQ(cb_ice_transport_new(&peer.ice, &p, err, sizeof(err)), 0);
	c.certificate = peer.cert;
	c.role = CB_DTLS_CLIENT;	/* we answer setup:active */
	c.keying = &peer.keying;
	memcpy(c.remote_fingerprint, offer.dtls.fingerprint, CB_SHA256_LEN);
	CHECK_INT_EQ(cb_dtls_transport_new(&peer.t, cb_ice_transport_base(peer.ice), &c, NULL, NULL), 0);
	cb_ice_transport_set_remote_credentials(peer.ice, offer.ice.ufrag, offer.ice.pwd);
	cb_ice_transport_start(peer.ice, 0);
	for (uint32_t i = 0; i < offer.ice.n_candidates; i++)
		cb_ice_transport_add_remote_candidate(peer.ice, offer.ice.candidates[i]);

	cb_session_desc_init(&answer);
	snprintf(answer.name, sizeof(answer.name), "endpoint");
	snprintf(answer.cname, sizeof(answer.cname), "endpoint@test");
	m = offer.media[0];
	m.direction = CB_DIRECTION_RECVONLY;
	m.ssrc = 0;
	cb_session_desc_add_media(&answer, &m);
	if (strcmp(mode, "twoaudio") == 0) {
		snprintf(m.mid, sizeof(m.mid), "1");
		cb_session_desc_add_media(&answer, &m);
	}
	answer.ice.present = true;
	snprintf(answer.ice.ufrag, sizeof(answer.ice.ufrag), "srvr");
	snprintf(answer.ice.pwd, sizeof(answer.ice.pwd), "serverserverserverserver");
	cb_ice_transport_candidate_sdp(peer.ice, lines, sizeof(lines), NULL);
	for (line = strtok_r(lines, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save))
		cb_session_desc_add_candidate(&answer, line);
	answer.dtls.setup = CB_DTLS_SETUP_ACTIVE;
	answer.dtls.fingerprint_len = CB_SHA256_LEN;
	memcpy(answer.dtls.fingerprint, cb_dtls_certificate_fingerprint(peer.cert), CB_SHA256_LEN);
	if (strcmp(mode, "badfp") == 0)
		answer.dtls.fingerprint[7] ^= 0x40;	/* not the certificate it holds */
	n = cb_session_desc_render_webrtc(&answer, text, sizeof(text));
	CHECK(n > 0);
	soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Location",
				     "/resource/7");
	soup_server_message_set_status(msg, 201, NULL);
	soup_server_message_set_response(msg, "application/sdp", SOUP_MEMORY_COPY, text,
					 (gsize)(n > 0 ? n : 0));
	atomic_store(&peer.answered, true);
}

static void handler(SoupServer *s, SoupServerMessage *msg, const char *path, GHashTable *query,
		    gpointer data)
{
	const char *method = soup_server_message_get_method(msg);
	const char *auth = soup_message_headers_get_one(soup_server_message_get_request_headers(msg),
							"Authorization");

	snprintf(peer.auth, sizeof(peer.auth), "%s", auth ? auth : "");
	if (strcmp(method, "POST") == 0) {
		mode = strrchr(path, '/') + 1;
		if (peer.t) {
			cb_transport_destroy(peer.t);
			peer.t = NULL;
		}
		answer_offer(msg, soup_server_message_get_request_body(msg));
	} else if (strcmp(method, "DELETE") == 0) {
		atomic_fetch_add(&peer.deletes, 1);
		soup_server_message_set_status(msg, 200, NULL);
	} else {
		soup_server_message_set_status(msg, 405, NULL);	/* no trickle here */
	}
}

static bool srtp_across(struct cb_transport *from, struct cb_keying *kf, struct cb_transport *to,
			struct cb_keying *kt)
{
	struct cb_srtp_slot tx, rx;
	struct cb_srtp_session *out, *in;
	struct cb_rtp_header h = { .payload_type = 111, .sequence = 1, .ssrc = 0x77 };
	uint8_t pkt[256], buf[2048];
	size_t len = cb_rtp_write_header(pkt, sizeof(pkt), &h);
	struct pollfd pfd = { .fd = cb_transport_fd(to), .events = POLLIN };
	ssize_t n = -EAGAIN;
	bool ok = false;

	memcpy(pkt + len, "tone", 4);
	len += 4;
	cb_srtp_slot_init(&tx, kf, CB_KEY_SEND, CB_SRTP_OUTBOUND);
	cb_srtp_slot_init(&rx, kt, CB_KEY_RECEIVE, CB_SRTP_INBOUND);
	if ((out = cb_srtp_slot_get(&tx)) && (in = cb_srtp_slot_get(&rx)) &&
	    cb_srtp_protect_rtp(out, pkt, &len, sizeof(pkt)) == 0 &&
	    cb_transport_send(from, pkt, len, NULL) == 0) {
		for (int i = 0; i < 100 && n == -EAGAIN; i++) {
			poll(&pfd, 1, 20);
			n = cb_transport_recv(to, buf, sizeof(buf), NULL);
		}
		size_t got = n > 0 ? (size_t)n : 0;
		ok = n > 0 && cb_srtp_unprotect_rtp(in, buf, &got) == 0 && got == 16;
	}
	cb_srtp_slot_clear(&tx);
	cb_srtp_slot_clear(&rx);
	return ok;
}

/* An answer the client must refuse: the session fails with the reason,
 * and no keys ever reach the keying object. */
static void test_refused(struct cb_dtls_certificate *cert, const char *path, const char *why)
{
	struct cb_whip_session_config cfg = { .media = { .payload_type = 111, .channels = 1,
							 .ptime_samples = 960, .ssrc = 0x99 } };
	struct cb_keying keying;
	struct cb_whip_session *s = NULL;
	struct cb_whip_info info = { 0 };
	char err[256];

	cb_keying_init(&keying);
	snprintf(cfg.url, sizeof(cfg.url), "%s/whip/%s", base, path);
	snprintf(cfg.name, sizeof(cfg.name), "show");
	CHECK(cb_address_parse("127.0.0.1:0", 0, &cfg.ice.local, err, sizeof(err)));
	cfg.certificate = cert;
	cfg.keying = &keying;
	CHECK_INT_EQ(cb_whip_session_new(&s, &cfg, err, sizeof(err)), 0);
	if (s == NULL)
		return;
	for (int i = 0; i < 500; i++) {
		cb_whip_session_info(s, &info);
		if (info.failure[0])
			break;
		g_usleep(20000);
	}
	CHECK_STR_CONTAINS(info.failure, why);
	CHECK(!cb_keying_ready(&keying));
	printf("%s: %s\n", path, info.failure);
	cb_whip_session_close(s, 1000);
	cb_keying_clear(&keying);
}

int main(void)
{
	struct cb_whip_session_config cfg = { .media = { .payload_type = 111, .channels = 2,
							 .ptime_samples = 960, .ssrc = 0x1234,
							 .fec = true, .audio_level_ext_id = 1 } };
	struct cb_dtls_certificate *cert = NULL;
	struct cb_keying keying;
	struct cb_whip_session *s = NULL;
	struct cb_whip_info info;
	char err[256];

	CHECK(cb_glib_thread_ref() != NULL);
	start_server(handler);
	CHECK_INT_EQ(cb_dtls_certificate_generate(&cert), 0);
	CHECK_INT_EQ(cb_dtls_certificate_generate(&peer.cert), 0);
	cb_keying_init(&keying);
	cb_keying_init(&peer.keying);

	snprintf(cfg.url, sizeof(cfg.url), "%s/whip/program?key=k", base);
	snprintf(cfg.token, sizeof(cfg.token), "tok");
	snprintf(cfg.name, sizeof(cfg.name), "show");
	snprintf(cfg.cname, sizeof(cfg.cname), "show@test");
	snprintf(cfg.ice.name, sizeof(cfg.ice.name), "show/program");
	CHECK(cb_address_parse("127.0.0.1:0", 0, &cfg.ice.local, err, sizeof(err)));
	cfg.certificate = cert;
	cfg.keying = &keying;
	CHECK_INT_EQ(cb_whip_session_new(&s, &cfg, err, sizeof(err)), 0);
	if (s == NULL)
		return test_finish("test-whip-session");

	for (int i = 0; i < 500 && !(cb_keying_ready(&keying) && cb_keying_ready(&peer.keying)); i++)
		g_usleep(20000);
	CHECK(atomic_load(&peer.answered));
	CHECK(peer.offer_ok);
	CHECK_STR_EQ(peer.auth, "Bearer tok");
	CHECK(cb_keying_ready(&keying) && cb_keying_ready(&peer.keying));
	CHECK(srtp_across(cb_whip_session_transport(s), &keying, peer.t, &peer.keying));
	CHECK(srtp_across(peer.t, &peer.keying, cb_whip_session_transport(s), &keying));

	cb_whip_session_info(s, &info);
	CHECK_STR_EQ(info.kind, "whip");
	CHECK_STR_EQ(info.http_state, "active");
	CHECK(info.answered);
	CHECK_INT_EQ(info.payload_type, 111);
	CHECK(strstr(info.url, "key=") == NULL);
	{
		struct cb_transport_info t;
		cb_transport_describe(cb_whip_session_transport(s), &t);
		CHECK_STR_EQ(t.dtls_role, "server");
		CHECK_STR_EQ(t.dtls_state, "connected");
		CHECK_STR_EQ(t.srtp_profile, "AEAD_AES_128_GCM");
		printf("WHIP over ICE: DTLS %s, %s, pair %s -> %s\n", t.dtls_role, t.srtp_profile,
		       t.pair_local, t.pair_remote);
	}

	cb_whip_session_close(s, 2000);
	CHECK_INT_EQ(atomic_load(&peer.deletes), 1);

	test_refused(cert, "twoaudio", "more than one audio section");
	/* The answer names a certificate the endpoint does not hold: DTLS
	 * fails, nothing is keyed. */
	test_refused(cert, "badfp", "fingerprint");
	cb_transport_destroy(peer.t);
	stop_server();
	cb_dtls_certificate_free(cert);
	cb_dtls_certificate_free(peer.cert);
	cb_keying_clear(&keying);
	cb_keying_clear(&peer.keying);
	cb_session_desc_clear(&offer);
	cb_session_desc_clear(&answer);
	cb_glib_thread_unref();
	return test_finish("test-whip-session");
}
