/* import-pfx.c: edgecert import-pfx: a PKCS#12 file's certificates with
 * their keys into the personal section, its CA certificates into ca (and,
 * with --trust-root, a self-signed root into root), in one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "cmds.h"
#include "../core/cert.h"
#include "../core/certstore.h"
#include "../core/chain.h"
#include "../core/fsx.h"
#include "../core/meta.h"
#include "../core/pfx.h"
#include "../core/secret.h"
#include "../core/store.h"

static const char usage[] =
	"usage: edgecert import-pfx --in FILE\n"
	"        " EC_SECRET_USAGE "\n"
	"        [--exportable] [--name FRIENDLY] [--trust-root] [--force]\n"
	"\n"
	"  --in FILE          the PKCS#12 file (.pfx, .p12; DER, PEM or base64;\n"
	"                     - is standard input)\n"
	"  --password-file FILE, --password-env VAR, --password-fd N\n"
	"                     the file's password; --no-password tries both the\n"
	"                     absent and the empty one\n"
	"  --exportable       let export write the private key out again\n"
	"  --name FRIENDLY    the friendly name (default: the file's, else the\n"
	"                     subject's CN)\n"
	"  --trust-root       put a self-signed root of the file in the root\n"
	"                     section (without it, roots go to ca)\n"
	"  --force            replace a stored key that differs\n";

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

/* What was done with a certificate (the record's action). */
enum action { ACT_ADDED, ACT_PRESENT, ACT_MOVED, ACT_UPDATED, ACT_SKIPPED };

static const char *const action_names[] = { "added", "present", "moved",
	"updated", "skipped" };

/* What becomes of one certificate of the file. */
struct placed {
	gnutls_x509_crt_t crt;		/* the file's */
	gnutls_x509_privkey_t key;	/* its key, or NULL */
	int sec;			/* where it is or goes; -1: skipped */
	const char *name;		/* friendly name, or NULL */
	char *cn;			/* owned when name is the CN */
	enum action action;
	const char *why;		/* the record's reason, or NULL */
	char sha1[EC_SHA1_HEX];
};

struct import_run {
	struct ec_ctx *ctx;
	struct import_opts o;
	struct ec_pfx pfx;
	struct ec_store *store;
	struct ec_txn *txn;		/* NULL with --check */
	struct placed *pl;
	size_t npl;
	char source_sha256[EC_SHA256_HEX];
	char now[32];
	int changed;
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

/* Read and decrypt the file; the password is wiped before returning. */
static int load(struct import_run *ir)
{
	struct ec_ctx *ctx = ir->ctx;
	struct ec_data d = { 0 };
	struct ec_secret pw = { 0 };
	unsigned char dig[32];
	int r = -1;

	if (ec_secret_get(&ir->o.pw, ctx->st, &pw, &ctx->err) < 0)
		return -1;
	if (ec_read_input(ir->o.in, EC_INPUT_MAX, &d, &ctx->err) < 0)
		goto out;
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, d.data, d.size, dig) < 0) {
		ec_fail(&ctx->err, EC_INTERNAL, "cannot hash the input");
		goto out;
	}
	for (size_t i = 0; i < sizeof(dig); i++)
		snprintf(ir->source_sha256 + 2 * i, 3, "%02x", dig[i]);
	if (ec_pfx_read(d.data, d.size, pw.p, &ir->pfx, &ctx->err) < 0) {
		char tmp[sizeof(ctx->err.msg)];

		memcpy(tmp, ctx->err.msg, sizeof(tmp));
		ec_fail(&ctx->err, ctx->err.code, "cannot read '%.200s': %.800s",
			ir->o.in, tmp);
		goto out;
	}
	r = 0;
out:
	ec_secret_wipe(&pw);
	ec_data_free(&d);
	return r;
}

static int seen(struct import_run *ir, gnutls_x509_crt_t crt)
{
	for (size_t i = 0; i < ir->npl; i++)
		if (gnutls_x509_crt_equals(ir->pl[i].crt, crt))
			return 1;
	return 0;
}

/* The friendly name of a certificate with a key: --name, the cert bag's,
 * the key bag's, the subject's CN. */
