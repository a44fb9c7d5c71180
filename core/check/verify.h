/* verify.h: RFC 5280 path validation of a certificate, by GnuTLS' trust
 * lists: a path runs from the target through the store's intermediates
 * (and extra untrusted certificates) to a trust anchor of the store's
 * roots (and the system's with system_trust).  Every path is built
 * (pathbuild.h) and each validated until one is valid; when none is, the
 * result is the path that got furthest, with the reason
 * "path-search-exhausted" besides when the search hit its bound.
 * Signatures, basic constraints and path length, key usage, name
 * constraints, the purpose (EKU), the host name or IP address
 * (hostname.h) and, with o->rules, the web PKI rules (webpki.h), both
 * through pathcheck.h, the algorithms the profile allows, validity at a
 * given time, and revocation by the CRLs of the store and the caller.
 *
 * Revocation is checked against the CRLs there are: a CA without a CRL
 * is no failure.  A CRL whose issuer is on the path and that verifies
 * under no path certificate of that name (signature, algorithm, no
 * cRLSign), or that has a critical extension we cannot process, is the
 * reason "revocation-data-invalid"; a delta CRL is left out with a
 * warning; of several CRLs of one issuer the newest counts, and one whose
 * next update is before the time of validation is
 * "revocation-data-superseded".  A CRL file of the store that cannot be
 * used (crlfile.h) makes every path with a CA "crl-unusable": what it
 * covers cannot be known, and revocation fails closed.  The profile low
 * also allows SHA-1 signatures.
 *
 *	struct ec_verify_opts o = { .purpose = GNUTLS_KP_TLS_WWW_SERVER };
 *	struct ec_verify_result r;
 *	if (ec_verify(store, crt, &o, &r, &e) < 0) ... (an error, not a
 *		verdict)
 *	r.trusted, r.code, r.reasons; ec_verify_report(st, store, &r);
 *	ec_verify_free(&r);
 */
#ifndef EC_VERIFY_H
#define EC_VERIFY_H

#include <stddef.h>
#include <time.h>

#include <gnutls/x509.h>

#include "chain.h"
#include "err.h"
#include "pathbuild.h"
#include "pathcheck.h"
#include "status.h"
#include "store.h"

struct ec_verify_opts {
	gnutls_x509_crt_t *extra;	/* untrusted certificates; may be NULL */
	size_t nextra;
	gnutls_x509_crl_t *crl;		/* CRLs besides the store's */
	size_t ncrl;
	const char *hostname;		/* DNS name or IP address; NULL: none */
	const char *purpose;		/* EKU OID; NULL: any */
	int serve;			/* crt is to serve TLS (pathcheck.h) */
	time_t at;			/* with at_set; else now */
	int at_set;			/* --at given (@0 is 1970, not now) */
	int system_trust;		/* the system's roots are anchors too */
	gnutls_certificate_verification_profiles_t profile; /* 0: medium */
	enum ec_profile_rules rules;	/* edgecert's own rule set */
};

#define EC_VERIFY_MAXREASONS (24 + EC_REASONS_MAX)
#define EC_VERIFY_MAXWARN 8

struct ec_verify_result {
	int trusted;
	enum ec_code code;		/* EC_OK or the most specific failure */
	unsigned status;		/* gnutls_certificate_status_t bits */
	int crl_invalid;		/* a CRL on the path did not verify */
	int crl_unusable;		/* a CRL file of the store is damaged */
	size_t revoked_at;		/* the lowest position revoked, or n */
	gnutls_x509_crt_t chain[EC_CHAIN_MAX + 1];	/* target..anchor */
	size_t n;
	gnutls_x509_crt_t anchor;	/* chain[n - 1], or NULL if none */
	time_t at;
	const char *reasons[EC_VERIFY_MAXREASONS];
	size_t nreasons;
	struct ec_reasons rules;	/* edgecert's own (pathcheck.h) */
	char warn[EC_VERIFY_MAXWARN][320];	/* CRLs left out, and why */
	size_t nwarn;
	struct ec_chain built;		/* the path, as chain.h has it */
	/* owned: */
	struct ec_pb *pb;		/* the certificates of chain */
};

/* Validate crt (the caller's; not copied).  Returns 0 with the verdict in
 * r, or -1 with e set when validation could not be done at all. */
int ec_verify(struct ec_store *s, gnutls_x509_crt_t crt,
	      const struct ec_verify_opts *o, struct ec_verify_result *r,
	      struct ec_err *e);
void ec_verify_free(struct ec_verify_result *r);

/* Fields trusted, chain, anchor, reasons, verified_at (see
 * edgecert-verify-root(1)) and the text form's lines. */
void ec_verify_report(struct ec_status *st, struct ec_store *s,
		      const struct ec_verify_result *r);

/* The reasons for status bits, one name per bit (see
 * edgecert-verify-root(1), REASONS), and the most specific code. */
size_t ec_verify_reasons(unsigned status, const char **out, size_t max);
enum ec_code ec_verify_code(unsigned status);

/* "server", "client", "any" (NULL) or a dotted OID. */
int ec_purpose_parse(const char *s, const char **oid, struct ec_err *e);
/* "low", "medium" or "high". */
int ec_profile_parse(const char *s,
		     gnutls_certificate_verification_profiles_t *out,
		     struct ec_err *e);

#endif
