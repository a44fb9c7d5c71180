/* err.h: errors as values.  Core functions fill a struct ec_err and return
 * -1; the applet reports it once, as the status record and the exit status. */
#ifndef EC_ERR_H
#define EC_ERR_H

enum ec_code {
	EC_OK = 0,
	EC_UNTRUSTED, EC_EXPIRED, EC_NOT_YET_VALID, EC_REVOKED,
	EC_NAME_MISMATCH, EC_PURPOSE_MISMATCH, EC_KEY_MISMATCH,
	EC_NO_PRIVATE_KEY,
	EC_USAGE,
	EC_BAD_INPUT, EC_BAD_PASSWORD, EC_CRL_TOO_LARGE,
	EC_NOT_FOUND, EC_AMBIGUOUS, EC_NO_PENDING_REQUEST,
	EC_NOT_EXPORTABLE, EC_WEAK_KEY, EC_EXISTS, EC_REFUSED,
	EC_LOCKED, EC_IO, EC_STORE_CORRUPT, EC_STORE_UNSAFE,
	EC_HOOK_FAILED, EC_INTERRUPTED,
	EC_INTERNAL,
	EC_NO_DAEMON_ACCESS, EC_NOT_SERVED,
	EC_CODE_COUNT
};

/* The exit status of a run whose status record could not be written (a
 * closed standard output, a reader gone): no code, since no record. */
#define EC_EXIT_NO_RECORD 8

struct ec_err {
	enum ec_code code;
	char msg[1024];
};

/* Set the error and return -1. */
int ec_fail(struct ec_err *e, enum ec_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Like ec_fail, with ": strerror(errnum)" appended and the code taken from
 * errnum: ENOSPC, EIO and the like are io; ENOENT is not-found; EACCES and
 * the like are the given code. */
int ec_fail_errno(struct ec_err *e, enum ec_code code, int errnum,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Add text to the message (an applet's hint: the option that helps). */
void ec_err_append(struct ec_err *e, const char *text);

const char *ec_code_name(enum ec_code code);
int ec_code_exit(enum ec_code code);
/* The code whose name is s, or -1. */
int ec_code_lookup(const char *s);

#endif
