#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <libtasn1.h>

#include "ctx.h"
#include "token.h"

#ifndef EC_VERSION
#define EC_VERSION "0.1.0"
#endif

static void default_store(struct ec_ctx *ctx)
{
	const char *env = getenv("EDGECERT_STORE"), *home, *xdg;
	struct passwd *pw;

	if (env && *env) {
		ctx->store_dir = env;
		return;
	}
	if (geteuid() == 0) {
		ctx->store_dir = "/var/lib/edgecert";
		return;
	}
	xdg = getenv("XDG_DATA_HOME");
	if (xdg && xdg[0] == '/') {
		snprintf(ctx->store_buf, sizeof(ctx->store_buf),
			 "%s/edgecert", xdg);
	} else {
		home = getenv("HOME");
		if ((!home || home[0] != '/') && (pw = getpwuid(geteuid())))
			home = pw->pw_dir;
		snprintf(ctx->store_buf, sizeof(ctx->store_buf),
			 "%s/.local/share/edgecert", home ? home : "");
	}
	ctx->store_dir = ctx->store_buf;
}

void ec_ctx_init(struct ec_ctx *ctx, const char *command)
{
	const char *fmt = getenv("EDGECERT_FORMAT");

	memset(ctx, 0, sizeof(*ctx));
	ctx->command = command;
	ctx->wait_seconds = 30;
	ctx->status_fd = 1;
	ctx->format = EC_FMT_TEXT;
	if (fmt && *fmt) {
		int f = ec_format_parse(fmt);

		if (f < 0)
			ec_opt_error(ctx, "EDGECERT_FORMAT='%s' is not text, "
				     "json or kv", fmt);
		else
			ctx->format = (enum ec_format)f;
	}
	ctx->pin.name = "pin";
	ctx->token_module = getenv("EDGECERT_PKCS11_MODULE");
	if (ctx->token_module && !*ctx->token_module)
		ctx->token_module = NULL;
	default_store(ctx);
}

int ec_ctx_token(struct ec_ctx *ctx, struct ec_token **out, struct ec_err *e)
{
	struct ec_secret pin = { 0 };
	int r;

	*out = NULL;
	if (ctx->pin.kind != EC_SECRET_UNSET &&
	    ec_secret_get(&ctx->pin, ctx->st, &pin, e) < 0)
		return -1;
	r = ec_token_open(out, ctx->token_module, pin.p, e);
	ec_secret_wipe(&pin);
	return r;
}

void ec_ctx_drop_secrets(struct ec_ctx *ctx)
{
	char *end;

	if (ctx->pin.kind == EC_SECRET_FD &&
	    strtol(ctx->pin.ref, &end, 10) == ctx->status_fd && !*end)
		return;		/* the record still goes there */
	ec_secret_drop(&ctx->pin);
}

int ec_opt_error(struct ec_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->err.code != EC_OK)
		return 1;
	ctx->err.code = EC_USAGE;
	va_start(ap, fmt);
	vsnprintf(ctx->err.msg, sizeof(ctx->err.msg), fmt, ap);
	va_end(ap);
	return 1;
}

int ec_opt_num(struct ec_ctx *ctx, const char *name, const char *arg,
	       long min, long max, long *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end || v < min || v > max) {
		ec_opt_error(ctx, "%s wants a whole number from %ld to %ld, "
			     "not '%s'", name, min, max, arg);
		return -1;
	}
	*out = v;
	return 0;
}

