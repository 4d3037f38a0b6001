/* One attribution log record <-> one JSON line.
 *
 * The field names and their order are a stable contract documented in
 * docs/LOGGING.md: abuse desks and archives parse these files years after
 * they were written. The parser is the inverse of the formatters and is
 * used by lookup and by the writer's restart dedupe; it refuses anything
 * it cannot read completely (torn or garbage lines) instead of guessing.
 */
#ifndef CGNAT_EVLOG_FORMAT_H
#define CGNAT_EVLOG_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgnat_dp.h"

/* Longest line any formatter writes, newline included. */
#define EVLOG_LINE_MAX 4096
/* Longest subscriber id kept (subdb ids are at most 64; longer ids from the
 * caller are cut here rather than dropping the record). */
#define EVLOG_ID_MAX 255
/* Pool ranges and prefixes an epoch record can carry. */
#define EVLOG_EPOCH_MAX 64

/* Record types beyond enum cgnat_event_type that exist only in the log. */
enum evlog_marker {
	EVLOG_EV_CONFIG_EPOCH = 250,
	EVLOG_EV_CHECKPOINT_BEGIN = 251,
	EVLOG_EV_CHECKPOINT_END = 252,
};

/* Deterministic-mode configuration epoch (RFC 7422): everything lookup
 * needs to redo the arithmetic of cgnat_blocks.h. Host byte order. */
struct evlog_epoch {
	uint32_t epoch;
	char mode[16];            /* "pba", "deterministic" or "session" */
	uint32_t port_min, port_max;
	uint32_t block_size;      /* ports per subscriber in deterministic mode */
	uint32_t blocks_per_ip;
	uint32_t n_pool;
	struct { uint32_t first, last; } pool[EVLOG_EPOCH_MAX];  /* inclusive */
	uint32_t n_prefixes;
	struct { uint32_t addr; uint8_t len; } prefixes[EVLOG_EPOCH_MAX];
};

/* Which optional fields a parsed line had. */
enum evlog_field {
	EVLOG_F_SEQ = 1 << 0,
	EVLOG_F_NAT_EVENT = 1 << 1,
	EVLOG_F_PROTO = 1 << 2,
	EVLOG_F_SUBSCRIBER = 1 << 3,
	EVLOG_F_INSIDE_IP = 1 << 4,
	EVLOG_F_INSIDE_PORT = 1 << 5,
	EVLOG_F_OUTSIDE_IP = 1 << 6,
	EVLOG_F_OUTSIDE_PORT = 1 << 7,  /* outside_port, or outside_port_first */
	EVLOG_F_PORT_LAST = 1 << 8,     /* outside_port_last */
	EVLOG_F_DEST = 1 << 9,          /* dest_ip and dest_port */
	EVLOG_F_RECORDS = 1 << 10,
};

/* A parsed line. Unlike struct cgnat_event, addresses are host order. */
struct evlog_record {
	uint64_t seq;            /* 0 when the line has none (agent records) */
	uint64_t time_ns;        /* UTC */
	unsigned type;           /* enum cgnat_event_type or enum evlog_marker */
	unsigned fields;         /* enum evlog_field bits */
	uint8_t proto;           /* IPPROTO_* */
	char subscriber[EVLOG_ID_MAX + 1];
	uint32_t inside_ip, outside_ip, dest_ip;
	uint16_t inside_port, dest_port;
	uint16_t outside_port;      /* session port, or first port of a block */
	uint16_t outside_port_last; /* last port of a block; = outside_port for sessions */
	uint64_t records;           /* checkpoint_end: records in the checkpoint */
};

/* "session_create", "block_alloc", ... for a type; NULL if unknown. */
const char *evlog_event_name(unsigned type);

/* Format one event (network byte order, as the dataplane wrote it) taken
 * at utc_ns. subscriber NULL means the inside address. Destinations are
 * written only when log_destinations and ev->remote_ip != 0. Returns the
 * line length including its '\n', or -1 if the type is unknown or buf
 * (size >= EVLOG_LINE_MAX is always enough) is too small. */
int evlog_format_event(char *buf, size_t size, const struct cgnat_event *ev, uint64_t utc_ns,
		       const char *subscriber, bool log_destinations);

/* checkpoint_begin / checkpoint_end lines; records is written on _END only. */
int evlog_format_marker(char *buf, size_t size, unsigned type, uint64_t utc_ns,
			uint64_t records);

/* config_epoch line. Pool ranges and prefixes are written in the order
 * given, which must be address order (the subscriber index order). */
int evlog_format_epoch(char *buf, size_t size, const struct evlog_epoch *e, uint64_t utc_ns);

/* Parse one line (without or with its '\n'). Returns 0 with *rec filled,
 * or -1 for anything that is not a complete, known record. A config_epoch
 * line also fills *epoch when epoch is not NULL. */
int evlog_parse_line(const char *line, size_t len, struct evlog_record *rec,
		     struct evlog_epoch *epoch);

#endif
