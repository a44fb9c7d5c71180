/* pending.c: the pending section (pending.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

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
