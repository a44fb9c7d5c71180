/* export.c: edgecert export: a certificate of the store with its private
 * key and certification path, as a PKCS#12 file for another machine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "cmds.h"
#include "cert.h"
#include "certstore.h"
#include "chain.h"
#include "fileio.h"
#include "meta.h"
#include "pfx.h"
#include "secret.h"
#include "select.h"
#include "store.h"
#include "token.h"

static const char usage[] =
	"usage: edgecert export (--thumbprint T | --name N | --interface I)"
	" --out FILE\n"
	"        " EC_SECRET_USAGE "\n"
	"        [--chain full|no-root|end-entity] [--profile modern|compat]"
	" [--force]\n"
	"\n"
	"  --thumbprint T, --name N, --interface I\n"
	"                     the certificate (it needs an exportable key;\n"
	"                     of several named N: the newest valid one with\n"
	"                     a key)\n"
	"  --out FILE         the PKCS#12 file to write (mode 0600)\n"
	"  --password-file FILE, --password-env VAR, --password-fd N\n"
	"                     the file's password; --no-password uses the\n"
	"                     empty one, which readers take for none\n"
	"  --chain WHICH      full (default: the certificate, its issuers and\n"
	"                     root), no-root, or end-entity\n"
	"  --profile P        modern (default: AES-256, SHA-256 MAC) or compat\n"
	"                     (3DES, SHA-1 MAC: Windows Server 2016 and older,\n"
	"                     Java 8, OpenSSL 1.x)\n"
	"  --force            overwrite FILE (a regular file only)\n"
	"\n"
	"A key in a PKCS#11 token leaves it only if the token lets it\n"
	"(CKA_EXTRACTABLE); give the token's PIN with --pin-file, --pin-env or\n"
	"--pin-fd.\n";

enum { OPT_THUMBPRINT = 1, OPT_NAME, OPT_INTERFACE, OPT_OUT, OPT_CHAIN,
       OPT_PROFILE, OPT_FORCE };

static const struct option longopts[] = {
	{ "chain", required_argument, NULL, OPT_CHAIN },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "interface", required_argument, NULL, OPT_INTERFACE },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "thumbprint", required_argument, NULL, OPT_THUMBPRINT },
	EC_SECRET_LONGOPTS,
	EC_GLOBAL_LONGOPTS
};

enum chain_mode { CHAIN_FULL, CHAIN_NO_ROOT, CHAIN_END_ENTITY };

static const char *const chain_names[] = { "full", "no-root", "end-entity" };
static const char *const profile_names[] = { "modern", "compat" };

struct export_opts {
	struct ec_selector sel;
	const char *out;
	enum chain_mode chain;
	enum ec_pfx_profile profile;
	int force;
	struct ec_secret_src pw;
};

struct export_run {
	struct ec_ctx *ctx;
	struct export_opts o;
	struct ec_store *store;
	struct ec_found found;
	gnutls_x509_crt_t crt;
	gnutls_x509_privkey_t key;
	struct ec_meta meta;
	struct ec_cert_extra extra;
	struct ec_chain chain;
	gnutls_x509_crt_t list[EC_CHAIN_MAX];
	size_t nlist;
};

static int lookup(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

static void take_opt(struct ec_ctx *ctx, struct export_opts *o, int c,
		     int argc, char **argv)
{
	struct ec_err e;
	int v;

	switch (c) {
	case OPT_THUMBPRINT:
	case OPT_NAME:
	case OPT_INTERFACE:
		if (ec_selector_set(&o->sel, c == OPT_THUMBPRINT ?
				    EC_SEL_THUMBPRINT : c == OPT_NAME ?
				    EC_SEL_NAME : EC_SEL_INTERFACE, optarg,
				    &e) < 0)
			ec_opt_error(ctx, "%s", e.msg);
		break;
	case OPT_OUT: o->out = optarg; break;
	case OPT_FORCE: o->force = 1; break;
	case OPT_CHAIN:
		if ((v = lookup(chain_names, 3, optarg)) < 0)
			ec_opt_error(ctx, "--chain wants full, no-root or "
				     "end-entity, not '%s'", optarg);
		else
			o->chain = (enum chain_mode)v;
		break;
	case OPT_PROFILE:
		if ((v = lookup(profile_names, 2, optarg)) < 0)
			ec_opt_error(ctx, "--profile wants modern or compat, "
				     "not '%s'", optarg);
		else
			o->profile = (enum ec_pfx_profile)v;
		break;
	default:
		if ((v = ec_secret_opt(&o->pw, c, optarg, &e)) < 0)
			ec_opt_error(ctx, "%s", e.msg);
		else if (v == 0 && !ec_opt_global(ctx, c, optarg, argc, argv))
			ec_opt_error(ctx, "unknown option");
	}
}

static int parse(struct export_run *xr, int argc, char **argv)
{
	struct ec_ctx *ctx = xr->ctx;
	int c;

	ctx->usage = usage;
	while ((c = getopt_long(argc, argv, EC_GLOBAL_SHORTOPTS, longopts,
				NULL)) != -1)
		take_opt(ctx, &xr->o, c, argc, argv);
	if (ec_opt_done(ctx, argc, argv))
		return 1;
	if (xr->o.sel.kind == EC_SEL_NONE)
		return ec_fail(&ctx->err, EC_USAGE, "name a certificate with "
			       "--thumbprint, --name or --interface");
	if (!xr->o.out || !*xr->o.out)
		return ec_fail(&ctx->err, EC_USAGE, "--out FILE is required");
	return 0;
}

/* A key in a token: the token decides whether it may leave. */
static int load_token_key(struct export_run *xr)
{
	struct ec_err *e = &xr->ctx->err;
	struct ec_token *tok = NULL;
	int r;

	r = ec_ctx_token(xr->ctx, &tok, e) < 0 ||
	    ec_token_extract(tok, xr->extra.key_url, &xr->key, e) < 0 ? -1 : 0;
	ec_token_close(tok);
	if (r == 0 && !ec_key_matches(xr->crt, xr->key))
		r = ec_fail(e, EC_KEY_MISMATCH, "the private key of %s in the "
			    "token does not belong to it", xr->found.sha1);
	if (r < 0 && e->code == EC_NOT_EXPORTABLE)
		snprintf(e->msg + strlen(e->msg), sizeof(e->msg) -
			 strlen(e->msg), " (certificate %s)", xr->found.sha1);
	return r;
}

