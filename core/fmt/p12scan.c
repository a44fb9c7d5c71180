#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "p12scan.h"
#include "pfx.h"

#define OID_DATA "1.2.840.113549.1.7.1"
#define OID_ENCRYPTED_DATA "1.2.840.113549.1.7.6"
#define OID_SHROUDED_KEY_BAG "1.2.840.113549.1.12.10.1.2"
#define OID_PBES2 "1.2.840.113549.1.5.13"
#define OID_PBKDF2 "1.2.840.113549.1.5.12"
#define OID_PKCS12_PBE "1.2.840.113549.1.12.1."
#define OID_PKCS5_PBES1 "1.2.840.113549.1.5."

/* The longest MAC salt read (GnuTLS writes 8 bytes, Windows 20). */
#define MAC_SALT_MAX 1024

struct scan {
	asn1_node defs;
	struct ec_p12_scan *out;
	struct ec_err *e;
};

static int damaged(struct scan *s, const char *what)
{
	return ec_fail(s->e, EC_BAD_INPUT, "not a PKCS#12 file, or a damaged "
		       "one: cannot decode its %s", what);
}

static int decode(struct scan *s, const char *type, const unsigned char *der,
		  size_t len, asn1_node *node, const char *what)
{
	char msg[ASN1_MAX_ERROR_DESCRIPTION_SIZE];

	*node = NULL;
	if (len > INT_MAX || asn1_create_element(s->defs, type, node) !=
	    ASN1_SUCCESS)
		return damaged(s, what);
	if (asn1_der_decoding(node, der, (int)len, msg) != ASN1_SUCCESS) {
		asn1_delete_structure(node);
		return damaged(s, what);
	}
	return 0;
}

/* The value of name in node, malloc'd (an ANY: its whole TLV). */
static int read_alloc(struct scan *s, asn1_node node, const char *name,
		      unsigned char **p, int *len, const char *what)
{
	*len = 0;
	*p = NULL;
	if (asn1_read_value(node, name, NULL, len) != ASN1_MEM_ERROR ||
	    *len <= 0 || !(*p = malloc((size_t)*len)))
		return damaged(s, what);
	if (asn1_read_value(node, name, *p, len) != ASN1_SUCCESS) {
		free(*p);
		*p = NULL;
		return damaged(s, what);
	}
	return 0;
}

static int read_oid(asn1_node node, const char *name, char *oid, int size)
{
	int len = size;

	return asn1_read_value(node, name, oid, &len) == ASN1_SUCCESS ? 0 : -1;
}

/* An INTEGER as a signed number; -1 when it does not fit 63 bits. */
static int read_int(asn1_node node, const char *name, long long *v)
{
	unsigned char b[16];
	int len = sizeof(b);
	unsigned long long u;

	if (asn1_read_value(node, name, b, &len) != ASN1_SUCCESS || len < 1 ||
	    len > 8)
		return -1;
	u = (b[0] & 0x80) ? ~0ull : 0;
	for (int i = 0; i < len; i++)
		u = (u << 8) | b[i];
	*v = (long long)u;
	return 0;
}

/* Add an iteration count; over the total (or not positive): bad-input. */
static int add_iter(struct scan *s, long long n, const char *what)
{
	if (n < 1)
		return ec_fail(s->e, EC_BAD_INPUT, "the %s asks for %lld "
			       "iterations: not a positive count, damaged",
			       what, n);
	if (n > (long long)EC_PFX_ITER_MAX)	/* as pfx.c says it */
		return ec_fail(s->e, EC_BAD_INPUT, "the %s asks for %lld "
			       "iterations (more than %u): refused", what, n,
			       EC_PFX_ITER_MAX);
	s->out->iter += (unsigned long long)n;
	if (s->out->iter > EC_P12_ITER_TOTAL_MAX)
		return ec_fail(s->e, EC_BAD_INPUT, "the file asks for more "
			       "than %llu key derivation iterations in all "
			       "(MAC and encryptions): refused",
			       EC_P12_ITER_TOTAL_MAX);
	return 0;
}

/* The iterations of a PBE AlgorithmIdentifier at name in node; unknown
 * schemes count none (GnuTLS refuses them). */
