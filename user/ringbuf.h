/* Reading the dataplane's BPF ring buffer with an explicit commit.
 *
 * libbpf's consumer advances the consumer position record by record, so an
 * agent killed after that but before its log write would lose events. This
 * reader hands out a batch, and the caller commits the position only after
 * the batch is safely in the log file. The position lives in the pinned
 * map, so the next agent continues where the last commit left off.
 */
#ifndef CGNAT_RINGBUF_H
#define CGNAT_RINGBUF_H

#include <stddef.h>
#include <stdint.h>

struct ringbuf_reader {
	int fd;
	size_t size;              /* data area bytes, power of two */
	uint64_t *consumer_pos;   /* shared, writable */
	const uint64_t *producer_pos;
	const uint8_t *data;
	void *cons_map, *prod_map;
	size_t prod_map_len;
};

typedef void (*ringbuf_record_fn)(const void *data, uint32_t len, void *arg);

int ringbuf_open(struct ringbuf_reader *r, int map_fd);
void ringbuf_close(struct ringbuf_reader *r);

/* Call fn for up to max committed records after the consumer position.
 * Returns the number of records seen; *end is the position to commit. */
int ringbuf_peek(struct ringbuf_reader *r, int max, ringbuf_record_fn fn, void *arg,
		 uint64_t *end);

/* Publish the new consumer position (frees the space for the producer). */
void ringbuf_commit(struct ringbuf_reader *r, uint64_t pos);

/* Bytes published but not yet committed. */
uint64_t ringbuf_pending(const struct ringbuf_reader *r);

#endif
