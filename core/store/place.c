#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>

#include "certstore.h"
#include "meta.h"
#include "place.h"

static const char *action_name(enum ec_place_action a)
{
	static const char *const names[] = { "added", "present", "moved",
					     "skipped" };

	return names[a];
}

/* The names of the store's ca and root objects "<sha1>.pem", read once
 * (a bundle of N certificates asks N times): sorted for bsearch. */
struct held {
	char (*name)[EC_SHA1_HEX + 4];
	size_t n, cap;
};

static int held_add(void *arg, const char *name)
{
	struct held *h = arg;

	if (strlen(name) != EC_SHA1_HEX - 1 + 4)
		return 0;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		char (*v)[EC_SHA1_HEX + 4] = realloc(h->name,
						     cap * sizeof(*v));

		if (!v)
			return -1;
		h->name = v;
		h->cap = cap;
	}
	memcpy(h->name[h->n++], name, EC_SHA1_HEX + 4);
	return 0;
}

static int held_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int held_load(struct ec_store *s, struct held h[2], struct ec_err *e)
{
	static const enum ec_section secs[2] = { EC_SEC_CA, EC_SEC_ROOT };

	for (int i = 0; i < 2; i++) {
		int r = ec_store_scan(s, secs[i], ".pem", held_add, &h[i], e);

		if (r < 0 && e->code != EC_OK)
			return -1;
		if (r != 0)
			return ec_fail(e, EC_INTERNAL, "out of memory");
		if (h[i].n)
			qsort(h[i].name, h[i].n, sizeof(*h[i].name),
			      held_cmp);
	}
	return 0;
}

static int held_has(const struct held *h, const char *name)
{
	return h->n && bsearch(name, h->name, h->n, sizeof(*h->name),
			       held_cmp) != NULL;
}

/* Where the store holds sha1 among ca and root (personal is another
 * matter: a CA's own certificate with its key). */
static int held_in(const struct held h[2], const char *sha1)
{
	char name[EC_SHA1_HEX + 4];

	snprintf(name, sizeof(name), "%s.pem", sha1);
	if (held_has(&h[1], name))
		return EC_SEC_ROOT;
	if (held_has(&h[0], name))
		return EC_SEC_CA;
	return -1;
}

static int plan_crt(const struct held h[2], struct ec_place_crt *pc,
		    const struct ec_place_flags *f, struct ec_err *e)
{
	char sha1[EC_SHA1_HEX], *subj;
	int ca = ec_ca_section(pc->crt, !f->no_trust);

	if (ec_cert_ids(pc->crt, sha1, NULL, e) < 0)
		return -1;
	pc->was = held_in(h, sha1);
	if (ca < 0) {
		pc->sec = -1;
		pc->action = EC_PLACE_SKIP;
		pc->why = "not a CA certificate (no basicConstraints CA:TRUE)";
		return 0;
	}
	pc->sec = f->trust_all ? EC_SEC_ROOT : ca;
	if (f->held_roots && pc->sec == EC_SEC_ROOT &&
	    pc->was != EC_SEC_ROOT) {
		pc->sec = -1;
		pc->action = EC_PLACE_SKIP;
		pc->why = "a root not yet trusted (--trust-root trusts it)";
		return 0;
	}
	if (pc->was == pc->sec) {
		pc->action = EC_PLACE_PRESENT;
	} else if (pc->was < 0) {
		pc->action = EC_PLACE_ADD;
	} else if (f->force || (pc->sec == EC_SEC_ROOT &&
				ec_crt_self_signed(pc->crt))) {
		/* a self-signed root that waited among the intermediates
		 * (import-pfx without --trust-root) is trusted when a chain
		 * import says so; other moves need --force */
		pc->action = EC_PLACE_MOVE;
	} else {
		subj = ec_cert_dn(pc->crt, 0);
		ec_fail(e, EC_EXISTS, "certificate %s (%s) is already among "
			"the %s, not the %s", sha1,
			subj ? subj : "?", pc->was == EC_SEC_ROOT ?
			"trusted roots" : "intermediates",
			pc->sec == EC_SEC_ROOT ? "trusted roots" :
			"intermediates");
		free(subj);
		return -1;
	}
	return 0;
}

/* Does a candidate's key sign the CRL (names matching)?  Signature only:
 * times and key usage are verify-root's business. */
