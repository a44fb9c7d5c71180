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

static int in_chain(const struct ec_chain *c, gnutls_x509_crt_t crt)
{
	for (size_t i = 0; i < c->n; i++)
		if (gnutls_x509_crt_equals(c->v[i], crt))
			return 1;
	return 0;
}

/* The best issuer of cur among n candidates: one valid now if any. */
static gnutls_x509_crt_t pick(const struct ec_chain *c,
			      gnutls_x509_crt_t cur, gnutls_x509_crt_t *cand,
			      size_t n, time_t now)
{
	gnutls_x509_crt_t best = NULL;

	for (size_t i = 0; i < n; i++) {
		/* the names first: a byte comparison, where in_chain and the
		 * signature cost more */
		if (!gnutls_x509_crt_check_issuer(cur, cand[i]) ||
		    in_chain(c, cand[i]) || !ec_crt_issued_by(cur, cand[i]))
			continue;
		if (gnutls_x509_crt_get_activation_time(cand[i]) <= now &&
		    gnutls_x509_crt_get_expiration_time(cand[i]) >= now)
			return cand[i];
		if (!best)
			best = cand[i];
	}
	return best;
}

int ec_chain_build(struct ec_store *s, gnutls_x509_crt_t crt,
		   gnutls_x509_crt_t *extra, size_t nextra,
		   struct ec_chain *out, struct ec_err *e)
{
	static const enum ec_section secs[2] = { EC_SEC_CA, EC_SEC_ROOT };
	time_t now = time(NULL);

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < 2; i++)
		if (ec_cs_load_all(s, secs[i], &out->pool[i], &out->npool[i],
				   e) < 0) {
			ec_chain_free(out);
			return -1;
		}
	out->v[0] = crt;
	out->sec[0] = -1;
	out->n = 1;
	while (out->n < EC_CHAIN_MAX) {
		gnutls_x509_crt_t cur = out->v[out->n - 1], next;
		int sec = -1;

		if (ec_crt_self_signed(cur)) {
			out->complete = 1;
			break;
		}
		/* roots first: a path to a trusted root is the one wanted */
		if ((next = pick(out, cur, out->pool[1], out->npool[1], now)))
			sec = EC_SEC_ROOT;
		else if ((next = pick(out, cur, out->pool[0], out->npool[0],
				      now)))
			sec = EC_SEC_CA;
		else if (!(next = pick(out, cur, extra, nextra, now)))
			break;
		out->sec[out->n] = sec;
		out->v[out->n++] = next;
	}
	return 0;
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
