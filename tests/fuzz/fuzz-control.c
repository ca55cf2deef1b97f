/* The control keys of a call's metadata object, which any PipeWire client
 * may write: `track.<name>.control = pause|resume|flush|interrupt|open|
 * mark ID|play PATH`.  The input is the key, a NUL, then the value.
 * cb_control_apply runs against three tracks and its result and effect
 * are checked against an oracle written here:
 *  - a key that is not track.<name>.control is not ours: 0, nothing changes;
 *  - an unknown track: -ENOENT; an unknown word, a word with an argument
 *    it does not take or without one it needs, a mark id that is empty,
 *    too long or has spaces or control characters, a play path that is
 *    not absolute: -EINVAL; nothing changes;
 *  - otherwise exactly the named track changes, as the word says (a mark
 *    holds its id, a play reaches the bridge with its path).
 * The value may be bare or a JSON string; one with escapes is only
 * checked not to change the wrong track. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "node/track-node.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = { "voice", "music", "fx" };
#define N_TRACKS 3
static struct cb_track_node nodes[N_TRACKS];
static struct cb_track_node *tracks[N_TRACKS] = { &nodes[0], &nodes[1], &nodes[2] };
static struct cb_control *control;
static int played_index = -1, interrupted_index = -1;
static char played_path[PATH_MAX + 16];

static struct cb_track_state *track_at(void *data, uint32_t index, const char **name)
{
	if (index >= N_TRACKS)
		return NULL;
	*name = tracks[index]->config.name;
	return &tracks[index]->shared;
}

static int play(void *data, uint32_t index, const char *path)
{
	played_index = (int)index;
	snprintf(played_path, sizeof(played_path), "%s", path);
	return 0;
}

static void interrupt(void *data, uint32_t index)
{
	interrupted_index = (int)index;
}

static const struct cb_control_files files = { .play = play, .interrupt = interrupt };

static void setup(void)
{
	pw_init(NULL, NULL);
	/* The harness runs millions of bad controls; their log lines are
	 * rate-limited by the code under test, but not free. */
	pw_log_set_level(SPA_LOG_LEVEL_NONE);
	for (int i = 0; i < N_TRACKS; i++) {
		snprintf(nodes[i].config.name, sizeof(nodes[i].config.name), "%s", names[i]);
		cb_track_state_init(&nodes[i].shared);
	}
	if (cb_control_new(&control, NULL, "fuzz", track_at, NULL) < 0)
		abort();
	cb_control_set_files(control, &files, NULL);
}

enum word { W_NONE = -1, W_PAUSE, W_RESUME, W_FLUSH, W_INTERRUPT, W_OPEN, W_MARK, W_PLAY };

/* The oracle's reading of a value: -EINVAL, or 0 with the word and its
 * argument (NULL when none).  *unsure for JSON strings with escapes. */
static int expected(const char *value, enum word *word, const char **arg, bool *unsure,
		    char *text, size_t text_len)
{
	static const char *const words[] = { "pause", "resume", "flush", "interrupt", "open",
					     "mark", "play" };
	size_t len = strlen(value);
	char *space;

	*word = W_NONE;
	*arg = NULL;
	*unsure = false;
	if (value[0] == '"') {
		if (strchr(value + 1, '\\')) {
			*unsure = true;
			return 0;
		}
		if (len < 2 || value[len - 1] != '"' || memchr(value + 1, '"', len - 2))
			return -EINVAL;
		for (size_t i = 1; i + 1 < len; i++)
			if ((unsigned char)value[i] < 0x20)
				return -EINVAL;
		if (len - 2 >= text_len)
			return -EINVAL;
		memcpy(text, value + 1, len - 2);
		text[len - 2] = '\0';
	} else {
		if (len >= text_len)
			return -EINVAL;
		memcpy(text, value, len + 1);
	}
	if ((space = strchr(text, ' ')) != NULL) {
		*space = '\0';
		*arg = space + 1;
	}
	for (int i = 0; i < 7; i++)
		if (strcmp(text, words[i]) == 0)
			*word = (enum word)i;
	if (*word == W_NONE)
		return -EINVAL;
	if (*word == W_MARK || *word == W_PLAY) {
		if (*arg == NULL || **arg == '\0')
			return -EINVAL;
	} else if (*arg != NULL) {
		return -EINVAL;
	}
	if (*word == W_MARK) {
		size_t n = strlen(*arg);
		if (n >= CB_MARK_ID_MAX)
			return -EINVAL;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)(*arg)[i] <= ' ' || (*arg)[i] == 0x7f)
				return -EINVAL;
	}
	if (*word == W_PLAY && (*arg)[0] != '/')
		return -EINVAL;
	return 0;
}

