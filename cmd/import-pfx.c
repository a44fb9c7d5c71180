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
#include "armor.h"
#include "cert.h"
#include "certstore.h"
#include "chain.h"
#include "fileio.h"
#include "imported.h"
#include "meta.h"
#include "pfx.h"
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
	char *key_url;			/* its key in the token */
	char *container, *provider;	/* CryptoAPI key container, CSP */
	int imported;			/* by this run: undone on a failure */
	char sha1[EC_SHA1_HEX];
};

struct import_run {
	struct ec_ctx *ctx;
	struct import_opts o;
	struct ec_pfx pfx;
	struct ec_store *store;
	struct ec_txn *txn;		/* NULL with --check */
	struct ec_token *tok;		/* with --token */
	struct placed *pl;
	size_t npl;
	struct ec_secret pw;		/* wiped at the end */
	struct ec_data in;		/* the file's bytes */
	char source_sha256[EC_SHA256_HEX];
	size_t trailing;		/* bytes after the file's DER */
	char now[32];
	int changed;
	int clean;			/* every key used, nothing skipped */
	int recorded;			/* from the import record: pl[].crt
					 * owned */
	struct ec_imported rec;
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
		snprintf(ir->source_sha256 + 2 * i, 3, "%02x", dig[i]);
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

	if (ec_pfx_read(ir->in.data, ir->in.size, ir->pw.p, &ir->pfx,
			&ctx->err) == 0)
		return 0;
	memcpy(tmp, ctx->err.msg, sizeof(tmp));
	return ec_fail(&ctx->err, ctx->err.code, "cannot read '%.200s': %.800s",
		       ir->o.in, tmp);
}

static int seen(struct import_run *ir, gnutls_x509_crt_t crt)
{
	for (size_t i = 0; i < ir->npl; i++)
		if (gnutls_x509_crt_equals(ir->pl[i].crt, crt))
			return 1;
	return 0;
}

/* The friendly name of a certificate with a key: --name, the cert bag's,
 * the key bag's (unless it names a key container), the subject's CN. */
static int choose_name(struct import_run *ir, struct placed *p,
		       size_t ci, size_t ki)
{
	const char *c = ir->pfx.key_container[ki];
	const char *v = ir->pfx.key_provider[ki];

	p->name = ir->o.name ? ir->o.name : ir->pfx.crt_name[ci] ?
		  ir->pfx.crt_name[ci] : ir->pfx.key_name[ki];
	if (!p->name)
		p->name = p->cn = ec_cert_cn(p->crt);
	if ((c && !(p->container = strdup(c))) ||
	    (v && !(p->provider = strdup(v))))
		return ec_fail(&ir->ctx->err, EC_INTERNAL, "out of memory");
	return 0;
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
	ir->clean = 1;
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
				if (choose_name(ir, p, i, k) < 0)
					return -1;
				npersonal++;
			}
		if (!p->key) {
			p->name = x->crt_name[i];
			p->sec = ec_ca_section(p->crt, ir->o.trust_root);
		}
		if (p->sec < 0) {
			ir->clean = 0;
			p->action = ACT_SKIPPED;
			p->why = "no private key in the file and not a CA "
				 "certificate (no basicConstraints CA:TRUE)";
			ec_status_warn(ctx->st, "certificate %s has no private key "
				       "and is no CA: not imported", p->sha1);
		}
	}
	for (size_t k = 0; k < x->nkey; k++) {
		const struct placed *twin = NULL;
		int used = 0;

		for (size_t i = 0; i < ir->npl && !used; i++)
			used = ir->pl[i].key == x->key[k];
		/* the same key again (a second bag): a copy, not a stray */
		for (size_t i = 0; i < ir->npl && !used && !twin; i++)
			if (ir->pl[i].key &&
			    ec_key_matches(ir->pl[i].crt, x->key[k]))
				twin = &ir->pl[i];
		if (twin) {
			ec_status_warn(ctx->st, "the private key of certificate %s "
				       "is in the file twice: the copy is ignored",
				       twin->sha1);
		} else if (!used) {
			ir->clean = 0;
			ec_status_warn(ctx->st, "a private key in the file belongs "
				       "to none of its certificates: not imported");
		}
	}
	if (npersonal == 0)
		return ec_fail(&ctx->err, EC_BAD_INPUT, "no private key in '%s'"
			       " belongs to a certificate in it", ir->o.in);
	return 0;
}

/* The stored key of a certificate must be its own, or be replaced with
 * --force.  Returns 1 when the key is to be staged. */
