/* What a datagram is, from its first byte alone (RFC 7983 section 7, as
 * RFC 9443 extends it): STUN 0..3, ZRTP 16..19, DTLS 20..63, TURN channel
 * 64..79, RTP and RTCP 128..191.  Everything else, and the empty datagram,
 * is unknown.  RTP and RTCP are told apart later (RFC 5761 section 4), by
 * the receive worker. */
#ifndef CALLBRIDGE_DEMUX_H
#define CALLBRIDGE_DEMUX_H

#include <stddef.h>
#include <stdint.h>

enum cb_packet_class {
	CB_PACKET_UNKNOWN,
	CB_PACKET_STUN,
	CB_PACKET_ZRTP,
	CB_PACKET_DTLS,
	CB_PACKET_TURN_CHANNEL,
	CB_PACKET_MEDIA,	/* RTP or RTCP */
	CB_PACKET_N_CLASSES,
};

enum cb_packet_class cb_demux_classify(const uint8_t *buf, size_t len);
const char *cb_packet_class_name(enum cb_packet_class c);

#endif
