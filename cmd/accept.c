/* accept.c: edgecert accept: the CA's answer to a pending request.  The
 * issued certificate joins its key in the personal section, the chain's
 * CA certificates are placed as import-chain places them, and the pending
 * request goes, all in one transaction. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gnutls/gnutls.h>

#include "cmds.h"
#include "buf.h"
#include "bundle.h"
#include "cert.h"
#include "certstore.h"
#include "csr.h"
#include "meta.h"
#include "pending.h"
#include "place.h"
#include "store.h"
#include "token.h"
#include "verify.h"

static const char usage[] =
	"usage: edgecert accept --in FILE [--trust-root] [--name FRIENDLY]\n"
	"        [--profile rfc5280|webpki]\n"
	"\n"
	"  --in FILE         the CA's answer: a certificate (DER or PEM), a\n"
	"                    PEM bundle or a .p7b chain (DER or base64)\n"
	"                    (\"-\": standard input)\n"
	"  --name FRIENDLY   the friendly name (default: the request's, else\n"
	"                    the subject's CN)\n"
	"  --trust-root      a root in the answer becomes a trusted root\n"
	"  --profile P       the rules of the verdict on the certificate:\n"
	"                    rfc5280 (default) or webpki (see\n"
	"                    edgecert-verify-root(1))\n"
	"\n"
	"A request whose key is in a PKCS#11 token needs its PIN (--pin-file,\n"
	"--pin-env, --pin-fd): the certificate is written into the token too,\n"
	"labelled with the friendly name, beside its key.\n";

enum { OPT_IN = 1, OPT_NAME, OPT_RULES, OPT_TRUST_ROOT };

static const struct option longopts[] = {
	{ "in", required_argument, NULL, OPT_IN },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "profile", required_argument, NULL, OPT_RULES },
	{ "trust-root", no_argument, NULL, OPT_TRUST_ROOT },
	EC_GLOBAL_LONGOPTS
};

struct accept_opts {
	const char *in, *name;
	int trust_root;
	enum ec_profile_rules rules;
};

/* The certificate of the answer that is accepted, and its request. */
struct match {
	size_t idx;			/* in the bundle */
	char id[EC_KEYID_HEX];		/* the request's id */
	char sha1[EC_SHA1_HEX];
	int pending;			/* 0: accepted before */
};

static int parse_opts(int argc, char **argv, struct ec_ctx *ctx,
		      struct accept_opts *o)
{
	int c;

	while ((c = getopt_long(argc, argv, EC_GLOBAL_SHORTOPTS, longopts,
				NULL)) != -1) {
		switch (c) {
		case OPT_IN:
			o->in = optarg;
			break;
		case OPT_NAME:
			o->name = optarg;
			break;
		case OPT_TRUST_ROOT:
			o->trust_root = 1;
			break;
		case OPT_RULES:
			if (ctx->err.code == EC_OK)
				ec_rules_parse(optarg, &o->rules, &ctx->err);
			break;
		default:
			if (!ec_opt_global(ctx, c, optarg, argc, argv))
				ec_opt_error(ctx, "unknown option");
		}
	}
	if (!ctx->help && !ctx->version && !o->in)
		ec_opt_error(ctx, "--in FILE is required");
	return ec_opt_done(ctx, argc, argv);
}

static int has_object(struct ec_store *s, enum ec_section sec,
		      const char *id, const char *ext)
{
	char name[96];

	snprintf(name, sizeof(name), "%s.%s", id, ext);
	return ec_store_has(s, sec, name);
}

/* The personal certificate has its key: a file, or a token's. */
static int has_key(struct ec_store *s, const char *sha1)
{
	struct ec_meta m;
	struct ec_err e;
	int r;

	if (has_object(s, EC_SEC_PERSONAL, sha1, "key"))
		return 1;
	if (ec_cs_load_meta(s, EC_SEC_PERSONAL, sha1, &m, &e) < 0)
		return 0;
	r = ec_cs_key_url(&m) != NULL;
	ec_meta_free(&m);
	return r;
}

/* Which certificate of the answer belongs to a pending request (by its
 * public key, wherever it sits), or was accepted before. */
