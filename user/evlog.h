/* The attribution log directory: JSON Lines files, rotated, gzip-compressed
 * in the background, deleted after the retention period.
 *
 *   DIR/cgnat-YYYYMMDDTHHMMSSZ[-N].jsonl     the current file (exactly one)
 *   DIR/cgnat-YYYYMMDDTHHMMSSZ[-N].jsonl.gz  closed files
 *   DIR/epochs.jsonl                         configuration epochs, kept forever
 *
 * The stamp is the UTC start of the file; a file ends where the next one
 * starts. Exactly-once: the agent writes a batch of events, flushes, and
 * only then consumes them from the ring buffer, so after a crash some
 * events come again; the writer remembers the sequence numbers at the tail
 * of the log and skips those. One writer per directory; not thread-safe:
 * one thread drives a log (compression runs on the log's own worker).
 * Format and guarantees: docs/LOGGING.md.
 */
#ifndef CGNAT_EVLOG_H
#define CGNAT_EVLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgnat_dp.h"
#include "evlog_format.h"

/* Lines at the tail of the log whose seq are remembered on open. */
#define EVLOG_DEDUPE_LINES 16384

struct evlog_opts {
	uint64_t rotate_size;      /* bytes; 0 = no size limit */
	uint32_t rotate_interval;  /* seconds; 0 = no age limit */
	uint32_t retention_days;   /* 0 = keep forever */
	bool log_destinations;     /* RFC 6888 REQ-12: off unless configured */
	int gzip_level;            /* 1..9; 0 = zlib's default (6) */
	bool compress_inline;      /* compress in evlog_rotate, no worker (tools) */
	uint64_t start_ns;         /* UTC start of the first file; 0 = now */
};

struct evlog_stats {
	uint64_t bytes_written;    /* accepted by write(2), all files */
	uint64_t events_written;   /* records accepted by evlog_write (not duplicates) */
	uint64_t duplicates;       /* records skipped: seq already in the log */
	uint64_t write_errors;     /* failed write/fsync/open/epoch append calls */
	uint64_t pending_bytes;    /* formatted, not yet written */
	uint64_t compress_queued;  /* closed files waiting for compression */
	uint64_t compress_errors;  /* files left uncompressed (retried on next open) */
};

struct evlog;

/* Create dir (and parents), fix and queue what a crash left behind, read
 * the tail of the newest file(s) for dedupe, and start a new current file.
 * Returns NULL with errno set on failure. */
struct evlog *evlog_open(const char *dir, const struct evlog_opts *opts);

/* Buffer one event taken at utc_ns (the agent converts the dataplane's
 * CLOCK_TAI). subscriber_id NULL = the inside address. Returns 0 when
 * buffered, 1 when skipped as a duplicate (seq != 0 already in the log),
 * -1 with errno EINVAL for an unknown event type. */
int evlog_write(struct evlog *log, const struct cgnat_event *ev, uint64_t utc_ns,
		const char *subscriber_id);

/* Record a configuration epoch in the current file and, fsync'd, in
 * DIR/epochs.jsonl. Pool ranges and prefixes are sorted by address here
 * (that is the subscriber index order). 0, or -1 with errno. */
int evlog_write_epoch(struct evlog *log, const struct evlog_epoch *e, uint64_t utc_ns);

/* Bracket the checkpoint records written right after a file starts
 * (evlog_open, evlog_rotate). checkpoint_begin carries the file's start
 * time, checkpoint_end the latest record time and the record count. */
void evlog_begin_checkpoint(struct evlog *log);
void evlog_end_checkpoint(struct evlog *log);

/* write(2) everything buffered to the current file. On failure (ENOSPC,
 * EIO, ...) returns -1 with errno and keeps what was not written, so a
 * later flush retries; the caller must not consume events meanwhile. */
int evlog_flush(struct evlog *log);

/* fdatasync the current file. */
int evlog_sync(struct evlog *log);

/* True when the current file reached rotate_size (with at least one record
 * besides its checkpoint) or is rotate_interval old at now (UTC ns). */
bool evlog_need_rotate(const struct evlog *log, uint64_t now);

/* Flush and close the current file, queue it for compression, start a new
 * one named after utc_ns. -1 with errno if the flush failed (nothing
 * changed). If the new file cannot be created, what is written next stays
 * buffered and the next evlog_flush creates it (counted in write_errors);
 * the caller writes its checkpoint either way. */
int evlog_rotate(struct evlog *log, uint64_t utc_ns);

/* Delete compressed files that ended more than retention_days before now.
 * Returns how many were deleted, or -1 with errno. */
int evlog_retention(struct evlog *log, uint64_t now);

/* Forget the dedupe set, e.g. when the dataplane was created afresh and
 * its sequence numbers start over. */
void evlog_reset_dedupe(struct evlog *log);

/* Flush, fsync and close the current file (it stays plain; the next open
 * compresses it), finish queued compressions, free. 0 or -1 if the final
 * flush or sync failed. */
int evlog_close(struct evlog *log);

void evlog_get_stats(const struct evlog *log, struct evlog_stats *st);

/* Path of the current file ("" if none could be created). */
const char *evlog_current_path(const struct evlog *log);

/* ---- reading a log directory (lookup, tools) ---- */

struct evlog_file {
	uint64_t start_ns;   /* from the name: UTC, whole seconds */
	unsigned n;          /* the -N suffix; 0 without */
	bool gz;
	char name[48];
};

/* Log files of dir (plain and .gz; a name present in both forms is listed
 * once, as .gz), sorted by (start_ns, n). *files is malloc'd. 0 or -1. */
int evlog_list_files(const char *dir, struct evlog_file **files, size_t *n);

/* Whole content of one listed file, decompressed; *data is malloc'd
 * (NUL-terminated). A plain file compressed meanwhile is read as .gz.
 * 0, or -1 with errno (EBADMSG for a corrupt .gz). */
int evlog_read_file(const char *dir, const struct evlog_file *f, char **data, size_t *len);

/* Compress plain path to path.gz (via path.gz.tmp, fsync, rename) and
 * unlink path. level 0 = default. 0, or -1 with errno. */
int evlog_compress_file(const char *path, int level);

#endif
