#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "certstore.h"

static void objname(char *buf, size_t n, const char *id, const char *ext)
{
	snprintf(buf, n, "%s.%s", id, ext);
}

int ec_cs_load_cert(struct ec_store *s, enum ec_section sec, const char *id,
		    gnutls_x509_crt_t *out, struct ec_err *e)
{
	struct ec_data d = { 0 };
	char name[256], sha1[EC_SHA1_HEX];
	int r;

	*out = NULL;
	objname(name, sizeof(name), id, "pem");
	if (ec_store_read(s, sec, name, &d, e) < 0)
		return -1;
	r = ec_cert_parse(d.data, d.size, out, e);
	ec_data_free(&d);
	if (r < 0)
		return ec_fail(e, EC_STORE_CORRUPT, "%s/%s: %s",
			       ec_section_name(sec), name, e->msg);
	if (ec_cert_ids(*out, sha1, NULL, e) < 0 || strcmp(sha1, id) != 0) {
		gnutls_x509_crt_deinit(*out);
		*out = NULL;
		return ec_fail(e, EC_STORE_CORRUPT, "%s/%s holds the "
			       "certificate %s", ec_section_name(sec), name,
			       sha1);
	}
	return 0;
}

int ec_cs_load_meta(struct ec_store *s, enum ec_section sec, const char *id,
		    struct ec_meta *m, struct ec_err *e)
{
	struct ec_data d = { 0 };
	char name[256];
	int r;

	memset(m, 0, sizeof(*m));
	objname(name, sizeof(name), id, "meta");
	if ((r = ec_store_read_opt(s, sec, name, &d, e)) != 0)
		return r < 0 ? -1 : 0;
	r = ec_meta_parse(m, (char *)d.data, d.size, e);
	ec_data_free(&d);
	if (r < 0)
		return ec_fail(e, EC_STORE_CORRUPT, "%s/%s: %s",
			       ec_section_name(sec), name, e->msg);
	return 0;
}

int ec_cs_load_key(struct ec_store *s, enum ec_section sec, const char *id,
		   gnutls_x509_privkey_t *out, struct ec_err *e)
{
	struct ec_data d = { 0 };
	gnutls_datum_t dd;
	char name[256];
	int r;

	*out = NULL;
	objname(name, sizeof(name), id, "key");
	if (ec_store_read(s, sec, name, &d, e) < 0)
		return -1;
	dd.data = d.data;
	dd.size = (unsigned)d.size;
	if ((r = gnutls_x509_privkey_init(out)) < 0) {
		ec_data_free(&d);
		return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	}
	r = gnutls_x509_privkey_import2(*out, &dd, GNUTLS_X509_FMT_PEM, NULL,
					GNUTLS_PKCS_PLAIN);
	ec_data_free(&d);
	if (r < 0) {
		gnutls_x509_privkey_deinit(*out);
		*out = NULL;
		return ec_fail(e, EC_STORE_CORRUPT, "%s/%s: %s",
			       ec_section_name(sec), name, gnutls_strerror(r));
	}
	return 0;
}

int ec_cs_where(struct ec_store *s, const char *sha1)
{
	char name[256];

	objname(name, sizeof(name), sha1, "pem");
	for (int i = EC_SEC_PERSONAL; i <= EC_SEC_ROOT; i++)
		if (ec_store_has(s, (enum ec_section)i, name))
			return i;
	return -1;
}

void ec_cs_name_hash(const char *friendly_name, char h[17])
{
	static const char digits[] = "0123456789abcdef";
	const char *v = friendly_name ? friendly_name : "";
	unsigned char d[32] = { 0 };

	gnutls_hash_fast(GNUTLS_DIG_SHA256, v, strlen(v), d);
	for (size_t i = 0; i < 8; i++) {
		h[2 * i] = digits[d[i] >> 4];
		h[2 * i + 1] = digits[d[i] & 15];
	}
	h[16] = '\0';
}

static void name_alias(char *buf, size_t n, const char *friendly_name,
		       const char *sha1)
{
	char h[17];

	ec_cs_name_hash(friendly_name, h);
	snprintf(buf, n, "%s-%s.name", h, sha1);
}

