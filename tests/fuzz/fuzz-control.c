/* The control keys of a call's metadata object, which any PipeWire client
 * may write: `track.<name>.control = pause|resume|flush`.  The input is the
 * key, a NUL, then the value.  cb_control_apply runs against three tracks
 * and its result and effect are checked against an oracle written here:
 *  - a key that is not track.<name>.control is not ours: 0, nothing changes;
 *  - an unknown track: -ENOENT; an unknown word: -EINVAL; nothing changes;
 *  - otherwise exactly the named track changes, as the word says.
 * The word may be bare or a JSON string ("pause"). */
#include <errno.h>
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

static struct cb_track_state *track_at(void *data, uint32_t index, const char **name)
{
	if (index >= N_TRACKS)
		return NULL;
	*name = tracks[index]->config.name;
	return &tracks[index]->shared;
}

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
}

/* The word in value: bare, or inside exactly one pair of quotes. */
static int expected_word(const char *value)
{
	static const char *const words[] = { "pause", "resume", "flush" };
	size_t len = strlen(value);

	for (int i = 0; i < 3; i++) {
		size_t n = strlen(words[i]);
		if (strcmp(value, words[i]) == 0 ||
		    (len == n + 2 && value[0] == '"' && value[len - 1] == '"' &&
		     memcmp(value + 1, words[i], n) == 0))
			return i;
	}
	return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char prefix[] = "track.", suffix[] = ".control";
	bool paused[N_TRACKS];
	unsigned flushes[N_TRACKS];
	char *key, *value;
	size_t key_len;
	int track = -2, word, res, want;

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
	word = expected_word(value);
	want = track == -2 ? 0 : track == -1 ? -ENOENT : word < 0 ? -EINVAL : 0;

	for (int i = 0; i < N_TRACKS; i++) {
		paused[i] = atomic_load(&nodes[i].shared.paused);
		flushes[i] = atomic_load(&nodes[i].shared.flush_requests);
	}
	res = cb_control_apply(control, key, value);
	if (res != want)
		abort();
	for (int i = 0; i < N_TRACKS; i++) {
		bool acted = res == 0 && i == track;
		bool now_paused = atomic_load(&nodes[i].shared.paused);
		unsigned now_flushes = atomic_load(&nodes[i].shared.flush_requests);
		if (acted && word == 0 && !now_paused)
			abort();
		if (acted && word == 1 && now_paused)
			abort();
		if (acted && word == 2 ? now_flushes != flushes[i] + 1 : now_flushes != flushes[i])
			abort();
		if ((!acted || word == 2) && now_paused != paused[i])
			abort();
	}
	free(key);
	return 0;
}