static void choose_name(struct import_run *ir, struct placed *p,
			size_t ci, size_t ki)
{
	p->name = ir->o.name ? ir->o.name : ir->pfx.crt_name[ci] ?
		  ir->pfx.crt_name[ci] : ir->pfx.key_name[ki];
	if (!p->name)
		p->name = p->cn = ec_cert_cn(p->crt);
}

/* Pair keys and certificates by public key; decide every section. */
static int plan(struct import_run *ir)
{
	struct ec_ctx *ctx = ir->ctx;
	struct ec_pfx *x = &ir->pfx;
	size_t npersonal = 0;

	if (x->nkey == 0)
		return ec_fail(&ctx->err, EC_BAD_INPUT, "'%s' holds no private "
			       "key", ir->o.in);
	if (!(ir->pl = calloc(x->ncrt ? x->ncrt : 1, sizeof(*ir->pl))))
		return ec_fail(&ctx->err, EC_INTERNAL, "out of memory");
	for (size_t i = 0; i < x->ncrt; i++) {
		struct placed *p = &ir->pl[ir->npl];

		if (seen(ir, x->crt[i]))
			continue;
		p->crt = x->crt[i];
		if (ec_cert_ids(p->crt, p->sha1, NULL, &ctx->err) < 0)
			return -1;
		ir->npl++;
		for (size_t k = 0; k < x->nkey && !p->key; k++)
			if (ec_key_matches(p->crt, x->key[k])) {
				p->key = x->key[k];
				p->sec = EC_SEC_PERSONAL;
				choose_name(ir, p, i, k);
				npersonal++;
			}
		if (!p->key) {
			p->name = x->crt_name[i];
			p->sec = ec_ca_section(p->crt, ir->o.trust_root);
		}
		if (p->sec < 0) {
			p->action = ACT_SKIPPED;
			p->why = "no private key in the file and not a CA "
				 "certificate (no basicConstraints CA:TRUE)";
			ec_st_warn(ctx->st, "certificate %s has no private key "
				   "and is no CA: not imported", p->sha1);
		}
	}
	for (size_t k = 0; k < x->nkey; k++) {
		int used = 0;

		for (size_t i = 0; i < ir->npl && !used; i++)
			used = ir->pl[i].key == x->key[k];
		if (!used)
			ec_st_warn(ctx->st, "a private key in the file belongs "
				   "to none of its certificates: not imported");
	}
	if (npersonal == 0)
		return ec_fail(&ctx->err, EC_BAD_INPUT, "no private key in '%s'"
			       " belongs to a certificate in it", ir->o.in);
	return 0;
}

/* The stored key of a certificate must be its own, or be replaced with
 * --force.  Returns 1 when the key is to be staged. */
static int key_needed(struct import_run *ir, struct placed *p)
{
	struct ec_err *e = &ir->ctx->err;
	gnutls_x509_privkey_t old;
	char name[EC_SHA1_HEX + 4];
	int same;

	snprintf(name, sizeof(name), "%s.key", p->sha1);
	if (!ec_store_has(ir->store, EC_SEC_PERSONAL, name))
		return 1;
	if (ec_cs_load_key(ir->store, EC_SEC_PERSONAL, p->sha1, &old, e) < 0) {
		if (!ir->o.force)
			return -1;
		e->code = EC_OK;
		return 1;
	}
	same = ec_key_matches(p->crt, old);
	gnutls_x509_privkey_deinit(old);
	if (same)
		return 0;	/* the same key, perhaps encoded otherwise */
	if (!ir->o.force)
		return ec_fail(e, EC_EXISTS, "certificate %s is in the store "
			       "with a different private key (use --force to "
			       "replace it)", p->sha1);
	return 1;
}

/* The metadata of a certificate.  Where it came from is recorded when it
 * is new or gets a new key, so that the same certificate and key from
 * another file (each export salts anew) change nothing. */
static int set_meta(struct import_run *ir, struct ec_meta *m,
		    const char *name, int personal, int new_key)
{
	int fresh = !ec_meta_get(m, "added");

	if ((name && ec_meta_set(m, "friendly_name", name) < 0) ||
	    (personal && ec_meta_set(m, "exportable", ir->o.exportable ?
				     "true" : "false") < 0) ||
	    (fresh && ec_meta_set(m, "added", ir->now) < 0) ||
	    ((fresh || new_key) &&
	     (ec_meta_set(m, "source", "pfx") < 0 ||
	      ec_meta_set(m, "source_sha256", ir->source_sha256) < 0)))
		return ec_fail(&ir->ctx->err, EC_INTERNAL, "out of memory");
	return 0;
}

