#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "cert.h"
#include "certstore.h"
#include "crlfile.h"
#include "pathbuild.h"
#include "pathcheck.h"
#include "verify.h"

#define EC_CERT_CRL_INVALID (1u << 30)	/* ours: not GnuTLS bits */
#define EC_CERT_CRL_UNUSABLE (1u << 29)

static const struct {
	unsigned bit;
	const char *name;
} reason_names[] = {
	{ GNUTLS_CERT_REVOKED, "revoked" },
	{ GNUTLS_CERT_SIGNER_NOT_FOUND, "signer-not-found" },
	{ GNUTLS_CERT_SIGNER_NOT_CA, "signer-not-ca" },
	{ GNUTLS_CERT_INSECURE_ALGORITHM, "insecure-algorithm" },
	{ GNUTLS_CERT_NOT_ACTIVATED, "not-activated" },
	{ GNUTLS_CERT_EXPIRED, "expired" },
	{ GNUTLS_CERT_SIGNATURE_FAILURE, "signature-failure" },
	{ GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED,
	  "revocation-data-superseded" },
	{ GNUTLS_CERT_UNEXPECTED_OWNER, "name-mismatch" },
	{ GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE,
	  "revocation-data-issued-in-future" },
	{ GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE,
	  "signer-constraints-failure" },
	{ GNUTLS_CERT_MISMATCH, "mismatch" },
	{ GNUTLS_CERT_PURPOSE_MISMATCH, "purpose-mismatch" },
	{ GNUTLS_CERT_MISSING_OCSP_STATUS, "missing-ocsp-status" },
	{ GNUTLS_CERT_INVALID_OCSP_STATUS, "invalid-ocsp-status" },
	{ GNUTLS_CERT_UNKNOWN_CRIT_EXTENSIONS, "unknown-critical-extension" },
	{ EC_CERT_CRL_INVALID, "revocation-data-invalid" },
	{ EC_CERT_CRL_UNUSABLE, "crl-unusable" },
};

size_t ec_verify_reasons(unsigned status, const char **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(reason_names) / sizeof(reason_names[0]);
	     i++)
		if ((status & reason_names[i].bit) && n < max)
			out[n++] = reason_names[i].name;
	if (n == 0 && status && max)
		out[n++] = "invalid";	/* GNUTLS_CERT_INVALID alone */
	return n;
}

enum ec_code ec_verify_code(unsigned status)
{
	if (status == 0)
		return EC_OK;
	if (status & GNUTLS_CERT_REVOKED)
		return EC_REVOKED;
	if (status & GNUTLS_CERT_EXPIRED)
		return EC_EXPIRED;
	if (status & GNUTLS_CERT_NOT_ACTIVATED)
		return EC_NOT_YET_VALID;
	if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
		return EC_NAME_MISMATCH;
	if (status & GNUTLS_CERT_PURPOSE_MISMATCH)
		return EC_PURPOSE_MISMATCH;
	return EC_UNTRUSTED;
}

int ec_purpose_parse(const char *s, const char **oid, struct ec_err *e)
{
	int dots = 0;

	if (strcmp(s, "server") == 0)
		*oid = GNUTLS_KP_TLS_WWW_SERVER;
	else if (strcmp(s, "client") == 0)
		*oid = GNUTLS_KP_TLS_WWW_CLIENT;
	else if (strcmp(s, "any") == 0)
		*oid = NULL;
	else {
		for (const char *p = s; *p; p++) {
			if (*p == '.' && p != s && p[1] && p[1] != '.')
				dots++;
			else if (*p < '0' || *p > '9')
				goto bad;
		}
		if (dots == 0)
			goto bad;
		*oid = s;
	}
	return 0;
bad:
	return ec_fail(e, EC_USAGE, "--purpose wants server, client, any or "
		       "a dotted OID, not '%s'", s);
}

int ec_profile_parse(const char *s,
		     gnutls_certificate_verification_profiles_t *out,
		     struct ec_err *e)
{
	if (strcmp(s, "low") == 0)
		*out = GNUTLS_PROFILE_LOW;
	else if (strcmp(s, "medium") == 0)
		*out = GNUTLS_PROFILE_MEDIUM;
	else if (strcmp(s, "high") == 0)
		*out = GNUTLS_PROFILE_HIGH;
	else
		return ec_fail(e, EC_USAGE, "--verify-profile wants low, "
			       "medium or high, not '%s'", s);
	return 0;
}

