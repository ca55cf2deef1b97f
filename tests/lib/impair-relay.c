/*
 * impair-relay: a small UDP relay that impairs what it forwards, for tests.
 *
 *   impair-relay --listen 127.0.0.1:PORT (--forward 127.0.0.1:PORT2 | --forward-file FILE)
 *                [--loss P] [--burst N] [--delay-ms D] [--jitter-ms J]
 *                [--jitter-dist uniform|normal] [--reorder | --no-reorder]
 *                [--duplicate P] [--seed S] [--stats-file FILE]
 *                [--duration S] [--bidirectional] [--impair-reverse]
 *                [--forward-bind 127.0.0.1:PORT3] [--ready-file FILE]
 *                [--port-file FILE] [--queue N] [--quiet]
 *
 * Datagrams received on the listen address are sent to the forward address
 * from a second socket, after these impairments:
 *
 *  - loss: each datagram is dropped with probability P. With --burst N a drop
 *    starts a burst of exactly N consecutive dropped datagrams; the start
 *    probability is chosen so that the long-run loss ratio is still P.
 *  - delay: each datagram is due at arrival + D + X, X in [0, J] ms, uniform
 *    or (--jitter-dist normal) normal with mean J/2 and sd J/6, clipped.
 *    Datagrams are released by their own due time, so jitter reorders them
 *    naturally (--reorder, the default). --no-reorder keeps arrival order: a
 *    datagram is never due before the one received before it (FIFO jitter).
 *  - duplication: with probability P a second copy is sent, with its own
 *    independently drawn delay.
 *
 * With --bidirectional, datagrams arriving on the forwarding socket from the
 * forward address are relayed back, from the listen socket, to the last
 * address that sent to the listen socket (so RTCP can flow back). They pass
 * unimpaired unless --impair-reverse is given (then with the same settings
 * but independent random streams).
 *
 * Ports: PORT (and PORT3) may be 0, for a port the kernel picks. --ready-file
 * gets the listen port, --port-file "LISTEN_PORT FORWARD_PORT" (the port of
 * the forwarding socket, bound at start then), each written to FILE.tmp and
 * renamed once the sockets are bound, so a test hands on ports the relay
 * holds instead of picking "free" ones for it to bind later.  When the peer
 * to forward to needs the relay's ports before it can start (it sends back
 * to the forwarding socket), --forward-file FILE names it: after binding and
 * writing those files the relay waits (up to 60 s, or until a signal) for
 * FILE to hold "ADDR:PORT" and a newline, and only then starts relaying.
 *
 * Scheduling: a min-heap of pending datagrams (at most --queue, default 4096,
 * and 32 MiB) ordered by due time on CLOCK_MONOTONIC; ppoll() sleeps until the
 * earliest one is due or a datagram arrives.
 *
 * Determinism: every random decision comes from xoshiro256** streams derived
 * from --seed (default 1), one stream per direction and purpose (loss, delay,
 * duplicate). The fate of the n-th received datagram therefore depends only
 * on the seed and n, not on timing; the loss pattern does not change when only
 * --delay-ms/--jitter-ms/--duplicate change.
 *
 * Stopping: after --duration seconds, or on SIGINT/SIGTERM, the relay stops
 * reading, sends what is still pending at its due time (at most D + J ms),
 * and exits. A second signal exits at once; still-pending datagrams are then
 * counted as "unsent". Counters go to --stats-file as key=value lines (written
 * to FILE.tmp and renamed, so a reader never sees a partial file), and a short
 * summary to stderr.
 *
 * Counters (forward direction; the reverse direction uses the same names
 * prefixed with "reverse_"):
 *   received, forwarded (datagrams sent, duplicates included), dropped (by the
 *   loss model), duplicated, reordered (originals sent after a datagram that
 *   arrived later than them), overflow (queue full), send_errors, unsent,
 *   min/mean/max_delay_ms (measured send time - arrival time), and per class
 *   rtp_*, rtcp_*, other_* (received/forwarded/dropped/duplicated).
 * Reverse only: reverse_no_peer (replies before anyone sent to the listen
 * address) and reverse_ignored (datagrams on the forwarding socket that did
 * not come from the forward address, or any without --bidirectional).
 * A datagram is RTP or RTCP when it is >= 12 (RTP) or >= 8 (RTCP) bytes long
 * and has version 2; it is RTCP when its second byte is 192..223 (RFC 5761
 * section 4: RTCP packet types 200..204 and neighbours). SRTP/SRTCP headers
 * are in clear, so this works for encrypted streams too.
 * Per SSRC (RTP SSRC, or the sender SSRC of the first RTCP packet):
 *   ssrc.XXXXXXXX.rtp_received / rtp_forwarded / rtp_dropped / rtp_duplicated
 *   / rtp_reordered / rtcp_received / rtcp_forwarded / rtcp_dropped /
 *   rtcp_duplicated / rtp_dropped_seqs (comma list of RTP sequence numbers
 *   the loss model dropped, first 1024; rtp_dropped_seqs_truncated=1 if more)
 * with XXXXXXXX the SSRC in 8 lower-case hex digits. At most 64 SSRCs per
 * direction are tracked; more are counted in ssrc_untracked.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* ppoll */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define MAX_DATAGRAM 65536
