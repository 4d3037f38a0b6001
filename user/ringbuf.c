#include "ringbuf.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int ringbuf_open(struct ringbuf_reader *r, int map_fd)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	memset(r, 0, sizeof(*r));
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(map_fd, &info, &len) || info.type != BPF_MAP_TYPE_RINGBUF)
		return -1;
	r->fd = map_fd;
	r->size = info.max_entries;
	r->cons_map = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (r->cons_map == MAP_FAILED)
		return -1;
	/* The data area is mapped twice in a row so records never wrap. */
	r->prod_map_len = page + 2 * r->size;
	r->prod_map = mmap(NULL, r->prod_map_len, PROT_READ, MAP_SHARED, map_fd, page);
	if (r->prod_map == MAP_FAILED) {
		munmap(r->cons_map, page);
		return -1;
	}
	r->consumer_pos = r->cons_map;
	r->producer_pos = r->prod_map;
	r->data = (const uint8_t *)r->prod_map + page;
	return 0;
}

void ringbuf_close(struct ringbuf_reader *r)
{
	if (r->cons_map)
		munmap(r->cons_map, (size_t)sysconf(_SC_PAGESIZE));
	if (r->prod_map)
		munmap(r->prod_map, r->prod_map_len);
	memset(r, 0, sizeof(*r));
}

int ringbuf_peek(struct ringbuf_reader *r, int max, ringbuf_record_fn fn, void *arg,
		 uint64_t *end)
{
	uint64_t cons = __atomic_load_n(r->consumer_pos, __ATOMIC_ACQUIRE);
	uint64_t prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
	int n = 0;

	while (cons < prod && n < max) {
		const uint32_t *hdr = (const uint32_t *)(r->data + (cons & (r->size - 1)));
		uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);

		if (len & BPF_RINGBUF_BUSY_BIT)
			break; /* reserved, not yet submitted: records behind it wait */
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			fn(hdr + 2, len, arg);
			n++;
		}
		len &= ~(uint32_t)(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
		cons += (len + BPF_RINGBUF_HDR_SZ + 7) & ~7u;
	}
	*end = cons;
	return n;
}

void ringbuf_commit(struct ringbuf_reader *r, uint64_t pos)
{
	__atomic_store_n(r->consumer_pos, pos, __ATOMIC_RELEASE);
}

uint64_t ringbuf_pending(const struct ringbuf_reader *r)
{
	return __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE) -
	       __atomic_load_n(r->consumer_pos, __ATOMIC_ACQUIRE);
}
