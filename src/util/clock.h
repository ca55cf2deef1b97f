/* The two clocks the media path reads: CLOCK_MONOTONIC for every interval
 * and deadline, and wall-clock time in NTP format for RTCP sender reports
 * (RFC 3550 section 4). */
#ifndef CALLBRIDGE_UTIL_CLOCK_H
#define CALLBRIDGE_UTIL_CLOCK_H

#include <stdint.h>

uint64_t cb_now_ns(void);
/* 32.32 fixed point seconds since 1900. */
uint64_t cb_ntp_now(void);

#endif
