/* pending.c: the pending section (pending.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "cert.h"
#include "certstore.h"
#include "pending.h"

static const char *const exts[] = { "key", "csr", "meta" };

static void objname(char *buf, size_t n, const char *id, const char *ext)
{
	snprintf(buf, n, "%s.%s", id, ext);
}

int ec_pending_has(struct ec_store *s, const char *id)
{
	char name[EC_PENDING_ID_MAX + 16];

	objname(name, sizeof(name), id, "meta");
	return ec_store_has(s, EC_SEC_PENDING, name);
}

/* Read and parse a section's <id>.meta while scanning: one that cannot be
 * read or parsed is skipped (returns -1). */
static int scan_meta(struct ec_store *s, enum ec_section sec,
		     const char *name, struct ec_meta *m)
{
	struct ec_data d = { 0 };
	struct ec_err e;
	int r;

	if (ec_store_read(s, sec, name, &d, &e) < 0)
		return -1;
	r = ec_meta_parse(m, (char *)d.data, d.size, &e);
	ec_data_free(&d);
	return r;
}

struct find {
	struct ec_store *store;
	enum ec_section sec;
	const char *key, *want;	/* meta key and value to find */
	size_t prefix;		/* match want as a prefix of the id instead */
	char id[EC_PENDING_ID_MAX];
	int hits;
};

static int find_one(void *arg, const char *name)
{
	struct find *f = arg;
	size_t n = strlen(name) - 5;	/* ".meta" */
	struct ec_meta m;
	char obj[EC_PENDING_ID_MAX];
	const char *v;

	if (n >= sizeof(obj))
		return 0;
	memcpy(obj, name, n);
	obj[n] = '\0';
	if (f->prefix) {
		if (strncmp(obj, f->want, f->prefix) == 0) {
			memcpy(f->id, obj, n + 1);
			f->hits++;
		}
		return 0;
	}
	if (scan_meta(f->store, f->sec, name, &m) < 0)
		return 0;
	v = ec_meta_get(&m, f->key);
	if (v && strcmp(v, f->want) == 0) {
		memcpy(f->id, obj, n + 1);
		f->hits++;
	}
	ec_meta_free(&m);
	return 0;
}

static int find(struct find *f, struct ec_err *e)
{
	if (ec_store_scan(f->store, f->sec, ".meta", find_one, f, e) < 0)
		return -1;
	return f->hits;
}

int ec_pending_find(struct ec_store *s, const char *key, const char *want,
		    size_t prefix, char id[EC_PENDING_ID_MAX], struct ec_err *e)
{
	struct find f = { .store = s, .sec = EC_SEC_PENDING, .key = key,
			  .want = want, .prefix = prefix };
	int r = find(&f, e);

	if (r == 1)
		memcpy(id, f.id, sizeof(f.id));
	return r;
}

int ec_pending_resolve(struct ec_store *s, const char *prefix,
		       char id[EC_PENDING_ID_MAX], struct ec_err *e)
{
	int hits = ec_pending_find(s, NULL, prefix, strlen(prefix), id, e);

	if (hits < 0)
		return -1;
	if (hits == 0)
		return ec_fail(e, EC_NO_PENDING_REQUEST, "no pending request "
			       "has id '%s'", prefix);
	if (hits > 1)
		return ec_fail(e, EC_AMBIGUOUS, "%d pending requests have ids "
			       "starting '%s'", hits, prefix);
	return 0;
}