static int alg_iter(struct scan *s, asn1_node node, const char *name,
		    const char *what)
{
	char path[128], oid[128];
	unsigned char *par = NULL, *kdf = NULL;
	int plen, klen, r = 0;
	asn1_node pn = NULL, kn = NULL;
	long long n = 0;

	snprintf(path, sizeof(path), "%s.algorithm", name);
	if (read_oid(node, path, oid, sizeof(oid)) < 0)
		return damaged(s, what);
	if (strcmp(oid, OID_PBES2) != 0 &&
	    strncmp(oid, OID_PKCS12_PBE, strlen(OID_PKCS12_PBE)) != 0 &&
	    strncmp(oid, OID_PKCS5_PBES1, strlen(OID_PKCS5_PBES1)) != 0)
		return 0;
	snprintf(path, sizeof(path), "%s.parameters", name);
	if (read_alloc(s, node, path, &par, &plen, what) < 0)
		return -1;
	if (strcmp(oid, OID_PBES2) != 0) {
		r = decode(s, "EdgecertP12Scan.PBEParameter", par,
			   (size_t)plen, &pn, what);
		if (r == 0 && read_int(pn, "iterationCount", &n) < 0)
			r = damaged(s, what);
		if (r == 0)
			r = add_iter(s, n, what);
		goto out;
	}
	if ((r = decode(s, "EdgecertP12Scan.PBES2Params", par, (size_t)plen,
			&pn, what)) < 0 ||
	    read_oid(pn, "keyDerivationFunc.algorithm", oid, sizeof(oid)) < 0)
		goto out_damaged;
	if (strcmp(oid, OID_PBKDF2) != 0)
		goto out;
	if ((r = read_alloc(s, pn, "keyDerivationFunc.parameters", &kdf,
			    &klen, what)) < 0 ||
	    (r = decode(s, "EdgecertP12Scan.PBKDF2Params", kdf, (size_t)klen,
			&kn, what)) < 0)
		goto out;
	if (read_int(kn, "iterationCount", &n) < 0)
		goto out_damaged;
	r = add_iter(s, n, what);
	goto out;
out_damaged:
	r = r < 0 ? r : damaged(s, what);
out:
	asn1_delete_structure(&kn);
	asn1_delete_structure(&pn);
	free(kdf);
	free(par);
	return r;
}

/* The value of an OCTET STRING's TLV (BER: constructed too). */
static int octets(struct scan *s, const unsigned char *tlv, int len,
		  unsigned char **p, unsigned *plen, const char *what)
{
	unsigned consumed;

	*p = NULL;
	if (asn1_decode_simple_ber(ASN1_ETYPE_OCTET_STRING, tlv,
				   (unsigned)len, p, plen, &consumed) !=
	    ASN1_SUCCESS)
		return damaged(s, what);
	return 0;
}

/* A plain ContentInfo: count its bags, and its shrouded keys' work. */
static int scan_safe(struct scan *s, const unsigned char *der, unsigned len)
{
	asn1_node sc = NULL;
	int n = 0, r;
	char path[64], oid[128];

	if ((r = decode(s, "EdgecertP12Scan.SafeContents", der, len, &sc,
			"bags")) < 0)
		return r;
	if (asn1_number_of_elements(sc, "", &n) != ASN1_SUCCESS)
		n = 0;
	s->out->nbags += (size_t)n;
	if (s->out->nbags > EC_P12_BAGS_MAX) {
		r = ec_fail(s->e, EC_BAD_INPUT, "the file holds more than %d "
			    "bags: refused", EC_P12_BAGS_MAX);
		goto out;
	}
	for (int i = 1; i <= n && r == 0; i++) {
		unsigned char *v = NULL;
		int vlen;
		asn1_node epki = NULL;

		snprintf(path, sizeof(path), "?%d.bagId", i);
		if (read_oid(sc, path, oid, sizeof(oid)) < 0) {
			r = damaged(s, "bags");
			break;
		}
		if (strcmp(oid, OID_SHROUDED_KEY_BAG) != 0)
			continue;
		snprintf(path, sizeof(path), "?%d.bagValue", i);
		if ((r = read_alloc(s, sc, path, &v, &vlen, "key bag")) < 0)
			break;
		/* certtool --pkcs-cipher none puts a plain key in a
		 * shrouded bag: no encryption, no work to count */
		if (decode(s, "EdgecertP12Scan.EncryptedPrivateKeyInfo", v,
			   (size_t)vlen, &epki, "key bag") == 0)
			r = alg_iter(s, epki, "encryptionAlgorithm",
				     "private key's encryption");
		else
			s->e->code = EC_OK;
		asn1_delete_structure2(&epki, ASN1_DELETE_FLAG_ZEROIZE);
		free(v);
	}
out:
	asn1_delete_structure(&sc);
	return r;
}