static int crl_signed_by(gnutls_x509_crl_t crl, gnutls_x509_crt_t ca)
{
	unsigned status = 0;

	if (gnutls_x509_crl_verify(crl, &ca, 1,
				   GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
				   GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
				   GNUTLS_VERIFY_DISABLE_CA_SIGN |
				   GNUTLS_VERIFY_ALLOW_BROKEN, &status) < 0)
		return 0;
	return !(status & (GNUTLS_CERT_SIGNATURE_FAILURE |
			   GNUTLS_CERT_SIGNER_NOT_FOUND));
}

/* 1: a candidate signs it; 0: some candidate has the issuer's name but
 * none signs it; -1: no candidate has the name.  Candidates: the file's
 * certificates, then the store's intermediates and roots, by name. */
static int crl_known(gnutls_x509_crl_t crl, struct ec_chainset *cs)
{
	static const int order[3] = { 2, 0, 1 };
	gnutls_datum_t dn = { NULL, 0 };
	int named = 0;

	if (gnutls_x509_crl_get_raw_issuer_dn(crl, &dn) < 0)
		return -1;
	for (int j = 0; j < 3; j++) {
		int k = order[j];
		size_t nc;
		const size_t *c = ec_crtix_named(cs->ix[k], &dn, &nc);

		for (size_t i = 0; i < nc; i++) {
			gnutls_x509_crt_t cand = cs->pool[k][c[i]];

			if (!gnutls_x509_crl_check_issuer(crl, cand))
				continue;
			named = 1;
			if (crl_signed_by(crl, cand)) {
				gnutls_free(dn.data);
				return 1;
			}
		}
	}
	gnutls_free(dn.data);
	return named ? 0 : -1;
}

static int plan_crls(struct ec_store *s, struct ec_plan *p,
		     struct ec_err *e)
{
	for (size_t i = 0; i < p->ncrl; i++) {
		struct ec_place_crl *pc = &p->crl[i];
		int k = crl_known(pc->crl, &p->cs), r;

		if (k == 0) {
			gnutls_datum_t dn = { NULL, 0 };

			gnutls_x509_crl_get_issuer_dn3(pc->crl, &dn, 0);
			ec_fail(e, EC_BAD_INPUT, "CRL %zu (issuer %s): its "
				"signature does not verify against the CA of "
				"that name", i + 1,
				dn.data ? (char *)dn.data : "?");
			gnutls_free(dn.data);
			return -1;
		}
		if ((r = ec_cs_stage_crl(s, NULL, pc->crl, pc->der, pc->id,
					 e)) < 0)
			return -1;
		if (k < 0) {
			pc->action = EC_PLACE_SKIP;
			pc->why = "no CA in the file or the store issued it";
		} else {
			pc->action = r ? EC_PLACE_ADD : EC_PLACE_PRESENT;
			p->nchanges += (size_t)r;
		}
	}
	return 0;
}

/* Which certificates of the plan issue another of it: by name from the
 * index, each issuer's signature checked until it is known to be one. */
