#include "transport/demux.h"

enum cb_packet_class cb_demux_classify(const uint8_t *buf, size_t len)
{
	uint8_t b;

	if (len == 0)
		return CB_PACKET_UNKNOWN;
	b = buf[0];
	if (b <= 3)
		return CB_PACKET_STUN;
	if (b >= 16 && b <= 19)
		return CB_PACKET_ZRTP;
	if (b >= 20 && b <= 63)
		return CB_PACKET_DTLS;
	if (b >= 64 && b <= 79)
		return CB_PACKET_TURN_CHANNEL;
	if (b >= 128 && b <= 191)
		return CB_PACKET_MEDIA;
	return CB_PACKET_UNKNOWN;
}

const char *cb_packet_class_name(enum cb_packet_class c)
{
	switch (c) {
	case CB_PACKET_STUN: return "stun";
	case CB_PACKET_ZRTP: return "zrtp";
	case CB_PACKET_DTLS: return "dtls";
	case CB_PACKET_TURN_CHANNEL: return "turn-channel";
	case CB_PACKET_MEDIA: return "media";
	case CB_PACKET_UNKNOWN:
	case CB_PACKET_N_CLASSES:
		break;
	}
	return "unknown";
}
