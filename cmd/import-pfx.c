/* import-pfx.c: edgecert import-pfx: a PKCS#12 file's certificates with
 * their keys into the personal section, its CA certificates into ca (and,
 * with --trust-root, a self-signed root into root), in one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "cmds.h"
#include "armor.h"
#include "cert.h"
#include "fileio.h"
#include "pfx.h"
#include "pfximport.h"
#include "secret.h"
#include "store.h"
#include "token.h"

static const char usage[] =
	"usage: edgecert import-pfx --in FILE\n"
	"        " EC_SECRET_USAGE "\n"
	"        [--exportable] [--name FRIENDLY] [--trust-root] [--force]\n"
	"\n"
	"  --in FILE          the PKCS#12 file (.pfx, .p12; DER, PEM or base64;\n"
	"                     - is standard input)\n"
	"  --password-file FILE, --password-env VAR, --password-fd N\n"
	"                     the file's password; an empty one and --no-password\n"
	"                     try both the absent and the empty one\n"
	"  --exportable       let export write the private key out again\n"
	"  --name FRIENDLY    the friendly name (default: the file's, else the\n"
	"                     subject's CN)\n"
	"  --trust-root       put a self-signed root of the file in the root\n"
	"                     section (without it, roots go to ca)\n"
	"  --force            replace a stored key that differs\n"
	"\n"
	"With the global --token URL the keys go into that PKCS#11 token\n"
	"(sensitive; not extractable unless --exportable), with their\n"
	"certificates; the store keeps the keys' URLs.\n";

enum { OPT_IN = 1, OPT_EXPORTABLE, OPT_NAME, OPT_TRUST_ROOT, OPT_FORCE };

static const struct option longopts[] = {
	{ "exportable", no_argument, NULL, OPT_EXPORTABLE },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "in", required_argument, NULL, OPT_IN },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "trust-root", no_argument, NULL, OPT_TRUST_ROOT },
	EC_SECRET_LONGOPTS,
	EC_GLOBAL_LONGOPTS
};

struct import_opts {
	const char *in, *name;
	int exportable, trust_root, force;
	struct ec_secret_src pw;
};

/* The record's action of each certificate (enum ec_pfximport_action). */
static const char *const action_names[] = { "added", "present", "moved",
	"updated", "skipped" };

struct import_run {
	struct ec_ctx *ctx;
	struct import_opts o;
	struct ec_pfximport im;		/* the store, the file, the outcome */
	struct ec_secret pw;		/* wiped at the end */
	struct ec_data in;		/* the file's bytes */
	size_t trailing;		/* bytes after the file's DER */
};

static int parse(struct import_run *ir, int argc, char **argv)
{
	struct ec_ctx *ctx = ir->ctx;
	struct import_opts *o = &ir->o;
	struct ec_err e;
	int c, r;

	ctx->usage = usage;
	while ((c = getopt_long(argc, argv, EC_GLOBAL_SHORTOPTS, longopts,
				NULL)) != -1) {
		switch (c) {
		case OPT_IN: o->in = optarg; break;
		case OPT_EXPORTABLE: o->exportable = 1; break;
		case OPT_NAME: o->name = optarg; break;
		case OPT_TRUST_ROOT: o->trust_root = 1; break;
		case OPT_FORCE: o->force = 1; break;
		default:
			r = ec_secret_opt(&o->pw, c, optarg, &e);
			if (r < 0)
				ec_opt_error(ctx, "%s", e.msg);
			else if (r == 0 &&
				 !ec_opt_global(ctx, c, optarg, argc, argv))
				ec_opt_error(ctx, "unknown option");
		}
	}
	if (ec_opt_done(ctx, argc, argv))
		return 1;
	if (!o->in)
		return ec_fail(&ctx->err, EC_USAGE, "--in FILE is required");
	if (o->name && !*o->name)
		return ec_fail(&ctx->err, EC_USAGE, "--name wants a name");
	return 0;
}

/* Read the file and its password; hash the file. */
static int load(struct import_run *ir)
{
	struct ec_ctx *ctx = ir->ctx;
	unsigned char dig[32];
	struct ec_armor a;
	struct ec_err e;

	if (ec_secret_get(&ir->o.pw, ctx->st, &ir->pw, &ctx->err) < 0 ||
	    ec_read_input(ir->o.in, EC_INPUT_MAX, &ir->in, &ctx->err) < 0)
		return -1;
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, ir->in.data, ir->in.size,
			     dig) < 0)
		return ec_fail(&ctx->err, EC_INTERNAL, "cannot hash the input");
	for (size_t i = 0; i < sizeof(dig); i++)
		snprintf(ir->im.source_sha256 + 2 * i, 3, "%02x", dig[i]);
	/* no key derivation: cheap enough for the no-op re-import too */
	if (ec_armor_read(ir->in.data, ir->in.size, ir->o.in, &a,
			  &e) == 0) {
		ir->trailing = ec_armor_trailing(&a);
		ec_armor_free(&a);
	}
	return 0;
}

/* Windows pads some exports: said, not refused. */
static void trailing_note(struct import_run *ir)
{
	if (ir->trailing)
		ec_status_warn(ir->ctx->st, "'%s' has %zu byte%s after its DER: "
			       "ignored", ir->o.in, ir->trailing,
			       ir->trailing == 1 ? "" : "s");
}

