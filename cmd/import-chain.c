/* import-chain.c: edgecert import-chain: a CA's certification path (a
 * .p7b, a PEM bundle, DER certificates and CRLs) into the trusted roots,
 * the intermediates and the CRLs. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "cmds.h"
#include "bundle.h"
#include "place.h"
#include "store.h"

static const char usage[] =
	"usage: edgecert import-chain --in FILE [--trust-all] [--no-trust]\n"
	"        [--require-complete] [--force]\n"
	"\n"
	"  --in FILE           a .p7b/.p7c (DER or base64), a PEM bundle of\n"
	"                      certificates and CRLs, a DER certificate or CRL\n"
	"                      (\"-\": standard input)\n"
	"  --trust-all         every CA certificate becomes a trusted root\n"
	"  --no-trust          self-signed ones go to the intermediates too\n"
	"  --require-complete  import nothing unless every path ends in a\n"
	"                      root (in the file or the store): else untrusted\n"
	"  --force             move certificates the store holds in the other\n"
	"                      of the roots and the intermediates (a\n"
	"                      self-signed root moves to the roots without)\n";

enum { OPT_IN = 1, OPT_TRUST_ALL, OPT_NO_TRUST, OPT_REQUIRE_COMPLETE,
       OPT_FORCE };

static const struct option longopts[] = {
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "in", required_argument, NULL, OPT_IN },
	{ "no-trust", no_argument, NULL, OPT_NO_TRUST },
	{ "require-complete", no_argument, NULL, OPT_REQUIRE_COMPLETE },
	{ "trust-all", no_argument, NULL, OPT_TRUST_ALL },
	EC_GLOBAL_LONGOPTS
};

struct import_chain_opts {
	const char *in;
	struct ec_place_flags flags;
	int require_complete;
};

static int parse_opts(int argc, char **argv, struct ec_ctx *ctx,
		      struct import_chain_opts *o)
{
	int c;

	while ((c = getopt_long(argc, argv, EC_GLOBAL_SHORTOPTS, longopts,
				NULL)) != -1) {
		switch (c) {
		case OPT_FORCE:
			o->flags.force = 1;
			break;
		case OPT_IN:
			o->in = optarg;
			break;
		case OPT_NO_TRUST:
			o->flags.no_trust = 1;
			break;
		case OPT_REQUIRE_COMPLETE:
			o->require_complete = 1;
			break;
		case OPT_TRUST_ALL:
			o->flags.trust_all = 1;
			break;
		default:
			if (!ec_opt_global(ctx, c, optarg, argc, argv))
				ec_opt_error(ctx, "unknown option");
		}
	}
	if (!ctx->help && !ctx->version) {
		if (!o->in)
			ec_opt_error(ctx, "--in FILE is required");
		if (o->flags.trust_all && o->flags.no_trust)
			ec_opt_error(ctx, "--trust-all and --no-trust exclude "
				     "each other");
	}
	return ec_opt_done(ctx, argc, argv);
}

/* Write the plan into the store in one transaction. */
static int commit(struct ec_store *s, const struct ec_plan *p,
		  struct ec_err *e)
{
	struct ec_txn *t;

	if (ec_txn_begin(s, &t, e) < 0)
		return -1;
	if (ec_place_stage(s, t, p, e) < 0) {
		ec_txn_abort(t);
		return -1;
	}
	return ec_txn_commit(t, e);
}

static void summary(struct ec_ctx *ctx, const struct ec_plan *p,
		    const char *dir)
{
	size_t ncrt = 0, ncrl = 0;

	for (size_t i = 0; i < p->ncrt; i++)
		ncrt += p->crt[i].action == EC_PLACE_ADD ||
			p->crt[i].action == EC_PLACE_MOVE;
	for (size_t i = 0; i < p->ncrl; i++)
		ncrl += p->crl[i].action == EC_PLACE_ADD;
	ec_status_int(ctx->st, "imported", (long long)ncrt + (long long)ncrl);
	ec_status_message(ctx->st, "%s%zu certificate%s and %zu CRL%s %s %s%s",
			  ctx->check ? "would import " : "imported ", ncrt,
			  ncrt == 1 ? "" : "s", ncrl, ncrl == 1 ? "" : "s",
			  "into", dir,
			  p->all_complete ? "" : " (a path is incomplete)");
}