static void warn(struct ec_verify_result *r, const char *fmt, const char *a,
		 const char *b)
{
	if (r->nwarn < EC_VERIFY_MAXWARN)
		snprintf(r->warn[r->nwarn++], sizeof(r->warn[0]), fmt, a, b);
}

#define OID_IDP "2.5.29.28"		/* issuingDistributionPoint */
#define OID_DELTA "2.5.29.27"		/* deltaCRLIndicator */

/* The critical extension of a CRL that we cannot process, or NULL.  A
 * delta CRL is "delta"; an issuing distribution point is passed (GnuTLS
 * does not scope CRLs by it; see edgecert-verify-root(1), BUGS). */
static const char *crl_unknown_critical(gnutls_x509_crl_t crl, char *oid,
					size_t oidlen)
{
	for (unsigned i = 0;; i++) {
		size_t len = oidlen;
		unsigned crit = 0;

		if (gnutls_x509_crl_get_extension_info(crl, i, oid, &len,
						       &crit) < 0)
			return NULL;
		if (!crit || strcmp(oid, OID_IDP) == 0)
			continue;
		return strcmp(oid, OID_DELTA) == 0 ? "delta" : oid;
	}
}

/* Does one of the path's certificates named like iss (iss itself, or
 * the same CA under a key it rolled over to) sign the CRL?  0 when one
 * does, else the status bits of the try against iss. */
static unsigned crl_status(gnutls_x509_crl_t crl, gnutls_x509_crt_t iss,
			   const struct ec_verify_result *r, unsigned vflags)
{
	unsigned first = 0, st;

	if (gnutls_x509_crl_verify(crl, &iss, 1, vflags, &first) < 0)
		first = GNUTLS_CERT_INVALID;
	if (first == 0)
		return 0;
	for (size_t j = 1; j < r->n; j++) {
		gnutls_x509_crt_t c = r->chain[j];

		if (c == iss || !gnutls_x509_crl_check_issuer(crl, c))
			continue;
		if (gnutls_x509_crl_verify(crl, &c, 1, vflags, &st) == 0 &&
		    st == 0)
			return 0;
	}
	return first;
}

/* Is chain[i] named like an earlier CA of the path (a self-issued
 * certificate)?  Its CRLs were looked at then. */
static int seen_name(const struct ec_verify_result *r, size_t i)
{
	gnutls_datum_t a = { NULL, 0 }, b = { NULL, 0 };
	int same = 0;

	if (gnutls_x509_crt_get_raw_dn(r->chain[i], &a) < 0)
		return 0;
	for (size_t j = 1; j < i && !same; j++) {
		if (gnutls_x509_crt_get_raw_dn(r->chain[j], &b) < 0)
			continue;
		same = a.size == b.size && memcmp(a.data, b.data, a.size) == 0;
		gnutls_free(b.data);
	}
	gnutls_free(a.data);
	return same;
}

/* The store's CRLs, read once for all the paths of a search: those named
 * like a candidate CA (the others can be of no path), and the files that
 * cannot be used. */
struct crlcache {
	struct ec_pb *pb;
	gnutls_x509_crl_t *v;
	size_t n, cap;
	char bad[EC_VERIFY_MAXWARN][320];	/* crl/NAME cannot be used */
	size_t nbad;
	int anybad;
};

static int cache_one(void *arg, const char *name, gnutls_x509_crl_t crl,
		     const struct ec_err *why)
{
	struct crlcache *c = arg;
	gnutls_datum_t dn = { NULL, 0 };
	int keep;

	if (!crl) {
		c->anybad = 1;
		if (c->nbad < EC_VERIFY_MAXWARN)
			snprintf(c->bad[c->nbad++], sizeof(c->bad[0]),
				 "crl/%.64s cannot be used: %.200s", name,
				 why->msg);
		return 0;
	}
	keep = gnutls_x509_crl_get_raw_issuer_dn(crl, &dn) == 0 &&
	       ec_pb_named(c->pb, &dn);
	gnutls_free(dn.data);
	if (keep && c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 8;
		gnutls_x509_crl_t *v = realloc(c->v, nc * sizeof(*v));

		if (v) {
			c->v = v;
			c->cap = nc;
		}
	}
	if (keep && c->n < c->cap) {
		c->v[c->n++] = crl;
		return 0;
	}
	gnutls_x509_crl_deinit(crl);
	if (!keep)
		return 0;
	c->anybad = 1;		/* no memory to keep it: fail closed */
	if (c->nbad < EC_VERIFY_MAXWARN)
		snprintf(c->bad[c->nbad++], sizeof(c->bad[0]),
			 "crl/%.64s cannot be used: out of memory", name);
	return 0;
}