static char *issuers_of_others(const struct ec_plan *p, struct ec_err *e)
{
	char *is = calloc(p->ncrt ? p->ncrt : 1, 1);

	if (!is) {
		ec_fail(e, EC_INTERNAL, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < p->ncrt; i++) {
		size_t nc;
		const size_t *c = ec_crtix_issuers(p->cs.ix[2], p->crt[i].crt,
						   &nc);

		for (size_t j = 0; j < nc; j++) {
			size_t k = p->pj[c[j]];

			if (k != i && !is[k] &&
			    ec_crt_issued_by(p->crt[i].crt, p->crt[k].crt))
				is[k] = 1;
		}
	}
	return is;
}

/* The plan's index of a certificate of a path (one of the file's), or
 * -1 (the store's). */
static long plan_index(const struct ec_plan *p, const struct ec_chain *c,
		       size_t i)
{
	long j;

	if (c->sec[i] >= 0 || p->ncrt == 0 ||
	    (j = ec_crtix_find(p->cs.ix[2], c->v[i])) < 0)
		return -1;
	return (long)p->pj[j];
}

/* The plan's section for a certificate of a path, or -1. */
static int placed_sec(const struct ec_plan *p, const struct ec_chain *c,
		      size_t i)
{
	long j;

	if (c->sec[i] >= 0)
		return c->sec[i];
	if ((j = ec_crtix_find(p->cs.ix[2], c->v[i])) < 0)
		return -1;
	j = (long)p->pj[j];
	return p->crt[j].action == EC_PLACE_SKIP ? p->crt[j].was :
	       p->crt[j].sec;
}

static int plan_paths(struct ec_plan *p, struct ec_err *e)
{
	char *is;

	p->path = calloc(p->ncrt ? p->ncrt : 1, sizeof(*p->path));
	p->complete = calloc(p->ncrt ? p->ncrt : 1, sizeof(int));
	p->anchored = calloc(p->ncrt ? p->ncrt : 1, sizeof(int));
	if (!p->path || !p->complete || !p->anchored)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	if (!(is = issuers_of_others(p, e)))
		return -1;
	/* a bundle's signatures on every CPU first; the paths then read
	 * the verdicts */
	if (ec_chainset_presign(&p->cs, e) < 0) {
		free(is);
		return -1;
	}
	p->all_complete = 1;
	for (size_t i = 0; i < p->ncrt; i++) {
		struct ec_chain *c = &p->path[p->npath];
		int top;

		if (is[i])
			continue;
		if (ec_chainset_build(&p->cs, p->crt[i].crt, c, e) < 0) {
			free(is);
			return -1;
		}
		top = placed_sec(p, c, c->n - 1);
		p->anchored[p->npath] = top == EC_SEC_ROOT;
		p->complete[p->npath] = c->complete || top == EC_SEC_ROOT;
		if (!p->complete[p->npath])
			p->all_complete = 0;
		p->npath++;
	}
	free(is);
	return 0;
}

int ec_place_plan(struct ec_store *s, gnutls_x509_crt_t *crt, size_t ncrt,
		  gnutls_x509_crl_t *crl, const gnutls_datum_t *crlder,
		  size_t ncrl,
		  const struct ec_place_flags *f, struct ec_plan *p,
		  struct ec_err *e)
{
	struct held h[2] = { { 0 }, { 0 } };
	int r = -1;

	memset(p, 0, sizeof(*p));
	p->crt = calloc(ncrt ? ncrt : 1, sizeof(*p->crt));
	p->crl = calloc(ncrl ? ncrl : 1, sizeof(*p->crl));
	p->pj = calloc(ncrt ? ncrt : 1, sizeof(*p->pj));
	if (!p->crt || !p->crl || !p->pj)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	/* the file's certificates (extra for the paths) and the store's */
	if (ec_chainset_init(&p->cs, s, crt, ncrt, e) < 0 ||
	    held_load(s, h, e) < 0)
		goto out;
	for (size_t i = 0; i < ncrt; i++) {
		long j = ec_crtix_find(p->cs.ix[2], crt[i]);

		/* the same one twice: the first counts */
		if (j != (long)i) {
			p->pj[i] = p->pj[j];
			continue;
		}
		p->pj[i] = p->ncrt;
		p->crt[p->ncrt].crt = crt[i];
		if (plan_crt(h, &p->crt[p->ncrt], f, e) < 0)
			goto out;
		if (p->crt[p->ncrt].action == EC_PLACE_ADD ||
		    p->crt[p->ncrt].action == EC_PLACE_MOVE)
			p->nchanges++;
		p->ncrt++;
	}
	for (size_t i = 0; i < ncrl; i++) {
		p->crl[p->ncrl].der = crlder ? &crlder[i] : NULL;
		p->crl[p->ncrl++].crl = crl[i];
	}
	if (plan_crls(s, p, e) < 0)
		goto out;
	r = plan_paths(p, e);
out:
	free(h[0].name);
	free(h[1].name);
	return r;
}

static int stage_crt(struct ec_store *s, struct ec_txn *t,
		     const struct ec_place_crt *pc, const char *now,
		     struct ec_err *e)
{
	struct ec_meta m = { 0 };
	int r;

	if (ec_meta_set(&m, "added", now) < 0) {
		ec_meta_free(&m);
		return ec_fail(e, EC_INTERNAL, "out of memory");
	}
	r = ec_cs_stage_cert(s, t, (enum ec_section)pc->sec, pc->crt, &m, e);
	ec_meta_free(&m);
	if (r < 0 || pc->action != EC_PLACE_MOVE)
		return r;
	if (ec_cs_stage_del_cert(s, t, (enum ec_section)pc->was, pc->crt, e)
	    < 0)
		return -1;
	return 1;
}

int ec_place_stage(struct ec_store *s, struct ec_txn *t,
		   const struct ec_plan *p, struct ec_err *e)
{
	char now[32];
	int n = 0;

	if (!t)
		return (int)p->nchanges;
	ec_time_rfc3339(time(NULL), now, sizeof(now));
	for (size_t i = 0; i < p->ncrt; i++) {
		const struct ec_place_crt *pc = &p->crt[i];

		if (pc->action != EC_PLACE_ADD && pc->action != EC_PLACE_MOVE)
			continue;
		if (stage_crt(s, t, pc, now, e) < 0)
			return -1;
		n++;
	}
	for (size_t i = 0; i < p->ncrl; i++) {
		if (p->crl[i].action != EC_PLACE_ADD)
			continue;
		if (ec_cs_stage_crl(s, t, p->crl[i].crl, p->crl[i].der, NULL,
				    e) < 0)
			return -1;
		n++;
	}
	return n;
}

/* A path certificate's store fields (metadata, has a key), read once
 * for the certificates many paths share (the root at the top of every
 * path of a bundle): a small cache by handle. */
#define OBJ_CACHE 64

struct obj_cache {
	struct {
		gnutls_x509_crt_t crt;
		int sec;
		struct ec_meta m;
		struct ec_cert_extra x;
		struct ec_cert_facts f;
	} v[OBJ_CACHE];
};

static void obj_cache_free(struct obj_cache *oc)
{
	for (size_t i = 0; i < OBJ_CACHE; i++) {
		ec_meta_free(&oc->v[i].m);
		if (oc->v[i].crt)
			ec_cert_facts_free(&oc->v[i].f);
	}
}

/* A path's certificate object; f: its facts when the caller has them
 * (one of the file's).  Returns the facts written. */
static const struct ec_cert_facts *crt_obj(struct ec_status *st,
					   struct ec_store *s,
					   struct obj_cache *oc,
					   gnutls_x509_crt_t crt, int sec,
					   const struct ec_cert_facts *f)
{
	size_t h = ((uintptr_t)crt >> 4) % OBJ_CACHE;
	struct ec_cert_extra none = { 0 };
	struct ec_err e;

	if (sec < 0 && f) {	/* not in the store: nothing to read */
		ec_status_obj(st, NULL);
		ec_cert_facts_fields(st, f, &none);
		ec_status_end(st);
		return f;
	}
	if (oc->v[h].crt != crt || oc->v[h].sec != sec) {
		ec_meta_free(&oc->v[h].m);
		if (oc->v[h].crt)
			ec_cert_facts_free(&oc->v[h].f);
		memset(&oc->v[h], 0, sizeof(oc->v[h]));
		oc->v[h].crt = crt;
		oc->v[h].sec = sec;
		(void)ec_cert_facts(crt, &oc->v[h].f);
		if (sec >= 0 && oc->v[h].f.sha1[0] &&
		    ec_cs_load_meta(s, (enum ec_section)sec, oc->v[h].f.sha1,
				    &oc->v[h].m, &e) == 0)
			ec_cs_extra(s, (enum ec_section)sec, oc->v[h].f.sha1,
				    &oc->v[h].m, &oc->v[h].x);
		if (sec >= 0)
			oc->v[h].x.section =
				ec_section_name((enum ec_section)sec);
	}
	if (!f)
		f = &oc->v[h].f;
	ec_status_obj(st, NULL);
	ec_cert_facts_fields(st, f, &oc->v[h].x);
	ec_status_end(st);
	return f;
}

static void report_crts(struct ec_status *st, const struct ec_plan *p,
			const struct ec_cert_facts *f)
{
	ec_status_arr(st, "certificates");
	for (size_t i = 0; i < p->ncrt; i++) {
		const struct ec_place_crt *pc = &p->crt[i];
		struct ec_cert_extra x = { 0 };
		struct ec_cert_facts tmp;
		const struct ec_cert_facts *fi;

		if (f) {
			fi = &f[i];
		} else {
			(void)ec_cert_facts(pc->crt, &tmp);
			fi = &tmp;
		}
		if (pc->sec >= 0)
			x.section = ec_section_name((enum ec_section)pc->sec);
		ec_status_obj(st, NULL);
		ec_cert_facts_fields(st, fi, &x);
		ec_status_str(st, "action", action_name(pc->action));
		ec_status_str(st, "reason", pc->why);
		ec_status_end(st);
		ec_status_text(st, "%-8s %s %-5s %s%s%s",
			       action_name(pc->action), fi->sha1,
			       x.section ? x.section : "-",
			       fi->subject ? fi->subject : "",
			       pc->why ? ": " : "", pc->why ? pc->why : "");
		if (!f)
			ec_cert_facts_free(&tmp);
	}
	ec_status_end(st);
}

static void report_crls(struct ec_status *st, const struct ec_plan *p)
{
	ec_status_arr(st, "crls");
	for (size_t i = 0; i < p->ncrl; i++) {
		const struct ec_place_crl *pc = &p->crl[i];
		gnutls_datum_t dn = { NULL, 0 };
		char t1[32], t2[32];

		gnutls_x509_crl_get_issuer_dn3(pc->crl, &dn, 0);
		ec_time_rfc3339(gnutls_x509_crl_get_this_update(pc->crl), t1,
				sizeof(t1));
		ec_time_rfc3339(gnutls_x509_crl_get_next_update(pc->crl), t2,
				sizeof(t2));
		ec_status_obj(st, NULL);
		ec_status_str(st, "id", pc->id);
		ec_status_str(st, "issuer", dn.data ? (char *)dn.data : "");
		ec_status_str(st, "this_update", t1);
		ec_status_str(st, "next_update", t2);
		ec_status_int(st, "revoked_count",
			      gnutls_x509_crl_get_crt_count(pc->crl));
		ec_status_str(st, "action", action_name(pc->action));
		ec_status_str(st, "reason", pc->why);
		ec_status_end(st);
		ec_status_text(st, "%-8s %s crl   %s%s%s",
			       action_name(pc->action), pc->id,
			       dn.data ? (char *)dn.data : "", pc->why ? ": " : "",
			       pc->why ? pc->why : "");
		gnutls_free(dn.data);
	}
	ec_status_end(st);
}

static void report_paths(struct ec_status *st, struct ec_store *s,
			 const struct ec_plan *p, const struct ec_cert_facts *f)
{
	struct obj_cache oc;

	memset(&oc, 0, sizeof(oc));
	ec_status_arr(st, "paths");
	for (size_t i = 0; i < p->npath; i++) {
		const struct ec_chain *c = &p->path[i];

		ec_status_obj(st, NULL);
		ec_status_bool(st, "complete", p->complete[i]);
		ec_status_bool(st, "anchored", p->anchored[i]);
		ec_status_text(st, "path %zu: %s%s", i + 1, p->complete[i] ?
			       "complete" : "incomplete", p->anchored[i] ?
			       ", ends in a trusted root" : "");
		ec_status_arr(st, "certificates");
		for (size_t j = 0; j < c->n; j++) {
			long k = plan_index(p, c, j);
			const struct ec_cert_facts *cf;

			cf = crt_obj(st, s, &oc, c->v[j], placed_sec(p, c, j),
				     k >= 0 && f ? &f[k] : NULL);
			ec_status_text(st, "  %zu. %s", j + 1,
				       cf->subject ? cf->subject : "");
		}
		ec_status_end(st);
		ec_status_end(st);
	}
	ec_status_end(st);
	obj_cache_free(&oc);
}

void ec_place_report(struct ec_status *st, struct ec_store *s,
		     const struct ec_plan *p)
{
	/* each of the file's certificates is written twice (among the
	 * certificates and in a path), some many times: its fields made
	 * once */
	struct ec_cert_facts *f = calloc(p->ncrt ? p->ncrt : 1, sizeof(*f));

	/* out of memory: each made when it is written */
	for (size_t i = 0; f && i < p->ncrt; i++)
		(void)ec_cert_facts(p->crt[i].crt, &f[i]);
	report_crts(st, p, f);
	report_crls(st, p);
	report_paths(st, s, p, f);
	for (size_t i = 0; f && i < p->ncrt; i++)
		ec_cert_facts_free(&f[i]);
	free(f);
}

void ec_place_free(struct ec_plan *p)
{
	for (size_t i = 0; i < p->npath; i++)
		ec_chain_free(&p->path[i]);
	free(p->path);
	free(p->complete);
	free(p->anchored);
	free(p->crt);
	free(p->crl);
	free(p->pj);
	ec_chainset_free(&p->cs);
	memset(p, 0, sizeof(*p));
}
