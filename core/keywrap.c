#include <stdint.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <nettle/aes.h>
#include <nettle/nist-keywrap.h>

#include "keywrap.h"

int ec_kw_unwrap(const unsigned char kek[32], const unsigned char *c,
		 size_t n, unsigned char *out)
{
	/* RFC 3394's default initial value, the integrity check */
	static const uint8_t iv[8] = {
		0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6,
	};
	struct aes256_ctx ctx;
	int ok;

	if (n < 24 || n % 8)
		return -1;
	aes256_set_decrypt_key(&ctx, kek);
	ok = aes256_keyunwrap(&ctx, iv, n - 8, out, c);
	gnutls_memset(&ctx, 0, sizeof(ctx));
	return ok ? 0 : -1;
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
