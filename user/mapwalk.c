#include "mapwalk.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>

#define CHUNK 4096

long map_walk_step(int fd, size_t key_size, size_t value_size, struct map_cursor *cur,
		   uint64_t max_entries, map_walk_fn fn, void *arg, int *done)
{
	unsigned char *keys = malloc(CHUNK * key_size), *vals = malloc(CHUNK * value_size);
	uint64_t out_token = 0;
	long visited = 0;
	int stop = 0;

	*done = 0;
	if (!keys || !vals) {
		free(keys);
		free(vals);
		errno = ENOMEM;
		return -1;
	}
	while (!stop && (!max_entries || (uint64_t)visited < max_entries)) {
		uint32_t count = CHUNK, i;
		int err = bpf_map_lookup_batch(fd, cur->started ? &cur->token : NULL, &out_token,
					       keys, vals, &count, NULL);

		if (err && errno != ENOENT) {
			visited = -1;
			break;
		}
		for (i = 0; i < count && !stop; i++)
			stop = fn(arg, keys + i * key_size, vals + i * value_size);
		visited += count;
		if (err) { /* ENOENT: that was the last chunk */
			cur->started = 0;
			*done = 1;
			break;
		}
		cur->token = out_token;
		cur->started = 1;
	}
	free(keys);
	free(vals);
	return visited;
}

long map_walk(int fd, size_t key_size, size_t value_size, map_walk_fn fn, void *arg)
{
	struct map_cursor cur = { 0 };
	int done;

	return map_walk_step(fd, key_size, value_size, &cur, 0, fn, arg, &done);
}