int ec_pending_created(const struct ec_meta *m, time_t *out)
{
	const char *created = ec_meta_get(m, "created");
	struct tm tm = { 0 };

	if (!created || !strptime(created, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return -1;
	*out = timegm(&tm);
	return 0;
}

int ec_pending_cancel(struct ec_store *s, const char *id, struct ec_err *e)
{
	struct ec_txn *t = NULL;

	if (ec_txn_begin(s, &t, e) < 0)
		return -1;
	if (ec_pending_stage_del(s, t, id, e) < 0) {
		ec_txn_abort(t);
		return -1;
	}
	return ec_txn_commit(t, e);
}

int ec_pending_find_issued(struct ec_store *s, const char *params,
			   char sha1[EC_PENDING_ID_MAX], struct ec_err *e)
{
	struct find f = { .store = s, .sec = EC_SEC_PERSONAL,
			  .key = "request_params", .want = params };
	int r = find(&f, e);

	if (r >= 1)
		memcpy(sha1, f.id, sizeof(f.id));
	return r;
}

int ec_pending_load_meta(struct ec_store *s, const char *id, struct ec_meta *m,
			 struct ec_err *e)
{
	return ec_cs_load_meta(s, EC_SEC_PENDING, id, m, e);
}

int ec_pending_load_key(struct ec_store *s, const char *id,
			gnutls_x509_privkey_t *key, struct ec_err *e)
{
	return ec_cs_load_key(s, EC_SEC_PENDING, id, key, e);
}

void ec_pending_req_free(gnutls_x509_crq_t crq, gnutls_datum_t *pem,
			 struct ec_meta *m)
{
	if (crq)
		gnutls_x509_crq_deinit(crq);
	free(pem->data);
	pem->data = NULL;
	ec_meta_free(m);
}

int ec_pending_load_csr(struct ec_store *s, const char *id,
			gnutls_x509_crq_t *crq, gnutls_datum_t *pem,
			struct ec_err *e)
{
	struct ec_data d = { 0 };
	gnutls_datum_t dt;
	char name[EC_PENDING_ID_MAX + 16];
	int r;

	*crq = NULL;
	objname(name, sizeof(name), id, "csr");
	if (ec_store_read(s, EC_SEC_PENDING, name, &d, e) < 0)
		return -1;
	dt.data = d.data;
	dt.size = (unsigned)d.size;
	if ((r = gnutls_x509_crq_init(crq)) < 0 ||
	    (r = gnutls_x509_crq_import(*crq, &dt, GNUTLS_X509_FMT_PEM)) < 0) {
		if (*crq)
			gnutls_x509_crq_deinit(*crq);
		*crq = NULL;
		ec_data_free(&d);
		return ec_fail(e, EC_STORE_CORRUPT, "pending/%s: %s", name,
			       gnutls_strerror(r));
	}
	if (pem)
		*pem = dt;	/* handed over */
	else
		ec_data_free(&d);
	return 0;
}

int ec_pending_load(struct ec_store *s, const char *id, gnutls_x509_crq_t *crq,
		    gnutls_datum_t *pem, struct ec_meta *m, struct ec_err *e)
{
	struct ec_data d = { 0 };
	char name[EC_PENDING_ID_MAX + 16];
	int r;

	*crq = NULL;
	pem->data = NULL;
	objname(name, sizeof(name), id, "meta");
	if (ec_store_read(s, EC_SEC_PENDING, name, &d, e) < 0)
		return -1;
	r = ec_meta_parse(m, (char *)d.data, d.size, e);
	ec_data_free(&d);
	if (r < 0)
		return -1;
	if (ec_pending_load_csr(s, id, crq, pem, e) < 0) {
		ec_meta_free(m);
		return -1;
	}
	return 0;
}

int ec_pending_stage(struct ec_store *s, struct ec_txn *t, const char *id,
		     gnutls_x509_privkey_t key, const gnutls_datum_t *pem,
		     const char *meta, size_t meta_len, struct ec_err *e)
{
	char name[EC_PENDING_ID_MAX + 16];

	if (key && ec_cs_stage_key(s, t, EC_SEC_PENDING, id, key, e) < 0)
		return -1;
	objname(name, sizeof(name), id, "csr");
	if (ec_txn_put(t, EC_SEC_PENDING, name, pem->data, pem->size, 0644,
		       e) < 0)
		return -1;
	objname(name, sizeof(name), id, "meta");
	return ec_txn_put(t, EC_SEC_PENDING, name, meta, meta_len, 0644, e);
}

int ec_pending_stage_del(struct ec_store *s, struct ec_txn *t, const char *id,
			 struct ec_err *e)
{
	char name[EC_PENDING_ID_MAX + 16];
	int n = 0;

	for (size_t i = 0; i < sizeof(exts) / sizeof(*exts); i++) {
		objname(name, sizeof(name), id, exts[i]);
		if (!ec_store_has(s, EC_SEC_PENDING, name))
			continue;
		n++;
		if (t && ec_txn_del(t, EC_SEC_PENDING, name, e) < 0)
			return -1;
	}
	return n;
}

void ec_pending_csr_path(struct ec_store *s, const char *id, char *buf,
			 size_t n)
{
	snprintf(buf, n, "%s/%s/%s.csr", ec_store_dir(s),
		 ec_section_name(EC_SEC_PENDING), id);
}

struct subjects {
	struct ec_store *store;
	struct ec_buf *text;
	int n;
};

static int subject_one(void *arg, const char *name)
{
	struct subjects *sj = arg;
	struct ec_meta m;
	const char *subj;

	if (scan_meta(sj->store, EC_SEC_PENDING, name, &m) < 0)
		return 0;
	subj = ec_meta_get(&m, "subject");
	ec_buf_addf(sj->text, "%s'%s'", sj->n++ ? ", " : "", subj ? subj : "?");
	ec_meta_free(&m);
	return 0;
}

int ec_pending_subjects(struct ec_store *s, struct ec_buf *out,
			struct ec_err *e)
{
	struct subjects sj = { .store = s, .text = out };

	if (ec_store_scan(s, EC_SEC_PENDING, ".meta", subject_one, &sj, e) < 0)
		return -1;
	return sj.n;
}

/* The subject as given, for the params (before the request exists). */
static void given_subject(const struct ec_csr_params *p, char *buf, size_t n)
{
	if (p->subject) {
		snprintf(buf, n, "%s", p->subject);
		return;
	}
	snprintf(buf, n, "C=%s;ST=%s;L=%s;O=%s;OU=%s;CN=%s",
		 p->country ? p->country : "", p->state ? p->state : "",
		 p->locality ? p->locality : "", p->org ? p->org : "",
		 p->ou ? p->ou : "", p->cn ? p->cn : "");
}

static void hex32(const unsigned char d[32], char out[EC_SHA256_HEX])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

void ec_pending_params_id(const struct ec_pending_spec *sp,
			  char out[EC_SHA256_HEX])
{
	const struct ec_csr_params *p = sp->p;
	struct ec_buf b = { 0 };
	unsigned char d[32];
	char subject[2048];

	given_subject(p, subject, sizeof(subject));
	ec_buf_addf(&b, "subject=%s\n", subject);
	for (size_t i = 0; i < p->ndns; i++)
		ec_buf_addf(&b, "dns=%s\n", p->dns[i]);
	for (size_t i = 0; i < p->nip; i++)
		ec_buf_addf(&b, "ip=%s\n", p->ip[i]);
	for (size_t i = 0; i < p->neku; i++)
		ec_buf_addf(&b, "eku=%s\n", p->eku[i]);
	ec_buf_addf(&b, "key=%d/%u/%d\nexportable=%d\nname=%s\n", sp->pk,
		    sp->bits, sp->curve, sp->exportable,
		    sp->name ? sp->name : "");
	ec_buf_addf(&b, "template=%s\ntemplate_oid=%s:%ld:%ld\n",
		    p->template_name ? p->template_name : "",
		    p->template_oid ? p->template_oid : "",
		    p->template_major, p->template_minor);
	/* absent unless --inf gave them, so that old ids stand */
	if (p->key_usage || p->hash || p->exact_sans)
		ec_buf_addf(&b, "key_usage=%u\nhash=%d\nexact_sans=%d\n",
			    p->key_usage, (int)p->hash, p->exact_sans);
	if (sp->token)	/* absent for a key file, so that old ids stand */
		ec_buf_addf(&b, "token=%s\n", sp->token);
	gnutls_hash_fast(GNUTLS_DIG_SHA256, b.p ? b.p : "", b.len, d);
	hex32(d, out);
	ec_buf_free(&b);
}

int ec_pending_fill_meta(struct ec_meta *m, const struct ec_pending_spec *sp,
			 const char *id, const char *params,
			 gnutls_x509_crq_t crq, const char *key_url)
{
	const struct ec_csr_params *p = sp->p;
	gnutls_datum_t dn = { NULL, 0 };
	char now[32], bits[16], oid[300];
	int r = 0;

	ec_time_rfc3339(time(NULL), now, sizeof(now));
	snprintf(bits, sizeof(bits), "%u", sp->pk == GNUTLS_PK_RSA ? sp->bits :
		 sp->pk == GNUTLS_PK_ECDSA ?
		 8 * (unsigned)gnutls_ecc_curve_get_size(sp->curve) :
		 255);
	if (p->template_oid)
		snprintf(oid, sizeof(oid), "%s%s%.0ld%s%.0ld", p->template_oid,
			 p->template_major >= 0 ? ":" : "",
			 p->template_major >= 0 ? p->template_major : 0,
			 p->template_minor >= 0 ? ":" : "",
			 p->template_minor >= 0 ? p->template_minor : 0);
	gnutls_x509_crq_get_dn3(crq, &dn, 0);
	r |= ec_meta_set(m, "id", id);
	r |= ec_meta_set(m, "subject", dn.data ? (char *)dn.data : "");
	r |= ec_meta_set(m, "created", now);
	r |= ec_meta_set(m, "friendly_name", sp->name);
	r |= ec_meta_set(m, "exportable", sp->exportable ? "true" : "false");
	r |= ec_meta_set(m, "key_type", sp->key_type);
	r |= ec_meta_set(m, "key_bits", bits);
	r |= ec_meta_set(m, "template", p->template_name);
	r |= ec_meta_set(m, "template_oid", p->template_oid ? oid : NULL);
	r |= ec_meta_set(m, "params", params);
	r |= ec_meta_set(m, "key_store", sp->token ? "pkcs11" : NULL);
	r |= ec_meta_set(m, "key_url", key_url);
	gnutls_free(dn.data);
	return r;
}

int ec_pending_key_make(const struct ec_pending_spec *sp, struct ec_token *tok,
			int check, struct ec_pending_key *k, struct ec_err *e)
{
	const char *label = sp->name ? sp->name : sp->p->cn ? sp->p->cn :
			    "edgecert";
	int r;

	if (tok) {
		if (ec_token_find(tok, sp->token, e) < 0)
			return -1;
		if (!check)
			return ec_token_generate(tok, sp->token, sp->pk,
						 sp->bits, sp->curve, label,
						 sp->exportable, &k->url,
						 e) < 0 ||
			       ec_token_privkey(tok, k->url, &k->key, e) < 0 ?
			       -1 : 0;
	}
	if (ec_key_generate(sp->pk, sp->bits, sp->curve, &k->x509, e) < 0)
		return -1;
	if ((r = gnutls_privkey_init(&k->key)) < 0 ||
	    (r = gnutls_privkey_import_x509(k->key, k->x509, 0)) < 0)
		return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	return 0;
}

int ec_pending_key_free(struct ec_pending_key *k, struct ec_token *tok,
			int failed, struct ec_err *e)
{
	int r = 0;

	if (failed && tok && k->url && ec_token_remove(tok, k->url, e) < 0)
		r = -1;
	if (k->key)
		gnutls_privkey_deinit(k->key);
	if (k->x509)
		gnutls_x509_privkey_deinit(k->x509);
	free(k->url);
	memset(k, 0, sizeof(*k));
	return r;
}

void ec_pending_csr_sha256(gnutls_x509_crq_t crq, char hex[EC_SHA256_HEX])
{
	gnutls_datum_t der = { NULL, 0 };
	unsigned char d[32];

	hex[0] = '\0';
	if (gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER, &der) == 0 &&
	    gnutls_hash_fast(GNUTLS_DIG_SHA256, der.data, der.size, d) == 0)
		hex32(d, hex);
	gnutls_free(der.data);
}

void ec_pending_spec_inf(struct ec_pending_spec *sp, struct ec_csr_params *p,
			 const struct ec_inf_req *r, int type_given,
			 int bits_given, int curve_given)
{
	ec_inf_merge(r, p);
	if (!type_given && r->pk) {
		sp->pk = r->pk;
		sp->key_type = r->pk == GNUTLS_PK_ECDSA ? "ecdsa" : "rsa";
	}
	if (sp->pk == GNUTLS_PK_RSA && !bits_given && r->bits)
		sp->bits = r->bits;
	if (sp->pk == GNUTLS_PK_ECDSA && !curve_given && r->curve)
		sp->curve = r->curve;
	if (!sp->name)
		sp->name = r->name;
	sp->exportable |= r->exportable;
}