#define DEFAULT_QUEUE 4096
#define MAX_QUEUE 65536
#define MAX_PENDING_BYTES (32u * 1024u * 1024u)
#define MAX_SSRC 64
#define MAX_DROPPED_SEQS 1024
#define RECV_BATCH 256 /* datagrams read per socket per loop turn */

enum dir { DIR_FWD = 0, DIR_REV = 1, N_DIR };
enum kind { K_RTP = 0, K_RTCP = 1, K_OTHER = 2, N_KIND };
enum cnt { C_RECEIVED = 0, C_FORWARDED, C_DROPPED, C_DUPLICATED, N_CNT };
static const char *const kind_name[N_KIND] = { "rtp", "rtcp", "other" };
static const char *const cnt_name[N_CNT] = { "received", "forwarded", "dropped", "duplicated" };

/* ---------------------------------------------------------------- random */

struct rng { uint64_t s[4]; };

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ull);
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* uniform in [0, 1) */
static double rng_unit(struct rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

/* ---------------------------------------------------------------- config */

struct config {
	struct sockaddr_in listen_addr, forward_addr, forward_bind;
	bool have_listen, have_forward, have_forward_bind;
	double loss;
	unsigned burst;
	double delay_ms, jitter_ms;
	bool jitter_normal;
	bool reorder;
	double duplicate;
	uint64_t seed;
	const char *stats_file, *ready_file, *port_file, *forward_file;
	double duration;
	bool bidirectional, impair_reverse, quiet;
	unsigned queue;
};

/* ---------------------------------------------------------------- stats */

struct ssrc_stats {
	uint32_t ssrc;
	uint64_t c[2][N_CNT]; /* [rtp|rtcp][counter] */
	uint64_t rtp_reordered;
	uint64_t max_sent_idx; /* highest arrival index (+1) of an original sent */
	uint16_t dropped_seqs[MAX_DROPPED_SEQS];
	unsigned n_dropped_seqs;
	bool dropped_seqs_truncated;
};

struct dir_stats {
	uint64_t c[N_CNT];
	uint64_t k[N_KIND][N_CNT];
	uint64_t reordered, overflow, send_errors, unsent, no_peer, foreign;
	uint64_t delay_n;
	double delay_sum_ms, delay_min_ms, delay_max_ms;
	uint64_t max_sent_idx; /* highest arrival index (+1) of an original sent */
	struct ssrc_stats ssrc[MAX_SSRC];
	unsigned n_ssrc;
	uint64_t ssrc_untracked;
};

/* per-direction impairment state */
struct dir_state {
	bool impaired;
	struct rng loss_rng, delay_rng, dup_rng;
	unsigned burst_left;  /* datagrams still to drop in the current burst */
	int64_t last_due;     /* for --no-reorder */
	uint64_t arrivals;    /* arrival index counter */
	struct dir_stats st;
};

/* ---------------------------------------------------------------- queue */

struct pkt {
	int64_t due_ns;
	uint64_t order;       /* insertion counter: FIFO among equal due times */
	int64_t arrival_ns;
	uint64_t arrival_idx; /* 1-based arrival index within its direction */
	struct sockaddr_in dest;
	unsigned char *data;
	uint32_t len;
	uint8_t dir, kind;
	bool dup;
	int16_t ssrc_slot;    /* -1: none */
};

struct heap {
	struct pkt *v;
	unsigned n, cap;
	size_t bytes;
	uint64_t order;
};

static bool pkt_before(const struct pkt *a, const struct pkt *b)
{
	return a->due_ns < b->due_ns || (a->due_ns == b->due_ns && a->order < b->order);
}

static void heap_push(struct heap *h, struct pkt p)
{
	unsigned i = h->n++;
	p.order = h->order++;
	h->bytes += p.len;
	while (i > 0) {
		unsigned parent = (i - 1) / 2;
		if (!pkt_before(&p, &h->v[parent]))
			break;
		h->v[i] = h->v[parent];
		i = parent;
	}
	h->v[i] = p;
}

static struct pkt heap_pop(struct heap *h)
{
	struct pkt top = h->v[0], last = h->v[--h->n];
	unsigned i = 0;
	h->bytes -= top.len;
	for (;;) {
		unsigned l = 2 * i + 1, r = l + 1, m = i;
		const struct pkt *mv = &last;
		if (l < h->n && pkt_before(&h->v[l], mv)) { m = l; mv = &h->v[l]; }
		if (r < h->n && pkt_before(&h->v[r], mv)) { m = r; }
		if (m == i)
			break;
		h->v[i] = h->v[m];
		i = m;
	}
	if (h->n > 0)
		h->v[i] = last;
	return top;
}

/* ---------------------------------------------------------------- globals */

static struct config cfg;
static struct dir_state ds[N_DIR];
static struct heap q;
static int fd_listen = -1, fd_forward = -1;
static struct sockaddr_in last_sender;
static bool have_last_sender;
static volatile sig_atomic_t n_signals;
static int64_t t_start;

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("impair-relay: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void on_signal(int sig)
{
	(void)sig;
	n_signals++;
}

/* ---------------------------------------------------------------- parsing */

static void usage(FILE *f)
{
	fputs("usage: impair-relay --listen ADDR:PORT (--forward ADDR:PORT | --forward-file FILE) [options]\n"
	      "  --loss P            drop probability 0..1 (default 0)\n"
	      "  --burst N           drops come in bursts of exactly N datagrams (default 1)\n"
	      "  --delay-ms D        fixed extra delay (default 0)\n"
	      "  --jitter-ms J       random extra delay 0..J per datagram (default 0)\n"
	      "  --jitter-dist uniform|normal  (default uniform; normal: mean J/2, sd J/6)\n"
	      "  --reorder           release by own due time, jitter reorders (default)\n"
	      "  --no-reorder        keep arrival order (FIFO jitter)\n"
	      "  --duplicate P       duplicate probability 0..1 (default 0)\n"
	      "  --seed S            random seed (default 1)\n"
	      "  --stats-file FILE   write key=value counters at exit\n"
	      "  --duration S        stop after S seconds (default: until signal)\n"
	      "  --bidirectional     relay replies from the forward address back to the last sender\n"
	      "  --impair-reverse    impair the reverse direction too (default: clean)\n"
	      "  --forward-bind ADDR:PORT  source address of forwarded datagrams\n"
	      "  --ready-file FILE   write the bound listen port here once ready\n"
	      "  --port-file FILE    write \"LISTEN_PORT FORWARD_PORT\" here once bound\n"
	      "  --forward-file FILE wait (60 s at most) for ADDR:PORT in FILE, then forward there\n"
	      "  --queue N           max pending datagrams (default 4096)\n"
	      "  --quiet             no summary on stderr\n", f);
}

static void parse_addr(const char *s, struct sockaddr_in *a, const char *opt)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	char *end;
	long port;

	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	if (!colon) {
		snprintf(host, sizeof(host), "127.0.0.1");
		colon = s - 1;
	} else {
		size_t n = (size_t)(colon - s);
		if (n == 0 || n >= sizeof(host))
			die("%s: bad address '%s'", opt, s);
		memcpy(host, s, n);
		host[n] = '\0';
	}
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port < 0 || port > 65535)
		die("%s: bad port in '%s'", opt, s);
	if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
		die("%s: bad IPv4 address '%s'", opt, host);
	a->sin_port = htons((uint16_t)port);
}