struct track_view {
	bool paused, interrupted;
	unsigned flushes, interrupts, marks;
};

static struct track_view view(int i)
{
	struct cb_track_state *s = &nodes[i].shared;

	return (struct track_view) {
		.paused = atomic_load(&s->paused),
		.interrupted = atomic_load(&s->interrupted),
		.flushes = atomic_load(&s->flush_requests),
		.interrupts = atomic_load(&s->interrupt_requests),
		.marks = atomic_load(&s->marks_tail),
	};
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char prefix[] = "track.", suffix[] = ".control";
	static char text[PATH_MAX + 16];
	struct track_view before[N_TRACKS];
	const char *arg;
	enum word word;
	char *key, *value;
	size_t key_len;
	int track = -2, res, want;
	bool unsure;

	if (control == NULL)
		setup();
	key = calloc(1, size + 2);
	if (key == NULL)
		return 0;
	memcpy(key, data, size);
	value = key + strlen(key) + 1;	/* "" when there is no NUL */

	/* The oracle's view of the key. */
	key_len = strlen(key);
	if (key_len >= strlen(prefix) + strlen(suffix) &&
	    strncmp(key, prefix, strlen(prefix)) == 0 &&
	    strcmp(key + key_len - strlen(suffix), suffix) == 0) {
		size_t name_len = key_len - strlen(prefix) - strlen(suffix);
		track = -1;
		for (int i = 0; i < N_TRACKS; i++)
			if (strlen(names[i]) == name_len &&
			    memcmp(key + strlen(prefix), names[i], name_len) == 0)
				track = i;
	}
	want = expected(value, &word, &arg, &unsure, text, sizeof(text));
	if (track == -2)
		want = 0;
	else if (track == -1)
		want = -ENOENT;

	for (int i = 0; i < N_TRACKS; i++)
		before[i] = view(i);
	played_index = interrupted_index = -1;
	res = cb_control_apply(control, key, value);
	if (unsure && track >= 0) {
		if (res != 0 && res != -EINVAL)
			abort();
	} else if (res != want) {
		abort();
	}
	for (int i = 0; i < N_TRACKS; i++) {
		struct track_view now = view(i);
		bool acted = res == 0 && i == track;

		if (!acted) {
			if (memcmp(&now, &before[i], sizeof(now)) != 0)
				abort();
			continue;
		}
		if (unsure)
			continue;
		if (now.paused != (word == W_PAUSE ? true : word == W_RESUME ? false :
				   before[i].paused))
			abort();
		if (now.flushes != before[i].flushes + (word == W_FLUSH))
			abort();
		if (now.interrupts != before[i].interrupts + (word == W_INTERRUPT))
			abort();
		if (now.interrupted != (word == W_INTERRUPT ? true : word == W_OPEN ? false :
					before[i].interrupted))
			abort();
		if (now.marks != before[i].marks + (word == W_MARK))
			abort();
		if (word == W_MARK) {
			struct cb_track_state *s = &nodes[i].shared;
			if (strcmp(s->marks[before[i].marks % CB_TRACK_MAX_MARKS].id, arg) != 0)
				abort();
			/* As the bridge would, once they left: room for more. */
			s->marks_reported = now.marks;
			atomic_store(&s->marks_done, now.marks);
		}
		if ((word == W_PLAY) != (played_index == i) ||
		    (word == W_PLAY && strcmp(played_path, arg) != 0))
			abort();
		if ((word == W_INTERRUPT) != (interrupted_index == i))
			abort();
	}
	if (res != 0 && (played_index >= 0 || interrupted_index >= 0))
		abort();
	free(key);
	return 0;
}