/* DER of name in node, malloc'd. */
static int coding(asn1_node node, unsigned char **p, int *len)
{
	char msg[ASN1_MAX_ERROR_DESCRIPTION_SIZE];

	*len = 0;
	*p = NULL;
	if (asn1_der_coding(node, "", NULL, len, msg) != ASN1_MEM_ERROR ||
	    *len <= 0 || !(*p = malloc((size_t)*len)))
		return -1;
	if (asn1_der_coding(node, "", *p, len, msg) != ASN1_SUCCESS) {
		free(*p);
		*p = NULL;
		return -1;
	}
	return 0;
}

/* A PFX (version 3, no MAC) whose AuthenticatedSafe is the one
 * ContentInfo (oid, content), appended to out->part. */
static int add_part(struct scan *s, const char *oid, const unsigned char *c,
		    int clen)
{
	unsigned char tl[ASN1_MAX_TL_SIZE], *as_der = NULL, *os = NULL;
	unsigned char *der = NULL, **pv;
	unsigned tl_len = sizeof(tl);
	int as_len = 0, len = 0, r = -1;
	asn1_node as = NULL, pfx = NULL;
	size_t *lv;

	if (asn1_create_element(s->defs, "EdgecertP12Scan.AuthenticatedSafe",
				&as) != ASN1_SUCCESS ||
	    asn1_write_value(as, "", "NEW", 1) != ASN1_SUCCESS ||
	    asn1_write_value(as, "?LAST.contentType", oid, 1) !=
	    ASN1_SUCCESS ||
	    asn1_write_value(as, "?LAST.content", c, clen) != ASN1_SUCCESS ||
	    coding(as, &as_der, &as_len) < 0 ||
	    asn1_encode_simple_der(ASN1_ETYPE_OCTET_STRING, as_der,
				   (unsigned)as_len, tl, &tl_len) !=
	    ASN1_SUCCESS ||
	    !(os = malloc(tl_len + (size_t)as_len)))
		goto out;
	memcpy(os, tl, tl_len);
	memcpy(os + tl_len, as_der, (size_t)as_len);
	if (asn1_create_element(s->defs, "EdgecertP12Scan.PFX", &pfx) !=
	    ASN1_SUCCESS ||
	    asn1_write_value(pfx, "version", "3", 0) != ASN1_SUCCESS ||
	    asn1_write_value(pfx, "authSafe.contentType", OID_DATA, 1) !=
	    ASN1_SUCCESS ||
	    asn1_write_value(pfx, "authSafe.content", os,
			     (int)(tl_len + (unsigned)as_len)) != ASN1_SUCCESS ||
	    asn1_write_value(pfx, "macData", NULL, 0) != ASN1_SUCCESS ||
	    coding(pfx, &der, &len) < 0)
		goto out;
	pv = realloc(s->out->part, (s->out->npart + 1) * sizeof(*pv));
	if (pv)
		s->out->part = pv;
	lv = pv ? realloc(s->out->part_len, (s->out->npart + 1) *
			  sizeof(*lv)) : NULL;
	if (!lv)
		goto out;
	s->out->part_len = lv;
	s->out->part[s->out->npart] = der;
	s->out->part_len[s->out->npart++] = (size_t)len;
	der = NULL;
	r = 0;
out:
	if (r < 0)
		ec_fail(s->e, EC_INTERNAL, "cannot split the file's contents "
			"(out of memory)");
	free(der);
	free(os);
	free(as_der);
	asn1_delete_structure(&pfx);
	asn1_delete_structure(&as);
	return r;
}

static int scan_content(struct scan *s, asn1_node as, int i)
{
	char path[64], oid[128];
	unsigned char *c = NULL, *data = NULL;
	unsigned dlen;
	int clen, r;
	asn1_node ed = NULL;

	snprintf(path, sizeof(path), "?%d.contentType", i);
	if (read_oid(as, path, oid, sizeof(oid)) < 0)
		return damaged(s, "contents");
	snprintf(path, sizeof(path), "?%d.content", i);
	if ((r = read_alloc(s, as, path, &c, &clen, "contents")) < 0)
		return r;
	/* other content types: GnuTLS says what they are */
	r = add_part(s, oid, c, clen);
	if (r == 0 && strcmp(oid, OID_DATA) == 0) {
		if ((r = octets(s, c, clen, &data, &dlen, "contents")) == 0)
			r = scan_safe(s, data, dlen);
	} else if (r == 0 && strcmp(oid, OID_ENCRYPTED_DATA) == 0) {
		r = decode(s, "EdgecertP12Scan.EncryptedData", c, (size_t)clen,
			   &ed, "encrypted contents");
		if (r == 0)
			r = alg_iter(s, ed, "encryptedContentInfo."
				     "contentEncryptionAlgorithm",
				     "certificates' encryption");
	}
	asn1_delete_structure(&ed);
	if (data)
		gnutls_memset(data, 0, dlen);	/* plain key bags, maybe */
	free(data);
	gnutls_memset(c, 0, (size_t)clen);
	free(c);
	return r;
}