static double parse_double(const char *s, const char *opt, double lo, double hi)
{
	char *end;
	double v;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || end == s || !(v >= lo && v <= hi))
		die("%s: '%s' is not a number in [%g, %g]", opt, s, lo, hi);
	return v;
}

static void parse_args(int argc, char **argv)
{
	cfg.burst = 1;
	cfg.seed = 1;
	cfg.reorder = true;
	cfg.queue = DEFAULT_QUEUE;

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char *v = NULL;
		char *eq = NULL;
		char optbuf[64];

		/* accept --opt=value too */
		if (strncmp(o, "--", 2) == 0 && (eq = strchr(o, '=')) != NULL) {
			size_t n = (size_t)(eq - o);
			if (n >= sizeof(optbuf))
				die("unknown option '%s'", o);
			memcpy(optbuf, o, n);
			optbuf[n] = '\0';
			o = optbuf;
			v = eq + 1;
		}
#define FLAG(name) (strcmp(o, name) == 0 && !v)
#define OPT(name) (strcmp(o, name) == 0 && (v || (i + 1 < argc ? (v = argv[++i], 1) : (die("%s needs a value", name), 0))))
		if (FLAG("--help") || FLAG("-h")) {
			usage(stdout);
			exit(0);
		} else if (OPT("--listen")) {
			parse_addr(v, &cfg.listen_addr, o);
			cfg.have_listen = true;
		} else if (OPT("--forward")) {
			parse_addr(v, &cfg.forward_addr, o);
			cfg.have_forward = true;
		} else if (OPT("--forward-bind")) {
			parse_addr(v, &cfg.forward_bind, o);
			cfg.have_forward_bind = true;
		} else if (OPT("--loss")) {
			cfg.loss = parse_double(v, o, 0, 1);
		} else if (OPT("--burst")) {
			cfg.burst = (unsigned)parse_double(v, o, 1, 1000);
		} else if (OPT("--delay-ms")) {
			cfg.delay_ms = parse_double(v, o, 0, 60000);
		} else if (OPT("--jitter-ms")) {
			cfg.jitter_ms = parse_double(v, o, 0, 60000);
		} else if (OPT("--jitter-dist")) {
			if (strcmp(v, "uniform") == 0)
				cfg.jitter_normal = false;
			else if (strcmp(v, "normal") == 0)
				cfg.jitter_normal = true;
			else
				die("--jitter-dist: uniform or normal");
		} else if (FLAG("--reorder")) {
			cfg.reorder = true;
		} else if (FLAG("--no-reorder")) {
			cfg.reorder = false;
		} else if (OPT("--duplicate")) {
			cfg.duplicate = parse_double(v, o, 0, 1);
		} else if (OPT("--seed")) {
			char *end;
			errno = 0;
			cfg.seed = strtoull(v, &end, 0);
			if (errno || *end || end == v)
				die("--seed: bad number '%s'", v);
		} else if (OPT("--stats-file")) {
			cfg.stats_file = v;
		} else if (OPT("--ready-file")) {
			cfg.ready_file = v;
		} else if (OPT("--port-file")) {
			cfg.port_file = v;
		} else if (OPT("--forward-file")) {
			cfg.forward_file = v;
		} else if (OPT("--duration")) {
			cfg.duration = parse_double(v, o, 0, 1e7);
		} else if (OPT("--queue")) {
			cfg.queue = (unsigned)parse_double(v, o, 1, MAX_QUEUE);
		} else if (FLAG("--bidirectional")) {
			cfg.bidirectional = true;
		} else if (FLAG("--impair-reverse")) {
			cfg.impair_reverse = true;
		} else if (FLAG("--quiet") || FLAG("-q")) {
			cfg.quiet = true;
		} else {
			usage(stderr);
			die("unknown option or missing value: '%s'", argv[i]);
		}
#undef FLAG
#undef OPT
	}
	if (!cfg.have_listen || cfg.have_forward == (cfg.forward_file != NULL)) {
		usage(stderr);
		die("--listen and one of --forward and --forward-file are required");
	}
	if (cfg.loss >= 1.0 && cfg.burst > 1)
		cfg.burst = 1;
}

