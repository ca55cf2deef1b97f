/* Bounded UDP flood for the fault tests: sends RATE datagrams per second for
 * SECONDS to HOST:PORT on loopback, then stops.
 *
 *   udp-flood HOST PORT RATE SECONDS garbage
 *       random bytes, random lengths: zero-length, truncated headers,
 *       RTP- and RTCP-looking first bytes, and oversized (4000 bytes)
 *   udp-flood HOST PORT RATE SECONDS wrong-key
 *       well-formed SRTP (AES_CM_128_HMAC_SHA1_80) under a key of its own,
 *       one SSRC, sequence numbers counting up, as an attacker who knows
 *       the format but not the key would send
 *
 * Prints how many datagrams it sent. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "crypto/srtp-session.h"
#include "rtp/rtp.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint32_t rnd_state = 0x9e3779b9;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static size_t garbage(uint8_t *buf)
{
	size_t len;

	switch (rnd() % 8) {
	case 0: len = 0; break;
	case 1: len = rnd() % 12; break;		/* shorter than an RTP header */
	case 2: len = 4000; break;			/* larger than the bridge reads */
	default: len = 12 + rnd() % 1200; break;
	}
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)rnd();
	if (len > 1) {
		switch (rnd() % 3) {
		case 0: buf[0] = 0x80; buf[1] = 111; break;			/* RTP-like */
		case 1: buf[0] = 0x81; buf[1] = 200 + rnd() % 4; break;	/* RTCP-like */
		default: break;
		}
	}
	return len;
}

int main(int argc, char **argv)
{
	static uint8_t buf[4096 + CB_SRTP_MAX_OVERHEAD];
	struct cb_srtp_session *srtp = NULL;
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint64_t start, sent = 0, total, rate;
	double seconds;
	bool wrong_key;
	uint16_t seq = 1;
	int fd;

	if (argc != 6 || inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) {
		fprintf(stderr, "usage: %s HOST PORT RATE SECONDS garbage|wrong-key\n", argv[0]);
		return 2;
	}
	to.sin_port = htons((uint16_t)atoi(argv[2]));
	rate = strtoull(argv[3], NULL, 10);
	seconds = atof(argv[4]);
	wrong_key = strcmp(argv[5], "wrong-key") == 0;
	total = (uint64_t)((double)rate * seconds);
	getrandom(&rnd_state, sizeof(rnd_state), 0);
	rnd_state |= 1;

	if (wrong_key) {
		uint8_t key[30];
		getrandom(key, sizeof(key), 0);
		if (cb_srtp_session_new(&srtp, CB_SRTP_AES_CM_128_HMAC_SHA1_80, key, sizeof(key),
					CB_SRTP_OUTBOUND) < 0) {
			fprintf(stderr, "srtp session failed\n");
			return 1;
		}
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0) {
		perror("socket");
		return 1;
	}

	start = now_ns();
	while (sent < total) {
		/* Paced in 1 ms steps: send what the schedule says is due. */
		uint64_t due = (now_ns() - start) * rate / 1000000000ull;
		if (due > total)
			due = total;
		while (sent < due) {
			size_t len;
			if (wrong_key) {
				struct cb_rtp_header h = { .payload_type = 111, .sequence = seq,
							   .timestamp = seq * 960u, .ssrc = 0x0bad0bad };
				len = cb_rtp_write_header(buf, sizeof(buf), &h);
				for (int i = 0; i < 80; i++)
					buf[len++] = (uint8_t)rnd();
				seq++;
				cb_srtp_protect_rtp(srtp, buf, &len, sizeof(buf));
			} else {
				len = garbage(buf);
			}
			/* ENOBUFS/ECONNREFUSED: the datagram is lost, keep the pace. */
			(void)sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to));
			sent++;
		}
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
	printf("sent %llu datagrams in %.2f s\n", (unsigned long long)sent,
	       (double)(now_ns() - start) / 1e9);
	close(fd);
	cb_srtp_session_free(srtp);
	return 0;
}
