#include "jsonw.h"

#include <inttypes.h>

void jw_init(struct jsonw *w, FILE *f)
{
	w->f = f;
	w->depth = 0;
	w->count[0] = 0;
	w->after_key = 0;
}

static void sep(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->count[w->depth]++)
		fputc(',', w->f);
}

static void open_(struct jsonw *w, char c)
{
	sep(w);
	fputc(c, w->f);
	if (w->depth + 1 < JSONW_DEPTH)
		w->count[++w->depth] = 0;
}

static void close_(struct jsonw *w, char c)
{
	fputc(c, w->f);
	if (w->depth > 0)
		w->depth--;
	if (w->depth == 0)
		fputc('\n', w->f);
}

void jw_obj_begin(struct jsonw *w) { open_(w, '{'); }
void jw_obj_end(struct jsonw *w) { close_(w, '}'); }
void jw_arr_begin(struct jsonw *w) { open_(w, '['); }
void jw_arr_end(struct jsonw *w) { close_(w, ']'); }

static void raw_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void jw_key(struct jsonw *w, const char *key)
{
	sep(w);
	raw_str(w->f, key);
	fputc(':', w->f);
	w->after_key = 1;
}

void jw_str(struct jsonw *w, const char *s)
{
	sep(w);
	raw_str(w->f, s);
}

void jw_u64(struct jsonw *w, uint64_t v)
{
	sep(w);
	fprintf(w->f, "%" PRIu64, v);
}

void jw_i64(struct jsonw *w, int64_t v)
{
	sep(w);
	fprintf(w->f, "%" PRId64, v);
}

void jw_bool(struct jsonw *w, int v)
{
	sep(w);
	fputs(v ? "true" : "false", w->f);
}

void jw_null(struct jsonw *w)
{
	sep(w);
	fputs("null", w->f);
}

void jw_kstr(struct jsonw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void jw_ku64(struct jsonw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	jw_u64(w, v);
}

void jw_kbool(struct jsonw *w, const char *key, int v)
{
	jw_key(w, key);
	jw_bool(w, v);
}