/* The name alias for m, staged where missing; the alias of the stored
 * metadata's name removed when the name changes. */
static int stage_name_alias(struct ec_store *s, struct ec_txn *t,
			    enum ec_section sec, const char *sha1,
			    const struct ec_meta *m, struct ec_err *e)
{
	char name[256], old[256], line[EC_SHA1_HEX + 1];
	struct ec_meta om;
	struct ec_err le;	/* the stored metadata's: damaged is no error */

	name_alias(name, sizeof(name), ec_meta_get(m, "friendly_name"), sha1);
	if (ec_cs_load_meta(s, sec, sha1, &om, &le) < 0) {
		if (le.code == EC_IO) {
			*e = le;
			return -1;
		}
		memset(&om, 0, sizeof(om));	/* damaged: replaced */
	}
	name_alias(old, sizeof(old), om.n ? ec_meta_get(&om, "friendly_name")
		   : NULL, sha1);
	if (t && om.n && strcmp(old, name) != 0 && ec_store_has(s, sec, old) &&
	    ec_txn_del(t, sec, old, e) < 0) {
		ec_meta_free(&om);
		return -1;
	}
	ec_meta_free(&om);
	snprintf(line, sizeof(line), "%s\n", sha1);
	return ec_txn_put_if_changed(s, t, sec, name, line, EC_SHA1_HEX, 0644,
				     e) < 0 ? -1 : 0;
}

int ec_cs_stage_cert(struct ec_store *s, struct ec_txn *t,
		     enum ec_section sec, gnutls_x509_crt_t crt,
		     struct ec_meta *m, struct ec_err *e)
{
	char sha1[EC_SHA1_HEX], sha256[EC_SHA256_HEX], name[256],
	     alias[EC_SHA1_HEX + 1];
	gnutls_datum_t pem = { NULL, 0 };
	char *text = NULL;
	size_t len;
	int r, changed = 0;

	if (ec_cert_ids(crt, sha1, sha256, e) < 0 || ec_cert_pem(crt, &pem, e)
	    < 0)
		return -1;
	objname(name, sizeof(name), sha1, "pem");
	r = ec_txn_put_if_changed(s, t, sec, name, pem.data, pem.size, 0644,
				  e);
	gnutls_free(pem.data);
	if (r < 0)
		return -1;
	changed |= r;
	snprintf(name, sizeof(name), "%s.sha256", sha256);
	snprintf(alias, sizeof(alias), "%s\n", sha1);
	if (ec_txn_put_if_changed(s, t, sec, name, alias, EC_SHA1_HEX, 0644,
				  e) < 0)
		return -1;
	if (m) {
		if (stage_name_alias(s, t, sec, sha1, m, e) < 0)
			return -1;
		if (ec_meta_set(m, "sha256", sha256) < 0 ||
		    !(text = ec_meta_format(m, &len)))
			return ec_fail(e, EC_INTERNAL, "out of memory");
		objname(name, sizeof(name), sha1, "meta");
		r = ec_txn_put_if_changed(s, t, sec, name, text, len, 0644,
					  e);
		free(text);
		if (r < 0)
			return -1;
		changed |= r;
	}
	return changed;
}

int ec_cs_stage_del_cert(struct ec_store *s, struct ec_txn *t,
			 enum ec_section sec, gnutls_x509_crt_t crt,
			 struct ec_err *e)
{
	char sha1[EC_SHA1_HEX], sha256[EC_SHA256_HEX], name[256];

	if (ec_cert_ids(crt, sha1, sha256, e) < 0)
		return -1;
	objname(name, sizeof(name), sha1, "pem");
	if (ec_txn_del(t, sec, name, e) < 0)
		return -1;
	objname(name, sizeof(name), sha1, "meta");
	if (ec_store_has(s, sec, name)) {
		struct ec_meta om;
		struct ec_err le;	/* damaged is no error here */

		if (ec_txn_del(t, sec, name, e) < 0)
			return -1;
		if (ec_cs_load_meta(s, sec, sha1, &om, &le) < 0) {
			if (le.code == EC_IO) {
				*e = le;
				return -1;
			}
			memset(&om, 0, sizeof(om));	/* damaged: no alias */
		}
		name_alias(name, sizeof(name), ec_meta_get(&om,
			   "friendly_name"), sha1);
		ec_meta_free(&om);
		if (ec_store_has(s, sec, name) && ec_txn_del(t, sec, name, e)
		    < 0)
			return -1;
	}
	objname(name, sizeof(name), sha256, "sha256");
	if (ec_store_has(s, sec, name) && ec_txn_del(t, sec, name, e) < 0)
		return -1;
	return 0;
}