static int find_match(struct ec_store *s, const struct ec_bundle *b,
		      struct match *m, struct ec_err *e)
{
	int found = 0, done = -1;

	for (size_t i = 0; i < b->ncrt; i++) {
		char id[EC_KEYID_HEX], sha1[EC_SHA1_HEX];

		if (ec_keyid_of_crt(b->crt[i], id, e) < 0 ||
		    ec_cert_ids(b->crt[i], sha1, NULL, e) < 0)
			return -1;
		if (ec_pending_has(s, id)) {
			if (found++ && strcmp(m->id, id) != 0)
				return ec_fail(e, EC_AMBIGUOUS, "the answer "
					       "holds certificates for more "
					       "than one pending request; "
					       "accept them one file at a "
					       "time");
			m->idx = i;
			m->pending = 1;
			memcpy(m->id, id, sizeof(m->id));
			memcpy(m->sha1, sha1, sizeof(m->sha1));
		} else if (done < 0 && has_key(s, sha1)) {
			done = (int)i;
		}
	}
	if (found || done < 0)
		return found;
	m->idx = (size_t)done;
	m->pending = 0;
	if (ec_keyid_of_crt(b->crt[done], m->id, e) < 0 ||
	    ec_cert_ids(b->crt[done], m->sha1, NULL, e) < 0)
		return -1;
	return 1;
}

/* no-pending-request, naming the requests that are pending. */
static int no_match(struct ec_store *s, const char *in, struct ec_err *e)
{
	struct ec_buf text = { 0 };
	int n = ec_pending_subjects(s, &text, e), r;

	if (n < 0) {
		ec_buf_free(&text);
		return -1;
	}
	if (n == 0)
		r = ec_fail(e, EC_NO_PENDING_REQUEST, "no certificate in '%s' "
			    "answers a request: none is pending", in);
	else
		r = ec_fail(e, EC_NO_PENDING_REQUEST, "no certificate in '%s' "
			    "answers a pending request; pending: %s", in,
			    text.oom ? "?" : text.p);
	ec_buf_free(&text);
	return r;
}

/* The subjectAltName DNS names and IP addresses, "DNS:x" and "IP:a", as
 * one sorted, comma-separated, lower-case string. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sans(gnutls_x509_crt_t crt, gnutls_x509_crq_t crq,
		 struct ec_buf *out)
{
	char *v[64], buf[512], ip[INET6_ADDRSTRLEN];
	size_t n = 0;

	for (unsigned i = 0; n < 64; i++) {
		size_t len = sizeof(buf) - 1;
		unsigned type = 0;
		int r = crt ? gnutls_x509_crt_get_subject_alt_name2(crt, i,
					buf, &len, &type, NULL)
			    : gnutls_x509_crq_get_subject_alt_name(crq, i,
					buf, &len, &type, NULL);

		if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (r < 0)
			continue;
		buf[len] = '\0';
		if (r == GNUTLS_SAN_DNSNAME) {
			for (size_t k = 0; k < len; k++)
				if (buf[k] >= 'A' && buf[k] <= 'Z')
					buf[k] = (char)(buf[k] - 'A' + 'a');
			if (asprintf(&v[n], "DNS:%s", buf) >= 0)
				n++;
		} else if (r == GNUTLS_SAN_IPADDRESS &&
			   (len == 4 || len == 16) &&
			   inet_ntop(len == 4 ? AF_INET : AF_INET6, buf, ip,
				     sizeof(ip))) {
			if (asprintf(&v[n], "IP:%s", ip) >= 0)
				n++;
		}
	}
	qsort(v, n, sizeof(v[0]), cmp_str);
	for (size_t i = 0; i < n; i++) {
		ec_buf_addf(out, "%s%s", i ? "," : "", v[i]);
		free(v[i]);
	}
	ec_buf_addf(out, "%s", "");
}

/* What the CA changed: subject and SANs, requested against issued.
 * Taken before the commit (the request's file goes with it), reported
 * after. */
struct diff {
	char *req_dn, *dn;
	struct ec_buf want, got;
};

