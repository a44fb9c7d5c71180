#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "buf.h"
#include "cert.h"
#include "certstore.h"
#include "binding.h"

/* owner or group: a number, or -1. */
static long id_of(const struct ec_meta *m, const char *key)
{
	const char *v = ec_meta_get(m, key);
	char *end;
	long id;

	if (!v || *v < '0' || *v > '9')
		return -1;
	id = strtol(v, &end, 10);
	return *end || id > 0x7fffffffL ? -1 : id;
}

static unsigned long gen_of(const struct ec_meta *m, const char *key)
{
	const char *v = ec_meta_get(m, key);
	char *end;
	unsigned long g;

	if (!v || *v < '1' || *v > '9')
		return 0;
	g = strtoul(v, &end, 10);
	return *end ? 0 : g;
}

/* A thumbprint from the record: 40 hex digits, else NULL. */
static const char *thumb_of(const struct ec_meta *m, const char *key)
{
	const char *v = ec_meta_get(m, key);

	if (!v || strlen(v) != EC_SHA1_HEX - 1 ||
	    strspn(v, "0123456789abcdef") != EC_SHA1_HEX - 1)
		return NULL;
	return v;
}

int ec_binding_load(struct ec_store *s, const char *iface,
		    struct ec_binding *b, struct ec_err *e)
{
	char name[80];

	memset(b, 0, sizeof(*b));
	b->owner = b->group = -1;
	snprintf(name, sizeof(name), "%s.meta", iface);
	b->have = ec_store_has(s, EC_SEC_ASSIGNED, name);
	if (ec_cs_load_meta(s, EC_SEC_ASSIGNED, iface, &b->m, e) < 0)
		return -1;
	if (!b->have)
		return 0;
	b->thumbprint = thumb_of(&b->m, "thumbprint");
	if (!b->thumbprint)
		return ec_fail(e, EC_STORE_CORRUPT, "the assignment of "
			       "interface '%s' names no certificate", iface);
	b->fqdn = ec_meta_get(&b->m, "fqdn");
	b->assigned = ec_meta_get(&b->m, "assigned");
	b->forced = ec_meta_get(&b->m, "forced");
	b->generation = gen_of(&b->m, "generation");
	b->prev_thumbprint = thumb_of(&b->m, "previous_thumbprint");
	b->prev_fqdn = ec_meta_get(&b->m, "previous_fqdn");
	b->prev_assigned = ec_meta_get(&b->m, "previous_assigned");
	b->prev_forced = ec_meta_get(&b->m, "previous_forced");
	b->prev_generation = gen_of(&b->m, "previous_generation");
	b->owner = id_of(&b->m, "owner");
	b->group = id_of(&b->m, "group");
	return 0;
}

void ec_binding_free(struct ec_binding *b)
{
	ec_meta_free(&b->m);
	memset(b, 0, sizeof(*b));
}

void ec_binding_swap(const struct ec_binding *c, unsigned long link_gen,
		     const char *when, struct ec_binding *nb)
{
	memset(nb, 0, sizeof(*nb));
	nb->thumbprint = c->prev_thumbprint;
	nb->fqdn = c->prev_fqdn;
	nb->assigned = when;
	nb->generation = c->prev_generation;
	nb->forced = c->prev_forced;
	nb->prev_thumbprint = c->thumbprint;
	nb->prev_fqdn = c->fqdn;
	nb->prev_assigned = c->assigned;
	nb->prev_forced = c->forced;
	nb->prev_generation = link_gen ? link_gen : c->generation;
	nb->owner = c->owner;
	nb->group = c->group;
}

static int set_id(struct ec_meta *m, const char *key, long id)
{
	char num[32];

	if (id < 0)
		return 0;
	snprintf(num, sizeof(num), "%ld", id);
	return ec_meta_set(m, key, num);
}

static int set_gen(struct ec_meta *m, const char *key, unsigned long g)
{
	char num[32];

	if (!g)
		return 0;
	snprintf(num, sizeof(num), "%lu", g);
	return ec_meta_set(m, key, num);
}

int ec_binding_stage(struct ec_txn *t, const char *iface,
		     const struct ec_binding *b, struct ec_err *e)
{
	struct ec_meta m = { 0 };
	char name[80], *text = NULL;
	size_t len = 0;
	int r = -1;

	if (ec_meta_set(&m, "interface", iface) < 0 ||
	    ec_meta_set(&m, "thumbprint", b->thumbprint) < 0 ||
	    (b->fqdn && ec_meta_set(&m, "fqdn", b->fqdn) < 0) ||
	    (b->assigned && ec_meta_set(&m, "assigned", b->assigned) < 0) ||
	    set_gen(&m, "generation", b->generation) < 0 ||
	    (b->forced && *b->forced &&
	     ec_meta_set(&m, "forced", b->forced) < 0) ||
	    (b->prev_thumbprint &&
	     (ec_meta_set(&m, "previous_thumbprint", b->prev_thumbprint) < 0 ||
	      (b->prev_fqdn &&
	       ec_meta_set(&m, "previous_fqdn", b->prev_fqdn) < 0) ||
	      (b->prev_assigned &&
	       ec_meta_set(&m, "previous_assigned", b->prev_assigned) < 0) ||
	      (b->prev_forced && *b->prev_forced &&
	       ec_meta_set(&m, "previous_forced", b->prev_forced) < 0) ||
	      set_gen(&m, "previous_generation", b->prev_generation) < 0)) ||
	    set_id(&m, "owner", b->owner) < 0 ||
	    set_id(&m, "group", b->group) < 0 ||
	    !(text = ec_meta_format(&m, &len))) {
		ec_fail(e, EC_INTERNAL, "out of memory");
		goto out;
	}
	snprintf(name, sizeof(name), "%s.meta", iface);
	r = ec_txn_put(t, EC_SEC_ASSIGNED, name, text, len, 0644, e);
out:
	free(text);
	ec_meta_free(&m);
	return r;
}