int ec_cs_alias(struct ec_store *s, enum ec_section sec, const char *sha256,
		char sha1[EC_SHA1_HEX])
{
	struct ec_data d = { 0 };
	char name[256];
	struct ec_err e;
	int ok;

	if (strlen(sha256) != EC_SHA256_HEX - 1)
		return 0;
	objname(name, sizeof(name), sha256, "sha256");
	if (ec_store_read(s, sec, name, &d, &e) < 0)
		return 0;
	ok = d.size == EC_SHA1_HEX && d.data[EC_SHA1_HEX - 1] == '\n';
	if (ok) {
		memcpy(sha1, d.data, EC_SHA1_HEX - 1);
		sha1[EC_SHA1_HEX - 1] = '\0';
		objname(name, sizeof(name), sha1, "pem");
		ok = ec_store_name_ok(name) && ec_store_has(s, sec, name);
	}
	ec_data_free(&d);
	return ok;
}

int ec_cs_stage_key(struct ec_store *s, struct ec_txn *t,
		    enum ec_section sec, const char *id,
		    gnutls_x509_privkey_t key, struct ec_err *e)
{
	gnutls_datum_t pem = { NULL, 0 };
	char name[256];
	int r;

	r = gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL,
					      GNUTLS_PKCS_PLAIN, &pem);
	if (r < 0)
		return ec_fail(e, EC_INTERNAL, "cannot encode a key: %s",
			       gnutls_strerror(r));
	objname(name, sizeof(name), id, "key");
	r = ec_txn_put_if_changed(s, t, sec, name, pem.data, pem.size, 0600,
				  e);
	gnutls_memset(pem.data, 0, pem.size);
	gnutls_free(pem.data);
	return r;
}

struct loadall {
	struct ec_store *s;
	enum ec_section sec;
	gnutls_x509_crt_t *v;
	size_t n, cap;
	struct ec_err *e;
};

static int load_one(void *arg, const char *name)
{
	struct loadall *la = arg;
	char id[EC_SHA1_HEX];
	gnutls_x509_crt_t crt;
	struct ec_err e;

	if (strlen(name) != EC_SHA1_HEX - 1 + 4)
		return 0;
	memcpy(id, name, EC_SHA1_HEX - 1);
	id[EC_SHA1_HEX - 1] = '\0';
	if (ec_cs_load_cert(la->s, la->sec, id, &crt, &e) < 0) {
		/* list reports broken objects; a store that cannot be read,
		 * or that someone else could have changed, fails the run
		 * rather than change its verdict */
		if (e.code != EC_IO && e.code != EC_STORE_UNSAFE)
			return 0;
		*la->e = e;
		return -1;
	}
	if (la->n == la->cap) {
		size_t cap = la->cap ? la->cap * 2 : 32;
		gnutls_x509_crt_t *v = realloc(la->v, cap * sizeof(*v));

		if (!v) {
			gnutls_x509_crt_deinit(crt);
			return -1;
		}
		la->v = v;
		la->cap = cap;
	}
	la->v[la->n++] = crt;
	return 0;
}

int ec_cs_load_all(struct ec_store *s, enum ec_section sec,
		   gnutls_x509_crt_t **list, size_t *n, struct ec_err *e)
{
	struct loadall la = { .s = s, .sec = sec, .e = e };
	int r = ec_store_scan(s, sec, ".pem", load_one, &la, e);

	if (r != 0) {
		ec_cs_free_list(la.v, la.n);
		return r < 0 && e->code != EC_OK ? -1 :
		       ec_fail(e, EC_INTERNAL, "out of memory");
	}
	*list = la.v;
	*n = la.n;
	return 0;
}