/* ---------------------------------------------------------------- classify */

static enum kind classify(const unsigned char *b, size_t len, uint32_t *ssrc, uint16_t *seq)
{
	if (len < 8 || (b[0] >> 6) != 2)
		return K_OTHER;
	if (b[1] >= 192 && b[1] <= 223) {
		*ssrc = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
		return K_RTCP;
	}
	if (len < 12)
		return K_OTHER;
	*seq = (uint16_t)(b[2] << 8 | b[3]);
	*ssrc = (uint32_t)b[8] << 24 | (uint32_t)b[9] << 16 | (uint32_t)b[10] << 8 | b[11];
	return K_RTP;
}

static int ssrc_slot(struct dir_stats *st, uint32_t ssrc)
{
	for (unsigned i = 0; i < st->n_ssrc; i++)
		if (st->ssrc[i].ssrc == ssrc)
			return (int)i;
	if (st->n_ssrc >= MAX_SSRC) {
		st->ssrc_untracked++;
		return -1;
	}
	memset(&st->ssrc[st->n_ssrc], 0, sizeof(st->ssrc[0]));
	st->ssrc[st->n_ssrc].ssrc = ssrc;
	return (int)st->n_ssrc++;
}

static void count(struct dir_stats *st, enum kind k, int slot, enum cnt c)
{
	st->c[c]++;
	st->k[k][c]++;
	if (slot >= 0 && k != K_OTHER)
		st->ssrc[slot].c[k][c]++;
}

