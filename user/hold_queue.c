#include "hold_queue.h"

#include <stdlib.h>
#include <string.h>

void hold_queue_init(struct hold_queue *q)
{
	memset(q, 0, sizeof(*q));
}

void hold_queue_free(struct hold_queue *q)
{
	free(q->v);
	memset(q, 0, sizeof(*q));
}

static int grow(struct hold_queue *q)
{
	size_t cap = q->cap ? q->cap * 2 : 1024, i;
	struct hold_entry *v = malloc(cap * sizeof(*v));

	if (!v)
		return -1;
	for (i = 0; i < q->len; i++)
		v[i] = q->v[(q->head + i) % q->cap];
	free(q->v);
	q->v = v;
	q->cap = cap;
	q->head = 0;
	return 0;
}

int hold_queue_push(struct hold_queue *q, const struct hold_entry *e)
{
	if (q->len == q->cap && grow(q))
		return -1;
	q->v[(q->head + q->len) % q->cap] = *e;
	q->len++;
	return 0;
}

int hold_queue_pop_due(struct hold_queue *q, uint32_t now, struct hold_entry *e)
{
	if (!q->len || (int32_t)(now - q->v[q->head].release_at) < 0)
		return 0;
	*e = q->v[q->head];
	q->head = (q->head + 1) % q->cap;
	q->len--;
	return 1;
}

size_t hold_queue_len(const struct hold_queue *q)
{
	return q->len;
}
