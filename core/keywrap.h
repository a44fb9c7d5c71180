/* keywrap.h: what a PKCS#11 token's wrapped key gives back: RFC 5649 AES
 * key wrap with padding, the unwrapping half, for a key the token wrapped
 * (CKM_AES_KEY_WRAP_PAD) under a key we gave it, and the PKCS#8 inside.
 * GnuTLS has no key wrap; AES blocks are decrypted through its CBC with a
 * zero IV, which is ECB for one block. */
#ifndef EC_KEYWRAP_H
#define EC_KEYWRAP_H

#include <stddef.h>

#include <gnutls/gnutls.h>

/* Unwrap c[0..n) in place under the AES-256 key kek; *len gets the
 * plaintext's length, the plaintext being at c + 8.  -1 if n is not a
 * whole number of semiblocks or the integrity check fails. */
int ec_kw_unwrap(const unsigned char kek[32], unsigned char *c, size_t n,
		 size_t *len);

/* The length of the DER SEQUENCE at p (n if it is none, or longer than
 * n): SoftHSM2 pads the PKCS#8 it wraps to whole semiblocks, so the
 * unwrapped bytes may carry zeros after it. */
size_t ec_kw_der_len(const unsigned char *p, size_t n);

/* The private scalar of an EC key's PKCS#8 (k points into pkcs8), for
 * one whose ECPrivateKey has no public key: SoftHSM2 wraps EC keys so
 * (RFC 5915 allows it) and GnuTLS 3.7 does not import that.  -1 if the
 * DER is not that shape. */
int ec_kw_ec_scalar(const gnutls_datum_t *pkcs8, gnutls_datum_t *k);

#endif
