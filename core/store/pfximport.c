#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>

#include "certstore.h"
#include "chain.h"
#include "meta.h"
#include "pfximport.h"

/* Some files have no MAC: said, not refused. */
static void no_mac_note(struct ec_pfximport *im)
{
	if (!im->pfx.mac)
		ec_status_warn(im->st, "'%s' has no MAC: its integrity was not "
			       "checked", im->file);
}

static int seen(struct ec_pfximport *im, gnutls_x509_crt_t crt)
{
	for (size_t i = 0; i < im->n; i++)
		if (gnutls_x509_crt_equals(im->c[i].crt, crt))
			return 1;
	return 0;
}

/* The friendly name of a certificate with a key: --name, the cert bag's,
 * the key bag's (unless it names a key container), the subject's CN. */
static int choose_name(struct ec_pfximport *im, struct ec_pfximport_cert *p,
		       size_t ci, size_t ki, struct ec_err *e)
{
	const char *c = im->pfx.key_container[ki];
	const char *v = im->pfx.key_provider[ki];

	p->name = im->name ? im->name : im->pfx.crt_name[ci] ?
		  im->pfx.crt_name[ci] : im->pfx.key_name[ki];
	if (!p->name)
		p->name = p->cn = ec_cert_cn(p->crt);
	if ((c && !(p->container = strdup(c))) ||
	    (v && !(p->provider = strdup(v))))
		return ec_fail(e, EC_INTERNAL, "out of memory");
	return 0;
}

/* Pair keys and certificates by public key; decide every section. */
int ec_pfximport_plan(struct ec_pfximport *im, struct ec_err *e)
{
	struct ec_pfx *x = &im->pfx;
	size_t npersonal = 0;

	if (x->nkey == 0)
		return ec_fail(e, EC_BAD_INPUT, "'%s' holds no private "
			       "key", im->file);
	if (!(im->c = calloc(x->ncrt ? x->ncrt : 1, sizeof(*im->c))))
		return ec_fail(e, EC_INTERNAL, "out of memory");
	im->clean = 1;
	for (size_t i = 0; i < x->ncrt; i++) {
		struct ec_pfximport_cert *p = &im->c[im->n];

		if (seen(im, x->crt[i]))
			continue;
		p->crt = x->crt[i];
		if (ec_cert_ids(p->crt, p->sha1, NULL, e) < 0)
			return -1;
		im->n++;
		for (size_t k = 0; k < x->nkey && !p->key; k++)
			if (ec_key_matches(p->crt, x->key[k])) {
				p->key = x->key[k];
				p->sec = EC_SEC_PERSONAL;
				if (choose_name(im, p, i, k, e) < 0)
					return -1;
				npersonal++;
			}
		if (!p->key) {
			p->name = x->crt_name[i];
			p->sec = ec_ca_section(p->crt, im->trust_root);
		}
		if (p->sec < 0) {
			im->clean = 0;
			p->action = EC_PFXIMPORT_SKIPPED;
			p->why = "no private key in the file and not a CA "
				 "certificate (no basicConstraints CA:TRUE)";
			ec_status_warn(im->st, "certificate %s has no private key "
				       "and is no CA: not imported", p->sha1);
		}
	}
	for (size_t k = 0; k < x->nkey; k++) {
		const struct ec_pfximport_cert *twin = NULL;
		int used = 0;

		for (size_t i = 0; i < im->n && !used; i++)
			used = im->c[i].key == x->key[k];
		/* the same key again (a second bag): a copy, not a stray */
		for (size_t i = 0; i < im->n && !used && !twin; i++)
			if (im->c[i].key &&
			    ec_key_matches(im->c[i].crt, x->key[k]))
				twin = &im->c[i];
		if (twin) {
			ec_status_warn(im->st, "the private key of certificate %s "
				       "is in the file twice: the copy is ignored",
				       twin->sha1);
		} else if (!used) {
			im->clean = 0;
			ec_status_warn(im->st, "a private key in the file belongs "
				       "to none of its certificates: not imported");
		}
	}
	if (npersonal == 0)
		return ec_fail(e, EC_BAD_INPUT, "no private key in '%s'"
			       " belongs to a certificate in it", im->file);
	no_mac_note(im);
	return 0;
}

