/* What was negotiated for one session, separate from the INI file that
 * configures the call: one side's view (ours or the peer's) of its media,
 * ICE and keys.  Built from the config today (transport = udp or ice,
 * pipeline/bridge-session.c), from an SDP offer or answer in the WebRTC
 * issues (sdp/ parses, this holds the outcome), and rendered back as the
 * SDP file plain receivers read.
 *
 * Plain data, no pointers: copied by value between threads, wiped with
 * cb_session_desc_clear (it may hold an ICE password or an SRTP key). */
#ifndef CALLBRIDGE_SESSION_DESC_H
#define CALLBRIDGE_SESSION_DESC_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/srtp-suite.h"
#include "net/address.h"

#define CB_SESSION_MAX_MEDIA 64	/* CB_MAX_STREAMS: one section per stream in our own description */
#define CB_SESSION_MAX_CANDIDATES 32
#define CB_SESSION_MID_MAX 32
#define CB_SESSION_CRED_MAX 256
#define CB_SESSION_CANDIDATE_MAX 256
#define CB_FINGERPRINT_MAX 64		/* sha-512 */

enum cb_media_direction {
	CB_DIRECTION_SENDRECV,
	CB_DIRECTION_SENDONLY,
	CB_DIRECTION_RECVONLY,
	CB_DIRECTION_INACTIVE,
};

/* One audio m-line: an Opus stream (RFC 7587). */
struct cb_session_media {
	char mid[CB_SESSION_MID_MAX + 1];
	enum cb_media_direction direction;
	uint8_t payload_type;
	uint32_t channels;		/* 1, or 2 (stereo=1) */
	uint32_t ptime_samples;		/* at 48 kHz */
	uint32_t ssrc;			/* 0: not announced */
	bool fec;			/* useinbandfec */
	bool dtx;			/* usedtx */
	uint32_t bitrate;		/* maxaveragebitrate, 0: none */
	int audio_level_ext_id;		/* RFC 6464 extmap, 0: none */
	int red_payload_type;		/* RFC 2198 red/48000/2 wrapping the Opus, 0: none */
	struct cb_address dest;		/* plain UDP: where it goes (m= port, c=) */
};

/* RFC 5763: the DTLS role (a=setup) and the certificate's fingerprint. */
enum cb_dtls_setup {
	CB_DTLS_SETUP_NONE,		/* no DTLS: SDES keys or srtp = none */
	CB_DTLS_SETUP_ACTPASS,
	CB_DTLS_SETUP_ACTIVE,
	CB_DTLS_SETUP_PASSIVE,
};

struct cb_session_dtls {
	enum cb_dtls_setup setup;
	char hash[16];			/* "sha-256" */
	uint8_t fingerprint[CB_FINGERPRINT_MAX];
	uint32_t fingerprint_len;
};

struct cb_session_ice {
	bool present;
	bool lite;
	char ufrag[CB_SESSION_CRED_MAX + 1];
	char pwd[CB_SESSION_CRED_MAX + 1];	/* secret */
	uint32_t n_candidates;
	/* "candidate:..." attribute values as SDP carries them, or, from a
	 * config file, host candidates by address. */
	char candidates[CB_SESSION_MAX_CANDIDATES][CB_SESSION_CANDIDATE_MAX];
	uint32_t n_addresses;
	struct cb_address addresses[CB_SESSION_MAX_CANDIDATES];
	struct cb_address default_addr;	/* m= port and c= of every m-line */
	bool end_of_candidates;
};

/* SDES (RFC 4568): the key this side sends with, in a=crypto. */
struct cb_session_crypto {
	enum cb_srtp_suite suite;
	struct cb_key key;		/* secret */
};

struct cb_session_desc {
	uint64_t session_id;		/* o= */
	uint64_t version;
	char name[256];			/* s= */
	char cname[128];
	struct cb_address origin;
	bool bundle;			/* one transport for every m-line */
	struct cb_session_crypto crypto;
	struct cb_session_ice ice;
	struct cb_session_dtls dtls;
	uint32_t n_media;
	struct cb_session_media media[CB_SESSION_MAX_MEDIA];
};

void cb_session_desc_init(struct cb_session_desc *d);
/* Wipes keys and passwords. */
void cb_session_desc_clear(struct cb_session_desc *d);

/* The media section with this mid, or NULL. */
const struct cb_session_media *cb_session_desc_find_mid(const struct cb_session_desc *d,
							const char *mid);
/* Appends a media section; -ENOSPC when full. */
int cb_session_desc_add_media(struct cb_session_desc *d, const struct cb_session_media *m);
/* Appends an ICE candidate attribute ("candidate:..."), trickled or not;
 * -EINVAL for one too long or not a candidate, -ENOSPC when full. */
int cb_session_desc_add_candidate(struct cb_session_desc *d, const char *attribute);
/* Each line of "a=candidate:...\r\n" lines (as libnice writes them);
 * lines that are not candidates, or past the limit, are skipped.  Returns
 * how many were added. */
uint32_t cb_session_desc_add_candidate_lines(struct cb_session_desc *d, const char *lines);

#endif