static void cache_free(struct crlcache *c)
{
	for (size_t i = 0; i < c->n; i++)
		gnutls_x509_crl_deinit(c->v[i]);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* The CRLs in use: of each issuer on the path the newest that verifies
 * under vflags, best[i] for chain[i].  The CRLs are the cache's and the
 * caller's: the trust list borrows them. */
struct crlpick {
	struct ec_verify_result *r;
	unsigned vflags;
	gnutls_x509_crl_t best[EC_CHAIN_MAX + 1];
};

/* Weigh one CRL. */
static void pick(struct crlpick *p, gnutls_x509_crl_t crl)
{
	struct ec_verify_result *r = p->r;
	const char *why[4], *ext;
	char oid[128], *dn;
	unsigned st;
	size_t i;

	for (i = 1; i < r->n; i++)
		if (gnutls_x509_crl_check_issuer(crl, r->chain[i]) &&
		    !seen_name(r, i))
			break;
	if (i >= r->n)
		return;		/* of no CA of the path */
	dn = ec_cert_dn(r->chain[i], 0);
	if ((ext = crl_unknown_critical(crl, oid, sizeof(oid)))) {
		if (strcmp(ext, "delta") == 0) {
			warn(r, "a delta CRL of '%s' is not used%s",
			     dn ? dn : "?", "");
		} else {
			warn(r, "a CRL of '%s' has a critical extension we "
			     "cannot process (%s): ignored", dn ? dn : "?",
			     ext);
			r->crl_invalid = 1;
		}
	} else if ((st = crl_status(crl, r->chain[i], r, p->vflags))) {
		size_t k = ec_verify_reasons(st, why, 4);

		warn(r, "a CRL of '%s' does not verify (%s): ignored",
		     dn ? dn : "?", k ? why[0] : "invalid");
		r->crl_invalid = 1;
	} else if (!p->best[i] || gnutls_x509_crl_get_this_update(crl) >
				  gnutls_x509_crl_get_this_update(p->best[i])) {
		p->best[i] = crl;
	}
	free(dn);
}

/* Put the CRLs of the path's issuers into the trust list (borrowed:
 * deinit it without them); time checks on them at r->at go to *status.
 * A CRL file of the store that cannot be used makes a path with a CA
 * untrusted, since which CA's revocations it held cannot be known. */
static int add_crls(const struct crlcache *cc,
		    const struct ec_verify_opts *o,
		    gnutls_x509_trust_list_t tl, struct crlpick *p,
		    unsigned *status, struct ec_err *e)
{
	struct ec_verify_result *r = p->r;

	if (cc->anybad && r->n > 1) {
		r->crl_unusable = 1;
		for (size_t i = 0; i < cc->nbad; i++)
			warn(r, "%s%s", cc->bad[i], "");
	}
	for (size_t i = 0; i < cc->n; i++)
		pick(p, cc->v[i]);
	for (size_t i = 0; i < o->ncrl; i++)
		pick(p, o->crl[i]);
	for (size_t i = 1; i < r->n; i++) {
		gnutls_x509_crl_t best = p->best[i];

		if (!best)
			continue;
		time_t nu = gnutls_x509_crl_get_next_update(best);

		if (nu != (time_t)-1 && nu < r->at)
			*status |= GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED;
		if (gnutls_x509_crl_get_this_update(best) > r->at)
			*status |= GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE;
		if (gnutls_x509_trust_list_add_crls(tl, &best, 1, 0, 0) < 0)
			return ec_fail(e, EC_INTERNAL, "cannot use a CRL");
	}
	return 0;
}

/* The lowest position of the path that a CRL in use revokes, or n: for
 * the path search (pathbuild.h, doomed). */
static size_t revoked_at(const struct crlpick *p)
{
	const struct ec_verify_result *r = p->r;

	for (size_t i = 1; i < r->n; i++)
		if (p->best[i] &&
		    gnutls_x509_crt_check_revocation(r->chain[i - 1],
						     &p->best[i], 1) == 1)
			return i - 1;
	return r->n;
}

static unsigned time_status(const struct ec_verify_result *r)
{
	unsigned st = 0;

	for (size_t i = 0; i < r->n; i++) {
		if (gnutls_x509_crt_get_activation_time(r->chain[i]) > r->at)
			st |= GNUTLS_CERT_NOT_ACTIVATED;
		if (gnutls_x509_crt_get_expiration_time(r->chain[i]) < r->at)
			st |= GNUTLS_CERT_EXPIRED;
	}
	return st;
}

/* What GnuTLS checks besides the path: the purpose (the host name or
 * address is hostname.c's, in rules()). */
static unsigned vdata(const struct ec_verify_opts *o,
		      gnutls_typed_vdata_st *d)
{
	unsigned n = 0;

	if (o->purpose) {
		d[n].type = GNUTLS_DT_KEY_PURPOSE_OID;
		d[n].data = (unsigned char *)o->purpose;
		d[n++].size = 0;
	}
	return n;
}

/* edgecert's own checks of the path (pathcheck.h), beside GnuTLS'; its
 * status as edgecert takes it. */
static unsigned rules(const struct ec_verify_opts *o,
		      struct ec_verify_result *r, unsigned status,
		      const gnutls_x509_crl_t *crl, size_t ncrl)
{
	struct ec_path p = {
		.v = r->chain, .n = r->n, .anchored = r->anchor != NULL,
		.at = r->at, .hostname = o->hostname, .purpose = o->purpose,
		.serve = o->serve, .rules = o->rules,
		.crl = crl, .ncrl = ncrl,
	};

	ec_pathcheck(&p, &r->rules);
	for (size_t i = 0; i < r->rules.nwarn; i++)
		warn(r, "%s%s", r->rules.warn[i], "");
	return ec_pathcheck_gnutls(&p, &r->rules, status);
}

/* The most specific code of GnuTLS' verdict and edgecert's reasons: the
 * order of edgecert-verify-root(1), EXIT STATUS. */
static enum ec_code weigh(enum ec_code c, const struct ec_reasons *rs)
{
	static const enum ec_code order[] = {
		EC_REVOKED, EC_EXPIRED, EC_NOT_YET_VALID, EC_NAME_MISMATCH,
		EC_PURPOSE_MISMATCH, EC_UNTRUSTED,
	};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (c == order[i])
			return c;
		for (size_t j = 0; j < rs->n; j++)
			if (rs->v[j].code == order[i])
				return order[i];
	}
	return rs->n ? EC_UNTRUSTED : c;
}

