#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>

#include "certstore.h"
#include "chain.h"

int ec_crt_issued_by(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer)
{
	unsigned status = 0;

	if (!gnutls_x509_crt_check_issuer(crt, issuer))
		return 0;
	/* the signature alone: no time, CA-flag or algorithm policy here,
	 * which is verify-root's business */
	if (gnutls_x509_crt_verify(crt, &issuer, 1,
				   GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
				   GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
				   GNUTLS_VERIFY_DISABLE_CA_SIGN |
				   GNUTLS_VERIFY_ALLOW_BROKEN, &status) < 0)
		return 0;
	return !(status & GNUTLS_CERT_SIGNATURE_FAILURE);
}

int ec_crt_self_signed(gnutls_x509_crt_t crt)
{
	return ec_crt_issued_by(crt, crt);
}

/* Is crt (of digest d) on the path already? */
static int in_chain(const unsigned char (*dig)[32], size_t n,
		    const unsigned char *d)
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(dig[i], d, 32) == 0)
			return 1;
	return 0;
}

/* Is pool k's certificate i self-signed?  Remembered: the root at the
 * top of every path of a bundle is checked once. */
static int pool_selfsigned(struct ec_chainset *cs, int k, size_t i)
{
	if (cs->selfsigned[k][i] < 0)
		cs->selfsigned[k][i] = (signed char)
			(ec_crtix_self_named(cs->ix[k], i) &&
			 ec_crt_self_signed(cs->pool[k][i]));
	return cs->selfsigned[k][i];
}

/* The best issuer of cur in pool k: one valid now if any.  Candidates
 * come by name from the index, in the pool's order. */
static long pick(struct ec_chainset *cs, int k, gnutls_x509_crt_t cur,
		 long xi, const unsigned char (*dig)[32], size_t n,
		 time_t now, int *skipped)
{
	size_t nc;
	const size_t *c = ec_crtix_issuers(cs->ix[k], cur, &nc);
	const signed char *v = NULL;
	long best = -1;

	/* cur is extra xi: its verdicts may be known (presign) */
	if (xi >= 0 && cs->verdict &&
	    cs->voff[3 * xi + k + 1] - cs->voff[3 * xi + k] == nc)
		v = cs->verdict + cs->voff[3 * xi + k];

	for (size_t j = 0; j < nc; j++) {
		gnutls_x509_crt_t cand = cs->pool[k][c[j]];

		if (in_chain(dig, n, ec_crtix_digest(cs->ix[k], c[j]))) {
			*skipped = 1;
			continue;
		}
		if (v && v[j] >= 0 ? !v[j] : !ec_crt_issued_by(cur, cand))
			continue;
		if (gnutls_x509_crt_get_activation_time(cand) <= now &&
		    gnutls_x509_crt_get_expiration_time(cand) >= now)
			return (long)c[j];
		if (best < 0)
			best = (long)c[j];
	}
	return best;
}

int ec_chainset_init(struct ec_chainset *cs, struct ec_store *s,
		     gnutls_x509_crt_t *extra, size_t nextra,
		     struct ec_err *e)
{
	static const enum ec_section secs[2] = { EC_SEC_CA, EC_SEC_ROOT };

	memset(cs, 0, sizeof(*cs));
	for (int i = 0; i < 2; i++)
		if (ec_cs_load_all(s, secs[i], &cs->pool[i], &cs->npool[i],
				   e) < 0)
			goto fail;
	cs->pool[2] = extra;
	cs->npool[2] = extra ? nextra : 0;
	for (int i = 0; i < 3; i++) {
		if (ec_crtix_new(&cs->ix[i], cs->pool[i], cs->npool[i], e) < 0)
			goto fail;
		cs->selfsigned[i] = malloc(cs->npool[i] ? cs->npool[i] : 1);
		cs->up[i] = malloc((cs->npool[i] ? cs->npool[i] : 1) *
				   sizeof(long));
		if (!cs->selfsigned[i] || !cs->up[i]) {
			ec_fail(e, EC_INTERNAL, "out of memory");
			goto fail;
		}
		memset(cs->selfsigned[i], -1, cs->npool[i]);
		for (size_t j = 0; j < cs->npool[i]; j++)
			cs->up[i][j] = -2;
	}
	return 0;
fail:
	ec_chainset_free(cs);
	return -1;
}

