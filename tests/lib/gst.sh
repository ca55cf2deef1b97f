# GStreamer 1.22 peers for the integration tests (sourced, bash): an
# independent SRTP/Opus sender into our receiver and an SRTP/Opus receiver for
# what our bridge sends. Both were checked against libsrtp2 2.5 directly
# (srtp_unprotect / srtp_protect with the same master key) and against each
# other, with rtcp-mux SRTCP, a sequence number wrap (ROC 0 -> 1), loss and
# jitter from tests/lib/impair-relay.
#
#   cb_gst_send_tone    PORT KEY_B64 FREQ SECONDS [SSRC]
#   cb_gst_receive_srtp PORT KEY_B64 SSRC OUTFILE SECONDS
#   cb_srtp_key_b64_to_hex KEY_B64      -> hex on stdout
#
# KEY_B64 is what our INI and SDP carry: base64 of master key || master salt
# (30 bytes for AES_CM_128_*, 28 for AEAD_AES_128_GCM, 44 for
# AEAD_AES_256_GCM). An empty KEY_B64 (or "none") means plain RTP.
#
# Optional environment:
#   CB_GST_SRTP_SUITE   AES_CM_128_HMAC_SHA1_80 (default), AES_CM_128_HMAC_SHA1_32,
#                       AEAD_AES_128_GCM, AEAD_AES_256_GCM  (INI names)
#   CB_GST_PT           RTP payload type (default 111)
#   CB_GST_HOST         sender destination host (default 127.0.0.1)
#   CB_GST_BIND_PORT    sender source port (default: any)
#   CB_GST_CHANNELS     sender channels, 1 or 2 (default 1)
#   CB_GST_VOLUME       sender tone amplitude, 0..1 (default 0.25 = -12 dBFS)
#   CB_GST_BIND_ADDRESS receiver address (default 127.0.0.1)
#   CB_GST_JB_LATENCY   receiver jitter buffer in ms (default 200)
#   CB_GST_RX_PLC       1 (default): a lost packet becomes Opus PLC audio, so the
#                       WAV keeps real time; 0: lost packets are just skipped
#                       and the WAV gets shorter (no hole to see)
#   CB_GST_RX_CHANNELS  force receiver output channels (default: opusdec
#                       decides; it gives 2 unless the caps say otherwise)
#
# Gotchas found while verifying (GStreamer 1.22.0, libsrtp 2.5.0, Debian 12):
#  * srtpenc "key" is a GstBuffer property. On the gst-launch command line it
#    takes the bare hex string, key=0102...1e (60 hex digits for 30 bytes,
#    either case). The caps syntax key="(buffer)0102..." is REFUSED there
#    ("could not set property"). In caps (udpsrc caps for srtpdec) it is the
#    other way round: srtp-key=(buffer)0102...
#  * A wrong key length is only found at PAUSED: "Failed to add stream to SRTP
#    encoder (err: 1)", and gst-launch still exits 0 with -q. No key at all:
#    "Failed to set pipeline to PAUSED".
#  * GCM suites need rtp-auth=null rtcp-auth=null (an hmac auth with a GCM
#    cipher is an error: "streaming stopped, reason error (-5)").
#    AES_CM_128_HMAC_SHA1_32 is rtp-auth=hmac-sha1-32 but rtcp-auth=hmac-sha1-80
#    (RFC 4568; that is also what our bridge and libsrtp2 do).
#  * srtpdec only sets up a stream from caps when the caps carry ssrc as a
#    (uint) AND all four of srtp-cipher/srtp-auth/srtcp-cipher/srtcp-auth as
#    strings. Packets of any other SSRC need the "request-key" signal, which
#    gst-launch cannot answer: they are all dropped (silent WAV). So the
#    receiver must be told the sender's SSRC (our SDP has a=ssrc:N).
#    roc=(uint)0 is right for a fresh stream; libsrtp follows wraps itself.
#  * srtpdec also passes the caps on as application/x-rtp, so they must carry
#    media/clock-rate/encoding-name/payload for rtpjitterbuffer and
#    rtpopusdepay.
#  * rtcp-mux (our bridge, RFC 5761): srtpdec sends the SRTCP it finds on its
#    rtp_sink out of its rtcp_src pad. Unlinked, the first RTCP packet stops
#    the pipeline ("streaming stopped, reason not-linked") after ~1 s. Linking
#    rtcp_src to a fakesink fixes that, but then EOS never reaches that
#    fakesink and "gst-launch -e" hangs on "Waiting for EOS...". An idle
#    udpsrc (port=0) into srtpdec's rtcp_sink carries the EOS there too.
#  * srtpdec cannot pass plain RTP: an all-null cipher/auth policy fails in
#    srtp_create (err 2, bad_param) -> "not-negotiated". Plain RTP (empty
#    KEY_B64) therefore goes straight into rtpjitterbuffer, which drops muxed
#    RTCP itself (no clock-rate for "payload type" 72..76).
#  * wavenc writes the sizes in the header only at EOS: stop the receiver
#    with ONE SIGINT and "gst-launch-1.0 -e". "timeout -s INT" signals the
#    child and then its whole process group, gst-launch sees a second SIGINT
#    while waiting for EOS and dies (exit 130) leaving a header that claims
#    3 hours. The receiver below signals the pid itself, once.
#  * audiotestsrc is not live by default; udpsink's sync=true still paces
#    it, but is-live=true gives real-time pacing from the first buffer.
#    samplesperbuffer=960 at 48 kHz makes num-buffers = 50 per second, so
#    the sender stops by itself with EOS.
#  * opusdec plc=false ignores the jitter buffer's lost-packet events: a lost
#    packet just disappears from the WAV. With do-lost=true + plc=true the WAV
#    keeps real time (lost packets become concealment that fades out).
#  * opusenc inband-fec=true only adds FEC when packet-loss-percentage > 0.

