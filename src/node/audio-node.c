#include <errno.h>

#include <spa/param/audio/format-utils.h>
#include <spa/pod/builder.h>

#include "node/audio-node.h"

struct pw_properties *cb_audio_node_properties(const char *media_class, const char *category,
					       const char *node_name, const char *description,
					       const char *call_name, uint32_t ptime_frames)
{
	struct pw_properties *props = pw_properties_new(
		PW_KEY_MEDIA_TYPE, "Audio",
		PW_KEY_MEDIA_CATEGORY, category,
		PW_KEY_MEDIA_ROLE, "Communication",
		PW_KEY_MEDIA_CLASS, media_class,
		PW_KEY_NODE_NAME, node_name,
		PW_KEY_NODE_DESCRIPTION, description,
		PW_KEY_MEDIA_NAME, description,
		/* Keep the graph's clock running through the node when nothing
		 * is linked, so the call's timeline never stalls. */
		"node.always-process", "true",
		"callbridge.call", call_name,
		NULL);
	/* Half a frame: the graph rounds down to a power of two, so the
	 * quantum lands between a quarter and half of the ptime (128 at ptime
	 * 10), but not under 64 frames (1.3 ms, 750 wake-ups a second for the
	 * whole graph; ptime 2.5 keeps the 64 it had). A frame goes out only
	 * at the end of the cycle that completes it, so packets arrive up to
	 * a quantum off their even spacing and the jitter buffer covers that
	 * too: at ptime 10, 128 rather than the 256 a whole-frame request
	 * gets measured 2 ms less mouth-to-ear latency, for twice the graph's
	 * wake-ups. */
	if (props)
		pw_properties_setf(props, PW_KEY_NODE_LATENCY, "%u/48000",
				   ptime_frames / 2 > 64 ? ptime_frames / 2 : 64);
	return props;
}

int cb_audio_node_connect(struct pw_stream *stream, enum pw_direction direction,
			  uint32_t channels)
{
	struct spa_audio_info_raw info;
	const struct spa_pod *params[1];
	uint8_t pod_buffer[1024];
	struct spa_pod_builder builder = SPA_POD_BUILDER_INIT(pod_buffer, sizeof(pod_buffer));

	info = SPA_AUDIO_INFO_RAW_INIT(.format = SPA_AUDIO_FORMAT_F32, .rate = 48000,
				       .channels = channels);
	if (channels == 1) {
		info.position[0] = SPA_AUDIO_CHANNEL_MONO;
	} else {
		info.position[0] = SPA_AUDIO_CHANNEL_FL;
		info.position[1] = SPA_AUDIO_CHANNEL_FR;
	}
	params[0] = spa_format_audio_raw_build(&builder, SPA_PARAM_EnumFormat, &info);
	return pw_stream_connect(stream, direction, PW_ID_ANY,
				 PW_STREAM_FLAG_MAP_BUFFERS | PW_STREAM_FLAG_RT_PROCESS,
				 params, 1);
}