static int stage_personal(struct import_run *ir, struct placed *p)
{
	struct ec_err *e = &ir->ctx->err;
	char name[EC_SHA1_HEX + 4];
	struct ec_meta m;
	int r, want_key, had, changed;

	snprintf(name, sizeof(name), "%s.pem", p->sha1);
	had = ec_store_has(ir->store, EC_SEC_PERSONAL, name);
	if ((want_key = key_needed(ir, p)) < 0)
		return -1;
	if (ec_cs_load_meta(ir->store, EC_SEC_PERSONAL, p->sha1, &m, e) < 0)
		return -1;
	r = set_meta(ir, &m, p->name, 1, want_key);
	if (r == 0)
		r = ec_cs_stage_cert(ir->store, ir->txn, EC_SEC_PERSONAL,
				     p->crt, &m, e);
	ec_meta_free(&m);
	if (r < 0)
		return -1;
	changed = r;
	if (want_key) {
		if ((r = ec_cs_stage_key(ir->store, ir->txn, EC_SEC_PERSONAL,
					 p->sha1, p->key, e)) < 0)
			return -1;
		changed |= r;
	}
	p->action = !changed ? ACT_PRESENT : had ? ACT_UPDATED : ACT_ADDED;
	ir->changed |= changed;
	return 0;
}

/* A CA certificate: placed when new; a root already in ca moves to root
 * with --trust-root; otherwise left where the store has it. */
static int stage_ca(struct import_run *ir, struct placed *p)
{
	struct ec_err *e = &ir->ctx->err;
	int where = ec_cs_where(ir->store, p->sha1), from = -1, r;
	char name[EC_SHA1_HEX + 8];
	struct ec_meta m;

	if (where >= 0 && !(where == EC_SEC_CA && p->sec == EC_SEC_ROOT)) {
		p->sec = where;
		p->action = ACT_PRESENT;
		return 0;
	}
	if (where == EC_SEC_CA)
		from = EC_SEC_CA;
	p->action = from >= 0 ? ACT_MOVED : ACT_ADDED;
	if (ec_cs_load_meta(ir->store, EC_SEC_CA, p->sha1, &m, e) < 0)
		return -1;
	r = set_meta(ir, &m, from < 0 ? p->name : NULL, 0, 0);
	if (r == 0)
		r = ec_cs_stage_cert(ir->store, ir->txn, (enum ec_section)p->sec,
				     p->crt, &m, e);
	ec_meta_free(&m);
	if (r < 0)
		return -1;
	ir->changed = 1;
	if (from >= 0 && ir->txn) {
		snprintf(name, sizeof(name), "%s.pem", p->sha1);
		if (ec_txn_del(ir->txn, EC_SEC_CA, name, e) < 0)
			return -1;
		snprintf(name, sizeof(name), "%s.meta", p->sha1);
		if (ec_store_has(ir->store, EC_SEC_CA, name) &&
		    ec_txn_del(ir->txn, EC_SEC_CA, name, e) < 0)
			return -1;
	}
	return 0;
}

/* Stage everything (or, with --check, work out what would change), then
 * commit it all or nothing. */