int ec_chainset_build(struct ec_chainset *cs, gnutls_x509_crt_t crt,
		      struct ec_chain *out, struct ec_err *e)
{
	/* roots first: a path to a trusted root is the one wanted */
	static const int order[3] = { 1, 0, 2 };
	static const int secof[3] = { EC_SEC_CA, EC_SEC_ROOT, -1 };
	unsigned char dig[EC_CHAIN_MAX][32];
	time_t now = time(NULL);
	int ss, from = -1;
	long at = -1, x = ec_crtix_find(cs->ix[2], crt);

	memset(out, 0, sizeof(*out));
	if (ec_crt_digest(crt, dig[0]) < 0)
		return ec_fail(e, EC_INTERNAL, "cannot hash a certificate");
	out->v[0] = crt;
	out->sec[0] = -1;
	out->n = 1;
	while (out->n < EC_CHAIN_MAX) {
		gnutls_x509_crt_t cur = out->v[out->n - 1];
		long next = -1;
		int k = 0;

		/* crt itself too, when it is one of the extra */
		ss = from >= 0 ? pool_selfsigned(cs, from, (size_t)at) :
		     x >= 0 ? pool_selfsigned(cs, 2, (size_t)x) :
		     ec_crt_self_signed(cur);
		if (ss) {
			out->complete = 1;
			break;
		}
		/* an issuer found for this pool certificate before, on a
		 * path that excluded none of the candidates, is the one
		 * still (up: pool index * 3 + pool; -1: none) */
		long *memo = from < 0 ? NULL : &cs->up[from][at];
		int skipped = 0;

		if (memo && *memo == -1)
			break;
		if (memo && *memo >= 0 &&
		    !in_chain((const unsigned char (*)[32])dig, out->n,
			      ec_crtix_digest(cs->ix[*memo % 3],
					      (size_t)(*memo / 3)))) {
			k = (int)(*memo % 3);
			next = *memo / 3;
		} else {
			for (int j = 0; j < 3 && next < 0; j++) {
				k = order[j];
				next = pick(cs, k, cur,
					    from == 2 ? at : from < 0 ? x : -1,
					    (const unsigned char (*)[32])dig,
					    out->n, now, &skipped);
			}
			if (memo && !skipped)
				*memo = next < 0 ? -1 : next * 3 + k;
		}
		if (next < 0)
			break;
		memcpy(dig[out->n], ec_crtix_digest(cs->ix[k], (size_t)next),
		       32);
		out->sec[out->n] = secof[k];
		out->v[out->n++] = cs->pool[k][next];
		from = k;
		at = next;
	}
	return 0;
}

void ec_chainset_free(struct ec_chainset *cs)
{
	free(cs->voff);
	free(cs->verdict);
	for (int i = 0; i < 3; i++) {
		ec_crtix_free(cs->ix[i]);
		free(cs->selfsigned[i]);
		free(cs->up[i]);
		if (i < 2)
			ec_cs_free_list(cs->pool[i], cs->npool[i]);
	}
	memset(cs, 0, sizeof(*cs));
}

int ec_chain_build(struct ec_store *s, gnutls_x509_crt_t crt,
		   gnutls_x509_crt_t *extra, size_t nextra,
		   struct ec_chain *out, struct ec_err *e)
{
	struct ec_chainset cs;
	int r;

	memset(out, 0, sizeof(*out));
	if (ec_chainset_init(&cs, s, extra, nextra, e) < 0)
		return -1;
	r = ec_chainset_build(&cs, crt, out, e);
	/* the path keeps the store's certificates; the indexes go */
	for (int i = 0; i < 2; i++) {
		out->pool[i] = cs.pool[i];
		out->npool[i] = cs.npool[i];
		cs.pool[i] = NULL;
		cs.npool[i] = 0;
	}
	ec_chainset_free(&cs);
	if (r < 0)
		ec_chain_free(out);
	return r;
}

void ec_chain_free(struct ec_chain *c)
{
	for (int i = 0; i < 2; i++)
		ec_cs_free_list(c->pool[i], c->npool[i]);
	memset(c, 0, sizeof(*c));
}

int ec_ca_section(gnutls_x509_crt_t crt, int trust_roots)
{
	unsigned crit;

	if (gnutls_x509_crt_get_basic_constraints(crt, &crit, NULL, NULL) <= 0)
		return -1;
	return trust_roots && ec_crt_self_signed(crt) ? EC_SEC_ROOT : EC_SEC_CA;
}