static int pem_add(struct ec_buf *b, gnutls_x509_crt_t crt, struct ec_err *e)
{
	gnutls_datum_t d = { NULL, 0 };

	if (ec_cert_pem(crt, &d, e) < 0)
		return -1;
	ec_buf_add(b, d.data, d.size);
	gnutls_free(d.data);
	return 0;
}

static int datum(gnutls_datum_t *d, const struct ec_buf *b, struct ec_err *e)
{
	if (b->oom)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	d->data = gnutls_malloc(b->len + 1);
	if (!d->data)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	if (b->len)
		memcpy(d->data, b->p, b->len);
	d->size = (unsigned)b->len;
	return 0;
}

/* privkey.uri: the key's URL on one line. */
static int uri_file(const char *url, gnutls_datum_t *out, struct ec_err *e)
{
	size_t n = strlen(url);

	if (!(out->data = gnutls_malloc(n + 2)))
		return ec_fail(e, EC_INTERNAL, "out of memory");
	memcpy(out->data, url, n);
	out->data[n] = '\n';
	out->data[n + 1] = '\0';
	out->size = (unsigned)n + 1;
	return 0;
}

int ec_live_set_make(gnutls_x509_crt_t crt, const struct ec_chain *path,
		     gnutls_x509_privkey_t key, const char *key_url,
		     struct ec_live_set *ls, struct ec_err *e)
{
	struct ec_buf chain = { 0 }, full = { 0 }, comb = { 0 };
	int r = -1, x;

	memset(ls, 0, sizeof(*ls));
	/* the intermediates: the path's certificates up to, not including,
	 * a trusted root or a self-signed certificate */
	for (size_t i = 1; i < path->n; i++) {
		if (path->sec[i] == EC_SEC_ROOT ||
		    ec_crt_self_signed(path->v[i]))
			break;
		if (pem_add(&chain, path->v[i], e) < 0)
			goto out;
		ls->nchain++;
	}
	if (ec_cert_pem(crt, &ls->cert, e) < 0)
		goto out;
	ec_buf_add(&full, ls->cert.data, ls->cert.size);
	ec_buf_add(&full, chain.p, chain.len);
	if (datum(&ls->chain, &chain, e) < 0 || datum(&ls->full, &full, e) < 0)
		goto out;
	if (!key) {
		if (uri_file(key_url, &ls->key, e) < 0)
			goto out;
		x = 0;
	} else {
		x = gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM,
						      NULL, GNUTLS_PKCS_PLAIN,
						      &ls->key);
	}
	if (x < 0) {
		ec_fail(e, EC_INTERNAL, "cannot encode the private key: %s",
			gnutls_strerror(x));
		goto out;
	}
	if (key) {
		ec_buf_add(&comb, ls->key.data, ls->key.size);
		ec_buf_add(&comb, full.p, full.len);
		if (datum(&ls->combined, &comb, e) < 0)
			goto out;
	}
	ls->f[0] = (struct ec_live_file){ "cert.pem", ls->cert.data,
					  ls->cert.size, 0644, 0, 0 };
	ls->f[1] = (struct ec_live_file){ "chain.pem", ls->chain.data,
					  ls->chain.size, 0644, 0, 0 };
	ls->f[2] = (struct ec_live_file){ "fullchain.pem", ls->full.data,
					  ls->full.size, 0644, 0, 0 };
	ls->f[3] = (struct ec_live_file){ key ? "privkey.pem" : "privkey.uri",
					  ls->key.data, ls->key.size, 0600, 0, 0 };
	ls->f[4] = (struct ec_live_file){ "combined.pem", ls->combined.data,
					  ls->combined.size, 0600, 0, 0 };
	ls->n = key ? 5 : 4;
	ec_live_set_own(ls, -1, -1);
	r = 0;
out:
	ec_buf_free(&chain);
	ec_buf_free(&full);
	ec_buf_free(&comb);
	if (r < 0)
		ec_live_set_free(ls);
	return r;
}

void ec_live_set_free(struct ec_live_set *ls)
{
	gnutls_free(ls->cert.data);
	gnutls_free(ls->chain.data);
	gnutls_free(ls->full.data);
	if (ls->key.data) {
		gnutls_memset(ls->key.data, 0, ls->key.size);
		gnutls_free(ls->key.data);
	}
	if (ls->combined.data) {
		gnutls_memset(ls->combined.data, 0, ls->combined.size);
		gnutls_free(ls->combined.data);
	}
	memset(ls, 0, sizeof(*ls));
}

void ec_live_set_own(struct ec_live_set *ls, long owner, long group)
{
	for (size_t i = 0; i < EC_LIVE_NFILES; i++) {
		struct ec_live_file *f = &ls->f[i];

		f->uid = owner < 0 ? (uid_t)-1 : (uid_t)owner;
		f->gid = group < 0 ? (gid_t)-1 : (gid_t)group;
		if (i >= 3)	/* the key, combined.pem */
			f->mode = group < 0 ? 0600 : 0640;
	}
}