static void diff_take(struct ec_store *s, const struct match *m,
		      gnutls_x509_crt_t crt, const struct ec_meta *pm,
		      struct diff *df)
{
	gnutls_x509_crq_t crq = NULL;
	const char *req = ec_meta_get(pm, "subject");
	struct ec_err e;

	if (!m->pending)
		return;
	df->dn = ec_cert_dn(crt, 0);
	df->req_dn = req ? strdup(req) : NULL;
	if (ec_pending_load_csr(s, m->id, &crq, NULL, &e) < 0)
		return;
	sans(NULL, crq, &df->want);
	sans(crt, NULL, &df->got);
	gnutls_x509_crq_deinit(crq);
}

static void diff_one(struct ec_status *st, const char *field,
		     const char *want, const char *got)
{
	ec_status_obj(st, NULL);
	ec_status_str(st, "field", field);
	ec_status_str(st, "requested", want);
	ec_status_str(st, "issued", got);
	ec_status_end(st);
}

static void diff_report(struct ec_status *st, struct diff *df)
{
	int names = df->want.p && df->got.p && !df->want.oom &&
		    !df->got.oom && strcmp(df->want.p, df->got.p) != 0;

	ec_status_arr(st, "differences");
	if (df->req_dn && df->dn && strcmp(df->req_dn, df->dn) != 0)
		diff_one(st, "subject", df->req_dn, df->dn);
	if (names)
		diff_one(st, "subject_alt_name", df->want.p, df->got.p);
	ec_status_end(st);
	if (df->req_dn && df->dn && strcmp(df->req_dn, df->dn) != 0)
		ec_status_warn(st, "the CA issued subject '%s' for requested "
			       "'%s'", df->dn, df->req_dn);
	if (names)
		ec_status_warn(st, "the CA issued names '%s' for requested '%s'",
			       df->got.p, df->want.p);
}

static void diff_free(struct diff *df)
{
	free(df->req_dn);
	free(df->dn);
	ec_buf_free(&df->want);
	ec_buf_free(&df->got);
}

/* The personal certificate's metadata, from the request's. */
static int personal_meta(const struct accept_opts *o, const struct match *m,
			 gnutls_x509_crt_t crt, const struct ec_meta *pm,
			 struct ec_meta *out)
{
	static const char *const keep[] = { "exportable", "key_type",
		"key_bits", "template", "template_oid", "key_store", "key_url" };
	const char *fn = o->name ? o->name : ec_meta_get(pm, "friendly_name");
	char now[32], *cn = NULL;
	int r = 0;

	ec_time_rfc3339(time(NULL), now, sizeof(now));
	if (!fn)
		fn = cn = ec_cert_cn(crt);
	r |= ec_meta_set(out, "friendly_name", fn);
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		r |= ec_meta_set(out, keep[i], ec_meta_get(pm, keep[i]));
	r |= ec_meta_set(out, "request_id", m->id);
	r |= ec_meta_set(out, "request_params", ec_meta_get(pm, "params"));
	r |= ec_meta_set(out, "requested", ec_meta_get(pm, "created"));
	r |= ec_meta_set(out, "source", "accept");
	r |= ec_meta_set(out, "added", now);
	free(cn);
	return r;
}

/* Stage the certificate with its key, the chain, and the request's
 * removal.  Returns the number of changes. */
static int stage(struct ec_store *s, struct ec_txn *t, const struct match *m,
		 gnutls_x509_crt_t crt, gnutls_x509_privkey_t key,
		 struct ec_meta *meta, const struct ec_plan *p,
		 struct ec_err *e)
{
	int n = 0, r;

	if ((r = ec_cs_stage_cert(s, t, EC_SEC_PERSONAL, crt, meta, e)) < 0)
		return -1;
	n += r;
	if (key && (r = ec_cs_stage_key(s, t, EC_SEC_PERSONAL, m->sha1, key,
					 e)) < 0)
		return -1;
	n += key ? r : 0;
	if ((r = ec_place_stage(s, t, p, e)) < 0)
		return -1;
	n += r;
	if ((r = ec_pending_stage_del(s, t, m->id, e)) < 0)
		return -1;
	return n + r;
}

