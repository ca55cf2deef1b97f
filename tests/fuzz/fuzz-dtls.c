/* DTLS records from the network into a session (dtls/dtls-session.h), in
 * both roles.  The input is a sequence of datagrams, each prefixed by a
 * two-byte big-endian length; the first byte picks the role and whether
 * the path is up before the records come.  A session must never
 * reach "connected", nor hand keys to its keying object, from bytes that
 * do not come from the holder of the certificate its fingerprint names
 * (here: nobody), and nothing may be read out of bounds.  The seed corpus
 * holds a real ClientHello flight so the fuzzer starts inside the
 * handshake. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keying.h"
#include "dtls/dtls-session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cb_dtls_certificate *cert;

static int drop_send(void *d, const uint8_t *buf, size_t len)
{
	return 0;
}

static const struct cb_dtls_events events = { .send = drop_send };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cb_dtls_config c = { .give_up_ms = 1000 };
	struct cb_dtls_session *s = NULL;
	struct cb_keying keying;
	size_t off = 1;

	if (size < 1)
		return 0;
	if (cert == NULL && cb_dtls_certificate_generate(&cert) < 0)
		abort();
	cb_keying_init(&keying);
	c.certificate = cert;
	c.keying = &keying;
	c.role = (data[0] & 1) ? CB_DTLS_CLIENT : CB_DTLS_SERVER;
	memset(c.remote_fingerprint, 0x5a, sizeof(c.remote_fingerprint));
	if (cb_dtls_session_new(&s, &c, &events, NULL) < 0)
		abort();
	/* Half the inputs arrive before start (the early queue), half after. */
	if (data[0] & 2)
		cb_dtls_session_start(s, 0);
	while (off + 2 <= size) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (len > size - off)
			len = size - off;
		/* Exactly sized copies, so a read past a datagram is caught. */
		uint8_t *dgram = malloc(len ? len : 1);
		memcpy(dgram, data + off, len);
		cb_dtls_session_input(s, dgram, len, 0);
		free(dgram);
		off += len;
	}
	cb_dtls_session_start(s, 0);
	cb_dtls_session_timeout(s, 0);
	if (cb_dtls_session_state(s) == CB_DTLS_CONNECTED || keying.keys[CB_KEY_SEND].set ||
	    keying.keys[CB_KEY_RECEIVE].set)
		abort();
	cb_dtls_session_free(s);
	cb_keying_clear(&keying);
	return 0;
}