/* ---------------------------------------------------------------- impair */

static bool lose(struct dir_state *d)
{
	double p_start;

	if (d->burst_left > 0) {
		d->burst_left--;
		return true;
	}
	if (cfg.loss <= 0)
		return false;
	/* Bursts of exactly N: start probability q so that N q / (N q + 1 - q) = P. */
	p_start = cfg.burst <= 1 ? cfg.loss
		: cfg.loss / ((double)cfg.burst * (1.0 - cfg.loss) + cfg.loss);
	if (rng_unit(&d->loss_rng) < p_start) {
		d->burst_left = cfg.burst - 1;
		return true;
	}
	return false;
}

static int64_t draw_delay_ns(struct dir_state *d)
{
	double ms = cfg.delay_ms, j = cfg.jitter_ms;

	if (j > 0) {
		double x;
		if (cfg.jitter_normal) {
			/* Box-Muller; two uniform draws per datagram */
			double u1 = rng_unit(&d->delay_rng), u2 = rng_unit(&d->delay_rng);
			double n = sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
			x = j / 2.0 + n * j / 6.0;
			if (x < 0)
				x = 0;
			if (x > j)
				x = j;
		} else {
			x = rng_unit(&d->delay_rng) * j;
		}
		ms += x;
	}
	return (int64_t)llround(ms * 1e6);
}

static void enqueue(enum dir dir, const unsigned char *buf, size_t len, enum kind k, int slot,
		    int64_t arrival, uint64_t idx, const struct sockaddr_in *dest, bool dup)
{
	struct dir_state *d = &ds[dir];
	struct pkt p;

	if (q.n >= cfg.queue || q.bytes + len > MAX_PENDING_BYTES ||
	    (p.data = malloc(len ? len : 1)) == NULL) {
		d->st.overflow++;
		return;
	}
	memcpy(p.data, buf, len);
	p.len = (uint32_t)len;
	p.arrival_ns = arrival;
	p.arrival_idx = idx;
	p.dest = *dest;
	p.dir = (uint8_t)dir;
	p.kind = (uint8_t)k;
	p.dup = dup;
	p.ssrc_slot = (int16_t)slot;
	p.due_ns = arrival + (d->impaired ? draw_delay_ns(d) : 0);
	if (!cfg.reorder && d->impaired) {
		if (p.due_ns < d->last_due)
			p.due_ns = d->last_due;
		d->last_due = p.due_ns;
	}
	heap_push(&q, p);
}

static void handle_datagram(enum dir dir, const unsigned char *buf, size_t len,
			    const struct sockaddr_in *from, int64_t arrival)
{
	struct dir_state *d = &ds[dir];
	struct dir_stats *st = &d->st;
	uint32_t ssrc = 0;
	uint16_t seq = 0;
	enum kind k = classify(buf, len, &ssrc, &seq);
	int slot = k == K_OTHER ? -1 : ssrc_slot(st, ssrc);
	uint64_t idx = ++d->arrivals;
	const struct sockaddr_in *dest;

	if (dir == DIR_FWD) {
		last_sender = *from;
		have_last_sender = true;
		dest = &cfg.forward_addr;
	} else {
		if (!have_last_sender) {
			st->no_peer++;
			return;
		}
		dest = &last_sender;
	}
	count(st, k, slot, C_RECEIVED);

	if (d->impaired && lose(d)) {
		count(st, k, slot, C_DROPPED);
		if (k == K_RTP && slot >= 0) {
			struct ssrc_stats *s = &st->ssrc[slot];
			if (s->n_dropped_seqs < MAX_DROPPED_SEQS)
				s->dropped_seqs[s->n_dropped_seqs++] = seq;
			else
				s->dropped_seqs_truncated = true;
		}
		return;
	}
	enqueue(dir, buf, len, k, slot, arrival, idx, dest, false);
	if (d->impaired && cfg.duplicate > 0 && rng_unit(&d->dup_rng) < cfg.duplicate) {
		count(st, k, slot, C_DUPLICATED);
		enqueue(dir, buf, len, k, slot, arrival, idx, dest, true);
	}
}

/* ---------------------------------------------------------------- sending */