static int apply(struct import_run *ir)
{
	struct ec_ctx *ctx = ir->ctx;
	struct ec_txn *t;

	if (ec_store_open(&ir->store, ctx->store_dir, ctx->check ? 0 :
			  EC_STORE_WRITE, ctx->wait_seconds, &ctx->err) < 0)
		return -1;
	if (!ctx->check && ec_txn_begin(ir->store, &ir->txn, &ctx->err) < 0)
		return -1;
	ec_time_rfc3339(time(NULL), ir->now, sizeof(ir->now));
	for (size_t i = 0; i < ir->npl; i++) {
		struct placed *p = &ir->pl[i];

		if (p->sec == EC_SEC_PERSONAL && stage_personal(ir, p) < 0)
			return -1;
		if ((p->sec == EC_SEC_CA || p->sec == EC_SEC_ROOT) &&
		    stage_ca(ir, p) < 0)
			return -1;
		/* where the store has it now, or will */
		if (p->sec == EC_SEC_CA && ec_crt_self_signed(p->crt)) {
			p->why = "a root not yet trusted (--trust-root trusts "
				 "it)";
			ec_st_warn(ctx->st, "root %s placed in ca, not trusted "
				   "(give --trust-root to trust it)", p->sha1);
		}
	}
	if (!ir->txn)
		return 0;
	if (ec_txn_count(ir->txn) == 0) {
		ec_txn_abort(ir->txn);
		ir->txn = NULL;
		return 0;
	}
	t = ir->txn;
	ir->txn = NULL;
	return ec_txn_commit(t, &ctx->err);
}

/* One record for every distinct certificate of the file: those with
 * their keys first, then the CA certificates, then those skipped. */
static void report(struct import_run *ir)
{
	static const char *const pass[] = { "given", "none", "empty" };
	struct ec_status *st = ir->ctx->st;
	const char *first = NULL;
	size_t n = 0;

	ec_st_str(st, "store", ec_store_dir(ir->store));
	ec_st_str(st, "file", ir->o.in);
	ec_st_str(st, "source_sha256", ir->source_sha256);
	ec_st_str(st, "mac", ir->pfx.mac);
	ec_st_str(st, "password_used", pass[ir->pfx.pass]);
	ec_st_text_custom(st);
	ec_st_arr(st, "certificates");
	for (int kind = 0; kind < 3; kind++) {
		for (size_t i = 0; i < ir->npl; i++) {
			struct placed *p = &ir->pl[i];
			char *dn;
			struct ec_cert_extra x = {
				.section = p->sec >= 0 ?
					ec_section_name((enum ec_section)p->sec)
					: NULL,
				.friendly_name = p->name,
				.has_private_key = p->sec == EC_SEC_PERSONAL,
				.exportable = p->key && ir->o.exportable,
			};

			if (kind != (p->sec == EC_SEC_PERSONAL ? 0 :
				     p->sec < 0 ? 2 : 1))
				continue;
			ec_st_obj(st, NULL);
			ec_cert_fields(st, p->crt, &x);
			ec_st_str(st, "action", action_names[p->action]);
			ec_st_str(st, "reason", p->why);
			ec_st_end(st);
			dn = p->name ? NULL : ec_cert_dn(p->crt, 0);
			ec_st_text(st, "%-8s %s %-8s %s%s%s", action_names[p->action],
				   p->sha1, x.section ? x.section : "-",
				   p->name ? p->name : dn ? dn : "",
				   p->why ? ": " : "", p->why ? p->why : "");
			free(dn);
			if (kind == 0 && !n++)
				first = p->sha1;
		}
	}
	ec_st_end(st);
	ec_st_changed(st, ir->changed);
	ec_st_message(st, "%s %zu certificate%s with key%s from '%s'%s%s",
		      ir->ctx->check ? "would import" : ir->changed ?
		      "imported" : "already imported", n, n == 1 ? "" : "s",
		      n == 1 ? "" : "s", ir->o.in, n == 1 ? ": " : "",
		      n == 1 ? first : "");
}

int cmd_import_pfx(int argc, char **argv, struct ec_ctx *ctx)
{
	struct import_run ir = { .ctx = ctx };
	int r = -1;

	if (parse(&ir, argc, argv) != 0)
		return ctx->err.code == EC_OK ? 0 : -1;
	if (load(&ir) < 0 || plan(&ir) < 0)
		goto out;
	if (!ir.pfx.mac)
		ec_st_warn(ctx->st, "'%s' has no MAC: its integrity was not "
			   "checked", ir.o.in);
	if (apply(&ir) < 0)
		goto out;
	report(&ir);
	r = 0;
out:
	if (ir.txn)
		ec_txn_abort(ir.txn);
	ec_store_close(ir.store);
	for (size_t i = 0; i < ir.npl; i++)
		free(ir.pl[i].cn);
	free(ir.pl);
	ec_pfx_free(&ir.pfx);
	return r;
}