static int any(void *arg, const char *name)
{
	(void)arg;
	(void)name;
	return 1;
}

/* Does the store hold anything a plan reads (ca, root, crl)?  1, 0, or
 * -1 when it cannot tell. */
static int holds_any(struct ec_store *s, struct ec_err *e)
{
	static const enum ec_section secs[3] = { EC_SEC_CA, EC_SEC_ROOT,
						 EC_SEC_CRL };

	for (int i = 0; i < 3; i++) {
		int r = ec_store_scan(s, secs[i], ".pem", any, NULL, e);

		if (r != 0)
			return r < 0 ? -1 : 1;
	}
	return 0;
}

/* Open the store (flags of ec_store_open) and plan the bundle in it. */
static int plan_in(struct ec_ctx *ctx, int flags,
		   const struct import_chain_opts *o, const struct ec_bundle *b,
		   struct ec_store **s, struct ec_plan *p)
{
	if (ec_store_open(s, ctx->store_dir, flags, ctx->wait_seconds,
			  &ctx->err) < 0)
		return -1;
	if (ec_place_plan(*s, b->crt, b->ncrt, b->crl, b->crlder, b->ncrl,
			  &o->flags, p, &ctx->err) < 0) {
		if (ctx->err.code == EC_EXISTS)
			ec_err_append(&ctx->err, "; --force moves it");
		return -1;
	}
	return 0;
}

int cmd_import_chain(int argc, char **argv, struct ec_ctx *ctx)
{
	struct import_chain_opts o = { 0 };
	struct ec_bundle b = { 0 };
	struct ec_store *s = NULL;
	struct ec_plan p = { 0 };
	struct stat sb;
	int r = -1, absent;

	ctx->usage = usage;
	if (parse_opts(argc, argv, ctx, &o))
		return ctx->err.code == EC_OK ? 0 : -1;
	if (ec_bundle_read(o.in, &b, &ctx->err) < 0)
		return -1;
	ec_bundle_note(ctx->st, o.in, &b);
	/* an absent store is made only when there is something to write in
	 * it: planned read-only first, then again under the lock */
	absent = !ctx->check && lstat(ctx->store_dir, &sb) < 0 &&
		 errno == ENOENT;
	if (plan_in(ctx, ctx->check || absent ? 0 : EC_STORE_WRITE, &o, &b,
		    &s, &p) < 0)
		goto out;
	if (absent && p.nchanges && (p.all_complete || !o.require_complete)) {
		int held;

		ec_store_close(s);
		s = NULL;
		if (ec_store_open(&s, ctx->store_dir, EC_STORE_WRITE,
				  ctx->wait_seconds, &ctx->err) < 0 ||
		    (held = holds_any(s, &ctx->err)) < 0)
			goto out;
		/* the plan of the absent store holds for an empty one: made
		 * again only when another run filled it meanwhile (a bundle's
		 * every signature is not checked twice) */
		if (held) {
			ec_place_free(&p);
			if (ec_place_plan(s, b.crt, b.ncrt, b.crl, b.crlder,
					  b.ncrl, &o.flags, &p, &ctx->err) < 0)
				goto out;
		}
	}
	/* a bundle's record is as long as the bundle: written as it grows */
	ec_status_stream(ctx->st, ctx->status_fd);
	ec_status_text_custom(ctx->st);
	ec_status_str(ctx->st, "store", ec_store_dir(s));
	ec_place_report(ctx->st, s, &p);
	ec_status_bool(ctx->st, "complete", p.all_complete);
	if (o.require_complete && !p.all_complete) {
		ec_fail(&ctx->err, EC_UNTRUSTED, "'%s' does not hold a "
			"complete certification path (no root in the file or "
			"the store); nothing imported", o.in);
		goto out;
	}
	if (!p.all_complete)
		ec_status_warn(ctx->st, "'%s': a certification path does not end "
			       "in a root (in the file or the store)", o.in);
	if (!ctx->check && p.nchanges && commit(s, &p, &ctx->err) < 0)
		goto out;
	ec_status_changed(ctx->st, p.nchanges > 0);
	summary(ctx, &p, ec_store_dir(s));
	r = 0;
out:
	ec_place_free(&p);
	ec_store_close(s);
	ec_bundle_free(&b);
	return r;
}