static void send_pkt(struct pkt *p, int64_t now)
{
	struct dir_state *d = &ds[p->dir];
	struct dir_stats *st = &d->st;
	int fd = p->dir == DIR_FWD ? fd_forward : fd_listen;
	ssize_t r;

	do
		r = sendto(fd, p->data, p->len, 0, (const struct sockaddr *)&p->dest, sizeof(p->dest));
	while (r < 0 && errno == EINTR);
	free(p->data);
	p->data = NULL;
	if (r < 0) {
		st->send_errors++;
		return;
	}
	count(st, (enum kind)p->kind, p->ssrc_slot, C_FORWARDED);
	if (!p->dup) {
		if (p->arrival_idx < st->max_sent_idx)
			st->reordered++;
		else
			st->max_sent_idx = p->arrival_idx;
		if (p->kind == K_RTP && p->ssrc_slot >= 0) {
			struct ssrc_stats *s = &st->ssrc[p->ssrc_slot];
			if (p->arrival_idx < s->max_sent_idx)
				s->rtp_reordered++;
			else
				s->max_sent_idx = p->arrival_idx;
		}
	}
	{
		double ms = (double)(now - p->arrival_ns) / 1e6;
		if (st->delay_n == 0 || ms < st->delay_min_ms)
			st->delay_min_ms = ms;
		if (ms > st->delay_max_ms)
			st->delay_max_ms = ms;
		st->delay_sum_ms += ms;
		st->delay_n++;
	}
}

static void flush_due(void)
{
	int64_t now = now_ns();
	unsigned budget = q.n; /* bounded: at most everything pending now */

	while (q.n > 0 && budget-- > 0 && q.v[0].due_ns <= now) {
		struct pkt p = heap_pop(&q);
		send_pkt(&p, now);
		now = now_ns();
	}
}

/* ---------------------------------------------------------------- receiving */

static void drain_socket(int fd, enum dir dir)
{
	static unsigned char buf[MAX_DATAGRAM];

	for (int i = 0; i < RECV_BATCH; i++) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		int64_t t = now_ns();

		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* EAGAIN, or ECONNREFUSED/ICMP noise: nothing more now */
			return;
		}
		if (fl != sizeof(from) || from.sin_family != AF_INET)
			continue;
		if (dir == DIR_REV) {
			if (!cfg.bidirectional) {
				ds[DIR_REV].st.foreign++;
				continue;
			}
			if (from.sin_addr.s_addr != cfg.forward_addr.sin_addr.s_addr ||
			    from.sin_port != cfg.forward_addr.sin_port) {
				ds[DIR_REV].st.foreign++;
				continue;
			}
		}
		handle_datagram(dir, buf, (size_t)n, &from, t);
	}
}

/* ---------------------------------------------------------------- output */

static void write_dir(FILE *f, enum dir dir)
{
	const char *px = dir == DIR_FWD ? "" : "reverse_";
	struct dir_stats *st = &ds[dir].st;

	for (int c = 0; c < N_CNT; c++)
		fprintf(f, "%s%s=%" PRIu64 "\n", px, cnt_name[c], st->c[c]);
	fprintf(f, "%sreordered=%" PRIu64 "\n", px, st->reordered);
	fprintf(f, "%soverflow=%" PRIu64 "\n", px, st->overflow);
	fprintf(f, "%ssend_errors=%" PRIu64 "\n", px, st->send_errors);
	fprintf(f, "%sunsent=%" PRIu64 "\n", px, st->unsent);
	if (dir == DIR_REV) {
		fprintf(f, "%sno_peer=%" PRIu64 "\n", px, st->no_peer);
		fprintf(f, "%signored=%" PRIu64 "\n", px, st->foreign);
	}
	fprintf(f, "%smin_delay_ms=%.3f\n", px, st->delay_n ? st->delay_min_ms : 0.0);
	fprintf(f, "%smean_delay_ms=%.3f\n", px, st->delay_n ? st->delay_sum_ms / (double)st->delay_n : 0.0);
	fprintf(f, "%smax_delay_ms=%.3f\n", px, st->delay_max_ms);
	for (int k = 0; k < N_KIND; k++)
		for (int c = 0; c < N_CNT; c++)
			fprintf(f, "%s%s_%s=%" PRIu64 "\n", px, kind_name[k], cnt_name[c], st->k[k][c]);
	fprintf(f, "%sssrc_count=%u\n", px, st->n_ssrc);
	fprintf(f, "%sssrc_untracked=%" PRIu64 "\n", px, st->ssrc_untracked);
	for (unsigned i = 0; i < st->n_ssrc; i++) {
		struct ssrc_stats *s = &st->ssrc[i];
		for (int k = 0; k < 2; k++)
			for (int c = 0; c < N_CNT; c++)
				fprintf(f, "%sssrc.%08" PRIx32 ".%s_%s=%" PRIu64 "\n", px, s->ssrc,
					kind_name[k], cnt_name[c], s->c[k][c]);
		fprintf(f, "%sssrc.%08" PRIx32 ".rtp_reordered=%" PRIu64 "\n", px, s->ssrc, s->rtp_reordered);
		fprintf(f, "%sssrc.%08" PRIx32 ".rtp_dropped_seqs=", px, s->ssrc);
		for (unsigned j = 0; j < s->n_dropped_seqs; j++)
			fprintf(f, "%s%u", j ? "," : "", s->dropped_seqs[j]);
		fputc('\n', f);
		if (s->dropped_seqs_truncated)
			fprintf(f, "%sssrc.%08" PRIx32 ".rtp_dropped_seqs_truncated=1\n", px, s->ssrc);
	}
}