/* trusted, code and reasons from the status bits and the rules. */
static void verdict(struct ec_verify_result *r)
{
	r->trusted = r->status == 0 && r->rules.n == 0;
	r->code = weigh(ec_verify_code(r->status), &r->rules);
	r->nreasons = ec_verify_reasons(r->status, r->reasons,
					EC_VERIFY_MAXREASONS);
	for (size_t i = 0; i < r->rules.n &&
			   r->nreasons < EC_VERIFY_MAXREASONS; i++)
		r->reasons[r->nreasons++] = r->rules.v[i].name;
}

/* Validate one path fully into r: GnuTLS' verdict with a trust list of
 * the path's anchor alone, the time, the CRLs, edgecert's own rules. */
static int validate(const struct crlcache *cc,
		    const struct ec_verify_opts *o, unsigned vflags,
		    const struct ec_pb_path *p, struct ec_verify_result *r,
		    struct ec_err *e)
{
	gnutls_x509_trust_list_t tl = NULL;
	struct crlpick cp = { .r = r, .vflags = vflags };
	unsigned status = 0, extra = 0, nd, nv;
	gnutls_x509_crl_t used[EC_CHAIN_MAX + 1];
	size_t nused = 0;
	gnutls_typed_vdata_st d[1];
	time_t at = r->at;
	int ret = -1, x;

