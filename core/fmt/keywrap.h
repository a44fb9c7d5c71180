/* keywrap.h: what a PKCS#11 token's wrapped key gives back: the key the
 * token wrapped with CKM_AES_KEY_WRAP (RFC 3394) under a one-time AES key
 * we gave it, unwrapped by nettle (GnuTLS' crypto backend; GnuTLS has no
 * key wrap of its own), and the PKCS#8 inside, read with libtasn1 from the
 * definitions in core/fmt/pkcs8.asn. */
#ifndef EC_KEYWRAP_H
#define EC_KEYWRAP_H

#include <stddef.h>

#include <gnutls/gnutls.h>
#include <libtasn1.h>

#define EC_OID_EC_PUBLIC_KEY "1.2.840.10045.2.1"

extern const asn1_static_node ec_pkcs8_asn1_tab[];

/* Unwrap c[0..n) under the AES-256 key kek into out, n - 8 bytes.  -1 if
 * n is not a whole number of semiblocks (at least three) or the integrity
 * check fails. */
int ec_kw_unwrap(const unsigned char kek[32], const unsigned char *c,
		 size_t n, unsigned char *out);

/* The length of the DER SEQUENCE at p (n if it is none, or longer than
 * n): SoftHSM2 pads the PKCS#8 it wraps to whole semiblocks, so the
 * unwrapped bytes may carry zeros after it. */
size_t ec_kw_der_len(const unsigned char *p, size_t n);

/* The private scalar of an EC key's PKCS#8 (k is gnutls_malloc'd; the
 * caller wipes and frees it), for one whose ECPrivateKey has no public
 * key: SoftHSM2 wraps EC keys so (RFC 5915 allows it) and GnuTLS 3.7 does
 * not import that.  A GnuTLS error code: GNUTLS_E_ASN1_DER_ERROR if the
 * DER is not a PrivateKeyInfo of id-ecPublicKey holding an ECPrivateKey. */
int ec_kw_ec_scalar(const gnutls_datum_t *pkcs8, gnutls_datum_t *k);

#endif
