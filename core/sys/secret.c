#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "fileio.h"
#include "secret.h"

#define SECRET_MAX (64 * 1024)

int ec_secret_opt(struct ec_secret_src *src, int c, char *arg,
		  struct ec_err *e)
{
	enum ec_secret_kind k;

	switch (c) {
	case EC_OPT_PASSWORD: k = EC_SECRET_ARG; break;
	case EC_OPT_PASSWORD_FILE: k = EC_SECRET_FILE; break;
	case EC_OPT_PASSWORD_ENV: k = EC_SECRET_ENV; break;
	case EC_OPT_PASSWORD_FD: k = EC_SECRET_FD; break;
	case EC_OPT_NO_PASSWORD: k = EC_SECRET_NONE; break;
	default: return 0;
	}
	if (src->kind != EC_SECRET_UNSET)
		return ec_fail(e, EC_USAGE, "give one password option only");
	src->kind = k;
	src->ref = arg;
	return 1;
}

/* Keep the first line of d (without its line end) as the secret. */
static int first_line(struct ec_data *d, struct ec_secret *out,
		      struct ec_err *e)
{
	size_t n = 0;

	while (n < d->size && d->data[n] != '\r' && d->data[n] != '\n')
		n++;
	/* a NUL would cut the password short without a word */
	if (n && memchr(d->data, '\0', n))
		return ec_fail(e, EC_BAD_INPUT, "the password holds a NUL "
			       "byte");
	out->p = malloc(n + 1);
	if (!out->p)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	if (n)
		memcpy(out->p, d->data, n);
	out->p[n] = '\0';
	out->len = n;
	return 0;
}

static int from_fd(const char *ref, const char *what, struct ec_data *d,
		   struct ec_err *e)
{
	char *end;
	long fd = strtol(ref, &end, 10);
	char path[64];

	if (*ref == '\0' || *end || fd < 0 || fd > 1 << 20)
		return ec_fail(e, EC_USAGE, "--%s-fd wants a file "
			       "descriptor number, not '%s'", what, ref);
	if (fcntl((int)fd, F_GETFD) < 0)
		return ec_fail(e, EC_USAGE, "--%s-fd %ld is not open", what,
			       fd);
	if (fd == 0)
		return ec_read_input("-", SECRET_MAX, d, e);
	/* read through the fd itself, whatever it is (a pipe, mostly) */
	snprintf(path, sizeof(path), "/dev/fd/%ld", fd);
	{
		size_t cap = 256, len = 0;
		unsigned char *p = malloc(cap + 1);

		if (!p)
			return ec_fail(e, EC_INTERNAL, "out of memory");
		for (;;) {
			ssize_t r;

			if (len == cap) {
				if (cap >= SECRET_MAX)
					break;
				unsigned char *q = malloc(cap * 2 + 1);

				if (!q) {
					gnutls_memset(p, 0, len);
					free(p);
					return ec_fail(e, EC_INTERNAL,
						       "out of memory");
				}
				memcpy(q, p, len);
				gnutls_memset(p, 0, len);
				free(p);
				p = q;
				cap *= 2;
			}
			r = read((int)fd, p + len, cap - len);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				int err = errno;

				gnutls_memset(p, 0, len);
				free(p);
				return ec_fail_errno(e, EC_BAD_INPUT, err,
						     "cannot read the %s "
						     "from %s", what, path);
			}
			if (r == 0 || memchr(p + len, '\n', (size_t)r)) {
				len += (size_t)r;
				break;
			}
			len += (size_t)r;
		}
		p[len] = '\0';
		d->data = p;
		d->size = len;
	}
	return 0;
}

int ec_secret_get(struct ec_secret_src *src, struct ec_status *st,
		  struct ec_secret *out, struct ec_err *e)
{
	struct ec_data d = { 0 };
	const char *what = src->name ? src->name : "password", *v;
	int r;

	out->p = NULL;
	out->len = 0;
	switch (src->kind) {
	case EC_SECRET_UNSET:
		return ec_fail(e, EC_USAGE, "a password is required: give "
			       "--password-file, --password-env, --password-fd"
			       " or, for none, --no-password");
	case EC_SECRET_NONE:
		return 0;
	case EC_SECRET_ARG:
		ec_status_warn(st, "--password is visible to other users of this "
			       "machine; prefer --password-file, --password-env "
			       "or --password-fd");
		d.size = strlen(src->ref);
		d.data = (unsigned char *)src->ref;
		r = first_line(&d, out, e);
		if (r == 0 && out->len != d.size) {
			ec_secret_wipe(out);
			r = ec_fail(e, EC_USAGE, "--password holds a line "
				    "break");
		}
		gnutls_memset(src->ref, 0, d.size);	/* out of ps */
		return r;
	case EC_SECRET_ENV:
		v = getenv(src->ref);
		if (!v)
			return ec_fail(e, EC_USAGE, "--%s-env: variable "
				       "'%s' is not set", what, src->ref);
		d.size = strlen(v);
		d.data = (unsigned char *)v;
		r = first_line(&d, out, e);
		/* wiped in place, out of /proc/PID/environ, and unset, not
		 * passed on to hooks */
		gnutls_memset((char *)v, 0, d.size);
		unsetenv(src->ref);
		return r;
	case EC_SECRET_FILE:
		r = ec_read_secret(src->ref, SECRET_MAX, &d, e);
		break;
	case EC_SECRET_FD:
		r = from_fd(src->ref, what, &d, e);
		break;
	default:
		return ec_fail(e, EC_INTERNAL, "bad password source");
	}
	if (r == 0)
		r = first_line(&d, out, e);
	ec_data_free(&d);
	return r;
}

void ec_secret_wipe(struct ec_secret *s)
{
	if (s->p) {
		gnutls_memset(s->p, 0, s->len);
		free(s->p);
	}
	s->p = NULL;
	s->len = 0;
}

void ec_secret_drop(struct ec_secret_src *src)
{
	char *v, *end;
	long fd;

	switch (src->kind) {
	case EC_SECRET_ENV:
		if ((v = getenv(src->ref)))
			gnutls_memset(v, 0, strlen(v));
		unsetenv(src->ref);
		break;
	case EC_SECRET_FD:
		fd = strtol(src->ref, &end, 10);
		/* standard input, output and error stay: the hook's are
		 * its own, and the record may go to standard output */
		if (*src->ref && !*end && fd > 2 && fd <= 1 << 20)
			close((int)fd);
		break;
	default:
		break;
	}
}
