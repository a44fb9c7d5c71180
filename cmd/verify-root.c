/* verify-root.c: edgecert verify-root: is a certificate's path to a
 * trusted root valid?  Exit 0 only when it is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "bundle.h"
#include "certstore.h"
#include "hostname.h"
#include "select.h"
#include "verify.h"

static const char usage[] =
	"usage: edgecert verify-root (--thumbprint T | --name N | --interface I |\n"
	"        --cert FILE) [--chain FILE] [--hostname NAME]\n"
	"        [--purpose server|client|any|OID] [--at TIME] [--system-trust]\n"
	"        [--crl FILE] [--profile rfc5280|webpki]\n"
	"        [--verify-profile low|medium|high]\n"
	"\n"
	"  --thumbprint T     the store's certificate with this SHA-1 or\n"
	"                     SHA-256 (or a unique prefix)\n"
	"  --name N           the store's certificate with this friendly name\n"
	"                     (of several: the newest valid one with a key)\n"
	"  --interface I      the certificate assigned to interface I\n"
	"  --cert FILE        a certificate in a file (PEM, DER or .p7b); the\n"
	"                     certificates after the first are untrusted\n"
	"                     intermediates\n"
	"  --chain FILE       more untrusted intermediates (repeatable)\n"
	"  --hostname NAME    the DNS name or IP address it must be valid for\n"
	"                     (an address in canonical form: 10.0.0.1, ::1)\n"
	"  --purpose P        server (default), client, any, or an EKU OID\n"
	"  --at TIME          validate at TIME: ISO 8601 or @EPOCH (default now)\n"
	"  --system-trust     the system's trusted roots are anchors too\n"
	"  --crl FILE         CRLs besides the store's (repeatable)\n"
	"  --profile P        edgecert's rules: rfc5280 (default) or webpki\n"
	"                     (the CA/Browser Forum's baseline too)\n"
	"  --verify-profile P GnuTLS' profile for algorithms and key sizes\n"
	"                     (default medium; with either --profile)\n";

enum { OPT_THUMBPRINT = 1, OPT_NAME, OPT_INTERFACE, OPT_CERT, OPT_CHAIN,
       OPT_HOSTNAME, OPT_PURPOSE, OPT_AT, OPT_SYSTEM_TRUST, OPT_CRL,
       OPT_RULES, OPT_PROFILE };

static const struct option longopts[] = {
	{ "at", required_argument, NULL, OPT_AT },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "chain", required_argument, NULL, OPT_CHAIN },
	{ "crl", required_argument, NULL, OPT_CRL },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "interface", required_argument, NULL, OPT_INTERFACE },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "profile", required_argument, NULL, OPT_RULES },
	{ "purpose", required_argument, NULL, OPT_PURPOSE },
	{ "system-trust", no_argument, NULL, OPT_SYSTEM_TRUST },
	{ "thumbprint", required_argument, NULL, OPT_THUMBPRINT },
	{ "verify-profile", required_argument, NULL, OPT_PROFILE },
	EC_GLOBAL_LONGOPTS
};

#define MAXFILES 8

struct verify_root_opts {
	struct ec_selector sel;
	const char *cert;
	const char *chain[MAXFILES], *crl[MAXFILES];
	size_t nchain, ncrl;
	struct ec_verify_opts v;
	struct ec_host host;	/* --hostname, checked */
};

static void add_file(struct ec_ctx *ctx, const char **v, size_t *n,
		     const char *opt, const char *arg)
{
	if (*n == MAXFILES)
		ec_opt_error(ctx, "%s can be given at most %d times", opt,
			     MAXFILES);
	else
		v[(*n)++] = arg;
}

