/* A session description to and from SDP (sdp/): what the model of a parsed
 * offer or answer says, as the negotiated facts callbridge acts on; and a
 * description as the SDP file plain receivers read, rendered through the
 * same model. */
#ifndef CALLBRIDGE_SESSION_SDP_H
#define CALLBRIDGE_SESSION_SDP_H

#include <stddef.h>

#include "sdp/sdp.h"
#include "session/session-desc.h"

/* Reads the audio sections of a parsed description into d (initialised
 * first): per section its mid, direction, Opus payload type and
 * parameters, SSRC and RFC 6464 extmap id; the ICE credentials, candidates
 * and ice-lite; the DTLS sha-256 fingerprint and setup; an SDES key.
 * Returns the number of audio sections with Opus, or -EINVAL with a
 * reason in err (an audio section without Opus, a bad a=crypto). */
int cb_session_desc_from_sdp(const struct cb_sdp *sdp, struct cb_session_desc *d, char *err,
			     size_t err_len);

/* Writes d as the SDP file at path (0600, atomically): plain RTP/SAVP with
 * SDES keys, or ICE with its candidates (BUNDLE, rtcp-mux). */
int cb_session_desc_write_file(const struct cb_session_desc *d, const char *path);

#endif

/* d as a WebRTC offer or answer (JSEP, RFC 8829; what WHIP and WHEP
 * carry): one BUNDLE group, UDP/TLS/RTP/SAVPF, ICE credentials and the
 * candidates known so far, the DTLS fingerprint and setup, rtcp-mux and
 * rtcp-mux-only, and per audio section an Opus format whose fmtp tells
 * the truth (RFC 7587: stereo and sprop-stereo for 2 channels,
 * useinbandfec, minptime), the RFC 6464 extmap, and the SSRC with its
 * cname and msid.  Returns the length or a negative errno. */
int cb_session_desc_render_webrtc(const struct cb_session_desc *d, char *buf, size_t cap);
