/* buf.h: a growable byte buffer that remembers running out of memory, so
 * that callers can append freely and check once. */
#ifndef EC_BUF_H
#define EC_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct ec_buf {
	char *p;	/* always NUL-terminated when len > 0 */
	size_t len, cap;
	int oom;
};

void ec_buf_add(struct ec_buf *b, const void *data, size_t len);
void ec_buf_adds(struct ec_buf *b, const char *s);
void ec_buf_addc(struct ec_buf *b, char c);
void ec_buf_addf(struct ec_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ec_buf_vaddf(struct ec_buf *b, const char *fmt, va_list ap);
void ec_buf_reset(struct ec_buf *b);
/* Free, wiping the bytes first (for buffers that held secrets). */
void ec_buf_free(struct ec_buf *b);

/* Write all len bytes of data to fd, again after a short write or EINTR:
 * 0, or -1 with errno set. */
int ec_write_all(int fd, const void *data, size_t len);

#endif
