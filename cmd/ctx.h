/* ctx.h: the run's context, passed to every applet: global options, the
 * status record and the error.  Global options are parsed here only. */
#ifndef EC_CTX_H
#define EC_CTX_H

#include <getopt.h>
#include <limits.h>

#include "err.h"
#include "secret.h"
#include "status.h"

enum {
	EC_OPT_STORE = 0x100, EC_OPT_FORMAT, EC_OPT_CHECK, EC_OPT_WAIT,
	EC_OPT_STATUS_FD, EC_OPT_TOKEN, EC_OPT_TOKEN_MODULE, EC_OPT_PIN_FILE,
	EC_OPT_PIN_ENV, EC_OPT_PIN_FD,
};

/* Every applet's struct option table ends with these. */
#define EC_GLOBAL_LONGOPTS \
	{ "check", no_argument, NULL, EC_OPT_CHECK }, \
	{ "format", required_argument, NULL, EC_OPT_FORMAT }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "pin-env", required_argument, NULL, EC_OPT_PIN_ENV }, \
	{ "pin-fd", required_argument, NULL, EC_OPT_PIN_FD }, \
	{ "pin-file", required_argument, NULL, EC_OPT_PIN_FILE }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "status-fd", required_argument, NULL, EC_OPT_STATUS_FD }, \
	{ "store", required_argument, NULL, EC_OPT_STORE }, \
	{ "token", required_argument, NULL, EC_OPT_TOKEN }, \
	{ "token-module", required_argument, NULL, EC_OPT_TOKEN_MODULE }, \
	{ "version", no_argument, NULL, 'V' }, \
	{ "wait", required_argument, NULL, EC_OPT_WAIT }, \
	{ NULL, 0, NULL, 0 }
#define EC_GLOBAL_SHORTOPTS ":hqV"

struct ec_ctx {
	const char *command;	/* the applet's name */
	const char *usage;	/* its usage text */
	const char *store_dir;	/* --store, else the default */
	enum ec_format format;
	int check, quiet, help, version;
	int wait_seconds;
	int status_fd;
	const char *token_url;	/* --token: where new private keys go */
	const char *token_module; /* --token-module, $EDGECERT_PKCS11_MODULE */
	struct ec_secret_src pin; /* --pin-file, --pin-env, --pin-fd */
	struct ec_status *st;	/* made by ec_opt_done */
	struct ec_err err;	/* the run's error, reported once */
	char store_buf[PATH_MAX];
};

/* Defaults from the environment: EDGECERT_STORE, EDGECERT_FORMAT. */
void ec_ctx_init(struct ec_ctx *ctx, const char *command);

/* Handle a global option or a getopt error ('?', ':').  Returns 1 when c
 * was consumed, 0 when it is the applet's own.  A usage error is kept in
 * ctx->err (the first one wins) and parsing goes on, so that --format is
 * honoured in the error's record. */
int ec_opt_global(struct ec_ctx *ctx, int c, const char *arg, int argc,
		  char **argv);
/* Keep a usage error (the first one wins); returns 1 so that an applet's
 * option loop can "break" through it. */
int ec_opt_error(struct ec_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* After the option loop: refuse stray operands, make the status record.
 * Returns 1 when the run should stop here (an error, --help, --version),
 * with ctx->err set or the answer written into the record. */
int ec_opt_done(struct ec_ctx *ctx, int argc, char **argv);

struct ec_token;
/* Open the PKCS#11 layer for the run: the module of --token-module (else
 * $EDGECERT_PKCS11_MODULE, else p11-kit's), the PIN of --pin-file,
 * --pin-env or --pin-fd (none: a token that wants one says so).  The
 * error goes to e (ctx->err, or the caller's for a warning). */
int ec_ctx_token(struct ec_ctx *ctx, struct ec_token **out, struct ec_err *e);

/* Before a child runs: drop the PIN's source (ec_secret_drop), used or
 * not; the --status-fd descriptor is kept. */
void ec_ctx_drop_secrets(struct ec_ctx *ctx);

/* Parse a whole number within [min, max] for option name. */
int ec_opt_num(struct ec_ctx *ctx, const char *name, const char *arg,
	       long min, long max, long *out);

/* After core refused an output file as "exists": the hint of the option
 * that decides (--force overwrites a regular file, and only that). */
void ec_hint_force(struct ec_ctx *ctx, const char *path, int force);

#endif