static void take_opt(struct ec_ctx *ctx, struct verify_root_opts *o, int c,
		     const char *arg)
{
	struct ec_err *e = &ctx->err;

	if (ctx->err.code != EC_OK)
		return;		/* the first usage error wins */
	switch (c) {
	case OPT_THUMBPRINT:
		ec_selector_set(&o->sel, EC_SEL_THUMBPRINT, arg, e);
		break;
	case OPT_NAME:
		ec_selector_set(&o->sel, EC_SEL_NAME, arg, e);
		break;
	case OPT_INTERFACE:
		ec_selector_set(&o->sel, EC_SEL_INTERFACE, arg, e);
		break;
	case OPT_CERT:
		o->cert = arg;
		break;
	case OPT_CHAIN:
		add_file(ctx, o->chain, &o->nchain, "--chain", arg);
		break;
	case OPT_CRL:
		add_file(ctx, o->crl, &o->ncrl, "--crl", arg);
		break;
	case OPT_HOSTNAME:
		ec_host_parse(arg, &o->host, e);
		o->v.hostname = arg;
		break;
	case OPT_RULES:
		ec_rules_parse(arg, &o->v.rules, e);
		break;
	case OPT_PURPOSE:
		ec_purpose_parse(arg, &o->v.purpose, e);
		break;
	case OPT_AT:
		if (ec_time_parse("--at", arg, &o->v.at, e) == 0)
			o->v.at_set = 1;
		break;
	case OPT_SYSTEM_TRUST:
		o->v.system_trust = 1;
		break;
	case OPT_PROFILE:
		ec_profile_parse(arg, &o->v.profile, e);
		break;
	}
}

static int parse_opts(int argc, char **argv, struct ec_ctx *ctx,
		      struct verify_root_opts *o)
{
	int c;

	o->v.purpose = GNUTLS_KP_TLS_WWW_SERVER;
	while ((c = getopt_long(argc, argv, EC_GLOBAL_SHORTOPTS, longopts,
				NULL)) != -1) {
		if (c >= OPT_THUMBPRINT && c <= OPT_PROFILE)
			take_opt(ctx, o, c, optarg);
		else if (!ec_opt_global(ctx, c, optarg, argc, argv))
			ec_opt_error(ctx, "unknown option");
	}
	/* a certificate validated for TLS servers is to serve */
	o->v.serve = o->v.purpose &&
		     strcmp(o->v.purpose, GNUTLS_KP_TLS_WWW_SERVER) == 0;
	if (!ctx->help && !ctx->version &&
	    (o->sel.kind == EC_SEL_NONE) == (o->cert == NULL))
		ec_opt_error(ctx, "name one certificate: --thumbprint, --name, "
			     "--interface or --cert");
	return ec_opt_done(ctx, argc, argv);
}

/* The bundles of the files given, merged into all (certificates only,
 * or CRLs only). */
static int read_files(const char **files, size_t n, int crls,
		      struct ec_bundle *all, struct ec_err *e)
{
	for (size_t i = 0; i < n; i++) {
		struct ec_bundle b;
		size_t cnt;
		void *v;

		if (ec_bundle_read(files[i], &b, e) < 0)
			return -1;
		cnt = crls ? b.ncrl : b.ncrt;
		if (cnt == 0) {
			ec_bundle_free(&b);
			return ec_fail(e, EC_BAD_INPUT, "'%s' holds no %s",
				       files[i], crls ? "CRL" : "certificate");
		}
		v = crls ? realloc(all->crl, (all->ncrl + cnt) * sizeof(*all->crl))
			 : realloc(all->crt, (all->ncrt + cnt) * sizeof(*all->crt));
		if (!v) {
			ec_bundle_free(&b);
			return ec_fail(e, EC_INTERNAL, "out of memory");
		}
		all->trailing += b.trailing;
		if (crls) {
			gnutls_datum_t *d = realloc(all->crlder, (all->ncrl +
						    cnt) * sizeof(*d));

			all->crl = v;
			if (!d) {
				ec_bundle_free(&b);
				return ec_fail(e, EC_INTERNAL,
					       "out of memory");
			}
			all->crlder = d;
			memcpy(all->crl + all->ncrl, b.crl, cnt * sizeof(*b.crl));
			memcpy(all->crlder + all->ncrl, b.crlder,
			       cnt * sizeof(*d));
			all->ncrl += cnt;
			b.ncrl = 0;
		} else {
			all->crt = v;
			memcpy(all->crt + all->ncrt, b.crt, cnt * sizeof(*b.crt));
			all->ncrt += cnt;
			b.ncrt = 0;
		}
		ec_bundle_free(&b);
	}
	return 0;
}

/* The target: the first certificate of --cert (the rest join the extra
 * certificates), or the store's one the selector names. */
static int target(struct ec_store *s, struct verify_root_opts *o,
		  struct ec_bundle *file, gnutls_x509_crt_t *crt,
		  struct ec_status *st, struct ec_err *e)
{
	struct ec_found f;

