/* pathbuild.h: every certification path of a certificate, as RFC 4158
 * builds them, for verification (chain.h's first-fit path is for placing
 * and exporting).
 *
 * The candidates are the store's roots (trust anchors) and intermediates,
 * the system's roots with system_trust (anchors too) and the caller's
 * untrusted certificates.  The issuers of a certificate are those named
 * like its issuer, or whose subject key identifier is its authority key
 * identifier, and whose key verifies its signature.  They are tried
 * depth-first, ranked at the time of validation: first those with no
 * defect known in themselves (valid at that time; a CA that may sign
 * certificates and whose path length allows the certificates below it;
 * signed with an algorithm the profile takes), then a trust anchor before
 * an intermediate (a shorter path), a subject key identifier that matches
 * the authority key identifier, the store's before the caller's, a
 * stronger signature hash, the newest notBefore.  A certificate, or one
 * with the same subject and key, is never twice on a path; a path ends at
 * the first trust anchor, at EC_CHAIN_MAX certificates, or where no
 * issuer is left.
 *
 * Each complete path (ending at a trust anchor) goes to the caller's
 * check, which says whether it is valid: the first valid one ends the
 * search.  When no path reaches an anchor, the longest dead end (of
 * those as long, one ending in a self-issued certificate) is checked
 * instead (once, unanchored).  The work is bounded: at most
 * EC_PB_MAX_SIGS issuer checks (a signature each), EC_PB_MAX_STEPS
 * candidates tried and EC_PB_MAX_PATHS complete paths checked; over a
 * bound the search stops and says so (exhausted).
 *
 *	struct ec_pb *pb;
 *	ec_pb_new(&pb, store, crt, extra, nextra, system_trust, &e);
 *	ec_pb_search(pb, at, sha1_ok, check, arg, &st, &e);
 *	ec_pb_free(pb);		(after the last use of a path's certificates)
 */
#ifndef EC_PATHBUILD_H
#define EC_PATHBUILD_H

#include <stddef.h>
#include <time.h>

#include <gnutls/x509.h>

#include "err.h"
#include "store.h"

#define EC_PB_MAX_SIGS 1024
#define EC_PB_MAX_STEPS 4096
#define EC_PB_MAX_PATHS 32

struct ec_pb;

/* One path: v[0] the target .. v[n - 1]; sec[i] the store section of
 * v[i] (EC_SEC_ROOT, EC_SEC_CA) or -1; anchored: v[n - 1] is a trust
 * anchor (the store's root or, with system_trust, the system's). */
struct ec_pb_path {
	gnutls_x509_crt_t *v;
	const int *sec;
	size_t n;
	int anchored;
};

/* The caller's verdict on a path: > 0 valid (the search ends), 0 not
 * valid, < 0 an error (the search ends and returns -1).  On 0 it may set
 * *doomed (p->n when called) to k < p->n when every path that starts
 * with v[0..k) fails as well (a certificate revoked by its issuer's CRL,
 * the target's name): the search then goes back to replace v[k - 1].
 * The path's certificates live until ec_pb_free; the arrays only during
 * the call. */
typedef int (*ec_pb_check_fn)(void *arg, const struct ec_pb_path *p,
			      size_t *doomed);

struct ec_pb_stats {
	size_t sigs, steps, paths;	/* the work done */
	int exhausted;			/* a bound stopped the search */
	int found;			/* a path was valid */
};

/* Gather and index the candidates (crt and extra are the caller's, not
 * copied; the store's and the system's are owned). */
int ec_pb_new(struct ec_pb **out, struct ec_store *s, gnutls_x509_crt_t crt,
	      gnutls_x509_crt_t *extra, size_t nextra, int system_trust,
	      struct ec_err *e);
/* Search at time at; sha1_ok: SHA-1 signatures are no defect (profile
 * low).  Returns 0 (st says how it went) or -1 when check failed. */
int ec_pb_search(struct ec_pb *pb, time_t at, int sha1_ok,
		 ec_pb_check_fn check, void *arg, struct ec_pb_stats *st,
		 struct ec_err *e);
void ec_pb_free(struct ec_pb *pb);

/* Is a candidate named like the DER Name dn (loosely, as crtindex.h
 * says)?  To keep only the CRLs of candidate CAs. */
int ec_pb_named(const struct ec_pb *pb, const gnutls_datum_t *dn);

#endif
