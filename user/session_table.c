#include "session_table.h"

static uint64_t load_word(const struct cgnat_session_slot *s)
{
	return __atomic_load_n(&s->word, __ATOMIC_ACQUIRE);
}

int session_table_read(const struct session_table *t, uint32_t i, struct cgnat_mapping_key *k,
		       struct cgnat_mapping *m)
{
	const struct cgnat_session_slot *s = &t->slots[i & (t->n - 1)];
	int attempt;

	for (attempt = 0; attempt < 4; attempt++) {
		uint64_t w = load_word(s);

		if (CGNAT_SESSION_STATE(w) != CGNAT_SS_LIVE || CGNAT_SESSION_KEY_BITS(w) == 0)
			return 0;
		*m = s->m;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (load_word(s) == w) {
			*k = cgnat_session_key(w);
			return 1;
		}
	}
	return 0; /* changing under us: deleted and reused meanwhile */
}

int session_table_find(const struct session_table *t, const struct cgnat_mapping_key *k,
		       struct cgnat_mapping *m)
{
	uint64_t want = cgnat_session_key_bits(k);
	uint32_t home, i;

	if (!t->n)
		return -1;
	home = cgnat_session_home(want, t->n - 1);
	for (i = 0; i < CGNAT_SESSION_PROBES; i++) {
		uint32_t idx = (home + i) & (t->n - 1);
		uint64_t w = load_word(&t->slots[idx]);
		struct cgnat_mapping_key got;

		if (w == CGNAT_SW_EMPTY || w == CGNAT_SW_LOCKED)
			return -1;
		if (CGNAT_SESSION_KEY_BITS(w) == want && session_table_read(t, idx, &got, m))
			return 0;
	}
	return -1;
}

uint32_t session_table_walk(const struct session_table *t, uint32_t first, uint32_t count,
			    session_fn fn, void *arg)
{
	uint64_t end = (uint64_t)first + count, i;
	struct cgnat_mapping_key k;
	struct cgnat_mapping m;

	if (end > t->n)
		end = t->n;
	for (i = first; i < end; i++)
		if (session_table_read(t, (uint32_t)i, &k, &m) && fn(arg, &k, &m))
			return (uint32_t)(i + 1 < t->n ? i + 1 : 0);
	return end < t->n ? (uint32_t)end : 0;
}

void session_table_walk_all(const struct session_table *t, session_fn fn, void *arg)
{
	session_table_walk(t, 0, t->n, fn, arg);
}
