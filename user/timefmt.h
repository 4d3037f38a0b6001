/* Timestamps of the attribution logs.
 *
 * Logs carry RFC 3339 UTC with exactly nine fractional digits, so every
 * line has the same width and sorts as text. People querying the logs paste
 * times from other systems, so parsing is liberal in form (any fraction
 * length, any offset, Unix seconds) but strict in content.
 */
#ifndef CGNAT_TIMEFMT_H
#define CGNAT_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define TIMEFMT_NS_PER_SEC 1000000000ULL
/* "2026-11-20T10:15:03.120000000Z" plus NUL. */
#define TIMEFMT_RFC3339_SIZE 31
/* "20261120T101503Z" plus NUL: the stamp in log file names. */
#define TIMEFMT_COMPACT_SIZE 17

/* utc_ns as "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ"; returns the length (30). */
size_t timefmt_rfc3339(uint64_t utc_ns, char buf[TIMEFMT_RFC3339_SIZE]);

/* utc_ns as "YYYYMMDDTHHMMSSZ" (sub-second part dropped); returns 16. */
size_t timefmt_compact(uint64_t utc_ns, char buf[TIMEFMT_COMPACT_SIZE]);

/* The 16 characters at s in the compact form; 0, or -1 if they are not. */
int timefmt_parse_compact(const char *s, uint64_t *utc_ns);

/* Parse the whole of s (surrounding blanks allowed):
 *   RFC 3339: 2026-11-20T10:15:03Z, 2026-11-20 10:15:03.12+01:00 (0-9
 *             fraction digits; 'T', 't' or a blank; 'Z', 'z' or +-HH:MM),
 *             second 60 (a leap second) reads as the next minute's :00;
 *   Unix seconds: 1795169703 or 1795169703.12 (0-9 fraction digits).
 * Times before 1970 or after 2554-07-21 (the uint64 nanosecond range) are
 * refused. Returns 0, or -1 with *why pointing at a static message
 * "what; hint: what to do". */
int timefmt_parse(const char *s, uint64_t *utc_ns, const char **why);

/* How precisely a time accepted by timefmt_parse was written: one unit of
 * its last digit, in ns (1 s for whole seconds, 1 ms for ".120", 1 ns
 * for nine digits). A log that prints milliseconds says "within that
 * millisecond", so lookups widen their window by this much. */
uint64_t timefmt_precision_ns(const char *s);

#endif