static void write_stats(const char *path)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "impair-relay: stats path too long\n");
		return;
	}
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "impair-relay: %s: %s\n", tmp, strerror(errno));
		return;
	}
	fprintf(f, "seed=%" PRIu64 "\n", cfg.seed);
	fprintf(f, "loss=%g\nburst=%u\ndelay_ms=%g\njitter_ms=%g\njitter_dist=%s\nreorder=%d\nduplicate=%g\n",
		cfg.loss, cfg.burst, cfg.delay_ms, cfg.jitter_ms, cfg.jitter_normal ? "normal" : "uniform",
		cfg.reorder, cfg.duplicate);
	fprintf(f, "bidirectional=%d\nimpair_reverse=%d\n", cfg.bidirectional, cfg.impair_reverse);
	fprintf(f, "elapsed_s=%.3f\n", (double)(now_ns() - t_start) / 1e9);
	write_dir(f, DIR_FWD);
	write_dir(f, DIR_REV);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		fprintf(stderr, "impair-relay: writing %s: %s\n", path, strerror(errno));
}

/* ---------------------------------------------------------------- setup */

static int open_socket(const struct sockaddr_in *bind_to, const char *what)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int sz = 4 * 1024 * 1024, one = 1;

	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (bind_to && bind(fd, (const struct sockaddr *)bind_to, sizeof(*bind_to)) < 0) {
		char a[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &bind_to->sin_addr, a, sizeof(a));
		die("bind %s %s:%u: %s", what, a, ntohs(bind_to->sin_port), strerror(errno));
	}
	return fd;
}

static uint16_t bound_port(int fd)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &al) < 0)
		die("getsockname: %s", strerror(errno));
	return ntohs(a.sin_port);
}

/* "LISTEN_PORT\n", or with both "LISTEN_PORT FORWARD_PORT\n", written to
 * PATH.tmp and renamed: a reader never sees half a line. */
static void write_port_file(const char *path, bool both)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		die("%s: %s", tmp, strerror(errno));
	if (both)
		fprintf(f, "%u %u\n", bound_port(fd_listen), bound_port(fd_forward));
	else
		fprintf(f, "%u\n", bound_port(fd_listen));
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		die("writing %s: %s", path, strerror(errno));
}

/* --forward-file: polls for a first line "ADDR:PORT\n" (a line without its
 * newline may still be being written).  SIGINT/SIGTERM are blocked here, so
 * they are looked for as pending. */
