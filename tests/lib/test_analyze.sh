#!/usr/bin/env bash
# Self-test for tests/lib/analyze.py: makes tone files with sox and checks
# that every subcommand passes on good input and fails on bad input (exit 1),
# so a broken analyser cannot make integration tests pass by accident.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
A="$here/analyze.py"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/cb-analyze.XXXXXX")"
trap 'rm -rf -- "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

command -v sox >/dev/null || { echo "SKIP: sox not installed"; exit 77; }

pass=0
fail=0
# expect CODE DESCRIPTION ARGS... : run analyze.py ARGS, compare exit code.
expect() {
  local want="$1" what="$2" rc=0 out
  shift 2
  out="$("$A" "$@" 2>&1)" || rc=$?
  if [[ "$rc" == "$want" ]]; then
    pass=$((pass + 1))
    echo "ok   - $what (exit $rc)"
  else
    fail=$((fail + 1))
    echo "FAIL - $what: exit $rc, wanted $want"
    printf '       %s\n' "${out//$'\n'/$'\n'       }"
  fi
}

cd "$tmp"
sox -n -r 48000 -c 1 t440.wav synth 2 sine 440 gain -12
sox -n -r 44100 -c 2 lr.wav synth 2 sine 440 sine 1000 gain -12
sox -n -r 48000 -c 1 mix.wav synth 2 sine 440 synth 2 sine mix 1000 gain -12
sox -n -r 48000 -c 1 -e floating-point -b 32 f32.wav synth 2 sine 1000 gain -6
sox -n -r 96000 -c 1 -b 24 s24.wav synth 2 sine 440 gain -20
sox -n -r 16000 -c 1 -b 32 s32.wav synth 2 sine 660 gain -20
sox -n -r 48000 -c 1 quiet.wav synth 2 sine 440 gain -70
sox -n -r 48000 -c 1 zero30.wav trim 0 0.030
sox -n -r 48000 -c 1 zero10.wav trim 0 0.010
sox t440.wav zero30.wav t440.wav gap30.wav
sox t440.wav zero10.wav t440.wav gap10.wav
# Cut at a non-zero phase (1.0013 s) and splice: an audible click.
sox t440.wav cut.wav trim 0 1.0013
sox cut.wav t440.wav click.wav
# Leading/trailing silence is not a gap.
sox zero30.wav zero30.wav t440.wav zero30.wav zero30.wav padded.wav
printf 'not a wav' >junk.wav

expect 0 "tones: 440 present, 660 absent" tones t440.wav --expect 440 --absent 660
expect 1 "tones: 1000 not in a 440 file" tones t440.wav --expect 1000
expect 1 "tones: 440 listed absent but present" tones t440.wav --expect 1000,440 --absent 440
expect 1 "tones: 660 expected, only 440 present" tones t440.wav --expect 660
expect 0 "tones: mixed 440+1000" tones mix.wav --expect 440,1000 --absent 660,2000
expect 0 "tones: stereo left only 440" tones lr.wav --expect 440 --absent 1000 --channel 0
expect 0 "tones: stereo right only 1000" tones lr.wav --expect 1000 --absent 440 --channel 1
expect 1 "tones: stereo all channels need 440" tones lr.wav --expect 440 --channel all
expect 0 "tones: stereo mix has both" tones lr.wav --expect 440,1000 --channel mix
expect 0 "tones: float32 wav" tones f32.wav --expect 1000
expect 0 "tones: 24-bit 96 kHz" tones s24.wav --expect 440
expect 0 "tones: 32-bit 16 kHz" tones s32.wav --expect 660 --absent 440
expect 0 "tones: 440 Hz tone matches --expect 448 (within 2%)" tones t440.wav --expect 448
expect 1 "tones: 440 Hz tone does not match --expect 470 (6.8% off)" tones t440.wav --expect 470
expect 1 "tones: -70 dBFS is under --min-db -40" tones quiet.wav --expect 440
expect 0 "tones: -70 dBFS ok with --min-db -80" tones quiet.wav --expect 440 --min-db -80
expect 0 "tones: window --start/--end" tones gap30.wav --expect 440 --start 0.5 --end 1.5
expect 2 "tones: junk file is an error" tones junk.wav --expect 440

expect 0 "gaps: continuous tone" gaps t440.wav --max-gap-ms 20
expect 1 "gaps: 30 ms hole fails at 20 ms" gaps gap30.wav --max-gap-ms 20
expect 0 "gaps: 30 ms hole passes at 40 ms" gaps gap30.wav --max-gap-ms 40
expect 0 "gaps: 10 ms hole passes at 20 ms" gaps gap10.wav --max-gap-ms 20
expect 0 "gaps: hole outside --start/--end" gaps gap30.wav --max-gap-ms 20 --start 2.1
expect 0 "gaps: leading/trailing silence ignored" gaps padded.wav --max-gap-ms 20
expect 1 "gaps: silent file fails" gaps zero30.wav

expect 0 "level: prints" level lr.wav
expect 0 "level: -15 dBFS rms within bounds" level t440.wav --min-db -16 --max-db -14
expect 1 "level: quiet file under --min-db" level quiet.wav --min-db -60

expect 0 "clicks: clean sine" clicks t440.wav
expect 0 "clicks: clean 1 kHz float" clicks f32.wav
expect 1 "clicks: spliced at non-zero phase" clicks click.wav

echo "$pass passed, $fail failed"
[[ "$fail" -eq 0 ]]
