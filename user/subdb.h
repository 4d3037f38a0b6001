/* Subscriber database: which subscriber id an inside address belongs to.
 *
 * A CSV text file, one "PREFIX_OR_IP,ID" per line:
 *     # comment
 *     100.64.0.5,cust-0042
 *     100.64.1.0/24, business-7
 * Blank lines, '#' comments (to the end of a line) and blanks around fields
 * are allowed. The most specific (longest) prefix wins. A database is
 * immutable once loaded, so the agent can load a new one on SIGHUP and
 * keep the old one when the new file is bad.
 */
#ifndef CGNAT_SUBDB_H
#define CGNAT_SUBDB_H

#include <stddef.h>
#include <stdint.h>

/* Longest id; ids use only [A-Za-z0-9._:@/-]. */
#define SUBDB_ID_MAX 64

struct subdb;

/* Load path into a new database. On error returns NULL and writes
 * "FILE:LINE: what is wrong; hint: what to do" (or "FILE: ..." when the
 * file cannot be read) into err. An empty file gives an empty database. */
struct subdb *subdb_load(const char *path, char *err, size_t errlen);

/* Id of the longest prefix holding ip (host order), or NULL. The string
 * lives as long as db. Never allocates. */
const char *subdb_lookup(const struct subdb *db, uint32_t ip);

/* The nth entry (0-based) whose id is id: its prefix in *addr and *len (host
 * order). 0, or -1 when there are fewer matches. Linear: for tools. */
int subdb_find_id(const struct subdb *db, const char *id, size_t nth, uint32_t *addr,
		  uint8_t *len);

/* Number of entries. */
size_t subdb_size(const struct subdb *db);

void subdb_free(struct subdb *db);

#endif
