/* What the track (sink) and remote (source) nodes share: a pw_stream that
 * is a PipeWire device-like node in our fixed format, F32 interleaved at
 * 48 kHz, mono or stereo. The stream adapter converts whatever apps use. */
#ifndef CALLBRIDGE_AUDIO_NODE_H
#define CALLBRIDGE_AUDIO_NODE_H

#include <stdint.h>

#include <pipewire/pipewire.h>

/* Properties common to both kinds: media class, names, description,
 * always-process and the requested quantum (node.latency, derived from the
 * call's ptime in frames). NULL on allocation failure. */
struct pw_properties *cb_audio_node_properties(const char *media_class, const char *category,
					       const char *node_name, const char *description,
					       const char *call_name, uint32_t ptime_frames);

/* Connects the stream in our format; never AUTOCONNECT: a track is
 * something apps play into (it must not go and record the microphone), a
 * remote something they record from. */
int cb_audio_node_connect(struct pw_stream *stream, enum pw_direction direction,
			  uint32_t channels);

#endif
