#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "crtindex.h"

/* One key (a name, a digest or a pointer) and the indexes that have
 * it; in the table of raw names, the slot of the name's key instead. */
struct slot {
	unsigned char *key;		/* NULL: empty slot */
	size_t len;
	size_t *idx;
	size_t n, cap;
	const struct slot *group;
};

struct table {
	struct slot *s;
	size_t cap;			/* a power of two, over twice the keys */
};

/* names: by name's key (name_key); raws: by the DER bytes of a subject,
 * which leads to its key's slot without making the key again (most
 * issuers are named with the very bytes of their subject); digests: by
 * SHA-256; ptrs: by the handle (the caller's v[i]), so that finding one
 * of v hashes nothing.  first[i]: the first index with v[i]'s DER. */
struct ec_crtix {
	struct table names, raws, digests, ptrs;
	gnutls_x509_crt_t *v;
	unsigned char (*dig)[32];
	size_t *first;
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

/* From the DER GnuTLS keeps (gnutls_x509_crt_get_fingerprint encodes
 * the certificate anew on every call). */
int ec_crt_digest(gnutls_x509_crt_t crt, unsigned char d[32])
{
	gnutls_datum_t der = { NULL, 0 };
	int r;

	if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) < 0)
		return -1;
	r = gnutls_hash_fast(GNUTLS_DIG_SHA256, der.data, der.size, d);
	gnutls_free(der.data);
	return r < 0 ? -1 : 0;
}

/* Index i under its subject: its name's key, and its raw bytes leading
 * there. */
static int add_name(struct ec_crtix *x, const gnutls_datum_t *dn, size_t i)
{
	struct slot *raw = lookup(&x->raws, dn->data, dn->size);
	unsigned char *k;
	size_t len = 0;
	int r;

	if (raw->key) {		/* the same bytes as an earlier one's */
		struct slot *g = (struct slot *)raw->group;

		return add(&x->names, g->key, g->len, i);
	}
	if (!(k = name_key(dn, &len)))
		return -1;
	r = add(&x->names, k, len, i);
	if (r == 0 && (r = add(&x->raws, dn->data, dn->size, i)) == 0)
		raw->group = lookup(&x->names, k, len);
	free(k);
	return r;
}

int ec_crtix_new(struct ec_crtix **out, gnutls_x509_crt_t *v, size_t n,
		 struct ec_err *e)
{
	struct ec_crtix *x = calloc(1, sizeof(*x));

	*out = NULL;
	if (!x || table_init(&x->names, n) < 0 ||
	    table_init(&x->raws, n) < 0 ||
	    table_init(&x->digests, n) < 0 || table_init(&x->ptrs, n) < 0 ||
	    !(x->dig = calloc(n ? n : 1, sizeof(*x->dig))) ||
	    !(x->first = calloc(n ? n : 1, sizeof(*x->first))))
		goto oom;
	x->n = n;
	x->v = v;
	for (size_t i = 0; i < n; i++) {
		gnutls_datum_t dn = { NULL, 0 };
		struct slot *sl;
		int r;

		if (ec_crt_digest(v[i], x->dig[i]) < 0) {
			ec_crtix_free(x);
			return ec_fail(e, EC_INTERNAL, "cannot hash a "
				       "certificate");
		}
		if (add(&x->digests, x->dig[i], 32, i) < 0 ||
		    add(&x->ptrs, (const unsigned char *)&v[i], sizeof(v[i]),
			i) < 0)
			goto oom;
		sl = lookup(&x->digests, x->dig[i], 32);
		x->first[i] = sl->idx[0];
		if (gnutls_x509_crt_get_raw_dn(v[i], &dn) < 0)
			continue;	/* no subject: named like nothing */
		r = add_name(x, &dn, i);
		gnutls_free(dn.data);
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
	table_free(&x->raws);
	table_free(&x->digests);
	table_free(&x->ptrs);
	free(x->dig);
	free(x->first);
	free(x);
}

const size_t *ec_crtix_named(const struct ec_crtix *x,
			     const gnutls_datum_t *dn, size_t *n)
{
	const struct slot *sl;
	unsigned char *k;
	size_t len = 0;

	*n = 0;
	if (!x || x->n == 0)
		return NULL;
	sl = lookup(&x->raws, dn->data, dn->size);
	if (sl->key) {
		sl = sl->group;
	} else {
		if (!(k = name_key(dn, &len)))
			return NULL;
		sl = lookup(&x->names, k, len);
		free(k);
		if (!sl->key)
			return NULL;
	}
	*n = sl->n;
	return sl->idx;
}

const size_t *ec_crtix_issuers(const struct ec_crtix *x,
			       gnutls_x509_crt_t crt, size_t *n)
{
	gnutls_datum_t dn = { NULL, 0 };
	const size_t *r;

	*n = 0;
	if (!x || x->n == 0 ||
	    gnutls_x509_crt_get_raw_issuer_dn(crt, &dn) < 0)
		return NULL;
	r = ec_crtix_named(x, &dn, n);
	gnutls_free(dn.data);
	return r;
}

long ec_crtix_find(const struct ec_crtix *x, gnutls_x509_crt_t crt)
{
	unsigned char d[32];
	const struct slot *sl;

	if (!x || x->n == 0)
		return -1;
	sl = lookup(&x->ptrs, (const unsigned char *)&crt, sizeof(crt));
	if (sl->key)
		return (long)x->first[sl->idx[0]];
	if (ec_crt_digest(crt, d) < 0)
		return -1;
	sl = lookup(&x->digests, d, 32);
	return sl->key ? (long)sl->idx[0] : -1;
}

const unsigned char *ec_crtix_digest(const struct ec_crtix *x, size_t i)
{
	return x->dig[i];
}

static int idx_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

int ec_crtix_self_named(const struct ec_crtix *x, size_t i)
{
	size_t n;
	const size_t *c = ec_crtix_issuers(x, x->v[i], &n);

	return c && bsearch(&i, c, n, sizeof(*c), idx_cmp) != NULL;
}
