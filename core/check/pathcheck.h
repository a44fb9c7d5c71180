/* pathcheck.h: the checks edgecert makes on a certification path beyond
 * GnuTLS' own (RFC 5280 rules GnuTLS 3.7 leaves out, name constraints,
 * host names as RFC 9525 says, the web PKI profile).  Each failure is a
 * named reason (edgecert-verify-root(1), REASONS) with the code it
 * weighs as.
 *
 *	struct ec_path p = { .v = chain, .n = n, .anchored = 1, .at = t };
 *	struct ec_reasons rs = { 0 };
 *	ec_pathcheck(&p, &rs);
 *	rs.n: how many reasons; rs.v[i].name, rs.v[i].code
 *
 * A module with rules of its own adds one call to ec_pathcheck (in
 * pathcheck.c); it never prints and never fails for want of memory
 * (what cannot be evaluated is a reason too, never a pass).  Reasons are
 * added with a literal name, ec_reasons_add(out, "name", code): the test
 * of the vocabulary (t/verify-root.bats) finds them there, and the man
 * page and the schema must list each. */
#ifndef EC_PATHCHECK_H
#define EC_PATHCHECK_H

#include <stddef.h>
#include <time.h>

#include <gnutls/x509.h>

#include "err.h"

#define EC_REASONS_MAX 32
#define EC_REASONS_MAXWARN 4

struct ec_reason {
	const char *name;	/* static: a reason of the vocabulary */
	enum ec_code code;	/* what it weighs as: untrusted, ... */
};

struct ec_reasons {
	struct ec_reason v[EC_REASONS_MAX];
	size_t n;
	/* what passed but the record should say (a host name matched on
	 * the CN, say): the run's warnings */
	char warn[EC_REASONS_MAXWARN][256];
	size_t nwarn;
};

/* Add name (once: a name already there is not added again). */
void ec_reasons_add(struct ec_reasons *r, const char *name,
		    enum ec_code code);
int ec_reasons_has(const struct ec_reasons *r, const char *name);
/* Add a warning (the first EC_REASONS_MAXWARN are kept). */
void ec_reasons_warn(struct ec_reasons *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

enum ec_profile_rules {
	EC_RULES_RFC5280 = 0,	/* RFC 5280 and RFC 9525 (the default) */
	EC_RULES_WEBPKI		/* and the CA/Browser Forum baseline */
};

/* --profile: "rfc5280" or "webpki"; usage for anything else. */
int ec_rules_parse(const char *s, enum ec_profile_rules *out,
		   struct ec_err *e);

struct ec_path {
	gnutls_x509_crt_t *v;	/* v[0] the target .. v[n - 1] */
	size_t n;
	int anchored;		/* v[n - 1] is a trust anchor */
	time_t at;		/* the time of validation */
	const char *hostname;	/* DNS name or IP address; NULL: none */
	const char *purpose;	/* EKU OID; NULL: any */
	int serve;		/* v[0] is to serve TLS (verify-root
				 * --purpose server, accept, assign) */
	enum ec_profile_rules rules;
	const gnutls_x509_crl_t *crl;	/* the CRLs in use (for
					 * ec_pathcheck_gnutls); may be NULL */
	size_t ncrl;
};

/* Every check of the modules on p; adds a reason per failure to out.
 * Returns the number of reasons added. */
size_t ec_pathcheck(const struct ec_path *p, struct ec_reasons *out);

/* GnuTLS' status bits for p as edgecert takes them, rs the reasons of
 * ec_pathcheck.  GnuTLS 3.7 sets GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE
 * for its name constraints verdict (wrong both ways), for a path longer
 * than a pathLenConstraint allows (self-issued certificates counted), an
 * issuer without keyCertSign and a TLS feature the target lacks.  The bit
 * is cleared when a CA of p has name constraints, edgecert's own
 * evaluation finds no fault with them and none of the other causes holds
 * (each evaluated as GnuTLS does; GnuTLS' own name constraint parser takes
 * every CA's above the target's issuer: where it cannot, it checked none
 * of the certificates below).  GnuTLS then had looked at nothing less but
 * revocation, which it skips after any failure: when nothing else is
 * left, the path's certificates are checked against p->crl here. */
unsigned ec_pathcheck_gnutls(const struct ec_path *p,
			     const struct ec_reasons *rs, unsigned status);

#endif