static int key_needed(struct import_run *ir, struct placed *p,
		      const struct ec_meta *m)
{
	struct ec_err *e = &ir->ctx->err;
	gnutls_x509_privkey_t old;
	char name[EC_SHA1_HEX + 4];
	const char *url = ec_cs_key_url(m);
	int same;

	snprintf(name, sizeof(name), "%s.key", p->sha1);
	if (url && ir->tok) {
		/* in the token already: the same key stays */
		if ((same = ec_token_matches(ir->tok, url, p->crt, e)) < 0 &&
		    !ir->o.force)
			return -1;
		e->code = EC_OK;
		if (same > 0 && !(p->key_url = strdup(url)))
			return ec_fail(e, EC_INTERNAL, "out of memory");
		if (same > 0 || ir->o.force)
			return same <= 0;
		return ec_fail(e, EC_EXISTS, "certificate %s is in the store "
			       "with a different private key in the token (use "
			       "--force to replace it)", p->sha1);
	}
	if (url) {	/* in a token, and no token given: it stays */
		if (!(p->key_url = strdup(url)))
			return ec_fail(e, EC_INTERNAL, "out of memory");
		return 0;
	}
	if (!ec_store_has(ir->store, EC_SEC_PERSONAL, name))
		return 1;
	if (ir->tok)
		return 1;	/* a key file moves into the token */
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
		    const struct placed *p, const char *name, int personal,
		    int new_key)
{
	int fresh = !ec_meta_get(m, "added");
	int src = fresh || new_key;

	if ((name && ec_meta_set(m, "friendly_name", name) < 0) ||
	    (personal && ec_meta_set(m, "exportable", ir->o.exportable ?
				     "true" : "false") < 0) ||
	    (fresh && ec_meta_set(m, "added", ir->now) < 0) ||
	    (src &&
	     (ec_meta_set(m, "source", "pfx") < 0 ||
	      ec_meta_set(m, "source_sha256", ir->source_sha256) < 0)) ||
	    (src && p && p->container &&
	     ec_meta_set(m, "key_container", p->container) < 0) ||
	    (src && p && p->provider &&
	     ec_meta_set(m, "key_provider", p->provider) < 0))
		return ec_fail(&ir->ctx->err, EC_INTERNAL, "out of memory");
	return 0;
}

/* Write the key (and its certificate) into the token; with --check only
 * say that it would go there. */
static int to_token(struct import_run *ir, struct placed *p)
{
	struct ec_ctx *ctx = ir->ctx;

	free(p->key_url);
	p->key_url = NULL;
	if (ctx->check)
		return 0;
	if (ec_token_import(ir->tok, ctx->token_url, p->key, p->name,
			    ir->o.exportable, &p->key_url, &ctx->err) < 0)
		return -1;
	p->imported = 1;
	return ec_token_put_cert(ir->tok, p->key_url, p->crt, p->name,
				 &ctx->err) < 0 ? -1 : 0;
}

