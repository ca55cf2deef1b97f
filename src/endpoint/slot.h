/* The way in of a WHIP endpoint: a transport (transport.h) that stays put
 * for the life of the call, so the receive worker has one input per
 * whip-endpoint remote from the start, while the browsers that publish
 * into it come and go.  One publisher at a time is attached: its DTLS
 * transport (around its ICE agent) is read through this one, and its DTLS
 * keys land in the slot's session keying, which the receive worker follows
 * as for any other session.
 *
 * The fd is an epoll instance holding the attached publisher's fd, so the
 * receive worker polls one descriptor that never changes; attach and
 * detach (GLib thread) take the lock that recv and send (the receive
 * worker) hold for one datagram, so a publisher's transport is never freed
 * under a reader. */
#ifndef CALLBRIDGE_ENDPOINT_SLOT_H
#define CALLBRIDGE_ENDPOINT_SLOT_H

#include "transport/transport.h"

int cb_slot_new(struct cb_transport **out);
/* -EBUSY while another is attached.  payload_type: the one the
 * publisher's offer chose (browsers pick their own: Chrome 111, Firefox
 * 109, aiortc 96), which the receive worker takes instead of the remote's. */
int cb_slot_attach(struct cb_transport *t, struct cb_transport *inner, uint8_t payload_type);
/* The attached publisher's payload type, -1 when none (any thread). */
int cb_slot_payload_type(struct cb_transport *t);
/* After this returns nothing reads or writes inner through the slot. */
void cb_slot_detach(struct cb_transport *t, struct cb_transport *inner);
bool cb_is_slot(struct cb_transport *t);

#endif
