#include <string.h>

#include "ice/ice-io.h"

/* ICE has one destination, the selected pair: dest is not used. */
static int ice_send(void *data, const uint8_t *buf, size_t len, const struct cb_address *dest)
{
	return cb_ice_transport_send(data, buf, len);
}

static ssize_t ice_recv(void *data, uint8_t *buf, size_t cap, struct cb_address *from)
{
	ssize_t n = cb_ice_transport_recv(data, buf, cap);

	if (n >= 0) {
		/* Reports are answered over the same transport, wherever the
		 * pair leads: the address only has to say "known". */
		memset(from, 0, sizeof(*from));
		from->set = true;
		strcpy(from->text, "ice");
	}
	return n;
}

void cb_ice_packet_output(struct cb_ice_transport *t, struct cb_packet_output *out)
{
	*out = (struct cb_packet_output) { .send = ice_send, .data = t };
}

void cb_ice_packet_input(struct cb_ice_transport *t, struct cb_packet_input *in)
{
	*in = (struct cb_packet_input) { .fd = cb_ice_transport_fd(t), .recv = ice_recv,
					 .reply = ice_send, .data = t };
}