static int stage_personal(struct import_run *ir, struct placed *p)
{
	struct ec_err *e = &ir->ctx->err;
	char name[EC_SHA1_HEX + 4];
	struct ec_meta m;
	int r, want_key, had, changed;

	snprintf(name, sizeof(name), "%s.pem", p->sha1);
	had = ec_store_has(ir->store, EC_SEC_PERSONAL, name);
	if (ec_cs_load_meta(ir->store, EC_SEC_PERSONAL, p->sha1, &m, e) < 0)
		return -1;
	if ((want_key = key_needed(ir, p, &m)) < 0 ||
	    (want_key && ir->tok && to_token(ir, p) < 0)) {
		ec_meta_free(&m);
		return -1;
	}
	r = set_meta(ir, &m, p, p->name, 1, want_key);
	if (r == 0 && want_key && ir->ctx->token_url &&
	    (ec_meta_set(&m, "key_store", "pkcs11") < 0 ||
	     ec_meta_set(&m, "key_url", p->key_url) < 0))
		r = ec_fail(e, EC_INTERNAL, "out of memory");
	if (r == 0)
		r = ec_cs_stage_cert(ir->store, ir->txn, EC_SEC_PERSONAL,
				     p->crt, &m, e);
	ec_meta_free(&m);
	if (r < 0)
		return -1;
	changed = r;
	if (want_key && ir->ctx->token_url) {
		changed = 1;
		snprintf(name, sizeof(name), "%s.key", p->sha1);
		if (ir->txn && ec_store_has(ir->store, EC_SEC_PERSONAL, name) &&
		    ec_txn_del(ir->txn, EC_SEC_PERSONAL, name, e) < 0)
			return -1;
	} else if (want_key) {
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
	r = set_meta(ir, &m, NULL, from < 0 ? p->name : NULL, 0, 0);
	if (r == 0)
		r = ec_cs_stage_cert(ir->store, ir->txn, (enum ec_section)p->sec,
				     p->crt, &m, e);
	ec_meta_free(&m);
	if (r < 0)
		return -1;
	ir->changed = 1;
	if (from >= 0 && ir->txn &&
	    ec_cs_stage_del_cert(ir->store, ir->txn, EC_SEC_CA, p->crt, e) < 0)
		return -1;
	return 0;
}

/* A root left in ca: the record says why, a warning too. */
static void root_note(struct import_run *ir, struct placed *p)
{
	if (p->sec != EC_SEC_CA || !ec_crt_self_signed(p->crt))
		return;
	p->why = "a root not yet trusted (--trust-root trusts it)";
	ec_status_warn(ir->ctx->st, "root %s placed in ca, not trusted (give "
		       "--trust-root to trust it)", p->sha1);
}

/* The import record of the file (imported.h), staged with the rest when
 * the file held nothing that was skipped: not a change of the store's
 * content, so changed is left as it is. */
static int stage_record(struct import_run *ir)
{
	struct ec_imported rec = {
		.mac = (char *)ir->pfx.mac, .pass = (int)ir->pfx.pass,
		.exportable = ir->o.exportable, .trust_root = ir->o.trust_root,
		.name_opt = (char *)ir->o.name,
	};
	int r = 0;

	if (!ir->clean)
		return 0;
	for (size_t i = 0; i < ir->npl && r == 0; i++)
		r = ec_imported_add(&rec, (enum ec_section)ir->pl[i].sec,
				    ir->pl[i].sha1, ir->pl[i].name);
	if (r == 0)
		r = ec_imported_stage(ir->store, ir->txn, ir->source_sha256,
				      &rec, &ir->ctx->err);
	else
		ec_fail(&ir->ctx->err, EC_INTERNAL, "out of memory");
	rec.mac = rec.name_opt = NULL;	/* not owned */
	ec_imported_free(&rec);
	return r < 0 ? -1 : 0;
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
	if (ctx->token_url &&
	    (ec_ctx_token(ctx, &ir->tok, &ctx->err) < 0 ||
	     ec_token_find(ir->tok, ctx->token_url, &ctx->err) < 0))
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
		root_note(ir, p);
	}
	if (!ir->txn)
		return 0;
	if (stage_record(ir) < 0)
		return -1;
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

	ec_status_str(st, "store", ec_store_dir(ir->store));
	ec_status_str(st, "file", ir->o.in);
	ec_status_str(st, "source_sha256", ir->source_sha256);
	ec_status_str(st, "mac", ir->pfx.mac);
	/* answered by the import record: the password was not tried */
	ec_status_str(st, "password_used", ir->recorded ? "unchecked" :
		      pass[ir->pfx.pass]);
	ec_status_text_custom(st);
	ec_status_arr(st, "certificates");
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
				.exportable = p->sec == EC_SEC_PERSONAL &&
					      ir->o.exportable,
				.key_url = p->key_url,
				.key_container = p->container,
				.key_provider = p->provider,
				.in_token = p->sec == EC_SEC_PERSONAL &&
					    ir->tok != NULL,
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
	ec_status_changed(st, ir->changed);
	ec_status_message(st, "%s %zu certificate%s with key%s from '%s'%s%s",
			  ir->ctx->check ? "would import" : ir->changed ?
			  "imported" : "already imported", n, n == 1 ? "" : "s",
			  n == 1 ? "" : "s", ir->o.in, n == 1 ? ": " : "",
			  n == 1 ? first : "");
}

/* A failed run takes the keys it wrote into the token out again. */
static void undo_token(struct import_run *ir)
{
	struct ec_err e;

	for (size_t i = 0; i < ir->npl; i++)
		if (ir->pl[i].imported && ir->pl[i].key_url &&
		    ec_token_remove(ir->tok, ir->pl[i].key_url, &e) < 0)
			ec_status_warn(ir->ctx->st, "a key written into the token "
				       "stays there: %s", e.msg);
}

/* *dst = a copy of v (NULL stays NULL); -1 when out of memory. */
static int owned(const char *v, char **dst)
{
	*dst = v ? strdup(v) : NULL;
	return v && !*dst ? -1 : 0;
}

/* Does the store hold c as a full import of the file would leave it?
 * The certificate where the record puts it, and for one with a key, the
 * key (its own) and the metadata this run would write. */
static int holds(struct import_run *ir, const struct ec_imported_cert *c,
		 struct placed *p)
{
	struct ec_store *s = ir->store;
	gnutls_x509_privkey_t key;
	struct ec_meta m;
	struct ec_err e;
	int ok;