#define FORWARD_FILE_WAIT_S 60
static void wait_forward_file(void)
{
	int64_t deadline = now_ns() + (int64_t)FORWARD_FILE_WAIT_S * 1000000000;
	const struct timespec tick = { 0, 20 * 1000000 };

	for (;;) {
		FILE *f = fopen(cfg.forward_file, "r");
		sigset_t pending;

		if (f) {
			char line[256];
			bool ok = fgets(line, sizeof(line), f) != NULL && strchr(line, '\n');
			fclose(f);
			if (ok) {
				line[strcspn(line, "\r\n")] = '\0';
				parse_addr(line, &cfg.forward_addr, "--forward-file");
				cfg.have_forward = true;
				return;
			}
		}
		sigpending(&pending);
		if (sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM)) {
			fprintf(stderr, "impair-relay: stopped while waiting for %s\n", cfg.forward_file);
			exit(1);
		}
		if (now_ns() >= deadline)
			die("no forward address in %s after %d s", cfg.forward_file, FORWARD_FILE_WAIT_S);
		nanosleep(&tick, NULL);
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	sigset_t block, waitmask;
	int64_t t_end = 0;
	bool stopping = false;
	int seen_signals = 0;

	parse_args(argc, argv);

	q.cap = cfg.queue;
	q.v = calloc(q.cap, sizeof(*q.v));
	if (!q.v)
		die("out of memory");
	for (int d = 0; d < N_DIR; d++) {
		ds[d].impaired = d == DIR_FWD || cfg.impair_reverse;
		rng_seed(&ds[d].loss_rng, cfg.seed, (uint64_t)d * 3 + 1);
		rng_seed(&ds[d].delay_rng, cfg.seed, (uint64_t)d * 3 + 2);
		rng_seed(&ds[d].dup_rng, cfg.seed, (uint64_t)d * 3 + 3);
	}

	/* Signals stay blocked except inside ppoll(): no lost wake-ups. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	fd_listen = open_socket(&cfg.listen_addr, "listen");
	if (cfg.have_forward_bind) {
		fd_forward = open_socket(&cfg.forward_bind, "forward");
	} else if (cfg.port_file) {
		/* bound now, as the first send would, so its port can be told */
		struct sockaddr_in any = { .sin_family = AF_INET };
		fd_forward = open_socket(&any, "forward");
	} else {
		fd_forward = open_socket(NULL, "forward");
	}

	if (cfg.ready_file)
		write_port_file(cfg.ready_file, false);
	if (cfg.port_file)
		write_port_file(cfg.port_file, true);
	if (cfg.forward_file)
		wait_forward_file();

	t_start = now_ns();
	if (cfg.duration > 0)
		t_end = t_start + (int64_t)llround(cfg.duration * 1e9);

	for (;;) {
		struct pollfd pfd[2];
		struct timespec ts, *tsp = NULL;
		int64_t now, wake = INT64_MAX;
		int nfd = 0, r;

		if (n_signals > seen_signals) {
			seen_signals = n_signals;
			if (stopping || seen_signals >= 2)
				break; /* second signal: exit at once */
			stopping = true;
		}
		now = now_ns();
		if (!stopping && t_end && now >= t_end)
			stopping = true;

		flush_due();
		if (stopping && q.n == 0)
			break;

		if (q.n > 0)
			wake = q.v[0].due_ns;
		if (!stopping && t_end && t_end < wake)
			wake = t_end;
		if (wake != INT64_MAX) {
			int64_t dt = wake - now_ns();
			if (dt < 0)
				dt = 0;
			ts.tv_sec = (time_t)(dt / 1000000000);
			ts.tv_nsec = (long)(dt % 1000000000);
			tsp = &ts;
		}
		if (!stopping) {
			pfd[nfd++] = (struct pollfd){ .fd = fd_listen, .events = POLLIN };
			pfd[nfd++] = (struct pollfd){ .fd = fd_forward, .events = POLLIN };
		}
		r = ppoll(pfd, (nfds_t)nfd, tsp, &waitmask);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("ppoll: %s", strerror(errno));
		}
		for (int i = 0; i < nfd && r > 0; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLERR)))
				continue;
			drain_socket(pfd[i].fd, pfd[i].fd == fd_listen ? DIR_FWD : DIR_REV);
		}
	}

	while (q.n > 0) {
		struct pkt p = heap_pop(&q);
		ds[p.dir].st.unsent++;
		free(p.data);
	}
	free(q.v);

	if (cfg.stats_file)
		write_stats(cfg.stats_file);
	if (!cfg.quiet) {
		struct dir_stats *f = &ds[DIR_FWD].st, *b = &ds[DIR_REV].st;
		fprintf(stderr,
			"impair-relay: received=%" PRIu64 " forwarded=%" PRIu64 " dropped=%" PRIu64
			" duplicated=%" PRIu64 " reordered=%" PRIu64 " max_delay_ms=%.1f",
			f->c[C_RECEIVED], f->c[C_FORWARDED], f->c[C_DROPPED], f->c[C_DUPLICATED],
			f->reordered, f->delay_max_ms);
		if (cfg.bidirectional)
			fprintf(stderr, " | reverse received=%" PRIu64 " forwarded=%" PRIu64
				" dropped=%" PRIu64, b->c[C_RECEIVED], b->c[C_FORWARDED], b->c[C_DROPPED]);
		fputc('\n', stderr);
	}
	close(fd_listen);
	close(fd_forward);
	return 0;
}
