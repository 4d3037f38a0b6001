/* Internal to the log writer and the directory helpers (evlog.c,
 * evlog_dir.c). */
#ifndef CGNAT_EVLOG_DIR_H
#define CGNAT_EVLOG_DIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NAME_PREFIX "cgnat-"

/* "cgnat-YYYYMMDDTHHMMSSZ[-N].jsonl[.gz]" */
void evlog_file_name(char *buf, size_t size, uint64_t start_ns, unsigned n, bool gz);

/* write(2) all of p, retrying partial writes; *done counts what was
 * written even on failure. 0, or -1 with errno. */
int evlog_write_all(int fd, const char *p, size_t n, size_t *done);

/* fsync the directory holding path, so a rename or create is durable. */
int evlog_fsync_dir(const char *path);

#endif