	memset(r, 0, sizeof(*r));
	r->at = at;
	r->n = p->n;
	r->revoked_at = p->n;
	memcpy(r->chain, p->v, p->n * sizeof(p->v[0]));
	memcpy(r->built.v, p->v, p->n * sizeof(p->v[0]));
	memcpy(r->built.sec, p->sec, p->n * sizeof(p->sec[0]));
	r->built.n = p->n;
	r->built.complete = p->anchored;
	r->anchor = p->anchored ? p->v[p->n - 1] : NULL;
	/* the list borrows the anchor and the CRLs: deinit without them */
	if ((x = gnutls_x509_trust_list_init(&tl, 0)) < 0)
		return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(x));
	if (p->anchored &&
	    (x = gnutls_x509_trust_list_add_cas(tl, &r->anchor, 1, 0)) < 0) {
		ec_fail(e, EC_INTERNAL, "cannot make a trust list: %s",
			gnutls_strerror(x));
		goto out;
	}
	if (add_crls(cc, o, tl, &cp, &extra, e) < 0)
		goto out;
	extra |= time_status(r);
	if (r->crl_invalid)
		extra |= EC_CERT_CRL_INVALID;
	if (r->crl_unusable)
		extra |= EC_CERT_CRL_UNUSABLE;
	nd = vdata(o, d);
	/* up to the anchor, which the list holds: found by the name its
	 * subordinate gives, whether it is self-signed or not */
	nv = (unsigned)(p->anchored && r->n > 1 ? r->n - 1 : r->n);
	x = gnutls_x509_trust_list_verify_crt2(tl, r->chain, nv,
					       nd ? d : NULL, nd, vflags,
					       &status, NULL);
	if (x < 0) {
		ec_fail(e, EC_INTERNAL, "cannot verify: %s",
			gnutls_strerror(x));
		goto out;
	}
	if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
		r->anchor = NULL;
	for (size_t i = 1; i < r->n; i++)
		if (cp.best[i])
			used[nused++] = cp.best[i];
	r->status = rules(o, r, status, used, nused) | extra;
	if (r->status & GNUTLS_CERT_REVOKED)
		r->revoked_at = revoked_at(&cp);
	if (r->status)
		r->status |= GNUTLS_CERT_INVALID;
	verdict(r);
	ret = 0;
out:
	gnutls_x509_trust_list_deinit(tl, 0);
	return ret;
}

/* The search's state: the best path so far in best (the caller's r). */
struct search {
	const struct crlcache *cc;
	const struct ec_verify_opts *o;
	unsigned vflags;
	struct ec_verify_result *best, *cur;
	int have, best_anchored;
	struct ec_err *e;
};

/* Validate a path; keep it in best when it is a better report: valid,
 * or reaching an anchor, then the fewest reasons. */
static int check_one(void *arg, const struct ec_pb_path *p,
		     size_t *doomed)
{
	struct search *k = arg;

	k->cur->at = k->best->at;
	if (validate(k->cc, k->o, k->vflags, p, k->cur, k->e) < 0)
		return -1;
	/* what no other issuer above can mend: a revoked certificate (its
	 * issuers all have one name, hence one CRL), the target's name */
	if (k->cur->revoked_at < p->n)
		*doomed = k->cur->revoked_at + 1;
	if ((k->cur->status & GNUTLS_CERT_UNEXPECTED_OWNER) ||
	    ec_reasons_has(&k->cur->rules, "name-mismatch"))
		*doomed = 1;
	if (!k->have || k->cur->trusted ||
	    (p->anchored && !k->best_anchored) ||
	    (p->anchored == k->best_anchored &&
	     k->cur->nreasons < k->best->nreasons)) {
		*k->best = *k->cur;
		k->best_anchored = p->anchored;
		k->have = 1;
	}
	return k->cur->trusted;
}