/* Decrypt the file (the key derivations, the cost of a run). */
static int decrypt(struct import_run *ir)
{
	struct ec_ctx *ctx = ir->ctx;
	char tmp[sizeof(ctx->err.msg)];

	if (ec_pfx_read(ir->in.data, ir->in.size, ir->pw.p, &ir->im.pfx,
			&ctx->err) == 0)
		return 0;
	memcpy(tmp, ctx->err.msg, sizeof(tmp));
	return ec_fail(&ctx->err, ctx->err.code, "cannot read '%.200s': %.800s",
		       ir->o.in, tmp);
}

/* One record for every distinct certificate of the file: those with
 * their keys first, then the CA certificates, then those skipped. */
static void report(struct import_run *ir)
{
	static const char *const pass[] = { "given", "none", "empty" };
	struct ec_status *st = ir->ctx->st;
	const struct ec_pfximport *im = &ir->im;
	const char *first = NULL;
	size_t n = 0;

	ec_status_str(st, "store", ec_store_dir(im->store));
	ec_status_str(st, "file", ir->o.in);
	ec_status_str(st, "source_sha256", im->source_sha256);
	ec_status_str(st, "mac", im->pfx.mac);
	/* answered by the import record: the password was not tried */
	ec_status_str(st, "password_used", im->recorded ? "unchecked" :
		      pass[im->pfx.pass]);
	ec_status_text_custom(st);
	ec_status_arr(st, "certificates");
	for (int kind = 0; kind < 3; kind++) {
		for (size_t i = 0; i < im->n; i++) {
			struct ec_pfximport_cert *p = &im->c[i];
			char *dn;
			struct ec_cert_extra x = {
				.section = p->sec >= 0 ?
					ec_section_name((enum ec_section)p->sec)
					: NULL,
				.friendly_name = p->name,
				.has_private_key = p->sec == EC_SEC_PERSONAL,
				.exportable = p->sec == EC_SEC_PERSONAL &&
					      im->exportable,
				.key_url = p->key_url,
				.key_container = p->container,
				.key_provider = p->provider,
				.in_token = p->sec == EC_SEC_PERSONAL &&
					    im->tok != NULL,
			};

			if (kind != (p->sec == EC_SEC_PERSONAL ? 0 :
				     p->sec < 0 ? 2 : 1))
				continue;
			ec_status_obj(st, NULL);
			ec_cert_fields(st, p->crt, &x);
			ec_status_str(st, "action", action_names[p->action]);
			ec_status_str(st, "reason", p->why);
			ec_status_end(st);
			dn = p->name ? NULL : ec_cert_dn(p->crt, 0);
			ec_status_text(st, "%-8s %s %-8s %s%s%s", action_names[p->action],
				       p->sha1, x.section ? x.section : "-",
				       p->name ? p->name : dn ? dn : "",
				       p->why ? ": " : "", p->why ? p->why : "");
			free(dn);
			if (kind == 0 && !n++)
				first = p->sha1;
		}
	}
	ec_status_end(st);
	ec_status_changed(st, im->changed);
	ec_status_message(st, "%s %zu certificate%s with key%s from '%s'%s%s",
			  ir->ctx->check ? "would import" : im->changed ?
			  "imported" : "already imported", n, n == 1 ? "" : "s",
			  n == 1 ? "" : "s", ir->o.in, n == 1 ? ": " : "",
			  n == 1 ? first : "");
}

/* Open the store for writing and the token, then import the file. */
static int apply(struct import_run *ir)
{
	struct ec_ctx *ctx = ir->ctx;

	if (ec_store_open(&ir->im.store, ctx->store_dir, ctx->check ? 0 :
			  EC_STORE_WRITE, ctx->wait_seconds, &ctx->err) < 0)
		return -1;
	if (ctx->token_url &&
	    (ec_ctx_token(ctx, &ir->im.tok, &ctx->err) < 0 ||
	     ec_token_find(ir->im.tok, ctx->token_url, &ctx->err) < 0))
		return -1;
	return ec_pfximport_apply(&ir->im, &ctx->err);
}

/* The file was imported before (core/store/pfximport.h): the store open for
 * reading, without waiting; 1 when the import record answers. */
static int already(struct import_run *ir)
{
	struct ec_ctx *ctx = ir->ctx;
	struct ec_err e;

	if (ctx->token_url)
		return 0;
	if (ec_store_open(&ir->im.store, ctx->store_dir, 0, 0, &e) == 0 &&
	    ec_pfximport_recorded(&ir->im, !ir->pw.p || !*ir->pw.p) == 1)
		return 1;
	ec_store_close(ir->im.store);
	ir->im.store = NULL;
	return 0;
}

int cmd_import_pfx(int argc, char **argv, struct ec_ctx *ctx)
{
	struct import_run ir = { .ctx = ctx };
	struct ec_pfximport *im = &ir.im;
	int r = -1;

	if (parse(&ir, argc, argv) != 0)
		return ctx->err.code == EC_OK ? 0 : -1;
	im->token_url = ctx->token_url;
	im->file = ir.o.in;
	im->name = ir.o.name;
	im->exportable = ir.o.exportable;
	im->trust_root = ir.o.trust_root;
	im->force = ir.o.force;
	im->check = ctx->check;
	im->st = ctx->st;
	if (load(&ir) < 0)
		goto out;
	trailing_note(&ir);
	if (already(&ir)) {
		report(&ir);
		r = 0;
		goto out;
	}
	if (decrypt(&ir) < 0 || ec_pfximport_plan(im, &ctx->err) < 0 ||
	    apply(&ir) < 0)
		goto out;
	report(&ir);
	r = 0;
out:
	ec_pfximport_free(im);
	ec_store_close(im->store);
	ec_token_close(im->tok);
	ec_secret_wipe(&ir.pw);
	ec_data_free(&ir.in);
	return r;
}
