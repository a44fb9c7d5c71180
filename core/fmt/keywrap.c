#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <libtasn1.h>
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

size_t ec_kw_der_len(const unsigned char *p, size_t n)
{
	unsigned long tag;
	unsigned char cls;
	int tl, ll;
	long len;

	if (n > INT_MAX ||
	    asn1_get_tag_der(p, (int)n, &cls, &tl, &tag) != ASN1_SUCCESS ||
	    cls != ASN1_CLASS_STRUCTURED || tag != ASN1_TAG_SEQUENCE)
		return n;
	len = asn1_get_length_der(p + tl, (int)n - tl, &ll);
	return len < 0 ? n : (size_t)tl + (size_t)ll + (size_t)len;
}

/* The value of the OCTET STRING name in node, gnutls_malloc'd into v. */
static int read_octets(asn1_node node, const char *name, gnutls_datum_t *v)
{
	int len = 0;

	v->data = NULL;
	if (asn1_read_value(node, name, NULL, &len) != ASN1_MEM_ERROR ||
	    len <= 0)
		return GNUTLS_E_ASN1_DER_ERROR;
	if (!(v->data = gnutls_malloc((size_t)len)))
		return GNUTLS_E_MEMORY_ERROR;
	if (asn1_read_value(node, name, v->data, &len) != ASN1_SUCCESS) {
		gnutls_memset(v->data, 0, (size_t)len);
		gnutls_free(v->data);
		v->data = NULL;
		return GNUTLS_E_ASN1_DER_ERROR;
	}
	v->size = (unsigned)len;
	return 0;
}

/* Decode der as the type name of core/fmt/pkcs8.asn into *node. */
static int decode(asn1_node defs, const char *name, const gnutls_datum_t *der,
		  asn1_node *node)
{
	char msg[ASN1_MAX_ERROR_DESCRIPTION_SIZE];

	if (der->size > INT_MAX ||
	    asn1_create_element(defs, name, node) != ASN1_SUCCESS)
		return GNUTLS_E_ASN1_DER_ERROR;
	if (asn1_der_decoding(node, der->data, (int)der->size, msg) !=
	    ASN1_SUCCESS)
		return GNUTLS_E_ASN1_DER_ERROR;
	return 0;
}

int ec_kw_ec_scalar(const gnutls_datum_t *pkcs8, gnutls_datum_t *k)
{
	char msg[ASN1_MAX_ERROR_DESCRIPTION_SIZE], oid[64];
	asn1_node defs = NULL, pki = NULL, eck = NULL;
	gnutls_datum_t inner = { NULL, 0 };
	int len = sizeof(oid), r;

	k->data = NULL;
	k->size = 0;
	if (asn1_array2tree(ec_pkcs8_asn1_tab, &defs, msg) != ASN1_SUCCESS)
		return GNUTLS_E_INTERNAL_ERROR;
	if ((r = decode(defs, "EdgecertPKCS8.PrivateKeyInfo", pkcs8, &pki)) <
	    0)
		goto out;
	r = GNUTLS_E_ASN1_DER_ERROR;
	if (asn1_read_value(pki, "privateKeyAlgorithm.algorithm", oid, &len) !=
	    ASN1_SUCCESS || strcmp(oid, EC_OID_EC_PUBLIC_KEY) != 0)
		goto out;
	if ((r = read_octets(pki, "privateKey", &inner)) < 0 ||
	    (r = decode(defs, "EdgecertPKCS8.ECPrivateKey", &inner, &eck)) < 0)
		goto out;
	r = read_octets(eck, "privateKey", k);
out:
	if (inner.data) {
		gnutls_memset(inner.data, 0, inner.size);
		gnutls_free(inner.data);
	}
	asn1_delete_structure2(&eck, ASN1_DELETE_FLAG_ZEROIZE);
	asn1_delete_structure2(&pki, ASN1_DELETE_FLAG_ZEROIZE);
	asn1_delete_structure(&defs);
	return r;
}
