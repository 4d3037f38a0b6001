/* The agent's own state for cgnatctl: a small JSON file rewritten every
 * second (atomically, by rename) under /run/cgnat/, named after the pin
 * directory so several instances can run side by side. */
#ifndef CGNAT_STATUS_H
#define CGNAT_STATUS_H

#include <stddef.h>

#include "config.h"

struct dataplane;
struct gc_stats;
struct attribution;

#define STATUS_DIR "/run/cgnat"

void status_path(const struct cgnat_cfg *cfg, char *out, size_t n);
int status_write(const struct cgnat_cfg *cfg, const struct dataplane *dp,
		 const struct gc_stats *gc, const struct attribution *attr);
void status_remove(const struct cgnat_cfg *cfg);

#endif
