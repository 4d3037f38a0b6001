/* A minimal streaming JSON writer for cgnatctl --json and the agent's
 * status file: it tracks commas and escapes strings, nothing more. */
#ifndef CGNAT_JSONW_H
#define CGNAT_JSONW_H

#include <stdint.h>
#include <stdio.h>

#define JSONW_DEPTH 16

struct jsonw {
	FILE *f;
	int depth;
	int count[JSONW_DEPTH]; /* values written at each level */
	int after_key;
};

void jw_init(struct jsonw *w, FILE *f);
void jw_obj_begin(struct jsonw *w);
void jw_obj_end(struct jsonw *w);
void jw_arr_begin(struct jsonw *w);
void jw_arr_end(struct jsonw *w);
void jw_key(struct jsonw *w, const char *key);
void jw_str(struct jsonw *w, const char *s);
void jw_u64(struct jsonw *w, uint64_t v);
void jw_i64(struct jsonw *w, int64_t v);
void jw_bool(struct jsonw *w, int v);
void jw_null(struct jsonw *w);

/* key + value shorthands */
void jw_kstr(struct jsonw *w, const char *key, const char *s);
void jw_ku64(struct jsonw *w, const char *key, uint64_t v);
void jw_kbool(struct jsonw *w, const char *key, int v);

#endif
