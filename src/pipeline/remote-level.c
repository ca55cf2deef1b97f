#include "pipeline/remote.h"
#include "rtp/rtp.h"
#include "rtp/rtp-ext.h"

/* The peer is expected to be callbridge or to use the same extmap ID: the
 * receive side has no SDP from the peer to learn another one from. */
void cb_remote_note_audio_level(struct cb_remote *r, const struct cb_rtp_packet *pkt)
{
	const uint8_t *data;
	uint8_t level;
	bool voice;

	if (!pkt->has_extension ||
	    cb_rtp_ext_find(pkt->extension_profile, pkt->extension, pkt->extension_len,
			    CB_AUDIO_LEVEL_EXT_ID, &data) < 1)
		return;
	cb_audio_level_unpack(data[0], &level, &voice);
	atomic_store_explicit(&r->stats.audio_level, level, memory_order_relaxed);
	atomic_store_explicit(&r->stats.voice, voice, memory_order_relaxed);
}
