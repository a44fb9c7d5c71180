/* secret.h: passwords from where a script can keep them out of argv:
 * --password-file FILE (its first line; "-" is standard input; a pipe
 * such as <(command) is read too),
 * --password-env VAR, --password-fd N, --password PASS (visible to other
 * users: warned about), --no-password. */
#ifndef EC_SECRET_H
#define EC_SECRET_H

#include <stddef.h>

#include "err.h"
#include "status.h"

enum {
	EC_OPT_PASSWORD = 0x180, EC_OPT_PASSWORD_FILE, EC_OPT_PASSWORD_ENV,
	EC_OPT_PASSWORD_FD, EC_OPT_NO_PASSWORD,
};

/* For an applet's struct option table. */
#define EC_SECRET_LONGOPTS \
	{ "no-password", no_argument, NULL, EC_OPT_NO_PASSWORD }, \
	{ "password", required_argument, NULL, EC_OPT_PASSWORD }, \
	{ "password-env", required_argument, NULL, EC_OPT_PASSWORD_ENV }, \
	{ "password-fd", required_argument, NULL, EC_OPT_PASSWORD_FD }, \
	{ "password-file", required_argument, NULL, EC_OPT_PASSWORD_FILE }

#define EC_SECRET_USAGE \
	"[--password-file FILE | --password-env VAR | --password-fd N |\n" \
	"        --password PASS | --no-password]"

enum ec_secret_kind { EC_SECRET_UNSET, EC_SECRET_FILE, EC_SECRET_ENV,
		      EC_SECRET_FD, EC_SECRET_ARG, EC_SECRET_NONE };

struct ec_secret_src {
	enum ec_secret_kind kind;
	char *ref;		/* file, variable, fd, or the argv string */
	const char *name;	/* for messages: "password" (NULL), "pin" */
};

struct ec_secret {
	char *p;		/* NUL-terminated; NULL for --no-password */
	size_t len;
};

/* Take a password option: 1 if c was one, 0 if not, -1 on usage error.
 * For --password the argv string is wiped once it is read. */
int ec_secret_opt(struct ec_secret_src *src, int c, char *arg,
		  struct ec_err *e);
/* Read the secret.  Unset is usage ("a password is required"); ARG adds a
 * warning to st.  An environment variable is removed once read. */
int ec_secret_get(struct ec_secret_src *src, struct ec_status *st,
		  struct ec_secret *out, struct ec_err *e);
void ec_secret_wipe(struct ec_secret *s);
/* Before a child (a deploy hook) runs: the source's environment variable
 * is wiped and unset and its descriptor (above 2) closed, whether the
 * secret was read or not.  The source cannot be read afterwards. */
void ec_secret_drop(struct ec_secret_src *src);

#endif
