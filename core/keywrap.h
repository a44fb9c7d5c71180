/* keywrap.h: RFC 5649 AES key wrap with padding, the unwrapping half, for
 * a key a PKCS#11 token wrapped (CKM_AES_KEY_WRAP_PAD) under a key we gave
 * it.  GnuTLS has no key wrap; AES blocks are decrypted through its CBC
 * with a zero IV, which is ECB for one block. */
#ifndef EC_KEYWRAP_H
#define EC_KEYWRAP_H

#include <stddef.h>

/* Unwrap c[0..n) in place under the AES-256 key kek; *len gets the
 * plaintext's length, the plaintext being at c + 8.  -1 if n is not a
 * whole number of semiblocks or the integrity check fails. */
int ec_kw_unwrap(const unsigned char kek[32], unsigned char *c, size_t n,
		 size_t *len);

#endif
