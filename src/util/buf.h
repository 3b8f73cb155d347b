/* buf.h - growable byte buffer with overflow checks (malloc-backed). */
#ifndef ISP_BUF_H
#define ISP_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char  *data;    /* always NUL-terminated when len > 0 or after buf_cstr */
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void  buf_append(struct buf *b, const void *p, size_t n);
void  buf_puts(struct buf *b, const char *s);
void  buf_putc(struct buf *b, char c);
void  buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void  buf_vprintf(struct buf *b, const char *fmt, va_list ap);
const char *buf_cstr(struct buf *b);
void  buf_reset(struct buf *b);     /* len = 0, keeps memory */
void  buf_free(struct buf *b);

#endif
