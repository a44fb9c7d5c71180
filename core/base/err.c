#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

static const struct {
	const char *name;
	int exit;
} codes[EC_CODE_COUNT] = {
	[EC_OK] = { "ok", 0 },
	[EC_UNTRUSTED] = { "untrusted", 1 },
	[EC_EXPIRED] = { "expired", 1 },
	[EC_NOT_YET_VALID] = { "not-yet-valid", 1 },
	[EC_REVOKED] = { "revoked", 1 },
	[EC_NAME_MISMATCH] = { "name-mismatch", 1 },
	[EC_PURPOSE_MISMATCH] = { "purpose-mismatch", 1 },
	[EC_KEY_MISMATCH] = { "key-mismatch", 1 },
	[EC_NO_PRIVATE_KEY] = { "no-private-key", 1 },
	[EC_USAGE] = { "usage", 2 },
	[EC_BAD_INPUT] = { "bad-input", 3 },
	[EC_BAD_PASSWORD] = { "bad-password", 3 },
	[EC_CRL_TOO_LARGE] = { "crl-too-large", 3 },
	[EC_NOT_FOUND] = { "not-found", 4 },
	[EC_AMBIGUOUS] = { "ambiguous", 4 },
	[EC_NO_PENDING_REQUEST] = { "no-pending-request", 4 },
	[EC_NOT_EXPORTABLE] = { "not-exportable", 5 },
	[EC_WEAK_KEY] = { "weak-key", 5 },
	[EC_EXISTS] = { "exists", 5 },
	[EC_REFUSED] = { "refused", 5 },
	[EC_LOCKED] = { "locked", 6 },
	[EC_IO] = { "io", 6 },
	[EC_STORE_CORRUPT] = { "store-corrupt", 6 },
	[EC_STORE_UNSAFE] = { "store-unsafe", 6 },
	[EC_HOOK_FAILED] = { "hook-failed", 6 },
	[EC_INTERRUPTED] = { "interrupted", 6 },
	[EC_INTERNAL] = { "internal", 70 },
	[EC_NO_DAEMON_ACCESS] = { "no-daemon-access", 1 },
	[EC_NOT_SERVED] = { "not-served", 7 },
};

/* Through a copy: callers wrap an error in context with e->msg among the
 * arguments, and vsnprintf into its own argument is undefined (it was:
 * valgrind saw the message made from itself half-written). */
static void vset(struct ec_err *e, enum ec_code code, const char *fmt,
		 va_list ap)
{
	char msg[sizeof(e->msg)];

	e->code = code;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	memcpy(e->msg, msg, sizeof(msg));
}

int ec_fail(struct ec_err *e, enum ec_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(e, code, fmt, ap);
	va_end(ap);
	return -1;
}

void ec_err_append(struct ec_err *e, const char *text)
{
	size_t n = strlen(e->msg);

	snprintf(e->msg + n, sizeof(e->msg) - n, "%s", text);
}

int ec_fail_errno(struct ec_err *e, enum ec_code code, int errnum,
		  const char *fmt, ...)
{
	va_list ap;
	size_t n;

	switch (errnum) {
	case ENOENT:
	case ENOTDIR:
		if (code == EC_IO)
			code = EC_NOT_FOUND;
		break;
	case EACCES: case EPERM: case EISDIR: case ELOOP: case ENAMETOOLONG:
	case ENXIO: case ENODEV: case EINVAL:
		break;
	default:
		code = EC_IO;
	}
	va_start(ap, fmt);
	vset(e, code, fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(errnum));
	return -1;
}

const char *ec_code_name(enum ec_code code)
{
	if ((unsigned)code >= EC_CODE_COUNT)
		return "internal";
	return codes[code].name;
}

int ec_code_exit(enum ec_code code)
{
	if ((unsigned)code >= EC_CODE_COUNT)
		return 70;
	return codes[code].exit;
}

int ec_code_lookup(const char *s)
{
	for (int i = 0; i < EC_CODE_COUNT; i++)
		if (strcmp(codes[i].name, s) == 0)
			return i;
	return -1;
}
