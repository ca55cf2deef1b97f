/* DTLS-SRTP over real ICE: two libnice agents in one process (port 0,
 * credentials and candidates traded at run time), each wrapped in a DTLS
 * layer (dtls/dtls-transport.h).  The handshake runs on the GLib thread
 * once ICE is up; then the keys in each side's keying object protect an
 * SRTP packet that crosses the wrapped transports both ways, and status
 * shows each side's DTLS role and the profile.  Run for an AES-CM and a
 * GCM profile, with the roles swapped between them. */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <string.h>

#include <glib.h>

#include "crypto/keying.h"
#include "dtls/certificate.h"
#include "dtls/dtls-transport.h"
#include "rtp/rtp.h"
#include "transport/ice-transport.h"
#include "test.h"

struct side {
	struct cb_ice_transport *ice;
	struct cb_transport *t;
	struct cb_dtls_certificate *cert;
	struct cb_keying keying;
	atomic_int done;	/* enum cb_dtls_state + 1 once told */
};

static void on_done(void *data, enum cb_dtls_state state, const char *reason)
{
	struct side *s = data;

	atomic_store(&s->done, (int)state + 1);
}

static void make_ice(struct side *s, enum cb_ice_role role, const char *ufrag, const char *pwd)
{
	struct cb_ice_params p = { .role = role };
	char err[256];

	snprintf(p.name, sizeof(p.name), "%s", ufrag);
	snprintf(p.ufrag, sizeof(p.ufrag), "%s", ufrag);
	snprintf(p.pwd, sizeof(p.pwd), "%s", pwd);
	CHECK(cb_address_parse("127.0.0.1:0", 0, &p.local, err, sizeof(err)));
	CHECK_INT_EQ(cb_ice_transport_new(&s->ice, &p, err, sizeof(err)), 0);
	CHECK_INT_EQ(cb_dtls_certificate_generate(&s->cert), 0);
	cb_keying_init(&s->keying);
}

static void wrap(struct side *s, const struct side *peer, enum cb_dtls_role role, uint32_t suites)
{
	struct cb_dtls_config c = { .certificate = s->cert, .role = role, .suites = suites,
				    .keying = &s->keying };

	memcpy(c.remote_fingerprint, cb_dtls_certificate_fingerprint(peer->cert), CB_SHA256_LEN);
	CHECK_INT_EQ(cb_dtls_transport_new(&s->t, cb_ice_transport_base(s->ice), &c, on_done, s), 0);
}

static void trickle(struct cb_ice_transport *from, struct cb_ice_transport *to)
{
	char sdp[4096], *line, *save = NULL;

	cb_ice_transport_candidate_sdp(from, sdp, sizeof(sdp), NULL);
	for (line = strtok_r(sdp, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save))
		CHECK_INT_EQ(cb_ice_transport_add_remote_candidate(to, line), 0);
}

static bool send_srtp(struct side *from, struct side *to, uint16_t seq)
{
	struct cb_srtp_slot tx, rx;
	struct cb_srtp_session *out, *in;
	uint8_t pkt[256], buf[2048];
	struct cb_rtp_header h = { .payload_type = 111, .sequence = seq, .timestamp = seq * 960u,
				   .ssrc = 0x5150 };
	struct pollfd pfd = { .fd = cb_transport_fd(to->t), .events = POLLIN };
	size_t len = cb_rtp_write_header(pkt, sizeof(pkt), &h);
	ssize_t n = -EAGAIN;
	bool ok = false;

	memcpy(pkt + len, "voice", 5);
	len += 5;
	cb_srtp_slot_init(&tx, &from->keying, CB_KEY_SEND, CB_SRTP_OUTBOUND);
	cb_srtp_slot_init(&rx, &to->keying, CB_KEY_RECEIVE, CB_SRTP_INBOUND);
	if ((out = cb_srtp_slot_get(&tx)) != NULL && (in = cb_srtp_slot_get(&rx)) != NULL &&
	    cb_srtp_protect_rtp(out, pkt, &len, sizeof(pkt)) == 0 &&
	    cb_transport_send(from->t, pkt, len, NULL) == 0) {
		for (int i = 0; i < 100 && n == -EAGAIN; i++) {
			poll(&pfd, 1, 20);
			n = cb_transport_recv(to->t, buf, sizeof(buf), NULL);
		}
		size_t got = n > 0 ? (size_t)n : 0;
		ok = n > 0 && cb_srtp_unprotect_rtp(in, buf, &got) == 0 && got == 17 &&
		     memcmp(buf + 12, "voice", 5) == 0;
	}
	cb_srtp_slot_clear(&tx);
	cb_srtp_slot_clear(&rx);
	return ok;
}

