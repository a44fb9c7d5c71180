#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "buf.h"

static int grow(struct ec_buf *b, size_t need)
{
	size_t cap;
	char *p;

	if (b->oom)
		return -1;
	if (need < b->len || need == (size_t)-1) {
		b->oom = 1;
		return -1;
	}
	if (need + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need + 1) {
		if (cap > ((size_t)-1) / 2) {
			b->oom = 1;
			return -1;
		}
		cap *= 2;
	}
	p = malloc(cap);
	if (!p) {
		b->oom = 1;
		return -1;
	}
	/* Copy rather than realloc so that no stale copy of a secret is
	 * left behind unwiped. */
	if (b->p) {
		memcpy(p, b->p, b->len);
		gnutls_memset(b->p, 0, b->cap);
		free(b->p);
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void ec_buf_add(struct ec_buf *b, const void *data, size_t len)
{
	if (grow(b, b->len + len) < 0)
		return;
	if (len)	/* data may be NULL then (an empty buffer's p) */
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void ec_buf_adds(struct ec_buf *b, const char *s)
{
	ec_buf_add(b, s, strlen(s));
}

void ec_buf_addc(struct ec_buf *b, char c)
{
	ec_buf_add(b, &c, 1);
}

void ec_buf_vaddf(struct ec_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || grow(b, b->len + (size_t)n) < 0) {
		b->oom = 1;
		return;
	}
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void ec_buf_addf(struct ec_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ec_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void ec_buf_reset(struct ec_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void ec_buf_free(struct ec_buf *b)
{
	if (b->p) {
		gnutls_memset(b->p, 0, b->cap);
		free(b->p);
	}
	memset(b, 0, sizeof(*b));
}

int ec_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
