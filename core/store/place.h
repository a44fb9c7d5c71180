/* place.h: where the CA certificates and CRLs of a bundle go in the store,
 * and the certification paths the bundle holds.
 *
 *   self-signed CA certificates  root (trusted roots)
 *   other CA certificates        ca (intermediates)
 *   CRLs                         crl, once their signature verifies
 *                                against a CA of the bundle or the store
 *   anything without CA rights   reported, never placed
 *
 * Used in three steps, so that a caller (import-chain, accept) can report
 * and refuse before anything is written:
 *
 *	ec_place_plan(store, crts, n, crls, crlders, m, &flags, &plan, &e);
 *	ec_place_report(st, store, &plan);	(the status record's fields)
 *	ec_place_stage(store, txn, &plan, &e);	(txn NULL: --check)
 *	ec_place_free(&plan);
 */
#ifndef EC_PLACE_H
#define EC_PLACE_H

#include <stddef.h>

#include <gnutls/x509.h>

#include "cert.h"
#include "chain.h"
#include "err.h"
#include "status.h"
#include "store.h"

struct ec_place_flags {
	int trust_all;	/* every CA certificate becomes a trust anchor */
	int no_trust;	/* self-signed ones go to the intermediates too */
	int force;	/* move a certificate the store holds in the other
			 * of ca and root; without it that is "exists" */
	int held_roots;	/* a self-signed certificate is placed only when
			 * it is a trusted root already (accept without
			 * --trust-root: an answer never widens the trust) */
};

enum ec_place_action {
	EC_PLACE_ADD, EC_PLACE_PRESENT, EC_PLACE_MOVE, EC_PLACE_SKIP
};

struct ec_place_crt {
	gnutls_x509_crt_t crt;		/* the caller's */
	int sec;			/* EC_SEC_CA or EC_SEC_ROOT; -1 skip */
	int was;			/* the store's section for it, or -1 */
	enum ec_place_action action;
	const char *why;		/* for a skip */
};

struct ec_place_crl {
	gnutls_x509_crl_t crl;		/* the caller's */
	const gnutls_datum_t *der;	/* its DER, the caller's, or NULL */
	char id[EC_SHA1_HEX];
	enum ec_place_action action;
	const char *why;
};

struct ec_plan {
	struct ec_place_crt *crt;
	size_t ncrt;
	struct ec_place_crl *crl;
	size_t ncrl;
	struct ec_chain *path;		/* one per lowest certificate */
	int *complete;			/* ends in a self-signed certificate
					 * or a trust anchor */
	int *anchored;			/* ends in a trust anchor (the store's
					 * or one this plan places) */
	size_t npath;
	size_t nchanges;		/* objects to add, move or remove */
	int all_complete;
	/* owned: the store's CAs and the file's certificates, indexed
	 * (cs.ix[2]: the file's), and for the file's i-th the index in crt
	 * of the first with its DER */
	struct ec_chainset cs;
	size_t *pj;
};

/* Decide, reading the store only.  The certificates and CRLs stay the
 * caller's and must outlive the plan.  Fails with bad-input for a CRL
 * whose issuer is known but whose signature does not verify, and with
 * exists for a certificate in the other section without force. */
int ec_place_plan(struct ec_store *s, gnutls_x509_crt_t *crt, size_t ncrt,
		  gnutls_x509_crl_t *crl, const gnutls_datum_t *crlder,
		  size_t ncrl,
		  const struct ec_place_flags *f, struct ec_plan *p,
		  struct ec_err *e);
/* Stage the plan's changes in t (metadata: added=<now>).  t NULL does
 * nothing (--check).  Returns the number of changes. */
int ec_place_stage(struct ec_store *s, struct ec_txn *t,
		   const struct ec_plan *p, struct ec_err *e);
/* Fields "certificates", "crls" and "paths" (see edgecert-import-chain(1))
 * and the text form's lines. */
void ec_place_report(struct ec_status *st, struct ec_store *s,
		     const struct ec_plan *p);
void ec_place_free(struct ec_plan *p);

#endif
