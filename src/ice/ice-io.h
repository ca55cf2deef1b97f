/* The ICE transport as the send worker's output and the receive worker's
 * input, so neither worker knows whether it talks to a socket or to ICE. */
#ifndef CALLBRIDGE_ICE_IO_H
#define CALLBRIDGE_ICE_IO_H

#include "ice/ice-transport.h"
#include "pipeline/receive-worker.h"
#include "pipeline/send-worker.h"

void cb_ice_packet_output(struct cb_ice_transport *t, struct cb_packet_output *out);
void cb_ice_packet_input(struct cb_ice_transport *t, struct cb_packet_input *in);

#endif