	if (ec_cs_where(s, c->sha1) != (int)c->sec ||
	    ec_cs_load_cert(s, c->sec, c->sha1, &p->crt, &e) < 0)
		return 0;
	if (c->sec != EC_SEC_PERSONAL)
		return 1;
	if (ec_cs_load_key(s, c->sec, c->sha1, &key, &e) < 0)
		return 0;
	ok = ec_key_matches(p->crt, key);
	gnutls_x509_privkey_deinit(key);
	if (!ok || ec_cs_load_meta(s, c->sec, c->sha1, &m, &e) < 0)
		return 0;
	ok = ec_meta_get(&m, "added") &&
	     set_meta(ir, &m, NULL, c->name, 1, 0) == 0 &&
	     ec_cs_stage_cert(s, NULL, c->sec, p->crt, &m, &e) == 0 &&
	     owned(ec_meta_get(&m, "key_container"), &p->container) == 0 &&
	     owned(ec_meta_get(&m, "key_provider"), &p->provider) == 0;
	ec_meta_free(&m);
	return ok;
}

static int same_opt(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* The file was imported before, with these options and the same kind of
 * password (given, or none), and the store still holds all it placed:
 * report that without deriving a key, and so without trying the password
 * (password_used "unchecked").  1 when so; 0 to import the file (nothing
 * said yet). */
static int already(struct import_run *ir)
{
	struct ec_ctx *ctx = ir->ctx;
	struct ec_imported *rec = &ir->rec;
	struct ec_err e;

	/* the record knows key files only: a key bound for a token is
	 * imported in full */
	if (ctx->token_url)
		return 0;
	if (ec_store_open(&ir->store, ctx->store_dir, 0, 0, &e) < 0 ||
	    ec_imported_load(ir->store, ir->source_sha256,
			     !ir->pw.p || !*ir->pw.p, rec, &e) != 1 || rec->exportable != ir->o.exportable ||
	    rec->trust_root != ir->o.trust_root ||
	    !same_opt(rec->name_opt, ir->o.name) ||
	    !(ir->pl = calloc(rec->n, sizeof(*ir->pl))))
		goto miss;
	ir->recorded = 1;
	for (size_t i = 0; i < rec->n; i++) {
		struct placed *p = &ir->pl[i];

		ir->npl++;
		if (!holds(ir, &rec->c[i], p))
			goto miss;
		p->sec = (int)rec->c[i].sec;
		p->name = rec->c[i].name;
		p->action = ACT_PRESENT;
		memcpy(p->sha1, rec->c[i].sha1, EC_SHA1_HEX);
	}
	ir->pfx.mac = rec->mac;
	ir->pfx.pass = (enum ec_pfx_pass)rec->pass;
	if (!ir->pfx.mac)
		ec_status_warn(ctx->st, "'%s' has no MAC: its integrity was not "
			       "checked", ir->o.in);
	for (size_t i = 0; i < ir->npl; i++)
		root_note(ir, &ir->pl[i]);
	return 1;
miss:
	for (size_t i = 0; i < ir->npl; i++) {
		if (ir->pl[i].crt)
			gnutls_x509_crt_deinit(ir->pl[i].crt);
		free(ir->pl[i].container);
		free(ir->pl[i].provider);
	}
	free(ir->pl);
	ir->pl = NULL;
	ir->npl = 0;
	ir->recorded = 0;
	ec_imported_free(rec);
	ec_store_close(ir->store);
	ir->store = NULL;
	return 0;
}

int cmd_import_pfx(int argc, char **argv, struct ec_ctx *ctx)
{
	struct import_run ir = { .ctx = ctx };
	int r = -1;

	if (parse(&ir, argc, argv) != 0)
		return ctx->err.code == EC_OK ? 0 : -1;
	if (load(&ir) < 0)
		goto out;
	trailing_note(&ir);
	if (already(&ir)) {
		report(&ir);
		r = 0;
		goto out;
	}
	if (decrypt(&ir) < 0 || plan(&ir) < 0)
		goto out;
	if (!ir.pfx.mac)
		ec_status_warn(ctx->st, "'%s' has no MAC: its integrity was not "
			       "checked", ir.o.in);
	if (apply(&ir) < 0) {
		undo_token(&ir);
		goto out;
	}
	report(&ir);
	r = 0;
out:
	if (ir.txn)
		ec_txn_abort(ir.txn);
	ec_store_close(ir.store);
	ec_token_close(ir.tok);
	for (size_t i = 0; i < ir.npl; i++) {
		if (ir.recorded)
			gnutls_x509_crt_deinit(ir.pl[i].crt);
		free(ir.pl[i].cn);
		free(ir.pl[i].key_url);
		free(ir.pl[i].container);
		free(ir.pl[i].provider);
	}
	free(ir.pl);
	ec_imported_free(&ir.rec);
	if (ir.recorded)
		ir.pfx.mac = NULL;
	ec_pfx_free(&ir.pfx);
	ec_secret_wipe(&ir.pw);
	ec_data_free(&ir.in);
	return r;
}
