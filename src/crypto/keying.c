#include <errno.h>
#include <string.h>

#include "crypto/keying.h"
#include "util/secret.h"

void cb_keying_init(struct cb_keying *k)
{
	memset(k, 0, sizeof(*k));
	pthread_mutex_init(&k->lock, NULL);
	atomic_init(&k->generation, 0);
}

void cb_keying_clear(struct cb_keying *k)
{
	cb_secret_wipe(k->keys, sizeof(k->keys));
	pthread_mutex_destroy(&k->lock);
}

static bool key_fits(enum cb_srtp_suite suite, const struct cb_key *key)
{
	return key == NULL || (key->set && key->len == cb_srtp_suite_key_len(suite));
}

int cb_keying_set(struct cb_keying *k, enum cb_srtp_suite suite, const struct cb_key *send,
		  const struct cb_key *receive)
{
	if (suite != CB_SRTP_NONE && (send == NULL || !key_fits(suite, send) ||
				      !key_fits(suite, receive)))
		return -EINVAL;
	pthread_mutex_lock(&k->lock);
	cb_secret_wipe(k->keys, sizeof(k->keys));
	k->suite = suite;
	if (suite == CB_SRTP_NONE) {
		k->keys[CB_KEY_SEND].set = true;
		k->keys[CB_KEY_RECEIVE].set = true;
	} else {
		k->keys[CB_KEY_SEND] = *send;
		if (receive)
			k->keys[CB_KEY_RECEIVE] = *receive;
	}
	/* Release: a worker that sees the new generation sees these keys. */
	atomic_fetch_add_explicit(&k->generation, 1, memory_order_release);
	pthread_mutex_unlock(&k->lock);
	return 0;
}

void cb_keying_revoke(struct cb_keying *k)
{
	pthread_mutex_lock(&k->lock);
	cb_secret_wipe(k->keys, sizeof(k->keys));
	atomic_fetch_add_explicit(&k->generation, 1, memory_order_release);
	pthread_mutex_unlock(&k->lock);
}

bool cb_keying_ready(struct cb_keying *k)
{
	bool ready;

	pthread_mutex_lock(&k->lock);
	ready = k->keys[CB_KEY_SEND].set && k->keys[CB_KEY_RECEIVE].set;
	pthread_mutex_unlock(&k->lock);
	return ready;
}

void cb_srtp_slot_init(struct cb_srtp_slot *slot, struct cb_keying *keying, enum cb_key_use use,
		       enum cb_srtp_direction direction)
{
	memset(slot, 0, sizeof(*slot));
	slot->keying = keying;
	slot->use = use;
	slot->direction = direction;
}

void cb_srtp_slot_clear(struct cb_srtp_slot *slot)
{
	cb_srtp_session_free(slot->session);
	slot->session = NULL;
	slot->generation = 0;
}

static void rebuild(struct cb_srtp_slot *slot, unsigned int generation)
{
	struct cb_keying *k = slot->keying;
	struct cb_srtp_session *next = NULL;
	struct cb_key key;
	enum cb_srtp_suite suite;

	pthread_mutex_lock(&k->lock);
	suite = k->suite;
	key = k->keys[slot->use];
	/* The keys of the generation seen, or newer: either is fine, the next
	 * look sees the newer one again and rebuilds once more. */
	generation = atomic_load_explicit(&k->generation, memory_order_acquire);
	pthread_mutex_unlock(&k->lock);

	if (key.set && cb_srtp_session_new(&next, suite, key.bytes, key.len, slot->direction) < 0)
		next = NULL;
	cb_secret_wipe(&key, sizeof(key));
	cb_srtp_session_free(slot->session);
	slot->session = next;
	slot->generation = generation;
	if (next)
		atomic_fetch_add_explicit(&slot->rekeys, 1, memory_order_relaxed);
}

struct cb_srtp_session *cb_srtp_slot_get(struct cb_srtp_slot *slot)
{
	unsigned int generation;

	if (slot->keying == NULL)
		return NULL;
	generation = atomic_load_explicit(&slot->keying->generation, memory_order_acquire);
	if (generation != slot->generation)
		rebuild(slot, generation);
	return slot->session;
}

void cb_srtp_slot_drop(struct cb_srtp_slot *slot)
{
	atomic_fetch_add_explicit(&slot->no_key, 1, memory_order_relaxed);
}