/* Load what the request left: its metadata and key (pending), or, for an
 * answer accepted before, the personal metadata.  A key in a token stays
 * there (*key NULL); the token is opened (*tok) and asked whether it is
 * the certificate's. */
static int load_request(struct ec_ctx *ctx, struct ec_store *s,
			const struct match *m, gnutls_x509_crt_t crt,
			struct ec_meta *pm, gnutls_x509_privkey_t *key,
			struct ec_token **tok)
{
	struct ec_err *e = &ctx->err;
	const char *url;
	int r;

	if (!m->pending)
		return ec_cs_load_meta(s, EC_SEC_PERSONAL, m->sha1, pm, e);
	if (ec_pending_load_meta(s, m->id, pm, e) < 0)
		return -1;
	if ((url = ec_cs_key_url(pm))) {
		if (ec_ctx_token(ctx, tok, e) < 0 ||
		    (r = ec_token_matches(*tok, url, crt, e)) < 0)
			return -1;
	} else {
		if (ec_pending_load_key(s, m->id, key, e) < 0)
			return -1;
		r = ec_key_matches(crt, *key);
	}
	if (!r)
		return ec_fail(e, EC_STORE_CORRUPT, "pending request %s: its "
			       "key does not match its id", m->id);
	return 0;
}

/* Write the certificate into its key's token, beside the key, labelled
 * with the friendly name (before the store's commit: a token that will
 * not take it fails the run). */
static int to_token(struct ec_ctx *ctx, struct ec_token *tok,
		    gnutls_x509_crt_t crt, const struct ec_meta *meta)
{
	const char *url = ec_cs_key_url(meta);
	int r;

	if (!tok || !url || ctx->check)
		return 0;
	r = ec_token_put_cert(tok, url, crt, ec_meta_get(meta,
			      "friendly_name"), &ctx->err);
	if (r < 0)
		return -1;
	ec_status_bool(ctx->st, "token_certificate_written", r);
	return r;
}

/* verify-root's verdict on the certificate; reported, never fatal. */
static int verdict(struct ec_ctx *ctx, struct ec_store *s,
		   gnutls_x509_crt_t crt, const struct ec_bundle *b,
		   enum ec_profile_rules rules)
{
	struct ec_verify_opts vo = { .purpose = NULL, .extra = b->crt,
				     .nextra = b->ncrt, .rules = rules,
				     .serve = 1 };
	struct ec_verify_result r = { 0 };

	if (ec_verify(s, crt, &vo, &r, &ctx->err) < 0)
		return -1;
	ec_verify_report(ctx->st, s, &r);
	if (!r.trusted) {
		char why[256] = "";
		size_t len = 0;

		for (size_t i = 0; i < r.nreasons && len < sizeof(why); i++)
			len += (size_t)snprintf(why + len, sizeof(why) - len,
						"%s%s", i ? ", " : "",
						r.reasons[i]);
		ec_status_warn(ctx->st, "the certificate does not verify to a "
			       "trusted root: %s", why);
	}
	ec_verify_free(&r);
	return 0;
}

static int run(struct ec_ctx *ctx, const struct accept_opts *o,
	       struct ec_store *s, const struct ec_bundle *b)
{
	struct ec_place_flags pf = { .held_roots = !o->trust_root };
	struct match m = { 0 };
	struct ec_meta pm = { 0 }, meta = { 0 };
	gnutls_x509_privkey_t key = NULL;
	struct ec_token *tok = NULL;
	gnutls_x509_crt_t crt, *rest = NULL;
	struct ec_plan p = { 0 };
	struct ec_cert_extra x;
	struct ec_txn *t = NULL;
	struct diff df = { 0 };
	size_t nrest = 0;
	int r = -1, n, found;

