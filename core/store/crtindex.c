#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "crtindex.h"

/* One key (a name or a digest) and the indexes that have it. */
struct slot {
	unsigned char *key;		/* NULL: empty slot */
	size_t len;
	size_t *idx;
	size_t n, cap;
};

struct table {
	struct slot *s;
	size_t cap;			/* a power of two, over twice the keys */
};

struct ec_crtix {
	struct table names, digests;
	unsigned char (*dig)[32];
	size_t n;
};

static uint64_t fnv(const unsigned char *p, size_t n)
{
	uint64_t h = 1469598103934665603u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211u;
	return h;
}

static struct slot *lookup(const struct table *t, const unsigned char *key,
			   size_t len)
{
	size_t i = (size_t)fnv(key, len) & (t->cap - 1);

	while (t->s[i].key && (t->s[i].len != len ||
			       memcmp(t->s[i].key, key, len) != 0))
		i = (i + 1) & (t->cap - 1);
	return &t->s[i];
}

/* Add index k under key; the key is copied. */
static int add(struct table *t, const unsigned char *key, size_t len,
	       size_t k)
{
	struct slot *sl = lookup(t, key, len);

	if (!sl->key) {
		if (!(sl->key = malloc(len ? len : 1)))
			return -1;
		memcpy(sl->key, key, len);
		sl->len = len;
	}
	if (sl->n == sl->cap) {
		size_t cap = sl->cap ? sl->cap * 2 : 1;
		size_t *v = realloc(sl->idx, cap * sizeof(*v));

		if (!v)
			return -1;
		sl->idx = v;
		sl->cap = cap;
	}
	sl->idx[sl->n++] = k;
	return 0;
}

static int table_init(struct table *t, size_t n)
{
	t->cap = 16;
	while (t->cap < 2 * n + 1)
		t->cap *= 2;
	t->s = calloc(t->cap, sizeof(*t->s));
	return t->s ? 0 : -1;
}

static void table_free(struct table *t)
{
	for (size_t i = 0; t->s && i < t->cap; i++) {
		free(t->s[i].key);
		free(t->s[i].idx);
	}
	free(t->s);
}

/* A name's key: 'S' and its string of OIDs and values, lower-cased (as
 * GnuTLS compares names that differ in bytes), or 'R' and its bytes when
 * GnuTLS cannot make that string either.  malloc'd. */
static unsigned char *name_key(const gnutls_datum_t *dn, size_t *len)
{
	gnutls_datum_t str = { NULL, 0 };
	unsigned char *k;

	if (gnutls_x509_rdn_get2(dn, &str, GNUTLS_X509_DN_OID_RETURN_OID) ==
	    0) {
		if ((k = malloc(str.size + 1))) {
			k[0] = 'S';
			for (unsigned i = 0; i < str.size; i++)
				k[i + 1] = (unsigned char)tolower(str.data[i]);
			*len = str.size + 1;
		}
		gnutls_free(str.data);
		return k;
	}
	if ((k = malloc(dn->size + 1))) {
		k[0] = 'R';
		if (dn->size)
			memcpy(k + 1, dn->data, dn->size);
		*len = dn->size + 1;
	}
	return k;
}

int ec_crt_digest(gnutls_x509_crt_t crt, unsigned char d[32])
{
	size_t size = 32;

	return gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, d,
					       &size) < 0 || size != 32 ?
	       -1 : 0;
}

int ec_crtix_new(struct ec_crtix **out, gnutls_x509_crt_t *v, size_t n,
		 struct ec_err *e)
{
	struct ec_crtix *x = calloc(1, sizeof(*x));

	*out = NULL;
	if (!x || table_init(&x->names, n) < 0 ||
	    table_init(&x->digests, n) < 0 ||
	    !(x->dig = calloc(n ? n : 1, sizeof(*x->dig))))
		goto oom;
	x->n = n;
	for (size_t i = 0; i < n; i++) {
		gnutls_datum_t dn = { NULL, 0 };
		unsigned char *k;
		size_t len = 0;
		int r;

		if (ec_crt_digest(v[i], x->dig[i]) < 0) {
			ec_crtix_free(x);
			return ec_fail(e, EC_INTERNAL, "cannot hash a "
				       "certificate");
		}
		if (add(&x->digests, x->dig[i], 32, i) < 0)
			goto oom;
		if (gnutls_x509_crt_get_raw_dn(v[i], &dn) < 0)
			continue;	/* no subject: named like nothing */
		k = name_key(&dn, &len);
		gnutls_free(dn.data);
		r = k ? add(&x->names, k, len, i) : -1;
		free(k);
		if (r < 0)
			goto oom;
	}
	*out = x;
	return 0;
oom:
	ec_crtix_free(x);
	return ec_fail(e, EC_INTERNAL, "out of memory");
}

void ec_crtix_free(struct ec_crtix *x)
{
	if (!x)
		return;
	table_free(&x->names);
	table_free(&x->digests);
	free(x->dig);
	free(x);
}

const size_t *ec_crtix_named(const struct ec_crtix *x,
			     const gnutls_datum_t *dn, size_t *n)
{
	const struct slot *sl;
	unsigned char *k;
	size_t len = 0;

	*n = 0;
	if (!x || !(k = name_key(dn, &len)))
		return NULL;
	sl = lookup(&x->names, k, len);
	free(k);
	if (!sl->key)
		return NULL;
	*n = sl->n;
	return sl->idx;
}

const size_t *ec_crtix_issuers(const struct ec_crtix *x,
			       gnutls_x509_crt_t crt, size_t *n)
{
	gnutls_datum_t dn = { NULL, 0 };
	const size_t *r;

	*n = 0;
	if (gnutls_x509_crt_get_raw_issuer_dn(crt, &dn) < 0)
		return NULL;
	r = ec_crtix_named(x, &dn, n);
	gnutls_free(dn.data);
	return r;
}

long ec_crtix_find(const struct ec_crtix *x, gnutls_x509_crt_t crt)
{
	unsigned char d[32];
	const struct slot *sl;

	if (!x || ec_crt_digest(crt, d) < 0)
		return -1;
	sl = lookup(&x->digests, d, 32);
	return sl->key ? (long)sl->idx[0] : -1;
}

const unsigned char *ec_crtix_digest(const struct ec_crtix *x, size_t i)
{
	return x->dig[i];
}