	if (o->cert) {
		if (read_files(&o->cert, 1, 0, file, e) < 0)
			return -1;
		/* read_files failed on a file without a certificate (the
		 * analyzer takes ec_fail, in another file, for one that may
		 * return 0) */
		*crt = file->crt[0]; /* NOLINT(clang-analyzer-core.NullDereference) */
		return 0;
	}
	if (ec_select(s, &o->sel, EC_SECMASK_CERTS,
		      o->v.at_set ? o->v.at : time(NULL), &f, e) < 0)
		return -1;
	if (f.note[0])
		ec_status_warn(st, "%s", f.note);
	if (ec_cs_load_cert(s, f.sec, f.sha1, crt, e) < 0)
		return -1;
	return 0;
}

static void verdict(struct ec_ctx *ctx, gnutls_x509_crt_t crt,
		    const struct ec_verify_result *r)
{
	char *dn = ec_cert_dn(crt, 0), *adn = r->anchor ?
		   ec_cert_dn(r->anchor, 0) : NULL, why[256] = "";
	size_t len = 0;

	for (size_t i = 0; i < r->nreasons && len < sizeof(why); i++)
		len += (size_t)snprintf(why + len, sizeof(why) - len, "%s%s",
					i ? ", " : "", r->reasons[i]);
	if (r->trusted)
		ec_status_message(ctx->st, "'%s' is trusted: its path ends in "
				  "'%s'", dn ? dn : "", adn ? adn : "");
	else
		ec_fail(&ctx->err, r->code, "'%s' is not trusted: %s",
			dn ? dn : "", why);
	free(adn);
	free(dn);
}

int cmd_verify_root(int argc, char **argv, struct ec_ctx *ctx)
{
	struct verify_root_opts o = { 0 };
	struct ec_bundle file = { 0 }, chain = { 0 }, crls = { 0 };
	struct ec_verify_result r = { 0 };
	gnutls_x509_crt_t crt = NULL, *extra = NULL;
	struct ec_store *s = NULL;
	int ret = -1;

	ctx->usage = usage;
	if (parse_opts(argc, argv, ctx, &o))
		return ctx->err.code == EC_OK ? 0 : -1;
	if (read_files(o.chain, o.nchain, 0, &chain, &ctx->err) < 0 ||
	    read_files(o.crl, o.ncrl, 1, &crls, &ctx->err) < 0 ||
	    ec_store_open(&s, ctx->store_dir, 0, 0, &ctx->err) < 0 ||
	    target(s, &o, &file, &crt, ctx->st, &ctx->err) < 0)
		goto out;
	ec_bundle_note(ctx->st, o.cert ? o.cert : "--cert", &file);
	ec_bundle_note(ctx->st, o.nchain == 1 ? o.chain[0] : "--chain", &chain);
	ec_bundle_note(ctx->st, o.ncrl == 1 ? o.crl[0] : "--crl", &crls);
	/* untrusted: the rest of --cert, then --chain (room for them all,
	 * always: one --chain certificate with --thumbprint once found none) */
	if (!(extra = malloc((file.ncrt + chain.ncrt + 1) * sizeof(*extra)))) {
		ec_fail(&ctx->err, EC_INTERNAL, "out of memory");
		goto out;
	}
	o.v.extra = extra;
	for (size_t i = 1; i < file.ncrt; i++)
		extra[o.v.nextra++] = file.crt[i];
	for (size_t i = 0; i < chain.ncrt; i++)
		extra[o.v.nextra++] = chain.crt[i];
	o.v.crl = crls.crl;
	o.v.ncrl = crls.ncrl;
	if (ec_verify(s, crt, &o.v, &r, &ctx->err) < 0)
		goto out;
	ec_status_text_custom(ctx->st);
	ec_verify_report(ctx->st, s, &r);
	for (size_t i = 0; i < r.nwarn; i++)
		ec_status_warn(ctx->st, "%s", r.warn[i]);
	verdict(ctx, crt, &r);
	ret = r.trusted ? 0 : -1;
out:
	ec_verify_free(&r);
	if (crt && !o.cert)
		gnutls_x509_crt_deinit(crt);
	free(extra);
	ec_store_close(s);
	ec_bundle_free(&crls);
	ec_bundle_free(&chain);
	ec_bundle_free(&file);
	return ret;
}