# base64 (INI/SDP) -> hex (srtpenc/srtpdec). od is in coreutils; xxd is not
# always installed. One-liner: printf %s "$KEY_B64" | base64 -d | od -An -v -tx1 | tr -d ' \n'
cb_srtp_key_b64_to_hex() {
  local hex
  hex="$(printf %s "$1" | base64 -d 2>/dev/null | od -An -v -tx1 | tr -d ' \n')" || return 1
  [[ -n "$hex" ]] || { echo "cb_srtp_key_b64_to_hex: bad base64 key" >&2; return 1; }
  printf '%s\n' "$hex"
}

# _cb_gst_srtp KEY_B64: sets _cb_hex, _cb_rtp_cipher, _cb_rtp_auth,
# _cb_rtcp_cipher, _cb_rtcp_auth; _cb_hex empty for plain RTP.
_cb_gst_srtp() {
  local key_b64="$1" suite="${CB_GST_SRTP_SUITE:-AES_CM_128_HMAC_SHA1_80}" want
  _cb_hex=""
  if [[ -z "$key_b64" || "$key_b64" == none || "$suite" == none ]]; then
    _cb_rtp_cipher=null _cb_rtp_auth=null _cb_rtcp_cipher=null _cb_rtcp_auth=null
    return 0
  fi
  case "$suite" in
    AES_CM_128_HMAC_SHA1_80) want=30 _cb_rtp_cipher=aes-128-icm _cb_rtp_auth=hmac-sha1-80
                             _cb_rtcp_cipher=aes-128-icm _cb_rtcp_auth=hmac-sha1-80 ;;
    AES_CM_128_HMAC_SHA1_32) want=30 _cb_rtp_cipher=aes-128-icm _cb_rtp_auth=hmac-sha1-32
                             _cb_rtcp_cipher=aes-128-icm _cb_rtcp_auth=hmac-sha1-80 ;;
    AEAD_AES_128_GCM)        want=28 _cb_rtp_cipher=aes-128-gcm _cb_rtp_auth=null
                             _cb_rtcp_cipher=aes-128-gcm _cb_rtcp_auth=null ;;
    AEAD_AES_256_GCM)        want=44 _cb_rtp_cipher=aes-256-gcm _cb_rtp_auth=null
                             _cb_rtcp_cipher=aes-256-gcm _cb_rtcp_auth=null ;;
    *) echo "CB_GST_SRTP_SUITE: unknown suite '$suite'" >&2; return 1 ;;
  esac
  _cb_hex="$(cb_srtp_key_b64_to_hex "$key_b64")" || return 1
  if (( ${#_cb_hex} != 2 * want )); then
    echo "SRTP key for $suite must be $want bytes, got $(( ${#_cb_hex} / 2 ))" >&2
    return 1
  fi
}

# cb_gst_send_tone PORT KEY_B64 FREQ SECONDS [SSRC]
# Sends a sine tone as Opus (20 ms, in-band FEC) over SRTP to
# CB_GST_HOST:PORT for SECONDS, then exits (EOS). Blocks; run it with & to
# send while something else runs. SSRC: decimal or 0x hex; default random.
# Verified command (AES_CM_128_HMAC_SHA1_80, KEY_B64 -> HEX as above):
#   gst-launch-1.0 -q audiotestsrc is-live=true wave=sine freq=440 volume=0.25 \
#     samplesperbuffer=960 num-buffers=$((SECONDS*50)) ! audio/x-raw,rate=48000,channels=1 \
#     ! audioconvert ! audioresample ! opusenc inband-fec=true packet-loss-percentage=10 \
#     ! rtpopuspay pt=111 ssrc=0x1234abcd ! srtpenc key=HEX rtp-cipher=aes-128-icm \
#     rtp-auth=hmac-sha1-80 rtcp-cipher=aes-128-icm rtcp-auth=hmac-sha1-80 \
#     ! udpsink host=127.0.0.1 port=PORT
cb_gst_send_tone() {
  local port="$1" key_b64="$2" freq="$3" seconds="$4" ssrc="${5:-}" nbuf srtp=() pay bind=()
  if [[ $# -lt 4 ]]; then
    echo "usage: cb_gst_send_tone PORT KEY_B64 FREQ SECONDS [SSRC]" >&2
    return 2
  fi
  _cb_gst_srtp "$key_b64" || return 2
  nbuf="$(awk -v s="$seconds" 'BEGIN { n = int(s * 50 + 0.5); print (n > 0 ? n : 1) }')"
  pay=(rtpopuspay "pt=${CB_GST_PT:-111}")
  [[ -n "$ssrc" ]] && pay+=("ssrc=$((ssrc))")
  if [[ -n "$_cb_hex" ]]; then
    srtp=(! srtpenc "key=$_cb_hex" "rtp-cipher=$_cb_rtp_cipher" "rtp-auth=$_cb_rtp_auth"
          "rtcp-cipher=$_cb_rtcp_cipher" "rtcp-auth=$_cb_rtcp_auth")
  fi
  [[ -n "${CB_GST_BIND_PORT:-}" ]] && bind=("bind-port=$CB_GST_BIND_PORT")
  # timeout: a safety net only; the pipeline ends by itself after nbuf buffers.
  timeout -k 2 "$(( ${seconds%.*} + 15 ))" gst-launch-1.0 -q \
    audiotestsrc is-live=true wave=sine "freq=$freq" "volume=${CB_GST_VOLUME:-0.25}" \
      samplesperbuffer=960 "num-buffers=$nbuf" \
    ! "audio/x-raw,rate=48000,channels=${CB_GST_CHANNELS:-1}" \
    ! audioconvert ! audioresample \
    ! opusenc inband-fec=true packet-loss-percentage=10 \
    ! "${pay[@]}" "${srtp[@]}" \
    ! udpsink "host=${CB_GST_HOST:-127.0.0.1}" "port=$port" "${bind[@]}"
}

# cb_gst_receive_srtp PORT KEY_B64 SSRC OUTFILE SECONDS
# Receives the SRTP (+ muxed SRTCP) Opus stream with this SSRC on PORT for
# SECONDS and writes OUTFILE (WAV, 48 kHz S16). Blocks for SECONDS (run it
# with & before starting the sender); returns 0 when the WAV was finalized.
# Verified command (then ONE kill -INT after SECONDS):
#   gst-launch-1.0 -q -e udpsrc address=127.0.0.1 port=PORT caps="application/x-srtp,
#       media=(string)audio,clock-rate=(int)48000,encoding-name=(string)OPUS,payload=(int)111,
#       ssrc=(uint)SSRC,roc=(uint)0,srtp-key=(buffer)HEX,srtp-cipher=(string)aes-128-icm,
#       srtp-auth=(string)hmac-sha1-80,srtcp-cipher=(string)aes-128-icm,
#       srtcp-auth=(string)hmac-sha1-80" (one line, no spaces needed)
#     ! srtpdec name=d replay-window-size=1024 ! rtpjitterbuffer latency=200 do-lost=true
#     ! rtpopusdepay ! opusdec plc=true ! wavenc ! filesink location=OUTFILE
#     udpsrc address=127.0.0.1 port=0 caps=application/x-srtcp ! d.rtcp_sink
#     d.rtcp_src ! fakesink sync=false async=false
cb_gst_receive_srtp() {
  local port="$1" key_b64="$2" ssrc="$3" out="$4" seconds="$5" caps pid rc=0 i ticks
  local plc=(plc=true) jb=(do-lost=true) conv=()
  if [[ $# -lt 5 ]]; then
    echo "usage: cb_gst_receive_srtp PORT KEY_B64 SSRC OUTFILE SECONDS" >&2
    return 2
  fi
  _cb_gst_srtp "$key_b64" || return 2
  [[ "$ssrc" =~ ^(0[xX][0-9a-fA-F]+|[0-9]+)$ ]] || { echo "bad SSRC '$ssrc'" >&2; return 2; }
  caps="media=(string)audio,clock-rate=(int)48000,encoding-name=(string)OPUS"
  caps+=",payload=(int)${CB_GST_PT:-111},ssrc=(uint)$((ssrc))"
  if [[ -n "$_cb_hex" ]]; then
    caps="application/x-srtp,$caps,roc=(uint)0,srtp-key=(buffer)$_cb_hex"
    caps+=",srtp-cipher=(string)$_cb_rtp_cipher,srtp-auth=(string)$_cb_rtp_auth"
    caps+=",srtcp-cipher=(string)$_cb_rtcp_cipher,srtcp-auth=(string)$_cb_rtcp_auth"
  else
    caps="application/x-rtp,$caps"
  fi
  if [[ "${CB_GST_RX_PLC:-1}" == 0 ]]; then
    plc=(plc=false) jb=()
  fi
  [[ -n "${CB_GST_RX_CHANNELS:-}" ]] && conv=(! "audio/x-raw,channels=$CB_GST_RX_CHANNELS")
  rm -f -- "$out"
  if [[ -n "$_cb_hex" ]]; then
    gst-launch-1.0 -q -e \
      udpsrc "address=${CB_GST_BIND_ADDRESS:-127.0.0.1}" "port=$port" "caps=$caps" \
      ! srtpdec name=d replay-window-size=1024 \
      ! rtpjitterbuffer "latency=${CB_GST_JB_LATENCY:-200}" "${jb[@]}" \
      ! rtpopusdepay ! opusdec "${plc[@]}" "${conv[@]}" \
      ! wavenc ! filesink "location=$out" \
      udpsrc "address=${CB_GST_BIND_ADDRESS:-127.0.0.1}" port=0 caps=application/x-srtcp \
      ! d.rtcp_sink \
      d.rtcp_src ! fakesink sync=false async=false &
  else
    # Plain RTP: no srtpdec (it refuses all-null policies). Muxed RTCP goes
    # into rtpjitterbuffer, which drops it as a payload type without a
    # clock-rate ("No clock-rate in caps!, dropping buffer", a GST_WARNING).
    gst-launch-1.0 -q -e \
      udpsrc "address=${CB_GST_BIND_ADDRESS:-127.0.0.1}" "port=$port" "caps=$caps" \
      ! rtpjitterbuffer "latency=${CB_GST_JB_LATENCY:-200}" "${jb[@]}" \
      ! rtpopusdepay ! opusdec "${plc[@]}" "${conv[@]}" \
      ! wavenc ! filesink "location=$out" &
  fi
  pid=$!
  ticks="$(awk -v s="$seconds" 'BEGIN { print int(s * 10 + 0.5) }')"
  for ((i = 0; i < ticks; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -INT "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "cb_gst_receive_srtp: no EOS after 5 s, killing gst-launch" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" || rc=$?
  return "$rc"
}