void ec_cs_free_list(gnutls_x509_crt_t *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		gnutls_x509_crt_deinit(list[i]);
	free(list);
}

int ec_key_matches(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key)
{
	unsigned char a[64], b[64];
	size_t na = sizeof(a), nb = sizeof(b);

	if (gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, a,
				       &na) < 0 ||
	    gnutls_x509_privkey_get_key_id(key, GNUTLS_KEYID_USE_SHA256, b,
					   &nb) < 0)
		return 0;
	return na == nb && memcmp(a, b, na) == 0;
}

void ec_cs_extra(struct ec_store *s, enum ec_section sec, const char *id,
		 const struct ec_meta *m, struct ec_cert_extra *x)
{
	const char *ex = m ? ec_meta_get(m, "exportable") : NULL;
	char name[256];

	objname(name, sizeof(name), id, "key");
	x->section = ec_section_name(sec);
	x->friendly_name = m ? ec_meta_get(m, "friendly_name") : NULL;
	x->exportable = ex && strcmp(ex, "true") == 0;
	x->key_url = ec_cs_key_url(m);
	x->key_container = m ? ec_meta_get(m, "key_container") : NULL;
	x->key_provider = m ? ec_meta_get(m, "key_provider") : NULL;
	x->in_token = 0;
	x->has_private_key = x->key_url || ec_store_has(s, sec, name);
}

const char *ec_cs_key_url(const struct ec_meta *m)
{
	const char *ks = m ? ec_meta_get(m, "key_store") : NULL;

	return ks && strcmp(ks, "pkcs11") == 0 ? ec_meta_get(m, "key_url") :
	       NULL;
}

/* The id of a CRL (der: its DER when the caller has it, else NULL; an
 * export of a large CRL doubles the memory its parse takes). */
static int crl_id(gnutls_x509_crl_t crl, const gnutls_datum_t *given,
		  char id[EC_SHA1_HEX], struct ec_err *e)
{
	static const char digits[] = "0123456789abcdef";
	gnutls_datum_t der = { NULL, 0 };
	unsigned char d[20];
	int r;

	if (given)
		r = gnutls_hash_fast(GNUTLS_DIG_SHA1, given->data, given->size,
				     d);
	else if ((r = gnutls_x509_crl_export2(crl, GNUTLS_X509_FMT_DER,
					      &der)) < 0)
		return ec_fail(e, EC_INTERNAL, "cannot encode a CRL: %s",
			       gnutls_strerror(r));
	else
		r = gnutls_hash_fast(GNUTLS_DIG_SHA1, der.data, der.size, d);
	gnutls_free(der.data);
	if (r < 0)
		return ec_fail(e, EC_INTERNAL, "cannot hash a CRL: %s",
			       gnutls_strerror(r));
	for (size_t i = 0; i < sizeof(d); i++) {
		id[2 * i] = digits[d[i] >> 4];
		id[2 * i + 1] = digits[d[i] & 15];
	}
	id[2 * sizeof(d)] = '\0';
	return 0;
}

int ec_cs_stage_crl(struct ec_store *s, struct ec_txn *t,
		    gnutls_x509_crl_t crl, const gnutls_datum_t *der,
		    char id[EC_SHA1_HEX], struct ec_err *e)
{
	gnutls_datum_t pem = { NULL, 0 };
	char sha1[EC_SHA1_HEX], name[256];
	int r;

	if (crl_id(crl, der, sha1, e) < 0)
		return -1;
	if (id)
		memcpy(id, sha1, EC_SHA1_HEX);
	/* the PEM GnuTLS' export writes, from the DER when we have it */
	if ((r = der ? gnutls_pem_base64_encode2("X509 CRL", der, &pem) :
		 gnutls_x509_crl_export2(crl, GNUTLS_X509_FMT_PEM, &pem)) < 0)
		return ec_fail(e, EC_INTERNAL, "cannot encode a CRL: %s",
			       gnutls_strerror(r));
	objname(name, sizeof(name), sha1, "pem");
	r = ec_txn_put_if_changed(s, t, EC_SEC_CRL, name, pem.data,
				  pem.size, 0644, e);
	gnutls_free(pem.data);
	return r;
}

