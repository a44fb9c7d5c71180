/* chain.h: the certification path of a certificate, built from the store's
 * intermediates and roots (and extra certificates a caller has, such as
 * the rest of a PFX or a .p7b): issuer by issuer, each one's signature
 * checked, until a self-signed certificate. */
#ifndef EC_CHAIN_H
#define EC_CHAIN_H

#include <stddef.h>

#include <gnutls/x509.h>

#include "crtindex.h"
#include "err.h"
#include "store.h"

#define EC_CHAIN_MAX 16

struct ec_chain {
	gnutls_x509_crt_t v[EC_CHAIN_MAX];	/* v[0] is the target */
	int sec[EC_CHAIN_MAX];	/* the store section of v[i]; -1: not in it */
	size_t n;
	int complete;		/* ends in a self-signed certificate */
	/* owned: */
	gnutls_x509_crt_t *pool[2];
	size_t npool[2];
};

/* Build the path of crt (not copied: the caller keeps it alive).  extra
 * may be NULL.  Never fails for want of an issuer: complete tells. */
int ec_chain_build(struct ec_store *s, gnutls_x509_crt_t crt,
		   gnutls_x509_crt_t *extra, size_t nextra,
		   struct ec_chain *out, struct ec_err *e);
void ec_chain_free(struct ec_chain *c);

/* The store's intermediates and roots and the extra certificates, loaded
 * and indexed once to build many paths (a bundle's): each path then costs
 * its own length, not the number of certificates. */
struct ec_chainset {
	gnutls_x509_crt_t *pool[3];	/* ca, root (owned), extra */
	size_t npool[3];
	struct ec_crtix *ix[3];
	signed char *selfsigned[3];	/* -1: not known yet */
	long *up[3];			/* the issuer found for it: pool *
					 * 3 + index; -1 none; -2 unknown */
	/* the verdicts ec_chainset_presign found for the extra
	 * certificates' candidate issuers: those of extra i in pool k at
	 * verdict[voff[3 * i + k]], in ec_crtix_issuers' order (1 signs,
	 * 0 not, -1 unknown); NULL when not made */
	size_t *voff;
	signed char *verdict;
};

int ec_chainset_init(struct ec_chainset *cs, struct ec_store *s,
		     gnutls_x509_crt_t *extra, size_t nextra,
		     struct ec_err *e);
/* A path as ec_chain_build makes it; out owns nothing (its certificates
 * are cs's and crt): free cs after every such path. */
int ec_chainset_build(struct ec_chainset *cs, gnutls_x509_crt_t crt,
		      struct ec_chain *out, struct ec_err *e);
void ec_chainset_free(struct ec_chainset *cs);
/* Check the signatures a bundle's paths will need (each extra
 * certificate against the candidate issuers its name finds, and itself
 * when self-named) on the machine's CPUs at once, before the paths are
 * built one by one from the verdicts (chainpar.c).  Nothing for fewer
 * than EC_PRESIGN_MIN extra certificates or a single CPU. */
#define EC_PRESIGN_MIN 256
int ec_chainset_presign(struct ec_chainset *cs, struct ec_err *e);

/* Is crt self-signed (issuer == subject and its own key verifies it)? */
int ec_crt_self_signed(gnutls_x509_crt_t crt);
/* Does issuer's key sign crt, with matching names? */
int ec_crt_issued_by(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer);

/* Where a CA certificate from outside belongs: EC_SEC_ROOT when it is
 * self-signed and trust_roots is set, else EC_SEC_CA; -1 when it is not a
 * CA (no basicConstraints CA:TRUE). */
int ec_ca_section(gnutls_x509_crt_t crt, int trust_roots);

#endif
