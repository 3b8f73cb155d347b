/* arena.h - per-request bump allocator: many allocations, one reset. */
#ifndef ISP_ARENA_H
#define ISP_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;   /* chunk being filled */
	struct arena_chunk *keep;   /* first chunk, kept across resets */
	size_t total;               /* bytes handed out since the last reset */
};

void  arena_init(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);           /* 16-byte aligned, never NULL */
void *arena_calloc(struct arena *a, size_t n, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);
void  arena_reset(struct arena *a);                     /* frees all but the first chunk */
void  arena_free(struct arena *a);

/* Allocation failure policy, shared by everything: log and abort the
 * worker (the master replaces it).  Used by arena and buf. */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
void  oom(size_t n) __attribute__((noreturn));

#endif