/* The stored key of a certificate must be its own, or be replaced with
 * --force.  Returns 1 when the key is to be staged. */
static int key_needed(struct ec_pfximport *im, struct ec_pfximport_cert *p,
		      const struct ec_meta *m, struct ec_err *e)
{
	gnutls_x509_privkey_t old;
	char name[EC_SHA1_HEX + 4];
	const char *url = ec_cs_key_url(m);
	int same;

	snprintf(name, sizeof(name), "%s.key", p->sha1);
	if (url && im->tok) {
		/* in the token already: the same key stays */
		if ((same = ec_token_matches(im->tok, url, p->crt, e)) < 0 &&
		    !im->force)
			return -1;
		e->code = EC_OK;
		if (same > 0 && !(p->key_url = strdup(url)))
			return ec_fail(e, EC_INTERNAL, "out of memory");
		if (same > 0 || im->force)
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
	if (!ec_store_has(im->store, EC_SEC_PERSONAL, name))
		return 1;
	if (im->tok)
		return 1;	/* a key file moves into the token */
	if (ec_cs_load_key(im->store, EC_SEC_PERSONAL, p->sha1, &old, e) < 0) {
		if (!im->force)
			return -1;
		e->code = EC_OK;
		return 1;
	}
	same = ec_key_matches(p->crt, old);
	gnutls_x509_privkey_deinit(old);
	if (same)
		return 0;	/* the same key, perhaps encoded otherwise */
	if (!im->force)
		return ec_fail(e, EC_EXISTS, "certificate %s is in the store "
			       "with a different private key (use --force to "
			       "replace it)", p->sha1);
	return 1;
}

/* The metadata of a certificate.  Where it came from is recorded when it
 * is new or gets a new key, so that the same certificate and key from
 * another file (each export salts anew) change nothing. */
static int set_meta(struct ec_pfximport *im, struct ec_meta *m,
		    const struct ec_pfximport_cert *p, const char *name, int personal,
		    int new_key, struct ec_err *e)
{
	int fresh = !ec_meta_get(m, "added");
	int src = fresh || new_key;

	if ((name && ec_meta_set(m, "friendly_name", name) < 0) ||
	    (personal && ec_meta_set(m, "exportable", im->exportable ?
				     "true" : "false") < 0) ||
	    (fresh && ec_meta_set(m, "added", im->now) < 0) ||
	    (src &&
	     (ec_meta_set(m, "source", "pfx") < 0 ||
	      ec_meta_set(m, "source_sha256", im->source_sha256) < 0)) ||
	    (src && p && p->container &&
	     ec_meta_set(m, "key_container", p->container) < 0) ||
	    (src && p && p->provider &&
	     ec_meta_set(m, "key_provider", p->provider) < 0))
		return ec_fail(e, EC_INTERNAL, "out of memory");
	return 0;
}

/* Write the key (and its certificate) into the token; with --check only
 * say that it would go there. */
static int to_token(struct ec_pfximport *im, struct ec_pfximport_cert *p,
		    struct ec_err *e)
{
	free(p->key_url);
	p->key_url = NULL;
	if (im->check)
		return 0;
	if (ec_token_import(im->tok, im->token_url, p->key, p->name,
			    im->exportable, &p->key_url, e) < 0)
		return -1;
	p->imported = 1;
	return ec_token_put_cert(im->tok, p->key_url, p->crt, p->name,
				 e) < 0 ? -1 : 0;
}

static int stage_personal(struct ec_pfximport *im,
			  struct ec_pfximport_cert *p, struct ec_err *e)
{
	char name[EC_SHA1_HEX + 4];
	struct ec_meta m;
	int r, want_key, had, changed;

	snprintf(name, sizeof(name), "%s.pem", p->sha1);
	had = ec_store_has(im->store, EC_SEC_PERSONAL, name);
	if (ec_cs_load_meta(im->store, EC_SEC_PERSONAL, p->sha1, &m, e) < 0)
		return -1;
	if ((want_key = key_needed(im, p, &m, e)) < 0 ||
	    (want_key && im->tok && to_token(im, p, e) < 0)) {
		ec_meta_free(&m);
		return -1;
	}
	r = set_meta(im, &m, p, p->name, 1, want_key, e);
	if (r == 0 && want_key && im->token_url &&
	    (ec_meta_set(&m, "key_store", "pkcs11") < 0 ||
	     ec_meta_set(&m, "key_url", p->key_url) < 0))
		r = ec_fail(e, EC_INTERNAL, "out of memory");
	if (r == 0)
		r = ec_cs_stage_cert(im->store, im->txn, EC_SEC_PERSONAL,
				     p->crt, &m, e);
	ec_meta_free(&m);
	if (r < 0)
		return -1;
	changed = r;
	if (want_key && im->token_url) {
		changed = 1;
		snprintf(name, sizeof(name), "%s.key", p->sha1);
		if (im->txn && ec_store_has(im->store, EC_SEC_PERSONAL, name) &&
		    ec_txn_del(im->txn, EC_SEC_PERSONAL, name, e) < 0)
			return -1;
	} else if (want_key) {
		if ((r = ec_cs_stage_key(im->store, im->txn, EC_SEC_PERSONAL,
					 p->sha1, p->key, e)) < 0)
			return -1;
		changed |= r;
	}
	p->action = !changed ? EC_PFXIMPORT_PRESENT : had ? EC_PFXIMPORT_UPDATED : EC_PFXIMPORT_ADDED;
	im->changed |= changed;
	return 0;
}

/* A CA certificate: placed when new; a root already in ca moves to root
 * with --trust-root; otherwise left where the store has it. */
static int stage_ca(struct ec_pfximport *im, struct ec_pfximport_cert *p,
		    struct ec_err *e)
{
	int where = ec_cs_where(im->store, p->sha1), from = -1, r;
	struct ec_meta m;

	if (where >= 0 && !(where == EC_SEC_CA && p->sec == EC_SEC_ROOT)) {
		p->sec = where;
		p->action = EC_PFXIMPORT_PRESENT;
		return 0;
	}
	if (where == EC_SEC_CA)
		from = EC_SEC_CA;
	p->action = from >= 0 ? EC_PFXIMPORT_MOVED : EC_PFXIMPORT_ADDED;
	if (ec_cs_load_meta(im->store, EC_SEC_CA, p->sha1, &m, e) < 0)
		return -1;
	r = set_meta(im, &m, NULL, from < 0 ? p->name : NULL, 0, 0, e);
	if (r == 0)
		r = ec_cs_stage_cert(im->store, im->txn, (enum ec_section)p->sec,
				     p->crt, &m, e);
	ec_meta_free(&m);
	if (r < 0)
		return -1;
	im->changed = 1;
	if (from >= 0 && im->txn &&
	    ec_cs_stage_del_cert(im->store, im->txn, EC_SEC_CA, p->crt, e) < 0)
		return -1;
	return 0;
}

/* A root left in ca: the record says why, a warning too. */
static void root_note(struct ec_pfximport *im, struct ec_pfximport_cert *p)
{
	if (p->sec != EC_SEC_CA || !ec_crt_self_signed(p->crt))
		return;
	p->why = "a root not yet trusted (--trust-root trusts it)";
	ec_status_warn(im->st, "root %s placed in ca, not trusted (give "
		       "--trust-root to trust it)", p->sha1);
}

/* The import record of the file (imported.h), staged with the rest when
 * the file held nothing that was skipped: not a change of the store's
 * content, so changed is left as it is. */
static int stage_record(struct ec_pfximport *im, struct ec_err *e)
{
	struct ec_imported rec = {
		.mac = (char *)im->pfx.mac, .pass = (int)im->pfx.pass,
		.exportable = im->exportable, .trust_root = im->trust_root,
		.name_opt = (char *)im->name,
	};
	int r = 0;

	if (!im->clean)
		return 0;
	for (size_t i = 0; i < im->n && r == 0; i++)
		r = ec_imported_add(&rec, (enum ec_section)im->c[i].sec,
				    im->c[i].sha1, im->c[i].name);
	if (r == 0)
		r = ec_imported_stage(im->store, im->txn, im->source_sha256,
				      &rec, e);
	else
		ec_fail(e, EC_INTERNAL, "out of memory");
	rec.mac = rec.name_opt = NULL;	/* not owned */
	ec_imported_free(&rec);
	return r < 0 ? -1 : 0;
}

/* A failed run takes the keys it wrote into the token out again. */
static void undo_token(struct ec_pfximport *im)
{
	struct ec_err e;

	for (size_t i = 0; i < im->n; i++)
		if (im->c[i].imported && im->c[i].key_url &&
		    ec_token_remove(im->tok, im->c[i].key_url, &e) < 0)
			ec_status_warn(im->st, "a key written into the token "
				       "stays there: %s", e.msg);
}

/* Stage every certificate (txn NULL: --check) and the import record. */
static int stage_all(struct ec_pfximport *im, struct ec_err *e)
{
	ec_time_rfc3339(time(NULL), im->now, sizeof(im->now));
	for (size_t i = 0; i < im->n; i++) {
		struct ec_pfximport_cert *p = &im->c[i];

		if (p->sec == EC_SEC_PERSONAL && stage_personal(im, p, e) < 0)
			return -1;
		if ((p->sec == EC_SEC_CA || p->sec == EC_SEC_ROOT) &&
		    stage_ca(im, p, e) < 0)
			return -1;
		/* where the store has it now, or will */
		root_note(im, p);
	}
	return im->txn ? stage_record(im, e) : 0;
}

int ec_pfximport_apply(struct ec_pfximport *im, struct ec_err *e)
{
	struct ec_txn *t;

	if ((!im->check && ec_txn_begin(im->store, &im->txn, e) < 0) ||
	    stage_all(im, e) < 0) {
		undo_token(im);
		return -1;
	}
	if (!im->txn)
		return 0;
	t = im->txn;
	im->txn = NULL;
	if (ec_txn_count(t) == 0) {
		ec_txn_abort(t);
		return 0;
	}
	if (ec_txn_commit(t, e) < 0) {
		undo_token(im);
		return -1;
	}
	return 0;
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
static int holds(struct ec_pfximport *im, const struct ec_imported_cert *c,
		 struct ec_pfximport_cert *p)
{
	struct ec_store *s = im->store;
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
	     set_meta(im, &m, NULL, c->name, 1, 0, &e) == 0 &&
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

/* c[] (their certificates are the store's, owned, when recorded). */
static void free_certs(struct ec_pfximport *im)
{
	for (size_t i = 0; i < im->n; i++) {
		if (im->recorded && im->c[i].crt)
			gnutls_x509_crt_deinit(im->c[i].crt);
		free(im->c[i].cn);
		free(im->c[i].key_url);
		free(im->c[i].container);
		free(im->c[i].provider);
	}
	free(im->c);
	im->c = NULL;
	im->n = 0;
}

/* Without deriving a key, and so without trying the password
 * (password_used "unchecked"). */
int ec_pfximport_recorded(struct ec_pfximport *im, int no_password)
{
	struct ec_imported *rec = &im->rec;
	struct ec_err e;

	/* the record knows key files only: a key bound for a token is
	 * imported in full */
	if (im->token_url)
		return 0;
	if (ec_imported_load(im->store, im->source_sha256, no_password, rec,
			     &e) != 1 || rec->exportable != im->exportable ||
	      rec->trust_root != im->trust_root ||
	      !same_opt(rec->name_opt, im->name) ||
	      !(im->c = calloc(rec->n, sizeof(*im->c))))
		goto miss;
	im->recorded = 1;
	for (size_t i = 0; i < rec->n; i++) {
		struct ec_pfximport_cert *p = &im->c[i];

		im->n++;
		if (!holds(im, &rec->c[i], p))
			goto miss;
		p->sec = (int)rec->c[i].sec;
		p->name = rec->c[i].name;
		p->action = EC_PFXIMPORT_PRESENT;
		memcpy(p->sha1, rec->c[i].sha1, EC_SHA1_HEX);
	}
	im->pfx.mac = rec->mac;
	im->pfx.pass = (enum ec_pfx_pass)rec->pass;
	no_mac_note(im);
	for (size_t i = 0; i < im->n; i++)
		root_note(im, &im->c[i]);
	return 1;
miss:
	free_certs(im);
	im->recorded = 0;
	ec_imported_free(rec);
	return 0;
}

void ec_pfximport_free(struct ec_pfximport *im)
{
	if (im->txn)
		ec_txn_abort(im->txn);
	im->txn = NULL;
	free_certs(im);
	ec_imported_free(&im->rec);
	if (im->recorded)
		im->pfx.mac = NULL;	/* the record's */
	ec_pfx_free(&im->pfx);
}

