/* Attribution: who used public IP:port at a given time?
 *
 * Reads a log directory written by evlog (docs/LOGGING.md, "Lookup"):
 * port block and session records for pba and session mode, the
 * configuration epochs for deterministic mode. Only the files whose time
 * span meets the query window are read (usually one or two), found by
 * binary search over the names.
 *
 * Boundaries: an owner holds a block or session over the closed interval
 * [alloc, release]; at the exact release instant the old owner still
 * counts. The query window is [time - window, time + window], closed.
 * A deterministic epoch is in force over [its time, the next epoch's time).
 */
#ifndef CGNAT_LOOKUP_H
#define CGNAT_LOOKUP_H

#include <stdint.h>

#include "evlog_format.h"
#include "subdb.h"

#define LOOKUP_MAX_OWNERS 16
#define LOOKUP_MAX_EVIDENCE 16
/* to_ns of an owner still holding the port at the end of the logs. */
#define LOOKUP_OPEN_END UINT64_MAX

/* Values double as cgnatctl exit codes. */
enum lookup_status {
	LOOKUP_MATCH = 0,
	LOOKUP_NO_MATCH = 1,
	LOOKUP_AMBIGUOUS = 2,
	LOOKUP_ERROR = 3,
};

struct lookup_query {
	uint32_t ip;              /* public address, host order */
	uint16_t port;            /* public port (ICMP: echo identifier) */
	uint8_t proto;            /* IPPROTO_TCP/UDP/ICMP; 0 = any */
	uint64_t time_ns;         /* UTC */
	uint64_t window_ns;       /* +- tolerance for the reporter's clock; 0 = exact */
	const struct subdb *subdb;/* ids for deterministic answers; NULL = inside address */
	uint64_t now_ns;          /* end of the current file; 0 = the real clock */
};

struct lookup_owner {
	char subscriber[EVLOG_ID_MAX + 1];
	uint32_t inside_ip;       /* host order */
	uint16_t inside_port;     /* session mode only; 0 otherwise */
	uint8_t proto;            /* session mode only; 0 otherwise */
	const char *source;       /* "pba", "session" or "deterministic" */
	uint64_t from_ns;         /* allocation, or the earliest record read that shows it */
	uint64_t to_ns;           /* release (inclusive), or LOOKUP_OPEN_END when the
				     files read show no end (still held after them) */
};

struct lookup_result {
	enum lookup_status status;
	/* MATCH: owners[0]; AMBIGUOUS: every distinct (subscriber, inside ip)
	 * found, by start time (n_owners_total may exceed LOOKUP_MAX_OWNERS). */
	struct lookup_owner owners[LOOKUP_MAX_OWNERS];
	unsigned n_owners, n_owners_total;
	/* The raw log lines the answer rests on (for deterministic mode: the
	 * epoch line and the arithmetic in words). malloc'd, see _free. */
	char *evidence[LOOKUP_MAX_EVIDENCE];
	unsigned n_evidence;
	unsigned files_read;
	unsigned bad_lines;       /* torn or garbage lines skipped in the files read */
	char error[512];          /* ERROR: "what; hint: what to do" */
};

/* Answer q from the log directory dir. Always fills *res (status ERROR
 * with res->error set on failure); returns res->status. */
enum lookup_status lookup_run(const char *dir, const struct lookup_query *q,
			      struct lookup_result *res);

/* Free the evidence strings of a result. */
void lookup_result_free(struct lookup_result *res);

#endif