int ec_opt_global(struct ec_ctx *ctx, int c, const char *arg, int argc,
		  char **argv)
{
	struct ec_err e;
	const char *bad;
	long v;
	int f;

	switch (c) {
	case EC_OPT_STORE:
		if (*arg == '\0')
			ec_opt_error(ctx, "--store wants a directory");
		ctx->store_dir = arg;
		return 1;
	case EC_OPT_FORMAT:
		if ((f = ec_format_parse(arg)) < 0)
			ec_opt_error(ctx, "--format wants text, json or kv, "
				     "not '%s'", arg);
		else
			ctx->format = (enum ec_format)f;
		return 1;
	case EC_OPT_CHECK:
		ctx->check = 1;
		return 1;
	case EC_OPT_WAIT:
		if (ec_opt_num(ctx, "--wait", arg, 0, 86400, &v) == 0)
			ctx->wait_seconds = (int)v;
		return 1;
	case EC_OPT_STATUS_FD:
		if (ec_opt_num(ctx, "--status-fd", arg, 1, 1 << 20, &v) == 0) {
			if (fcntl((int)v, F_GETFD) < 0)
				ec_opt_error(ctx, "--status-fd %ld is not "
					     "open", v);
			else
				ctx->status_fd = (int)v;
		}
		return 1;
	case EC_OPT_TOKEN:
		if (ec_token_url_ok(arg, &e) < 0)
			ec_opt_error(ctx, "%s", e.msg);
		ctx->token_url = arg;
		return 1;
	case EC_OPT_TOKEN_MODULE:
		if (*arg == '\0')
			ec_opt_error(ctx, "--token-module wants a file");
		ctx->token_module = arg;
		return 1;
	case EC_OPT_PIN_FILE:
	case EC_OPT_PIN_ENV:
	case EC_OPT_PIN_FD:
		if (ctx->pin.kind != EC_SECRET_UNSET)
			ec_opt_error(ctx, "give one of --pin-file, --pin-env "
				     "and --pin-fd");
		ctx->pin.kind = c == EC_OPT_PIN_FILE ? EC_SECRET_FILE :
				c == EC_OPT_PIN_ENV ? EC_SECRET_ENV :
				EC_SECRET_FD;
		ctx->pin.ref = (char *)arg;
		return 1;
	case 'q':
		ctx->quiet = 1;
		return 1;
	case 'h':
		ctx->help = 1;
		return 1;
	case 'V':
		ctx->version = 1;
		return 1;
	case ':':
		bad = optind - 1 < argc ? argv[optind - 1] : "?";
		ec_opt_error(ctx, "option '%s' needs a value", bad);
		return 1;
	case '?':
		bad = optind - 1 < argc ? argv[optind - 1] : "?";
		if (optopt && bad[0] == '-' && bad[1] != '-')
			ec_opt_error(ctx, "unknown option '-%c'", optopt);
		else
			ec_opt_error(ctx, "unknown option '%s'", bad);
		return 1;
	}
	return 0;
}

/* The record of --version: edgecert's version and its libraries'. */
static void version_record(struct ec_ctx *ctx)
{
	ec_status_str(ctx->st, "version", EC_VERSION);
	ec_status_str(ctx->st, "gnutls", gnutls_check_version(NULL));
	ec_status_str(ctx->st, "libtasn1", asn1_check_version(NULL));
	ec_status_message(ctx->st, "edgecert %s (GnuTLS %s, libtasn1 %s)",
			  EC_VERSION, gnutls_check_version(NULL),
			  asn1_check_version(NULL));
}

int ec_opt_done(struct ec_ctx *ctx, int argc, char **argv)
{
	if (!ctx->st) {
		ctx->st = ec_status_new(ctx->format, ctx->command);
		if (!ctx->st) {
			ctx->err.code = EC_INTERNAL;
			snprintf(ctx->err.msg, sizeof(ctx->err.msg),
				 "out of memory");
			return 1;
		}
	}
	if (ctx->err.code == EC_OK && optind < argc)
		ec_opt_error(ctx, "unexpected argument '%s'", argv[optind]);
	if (ctx->err.code != EC_OK)
		return 1;
	if (ctx->help) {
		ec_status_text_custom(ctx->st);
		ec_status_str(ctx->st, "usage", ctx->usage);
		ec_status_text_lines(ctx->st, ctx->usage);
		return 1;
	}
	if (ctx->version) {
		version_record(ctx);
		return 1;
	}
	return 0;
}

void ec_hint_force(struct ec_ctx *ctx, const char *path, int force)
{
	struct stat sb;

	if (ctx->err.code != EC_EXISTS)
		return;
	if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
		ec_err_append(&ctx->err, ": --force replaces regular files only");
	else if (!force)
		ec_err_append(&ctx->err, " (use --force to overwrite)");
}
