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

/* The length of the DER SEQUENCE at p: SoftHSM2 pads the PKCS#8 it wraps
 * to whole semiblocks, so the unwrapped bytes may carry zeros after it. */
size_t ec_kw_der_len(const unsigned char *p, size_t n)
{
	size_t len = 0, hl;

	if (n < 2 || p[0] != 0x30)
		return n;
	if (p[1] < 0x80)
		return 2 + (size_t)p[1] <= n ? 2 + (size_t)p[1] : n;
	hl = 2 + (p[1] & 0x7f);
	if ((p[1] & 0x7f) > 3 || hl > n)
		return n;
	for (size_t i = 2; i < hl; i++)
		len = len << 8 | p[i];
	return hl + len <= n ? hl + len : n;
}

/* One DER element at *p (*n bytes left): its tag, content and length;
 * *p moves past it.  -1 if it does not fit. */
static int der_el(const unsigned char **p, size_t *n, unsigned *tag,
		  const unsigned char **c, size_t *len)
{
	size_t l, hl = 2;

	if (*n < 2)
		return -1;
	*tag = (*p)[0];
	l = (*p)[1];
	if (l & 0x80) {
		size_t k = l & 0x7f;

		if (k == 0 || k > 3 || *n < 2 + k)
			return -1;
		l = 0;
		for (size_t i = 0; i < k; i++)
			l = l << 8 | (*p)[2 + i];
		hl += k;
	}
	if (l > *n - hl)
		return -1;
	*c = *p + hl;
	*len = l;
	*p += hl + l;
	*n -= hl + l;
	return 0;
}

int ec_kw_ec_scalar(const gnutls_datum_t *pkcs8, gnutls_datum_t *k)
{
	/* PrivateKeyInfo { version, algorithm, OCTET STRING { ECPrivateKey
	 * { version, OCTET STRING k, ... } } }: each element's tag, and
	 * whether k is inside it */
	static const struct { unsigned char tag, enter; } path[] = {
		{ 0x30, 1 }, { 0x02, 0 }, { 0x30, 0 }, { 0x04, 1 },
		{ 0x30, 1 }, { 0x02, 0 }, { 0x04, 0 },
	};
	const unsigned char *p = pkcs8->data, *c = NULL;
	size_t n = pkcs8->size, len = 0;
	unsigned tag;

	for (size_t i = 0; i < sizeof(path) / sizeof(path[0]); i++) {
		if (der_el(&p, &n, &tag, &c, &len) < 0 || tag != path[i].tag)
			return -1;
		if (path[i].enter) {
			p = c;
			n = len;
		}
	}
	k->data = (unsigned char *)c;
	k->size = (unsigned)len;
	return 0;
}