int ec_verify(struct ec_store *s, gnutls_x509_crt_t crt,
	      const struct ec_verify_opts *o, struct ec_verify_result *r,
	      struct ec_err *e)
{
	gnutls_certificate_verification_profiles_t prof =
		o->profile ? o->profile : GNUTLS_PROFILE_MEDIUM;
	/* low takes SHA-1 signatures too, which GnuTLS refuses on
	 * certificates at every profile unless told; never MD5 */
	unsigned vflags = GNUTLS_PROFILE_TO_VFLAGS(prof) |
			  (prof == GNUTLS_PROFILE_LOW ?
			   GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1 : 0) |
			  GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
			  GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS;
	struct crlcache cc = { 0 };
	struct search k = { .cc = &cc, .o = o, .vflags = vflags, .best = r,
			    .e = e };
	struct ec_pb_stats st;
	struct ec_pb *pb = NULL;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	r->at = o->at_set ? o->at : time(NULL);
	if (!(k.cur = malloc(sizeof(*k.cur))))
		return ec_fail(e, EC_INTERNAL, "out of memory");
	if (ec_pb_new(&pb, s, crt, o->extra, o->nextra, o->system_trust,
		      e) < 0)
		goto out;
	cc.pb = pb;
	if (ec_crlfile_each(s, cache_one, &cc, e) < 0 ||
	    ec_pb_search(pb, r->at, prof == GNUTLS_PROFILE_LOW, check_one,
			 &k, &st, e) < 0)
		goto out;
	if (!k.have) {
		/* nothing to check at all cannot be: the target alone is a
		 * path; say so rather than trust */
		ec_fail(e, EC_INTERNAL, "no certification path was checked");
		goto out;
	}
	if (st.exhausted) {
		ec_reasons_add(&r->rules, "path-search-exhausted",
			       EC_UNTRUSTED);
		verdict(r);
	}
	r->pb = pb;
	pb = NULL;
	ret = 0;
out:
	cache_free(&cc);
	ec_pb_free(pb);
	free(k.cur);
	if (ret < 0)
		ec_verify_free(r);
	return ret;
}

void ec_verify_free(struct ec_verify_result *r)
{
	ec_pb_free(r->pb);
	memset(r, 0, sizeof(*r));
}

static void crt_obj(struct ec_status *st, const char *key,
		   struct ec_store *s, gnutls_x509_crt_t crt)
{
	struct ec_cert_extra x = { 0 };
	struct ec_meta m = { 0 };
	char sha1[EC_SHA1_HEX];
	struct ec_err e;
	int sec = -1;

	if (ec_cert_ids(crt, sha1, NULL, &e) == 0 &&
	    (sec = ec_cs_where(s, sha1)) >= 0 &&
	    ec_cs_load_meta(s, (enum ec_section)sec, sha1, &m, &e) == 0)
		ec_cs_extra(s, (enum ec_section)sec, sha1, &m, &x);
	ec_cert_status(st, key, crt, &x);
	ec_meta_free(&m);
}

void ec_verify_report(struct ec_status *st, struct ec_store *s,
		      const struct ec_verify_result *r)
{
	char t[32], *dn;

	ec_time_rfc3339(r->at, t, sizeof(t));
	ec_status_bool(st, "trusted", r->trusted);
	ec_status_str(st, "verified_at", t);
	ec_status_text(st, "trusted: %s (at %s)", r->trusted ? "yes" : "no", t);
	ec_status_arr(st, "chain");
	for (size_t i = 0; i < r->n; i++) {
		crt_obj(st, NULL, s, r->chain[i]);
		dn = ec_cert_dn(r->chain[i], 0);
		ec_status_text(st, "  %zu. %s", i + 1, dn ? dn : "");
		free(dn);
	}
	ec_status_end(st);
	if (r->anchor) {
		crt_obj(st, "anchor", s, r->anchor);
		dn = ec_cert_dn(r->anchor, 0);
		ec_status_text(st, "anchor: %s", dn ? dn : "");
		free(dn);
	} else {
		ec_status_str(st, "anchor", NULL);
		ec_status_text(st, "anchor: none");
	}
	ec_status_arr(st, "reasons");
	for (size_t i = 0; i < r->nreasons; i++)
		ec_status_str(st, NULL, r->reasons[i]);
	ec_status_end(st);
	if (r->nreasons)
		ec_status_text(st, "reasons: %s%s%s%s", r->reasons[0],
			       r->nreasons > 1 ? ", " : "",
			       r->nreasons > 1 ? r->reasons[1] : "",
			       r->nreasons > 2 ? ", ..." : "");
}