static int scan_mac(struct scan *s, asn1_node pfx)
{
	unsigned char salt[MAC_SALT_MAX + 1];
	int len = sizeof(salt);
	long long n = 1;
	char oid[128];

	if (read_oid(pfx, "macData.mac.digestAlgorithm.algorithm", oid,
		     sizeof(oid)) < 0)
		return 0;	/* no MAC */
	s->out->have_mac = 1;
	if (asn1_read_value(pfx, "macData.macSalt", salt, &len) ==
	    ASN1_MEM_ERROR || len > MAC_SALT_MAX)
		return ec_fail(s->e, EC_BAD_INPUT, "the MAC's salt is longer "
			       "than %d bytes: refused", MAC_SALT_MAX);
	s->out->mac_salt_len = (size_t)len;
	if (read_int(pfx, "macData.iterations", &n) < 0) {
		int vlen = 0;

		/* absent: 1; present and not a 63-bit number: damaged */
		if (asn1_read_value(pfx, "macData.iterations", NULL, &vlen) !=
		    ASN1_ELEMENT_NOT_FOUND)
			return ec_fail(s->e, EC_BAD_INPUT, "the MAC's "
				       "iteration count is not a number: "
				       "damaged");
		n = 1;
	}
	s->out->mac_iter = n;
	return add_iter(s, n, "MAC");
}

int ec_p12_scan(const unsigned char *der, size_t len,
		struct ec_p12_scan *out, struct ec_err *e)
{
	char msg[ASN1_MAX_ERROR_DESCRIPTION_SIZE], oid[128];
	struct scan s = { .out = out, .e = e };
	asn1_node pfx = NULL, as = NULL;
	unsigned char *c = NULL, *data = NULL;
	unsigned dlen;
	int clen, n = 0, r;

	memset(out, 0, sizeof(*out));
	if (asn1_array2tree(ec_p12scan_asn1_tab, &s.defs, msg) != ASN1_SUCCESS)
		return ec_fail(e, EC_INTERNAL, "p12scan.asn: %s", msg);
	if ((r = decode(&s, "EdgecertP12Scan.PFX", der, len, &pfx,
			"outer structure")) < 0)
		goto out;
	if ((r = scan_mac(&s, pfx)) < 0)
		goto out;
	if (read_oid(pfx, "authSafe.contentType", oid, sizeof(oid)) < 0 ||
	    strcmp(oid, OID_DATA) != 0) {
		r = 0;		/* signed or unknown: GnuTLS refuses it */
		goto out;
	}
	if ((r = read_alloc(&s, pfx, "authSafe.content", &c, &clen,
			    "contents")) < 0 ||
	    (r = octets(&s, c, clen, &data, &dlen, "contents")) < 0 ||
	    (r = decode(&s, "EdgecertP12Scan.AuthenticatedSafe", data, dlen,
			&as, "contents")) < 0)
		goto out;
	if (asn1_number_of_elements(as, "", &n) != ASN1_SUCCESS)
		n = 0;
	out->ncontent = (size_t)n;
	if (n > EC_P12_CONTENTINFOS_MAX) {
		r = ec_fail(e, EC_BAD_INPUT, "the file holds %d ContentInfos "
			    "(more than %d): refused", n,
			    EC_P12_CONTENTINFOS_MAX);
		goto out;
	}
	for (int i = 1; i <= n && r == 0; i++)
		r = scan_content(&s, as, i);
out:
	if (r < 0)
		ec_p12_scan_free(out);
	asn1_delete_structure(&as);
	asn1_delete_structure(&pfx);
	free(data);
	free(c);
	asn1_delete_structure(&s.defs);
	return r;
}

void ec_p12_scan_free(struct ec_p12_scan *s)
{
	for (size_t i = 0; i < s->npart; i++) {
		/* the parts hold encrypted keys and, plain, private keys */
		gnutls_memset(s->part[i], 0, s->part_len[i]);
		free(s->part[i]);
	}
	free(s->part);
	free(s->part_len);
	s->part = NULL;
	s->part_len = NULL;
	s->npart = 0;
}
