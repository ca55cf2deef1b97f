/* Control keys as the metadata object delivers them: the right track's
 * state changes, anything else is refused without touching a track. */
#include <errno.h>

#include "control/control.h"
#include "node/track-node.h"
#include "test.h"

static struct cb_track_node voice, music;
static struct cb_track_node *tracks[] = { &voice, &music };

static struct cb_track_state *track_at(void *data, uint32_t index, const char **name)
{
	if (index >= 2)
		return NULL;
	*name = tracks[index]->config.name;
	return &tracks[index]->shared;
}

int main(void)
{
	struct cb_control *c;

	snprintf(voice.config.name, sizeof(voice.config.name), "voice");
	snprintf(music.config.name, sizeof(music.config.name), "music");
	cb_track_state_init(&voice.shared);
	cb_track_state_init(&music.shared);
	pw_init(NULL, NULL);
	CHECK_INT_EQ(cb_control_new(&c, NULL, "t", track_at, NULL), 0);

	CHECK_INT_EQ(cb_control_apply(c, "track.voice.control", "pause"), 0);
	CHECK(atomic_load(&voice.shared.paused));
	CHECK(!atomic_load(&music.shared.paused));
	CHECK_INT_EQ(cb_control_apply(c, "track.voice.control", "\"resume\""), 0);
	CHECK(!atomic_load(&voice.shared.paused));
	CHECK_INT_EQ(cb_control_apply(c, "track.music.control", "flush"), 0);
	CHECK_INT_EQ(cb_control_apply(c, "track.music.control", "flush"), 0);
	CHECK_INT_EQ(atomic_load(&music.shared.flush_requests), 2);
	CHECK_INT_EQ(atomic_load(&voice.shared.flush_requests), 0);

	/* refused: unknown track, unknown word, a prefix of a name */
	CHECK_INT_EQ(cb_control_apply(c, "track.nosuch.control", "pause"), -ENOENT);
	CHECK_INT_EQ(cb_control_apply(c, "track.voic.control", "pause"), -ENOENT);
	CHECK_INT_EQ(cb_control_apply(c, "track.voice.control", "explode"), -EINVAL);
	CHECK_INT_EQ(cb_control_apply(c, "track.voice.control", "pause2"), -EINVAL);
	CHECK_INT_EQ(cb_control_apply(c, "track.voice.control", ""), -EINVAL);
	CHECK(!atomic_load(&voice.shared.paused));
	/* not controls at all: status keys, other keys */
	CHECK_INT_EQ(cb_control_apply(c, "track.voice", "pause"), 0);
	CHECK_INT_EQ(cb_control_apply(c, "track..control", "pause"), -ENOENT);
	CHECK_INT_EQ(cb_control_apply(c, "stream.voice", "{}"), 0);
	CHECK(!atomic_load(&voice.shared.paused));

	/* interrupt and open, mark and play */
	CHECK_INT_EQ(cb_control_apply(c, "track.voice.control", "interrupt"), 0);
	CHECK(atomic_load(&voice.shared.interrupted));
	CHECK_INT_EQ(atomic_load(&voice.shared.interrupt_requests), 1);
	CHECK_INT_EQ(cb_control_apply(c, "track.voice.control", "open"), 0);
	CHECK(!atomic_load(&voice.shared.interrupted));
	CHECK_INT_EQ(cb_control_apply(c, "track.voice.control", "mark u1"), 0);
	CHECK_INT_EQ(cb_control_apply(c, "track.voice.control", "\"mark u\\/2\""), 0);
	CHECK_INT_EQ(atomic_load(&voice.shared.marks_tail), 2);
	CHECK_STR_EQ(voice.shared.marks[0].id, "u1");
	CHECK_STR_EQ(voice.shared.marks[1].id, "u/2");
	CHECK_INT_EQ(cb_control_apply(c, "track.voice.control", "mark"), -EINVAL);
	CHECK_INT_EQ(cb_control_apply(c, "track.voice.control", "mark a b"), -EINVAL);
	CHECK_INT_EQ(cb_control_apply(c, "track.voice.control", "pause now"), -EINVAL);
	for (int i = 2; i < CB_TRACK_MAX_MARKS; i++)
		CHECK_INT_EQ(cb_control_apply(c, "track.voice.control", "mark m"), 0);
	/* 16 wait: the next is refused until the bridge reports some. */
	CHECK_INT_EQ(cb_control_apply(c, "track.voice.control", "mark m"), -ENOSPC);
	voice.shared.marks_reported = 1;
	CHECK_INT_EQ(cb_control_apply(c, "track.voice.control", "mark m"), 0);
	/* play: absolute paths only, and only with a bridge to play them */
	CHECK_INT_EQ(cb_control_apply(c, "track.voice.control", "play x.wav"), -EINVAL);
	CHECK_INT_EQ(cb_control_apply(c, "track.voice.control", "play /x.wav"), -ENOTSUP);
	CHECK_INT_EQ(cb_control_apply(c, "track.voice.control", "play"), -EINVAL);
	/* reload: taken once, with the token cut to printable ASCII. */
	char token[CB_RELOAD_TOKEN_MAX + 1];
	CHECK(!cb_control_take_reload(c, token, sizeof(token)));
	CHECK_INT_EQ(cb_control_apply(c, "reload", "12-3.4"), 0);
	CHECK(cb_control_take_reload(c, token, sizeof(token)));
	CHECK_STR_EQ(token, "12-3.4");
	CHECK(!cb_control_take_reload(c, token, sizeof(token)));
	CHECK_INT_EQ(cb_control_apply(c, "reload", "\"a b\x1b[2J\""), 0);
	CHECK(cb_control_take_reload(c, token, sizeof(token)));
	CHECK_STR_EQ(token, "ab[2J");
	CHECK_INT_EQ(cb_control_apply(c, "reload", "0123456789012345678901234567890123456789"
				      "01234567890123456789012345678901234567890123456789"), 0);
	CHECK(cb_control_take_reload(c, token, sizeof(token)));
	CHECK_INT_EQ(strlen(token), CB_RELOAD_TOKEN_MAX);
	CHECK(!atomic_load(&voice.shared.paused));

	cb_control_destroy(c);
	pw_deinit();
	return test_finish("test-control");
}
