/* csr.h: keys and PKCS#10 requests for a CA, and the pending requests
 * that wait in the store for the CA's answer.
 *
 * pending/<id>.key (PKCS#8 PEM, 0600), <id>.csr (PEM), <id>.meta; the id
 * is the hex SHA-256 key id of the public key (GnuTLS' key id), so that
 * the CA's answer is matched to its request by key, wherever it sits. */
#ifndef EC_CSR_H
#define EC_CSR_H

#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "err.h"
#include "meta.h"
#include "store.h"

#define EC_MAX_NAMES 64
#define EC_KEYID_HEX 65

struct ec_csr_params {
	/* the subject: a whole DN, or its parts */
	const char *subject;
	const char *cn, *org, *ou, *locality, *state, *country;
	const char *dns[EC_MAX_NAMES];
	size_t ndns;
	const char *ip[EC_MAX_NAMES];
	size_t nip;
	const char *eku[16];	/* OIDs */
	size_t neku;
	const char *template_name;	/* NULL: no v1 template extension */
	const char *template_oid;	/* NULL: no v2 template extension */
	const char *template_attr;	/* NULL: no CertificateTemplate
					 * name-value pair attribute */
	long template_major, template_minor;	/* -1: absent */
	unsigned key_usage;	/* GNUTLS_KEY_* bits; 0: digitalSignature,
				 * and keyEncipherment for RSA */
	gnutls_digest_algorithm_t hash;	/* 0: SHA-256 (SHA-384 for P-384) */
	int exact_sans;		/* the SANs as given: the CN does not join */
	const char *san_order;	/* 'd' (the next DNS name) and 'i' (the
				 * next address) in the order given; NULL:
				 * the DNS names first */
};

/* Parse "server,client,1.2.3" into OIDs (pointers into a static table
 * or into s, which is modified). */
int ec_eku_parse(char *s, struct ec_csr_params *p, struct ec_err *e);
/* Is s a dotted OID of at least two arcs, the first 0, 1 or 2 (the
 * second under 40 below 0 and 1), each arc under 2^32? */
int ec_oid_ok(const char *s);

/* Check what can be checked before a key is made: the country code, the
 * IP addresses, the DNS names.  usage otherwise. */
int ec_csr_check(const struct ec_csr_params *p, struct ec_err *e);

/* Make the key: GNUTLS_PK_RSA with bits, GNUTLS_PK_ECDSA with a curve,
 * GNUTLS_PK_EDDSA_ED25519. */
int ec_key_generate(gnutls_pk_algorithm_t pk, unsigned bits,
		    gnutls_ecc_curve_t curve, gnutls_x509_privkey_t *out,
		    struct ec_err *e);

/* Build and sign the request (SHA-256, SHA-384 for P-384, Ed25519's own;
 * or p->hash) with key, in a file or in a token.
 * The CN joins the DNS names unless it is there already or exact_sans. */
int ec_csr_make(const struct ec_csr_params *p, gnutls_privkey_t key,
		gnutls_x509_crq_t *out, struct ec_err *e);

/* The id of a key, of a certificate's public key. */
int ec_keyid_of_privkey(gnutls_privkey_t key, char id[EC_KEYID_HEX],
			struct ec_err *e);
int ec_keyid_of_crt(gnutls_x509_crt_t crt, char id[EC_KEYID_HEX],
		    struct ec_err *e);

#endif