	if ((found = find_match(s, b, &m, &ctx->err)) < 0)
		return -1;
	if (found == 0)
		return no_match(s, o->in, &ctx->err);
	crt = b->crt[m.idx];
	if (load_request(ctx, s, &m, crt, &pm, &key, &tok) < 0)
		goto out;
	/* the answer's other certificates: the chain */
	if (!(rest = malloc(b->ncrt * sizeof(*rest)))) {
		ec_fail(&ctx->err, EC_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < b->ncrt; i++)
		if (i != m.idx)
			rest[nrest++] = b->crt[i];
	if (ec_place_plan(s, rest, nrest, b->crl, b->crlder, b->ncrl, &pf, &p,
			  &ctx->err) < 0)
		goto out;
	if (m.pending) {
		if (personal_meta(o, &m, crt, &pm, &meta)) {
			ec_fail(&ctx->err, EC_INTERNAL, "out of memory");
			goto out;
		}
	} else if (o->name) {
		/* accepted before: a new --name is the one change */
		if (ec_meta_set(&pm, "friendly_name", o->name)) {
			ec_fail(&ctx->err, EC_INTERNAL, "out of memory");
			goto out;
		}
	}
	diff_take(s, &m, crt, &pm, &df);
	if (!ctx->check && ec_txn_begin(s, &t, &ctx->err) < 0)
		goto out;
	if (m.pending)
		n = stage(s, t, &m, crt, key, &meta, &p, &ctx->err);
	else if ((n = ec_cs_stage_cert(s, t, EC_SEC_PERSONAL, crt, &pm,
				       &ctx->err)) >= 0) {
		int k = ec_place_stage(s, t, &p, &ctx->err);

		n = k < 0 ? -1 : n + k;
	}
	if (n < 0 || (m.pending && to_token(ctx, tok, crt, &meta) < 0))
		goto out;
	if (t) {
		r = ec_txn_commit(t, &ctx->err);
		t = NULL;
		if (r < 0)
			goto out;
	}
	ec_status_text_custom(ctx->st);
	ec_status_str(ctx->st, "store", ec_store_dir(s));
	ec_status_str(ctx->st, "id", m.id);
	ec_cs_extra(s, EC_SEC_PERSONAL, m.sha1, m.pending ? &meta : &pm, &x);
	x.has_private_key = 1;
	ec_cert_status(ctx->st, "certificate", crt, &x);
	ec_status_text(ctx->st, "certificate %s (%s)", m.sha1,
		       x.friendly_name ? x.friendly_name : "");
	ec_place_report(ctx->st, s, &p);
	diff_report(ctx->st, &df);
	if (verdict(ctx, s, crt, b, o->rules) < 0) {
		/* the accept stands: a path that cannot be checked now is
		 * a warning, as an untrusted one is */
		ec_status_warn(ctx->st, "the certificate's path was not "
			       "validated: %s", ctx->err.msg);
		ctx->err.code = EC_OK;
	}
	ec_status_changed(ctx->st, n > 0);
	if (m.pending)
		ec_status_message(ctx->st, "%s the answer to request %.16s...: "
				  "certificate %s", ctx->check ? "would accept" :
				  "accepted", m.id, m.sha1);
	else
		ec_status_message(ctx->st, "certificate %s was accepted before%s",
				  m.sha1, n ? "; its chain is updated" : "");
	r = 0;
out:
	ec_txn_abort(t);
	diff_free(&df);
	ec_place_free(&p);
	free(rest);
	ec_meta_free(&meta);
	ec_meta_free(&pm);
	if (key)
		gnutls_x509_privkey_deinit(key);
	ec_token_close(tok);
	return r;
}

int cmd_accept(int argc, char **argv, struct ec_ctx *ctx)
{
	struct accept_opts o = { 0 };
	struct ec_bundle b = { 0 };
	struct ec_store *s = NULL;
	int r = -1;

	ctx->usage = usage;
	if (parse_opts(argc, argv, ctx, &o))
		return ctx->err.code == EC_OK ? 0 : -1;
	if (ec_bundle_read(o.in, &b, &ctx->err) < 0)
		return -1;
	ec_bundle_note(ctx->st, o.in, &b);
	if (b.ncrt == 0) {
		ec_fail(&ctx->err, EC_BAD_INPUT, "'%s' holds no certificate",
			o.in);
		goto out;
	}
	if (ec_store_open(&s, ctx->store_dir, ctx->check ? 0 :
			  EC_STORE_WRITE, ctx->wait_seconds, &ctx->err) < 0)
		goto out;
	r = run(ctx, &o, s, &b);
out:
	ec_store_close(s);
	ec_bundle_free(&b);
	return r;
}