/* The certificate and its key, refused unless the key may leave. */
static int load(struct export_run *xr)
{
	struct ec_err *e = &xr->ctx->err;
	const char *id = xr->found.sha1;

	if (ec_store_open(&xr->store, xr->ctx->store_dir, 0, 0, e) < 0 ||
	    ec_select(xr->store, &xr->o.sel, EC_SECMASK_CERTS, time(NULL),
		      &xr->found, e) < 0 ||
	    ec_cs_load_cert(xr->store, xr->found.sec, id, &xr->crt, e) < 0 ||
	    ec_cs_load_meta(xr->store, xr->found.sec, id, &xr->meta, e) < 0)
		return -1;
	if (xr->found.note[0])
		ec_status_warn(xr->ctx->st, "%s", xr->found.note);
	ec_cs_extra(xr->store, xr->found.sec, id, &xr->meta, &xr->extra);
	if (!xr->extra.has_private_key)
		return ec_fail(e, EC_NO_PRIVATE_KEY, "certificate %s has no "
			       "private key in the store", id);
	if (xr->extra.key_url)
		return load_token_key(xr);
	if (!xr->extra.exportable)
		return ec_fail(e, EC_NOT_EXPORTABLE, "the private key of %s is "
			       "not marked exportable (import it with "
			       "--exportable)", id);
	if (ec_cs_load_key(xr->store, xr->found.sec, id, &xr->key, e) < 0)
		return -1;
	if (!ec_key_matches(xr->crt, xr->key))
		return ec_fail(e, EC_KEY_MISMATCH, "the stored private key of "
			       "%s does not belong to it", id);
	return 0;
}

/* The certificates to write, end entity first. */
static int pick_chain(struct export_run *xr)
{
	struct ec_chain *c = &xr->chain;
	size_t n;

	xr->list[0] = xr->crt;
	xr->nlist = 1;
	if (xr->o.chain == CHAIN_END_ENTITY)
		return 0;
	if (ec_chain_build(xr->store, xr->crt, NULL, 0, c,
			   &xr->ctx->err) < 0)
		return -1;
	n = c->n;
	if (xr->o.chain == CHAIN_NO_ROOT && c->complete && n > 1)
		n--;
	for (size_t i = 1; i < n; i++)
		xr->list[xr->nlist++] = c->v[i];
	if (!c->complete)
		ec_status_warn(xr->ctx->st, "the chain of %s is incomplete: the "
			       "issuer of its last certificate is not in the "
			       "store", xr->found.sha1);
	return 0;
}

