/* crtindex.h: certificates found by subject name and by content in
 * constant time, so that placing or building the paths of a bundle of N
 * certificates is linear in N, not quadratic (issue 22: 600 certificates
 * took 21 s by pairwise gnutls_x509_crt_equals and check_issuer, each of
 * which parses both names).
 *
 * Names are keyed as GnuTLS compares them (the same bytes, or the same
 * string of OIDs and values whatever the string types), lower-cased: a
 * key may match more than GnuTLS would, never less, so the index only
 * narrows the candidates and GnuTLS still has the last word
 * (ec_crt_issued_by).
 *
 *	ec_crtix_new(&x, v, n, &e);
 *	const size_t *k = ec_crtix_issuers(x, crt, &nk);  indexes of v
 *	long j = ec_crtix_find(x, crt);                   -1: not in v
 *	ec_crtix_free(x);
 */
#ifndef EC_CRTINDEX_H
#define EC_CRTINDEX_H

#include <stddef.h>

#include <gnutls/x509.h>

#include "err.h"

struct ec_crtix;

/* Index v[0..n) (not copied: the caller keeps them alive). */
int ec_crtix_new(struct ec_crtix **out, gnutls_x509_crt_t *v, size_t n,
		 struct ec_err *e);
void ec_crtix_free(struct ec_crtix *x);

/* The indexes, ascending, of the certificates whose subject is named
 * like the DER Name dn; *n of them (NULL, 0 for none). */
const size_t *ec_crtix_named(const struct ec_crtix *x,
			     const gnutls_datum_t *dn, size_t *n);
/* Those named like crt's issuer. */
const size_t *ec_crtix_issuers(const struct ec_crtix *x,
			       gnutls_x509_crt_t crt, size_t *n);
/* The first index of a certificate with crt's DER (SHA-256), or -1;
 * one of v itself is found by its handle, without hashing. */
long ec_crtix_find(const struct ec_crtix *x, gnutls_x509_crt_t crt);
/* Is v[i] named like its own issuer (by the index's keys)?  When not,
 * GnuTLS finds it no issuer of itself: it is not self-signed, and no
 * signature need be checked to know it. */
int ec_crtix_self_named(const struct ec_crtix *x, size_t i);
/* The SHA-256 of v[i]'s DER (32 bytes). */
const unsigned char *ec_crtix_digest(const struct ec_crtix *x, size_t i);

/* The SHA-256 of crt's DER into d; 0 or -1. */
int ec_crt_digest(gnutls_x509_crt_t crt, unsigned char d[32]);

#endif
