#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "keywrap.h"

/* One AES block decrypted: CBC with a zero IV is ECB for one block. */
static int aes_block(gnutls_cipher_hd_t h, unsigned char b[16])
{
	static const unsigned char zero[16];

	gnutls_cipher_set_iv(h, (void *)zero, sizeof(zero));
	return gnutls_cipher_decrypt(h, b, 16);
}

int ec_kw_unwrap(const unsigned char kek[32], unsigned char *c, size_t n,
		 size_t *len)
{
	gnutls_datum_t kd = { (void *)kek, 32 };
	unsigned char iv[16] = { 0 }, b[16];
	gnutls_datum_t ivd = { iv, sizeof(iv) };
	gnutls_cipher_hd_t h;
	size_t m = n / 8 - 1, mli;
	int r = -1;

	if (n < 16 || n % 8 ||
	    gnutls_cipher_init(&h, GNUTLS_CIPHER_AES_256_CBC, &kd, &ivd) < 0)
		return -1;
	if (m == 1) {
		memcpy(b, c, 16);
		if (aes_block(h, b) < 0)
			goto out;
		memcpy(c, b, 16);
	} else {
		for (int j = 5; j >= 0; j--)
			for (size_t i = m; i >= 1; i--) {
				unsigned long long t = (unsigned long long)m *
						       (unsigned)j + i;

				memcpy(b, c, 8);
				for (int k = 7; k >= 0; k--, t >>= 8)
					b[k] ^= (unsigned char)t;
				memcpy(b + 8, c + 8 * i, 8);
				if (aes_block(h, b) < 0)
					goto out;
				memcpy(c, b, 8);
				memcpy(c + 8 * i, b + 8, 8);
			}
	}
	if (c[0] != 0xa6 || c[1] != 0x59 || c[2] != 0x59 || c[3] != 0xa6)
		goto out;
	mli = (size_t)c[4] << 24 | (size_t)c[5] << 16 | (size_t)c[6] << 8 |
	      c[7];
	if (mli > 8 * m || mli + 8 <= 8 * m)
		goto out;
	for (size_t i = 8 + mli; i < n; i++)
		if (c[i])
			goto out;
	*len = mli;
	r = 0;
out:
	gnutls_memset(b, 0, sizeof(b));
	gnutls_cipher_deinit(h);
	return r;
}