static void run(enum cb_dtls_role role_a, uint32_t suites, enum cb_srtp_suite want)
{
	struct side a = { 0 }, b = { 0 };
	struct cb_transport_info info;

	make_ice(&a, CB_ICE_ROLE_CONTROLLING, "aaaa", "aaaaaaaaaaaaaaaaaaaaaa");
	make_ice(&b, CB_ICE_ROLE_CONTROLLED, "bbbb", "bbbbbbbbbbbbbbbbbbbbbb");
	if (!a.ice || !b.ice)
		return;
	wrap(&a, &b, role_a, suites);
	wrap(&b, &a, role_a == CB_DTLS_CLIENT ? CB_DTLS_SERVER : CB_DTLS_CLIENT, suites);
	CHECK_INT_EQ(cb_ice_transport_set_remote_credentials(a.ice, "bbbb", "bbbbbbbbbbbbbbbbbbbbbb"), 0);
	CHECK_INT_EQ(cb_ice_transport_set_remote_credentials(b.ice, "aaaa", "aaaaaaaaaaaaaaaaaaaaaa"), 0);
	cb_ice_transport_start(a.ice, 5000);
	cb_ice_transport_start(b.ice, 5000);
	trickle(b.ice, a.ice);
	trickle(a.ice, b.ice);

	/* Before keys: media is dropped by the workers, never sent clear
	 * (here: nothing to build an SRTP session from). */
	for (int i = 0; i < 500 && (atomic_load(&a.done) == 0 || atomic_load(&b.done) == 0); i++)
		g_usleep(20000);
	CHECK_INT_EQ(atomic_load(&a.done), CB_DTLS_CONNECTED + 1);
	CHECK_INT_EQ(atomic_load(&b.done), CB_DTLS_CONNECTED + 1);
	CHECK_INT_EQ(a.keying.suite, want);
	CHECK(send_srtp(&a, &b, 1));
	CHECK(send_srtp(&b, &a, 2));

	cb_transport_describe(a.t, &info);
	CHECK_STR_EQ(info.kind, "ice");
	CHECK(info.has_dtls);
	CHECK_STR_EQ(info.dtls_role, cb_dtls_role_name(role_a));
	CHECK_STR_EQ(info.dtls_state, "connected");
	CHECK_STR_EQ(info.srtp_profile, cb_srtp_suite_name(want));
	CHECK(info.has_pair);
	CHECK(info.rx_datagrams > 0);
	printf("a as DTLS %s over ICE: %s, pair %s -> %s\n", info.dtls_role, info.srtp_profile,
	       info.pair_local, info.pair_remote);

	cb_transport_destroy(a.t);
	cb_transport_destroy(b.t);
	cb_dtls_certificate_free(a.cert);
	cb_dtls_certificate_free(b.cert);
	cb_keying_clear(&a.keying);
	cb_keying_clear(&b.keying);
}

/* The WHIP case: we offered actpass, the peer answered active, and its
 * ClientHello arrives over ICE before we have read the answer.  The hello
 * is kept; once the answer says "you are the server, this is my
 * certificate", the handshake completes. */
static void run_offerer(void)
{
	struct side a = { 0 }, b = { 0 };
	struct cb_dtls_config c;

	make_ice(&a, CB_ICE_ROLE_CONTROLLING, "aaaa", "aaaaaaaaaaaaaaaaaaaaaa");
	make_ice(&b, CB_ICE_ROLE_CONTROLLED, "bbbb", "bbbbbbbbbbbbbbbbbbbbbb");
	if (!a.ice || !b.ice)
		return;
	c = (struct cb_dtls_config) { .certificate = a.cert, .keying = &a.keying };
	CHECK_INT_EQ(cb_dtls_transport_new_offerer(&a.t, cb_ice_transport_base(a.ice), &c, on_done,
						   &a), 0);
	wrap(&b, &a, CB_DTLS_CLIENT, 0);
	CHECK_INT_EQ(cb_ice_transport_set_remote_credentials(a.ice, "bbbb", "bbbbbbbbbbbbbbbbbbbbbb"), 0);
	CHECK_INT_EQ(cb_ice_transport_set_remote_credentials(b.ice, "aaaa", "aaaaaaaaaaaaaaaaaaaaaa"), 0);
	cb_ice_transport_start(a.ice, 5000);
	cb_ice_transport_start(b.ice, 5000);
	trickle(b.ice, a.ice);
	trickle(a.ice, b.ice);
	for (int i = 0; i < 500 && !(cb_ice_transport_connected(a.ice) &&
				     cb_ice_transport_connected(b.ice)); i++)
		g_usleep(20000);
	g_usleep(300000);	/* b's hello has gone out and is waiting at a */
	CHECK_INT_EQ(atomic_load(&a.done), 0);
	CHECK_INT_EQ(cb_dtls_transport_set_peer(a.t, CB_DTLS_SERVER,
						cb_dtls_certificate_fingerprint(b.cert)), 0);
	CHECK_INT_EQ(cb_dtls_transport_set_peer(a.t, CB_DTLS_SERVER,
						cb_dtls_certificate_fingerprint(b.cert)), -EALREADY);
	for (int i = 0; i < 500 && (atomic_load(&a.done) == 0 || atomic_load(&b.done) == 0); i++)
		g_usleep(20000);
	CHECK_INT_EQ(atomic_load(&a.done), CB_DTLS_CONNECTED + 1);
	CHECK_INT_EQ(atomic_load(&b.done), CB_DTLS_CONNECTED + 1);
	CHECK(send_srtp(&a, &b, 3));
	CHECK(send_srtp(&b, &a, 4));
	cb_transport_destroy(a.t);
	cb_transport_destroy(b.t);
	cb_dtls_certificate_free(a.cert);
	cb_dtls_certificate_free(b.cert);
	cb_keying_clear(&a.keying);
	cb_keying_clear(&b.keying);
}

int main(void)
{
	run_offerer();
	run(CB_DTLS_SERVER, 1u << CB_SRTP_AES_CM_128_HMAC_SHA1_80, CB_SRTP_AES_CM_128_HMAC_SHA1_80);
	run(CB_DTLS_CLIENT, 0, CB_SRTP_AEAD_AES_128_GCM);
	return test_finish("test-dtls-ice");
}