/* Encode and write the file (with --check: only see that it could be). */
static int write_out(struct export_run *xr, const char *pass)
{
	struct ec_ctx *ctx = xr->ctx;
	gnutls_datum_t der = { NULL, 0 };
	char *cn = NULL;
	const char *name = xr->extra.friendly_name;
	int r;

	if (!name)
		name = cn = ec_cert_cn(xr->crt);
	r = ec_pfx_write(xr->key, xr->list, xr->nlist, name, pass,
			 xr->o.profile, &der, &ctx->err);
	free(cn);
	if (r < 0)
		return -1;
	if (ctx->check) {
		r = ec_out_replaceable(xr->o.out, xr->o.force, &ctx->err);
	} else {
		r = ec_write_atomic(xr->o.out, der.data, der.size, 0600,
				    xr->o.force, &ctx->err);
	}
	if (r < 0)
		ec_hint_force(ctx, xr->o.out, xr->o.force);
	gnutls_memset(der.data, 0, der.size);
	gnutls_free(der.data);
	return r;
}

/* A certificate of the file as the store knows it. */
static void chain_entry(struct export_run *xr, size_t i)
{
	struct ec_cert_extra x = { 0 };
	struct ec_meta m = { 0 };
	char sha1[EC_SHA1_HEX];
	struct ec_err e;
	int sec = i ? xr->chain.sec[i] : (int)xr->found.sec;

	if (sec >= 0 && ec_cert_ids(xr->list[i], sha1, NULL, &e) == 0 &&
	    ec_cs_load_meta(xr->store, (enum ec_section)sec, sha1, &m, &e) == 0)
		ec_cs_extra(xr->store, (enum ec_section)sec, sha1, &m, &x);
	ec_cert_status(xr->ctx->st, NULL, xr->list[i], &x);
	ec_meta_free(&m);
}

static void report(struct export_run *xr, int protected)
{
	struct ec_status *st = xr->ctx->st;

	ec_status_str(st, "store", ec_store_dir(xr->store));
	ec_cert_status(st, "certificate", xr->crt, &xr->extra);
	ec_status_arr(st, "chain");
	for (size_t i = 0; i < xr->nlist; i++)
		chain_entry(xr, i);
	ec_status_end(st);
	ec_status_str(st, "chain_mode", chain_names[xr->o.chain]);
	ec_status_str(st, "profile", profile_names[xr->o.profile]);
	ec_status_str(st, "mac", xr->o.profile == EC_PFX_COMPAT ? "SHA1" :
		      "SHA256");
	ec_status_str(st, "password_used", protected ? "given" : "empty");
	ec_status_str(st, "output", xr->o.out);
	ec_status_changed(st, 1);
	ec_status_message(st, "%s %s with %zu certificate%s to '%s'",
			  xr->ctx->check ? "would export" : "exported",
			  xr->found.sha1, xr->nlist, xr->nlist == 1 ? "" : "s",
			  xr->o.out);
}

int cmd_export(int argc, char **argv, struct ec_ctx *ctx)
{
	struct export_run xr = { .ctx = ctx };
	struct ec_secret pw = { 0 };
	int r = -1;

	if (parse(&xr, argc, argv) != 0)
		return ctx->err.code == EC_OK ? 0 : -1;
	if (ec_secret_get(&xr.o.pw, ctx->st, &pw, &ctx->err) < 0)
		goto out;
	if (load(&xr) < 0 || pick_chain(&xr) < 0 || write_out(&xr, pw.p) < 0)
		goto out;
	report(&xr, pw.p != NULL);
	r = 0;
out:
	ec_secret_wipe(&pw);
	ec_chain_free(&xr.chain);
	if (xr.key)
		gnutls_x509_privkey_deinit(xr.key);
	if (xr.crt)
		gnutls_x509_crt_deinit(xr.crt);
	ec_meta_free(&xr.meta);
	ec_store_close(xr.store);
	return r;
}
