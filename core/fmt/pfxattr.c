#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "p12scan.h"
#include "pfxattr.h"

#define OID_DATA "1.2.840.113549.1.7.1"
#define OID_KEY_BAG "1.2.840.113549.1.12.10.1.1"
#define OID_SHROUDED_KEY_BAG "1.2.840.113549.1.12.10.1.2"
#define OID_FRIENDLY_NAME "1.2.840.113549.1.9.20"
#define OID_CSP_NAME "1.3.6.1.4.1.311.17.1"

/* A value of node, malloc'd and NUL-terminated; NULL when absent. */
static unsigned char *read_alloc(asn1_node node, const char *name, int *len)
{
	unsigned char *v;

	*len = 0;
	if (asn1_read_value(node, name, NULL, len) != ASN1_MEM_ERROR ||
	    !(v = malloc((size_t)*len + 1)))
		return NULL;
	if (asn1_read_value(node, name, v, len) != ASN1_SUCCESS) {
		free(v);
		return NULL;
	}
	v[*len] = '\0';
	return v;
}

static asn1_node decode(asn1_node defs, const char *type,
			const unsigned char *der, int len)
{
	asn1_node n = NULL;

	if (asn1_create_element(defs, type, &n) != ASN1_SUCCESS)
		return NULL;
	if (asn1_der_decoding(&n, der, len, NULL) != ASN1_SUCCESS) {
		asn1_delete_structure(&n);
		return NULL;
	}
	return n;
}

/* Plain SafeContents may hold an unencrypted key bag: wiped, then freed. */
static void wipe_free(void *p, int len)
{
	if (p && len > 0)
		gnutls_memset(p, 0, (size_t)len);
	free(p);
}

/* The octets of an id-data ContentInfo's content (ANY: an OCTET STRING). */
static unsigned char *data_octets(asn1_node defs, asn1_node ci,
				  const char *prefix, int *len)
{
	char name[64], oid[128];
	int olen = sizeof(oid);
	unsigned char *any, *v = NULL;
	int anylen;
	asn1_node d;

	snprintf(name, sizeof(name), "%scontentType", prefix);
	if (asn1_read_value(ci, name, oid, &olen) != ASN1_SUCCESS ||
	    strcmp(oid, OID_DATA) != 0)
		return NULL;
	snprintf(name, sizeof(name), "%scontent", prefix);
	if (!(any = read_alloc(ci, name, len)))
		return NULL;
	anylen = *len;
	if ((d = decode(defs, "EdgecertP12Scan.Data", any, anylen))) {
		v = read_alloc(d, "", len);
		asn1_delete_structure(&d);
	}
	wipe_free(any, anylen);
	return v;
}

/* A BMPString (ANY) as UTF-8; code points past the BMP as '?'. */
static char *bmp_utf8(asn1_node defs, const unsigned char *der, int len)
{
	asn1_node n = decode(defs, "EdgecertP12Scan.BMPName", der, len);
	unsigned char *b;
	char *s, *p;
	int n16;

	if (!n)
		return NULL;
	b = read_alloc(n, "", &n16);
	asn1_delete_structure(&n);
	if (!b || !(s = malloc((size_t)n16 / 2 * 3 + 1))) {
		free(b);
		return NULL;
	}
	p = s;
	for (int i = 0; i + 1 < n16; i += 2) {
		unsigned u = (unsigned)b[i] << 8 | b[i + 1];

		if (u == 0)
			break;
		if (u < 0x80) {
			*p++ = (char)u;
		} else if (u < 0x800) {
			*p++ = (char)(0xc0 | u >> 6);
			*p++ = (char)(0x80 | (u & 0x3f));
		} else if (u >= 0xd800 && u < 0xe000) {
			*p++ = '?';
		} else {
			*p++ = (char)(0xe0 | u >> 12);
			*p++ = (char)(0x80 | ((u >> 6) & 0x3f));
			*p++ = (char)(0x80 | (u & 0x3f));
		}
	}
	*p = '\0';
	free(b);
	return s;
}

/* The first value of attribute k of bag j, as UTF-8, when its type is
 * oid. */
static char *attr(asn1_node defs, asn1_node sc, int j, int k, const char *oid)
{
	char name[96], got[128];
	int len = sizeof(got);
	unsigned char *any;
	char *s;

	snprintf(name, sizeof(name), "?%d.bagAttributes.?%d.type", j, k);
	if (asn1_read_value(sc, name, got, &len) != ASN1_SUCCESS ||
	    strcmp(got, oid) != 0)
		return NULL;
	snprintf(name, sizeof(name), "?%d.bagAttributes.?%d.values.?1", j, k);
	if (!(any = read_alloc(sc, name, &len)))
		return NULL;
	s = bmp_utf8(defs, any, len);
	free(any);
	return s;
}

static int push(struct ec_pfx_csp **out, size_t *n, char *container,
		char *provider)
{
	struct ec_pfx_csp *v = realloc(*out, (*n + 1) * sizeof(*v));

	if (!v) {
		free(container);
		free(provider);
		return -1;
	}
	*out = v;
	v[*n].container = container;
	v[(*n)++].provider = provider;
	return 0;
}

/* The key bags of one SafeContents. */
static int safe_contents(asn1_node defs, const unsigned char *der, int len,
			 struct ec_pfx_csp **out, size_t *n)
{
	asn1_node sc = decode(defs, "EdgecertP12Scan.SafeContents", der, len);
	char name[64], oid[128];
	int r = 0;

	if (!sc)
		return 0;
	for (int j = 1; r == 0; j++) {
		char *fn = NULL, *csp = NULL, *v;
		int olen = sizeof(oid);

		snprintf(name, sizeof(name), "?%d.bagId", j);
		if (asn1_read_value(sc, name, oid, &olen) != ASN1_SUCCESS)
			break;
		if (strcmp(oid, OID_KEY_BAG) != 0 &&
		    strcmp(oid, OID_SHROUDED_KEY_BAG) != 0)
			continue;
		for (int k = 1; k < 64; k++) {
			snprintf(name, sizeof(name), "?%d.bagAttributes.?%d",
				 j, k);
			olen = 0;
			if (asn1_read_value(sc, name, NULL, &olen) ==
			    ASN1_ELEMENT_NOT_FOUND)
				break;
			if (!fn && (v = attr(defs, sc, j, k, OID_FRIENDLY_NAME)))
				fn = v;
			if (!csp && (v = attr(defs, sc, j, k, OID_CSP_NAME)))
				csp = v;
		}
		if (csp)
			r = push(out, n, fn, csp);
		else
			free(fn);
	}
	asn1_delete_structure(&sc);
	return r;
}

int ec_pfx_csp_read(const unsigned char *der, size_t len,
		    struct ec_pfx_csp **out, size_t *n)
{
	asn1_node defs = NULL, pfx = NULL, as = NULL;
	unsigned char *octets = NULL;
	char name[32];
	int olen = 0, r = 0;

	*out = NULL;
	*n = 0;
	if (len > (size_t)1 << 30 ||
	    asn1_array2tree(ec_p12scan_asn1_tab, &defs, NULL) != ASN1_SUCCESS)
		return 0;
	if (!(pfx = decode(defs, "EdgecertP12Scan.PFX", der, (int)len)) ||
	    !(octets = data_octets(defs, pfx, "authSafe.", &olen)) ||
	    !(as = decode(defs, "EdgecertP12Scan.AuthenticatedSafe", octets,
			  olen)))
		goto out;
	for (int i = 1; r == 0; i++) {
		unsigned char *sc;
		int sclen;

		sclen = 0;
		snprintf(name, sizeof(name), "?%d", i);
		if (asn1_read_value(as, name, NULL, &sclen) ==
		    ASN1_ELEMENT_NOT_FOUND)
			break;
		snprintf(name, sizeof(name), "?%d.", i);
		if ((sc = data_octets(defs, as, name, &sclen))) {
			r = safe_contents(defs, sc, sclen, out, n);
			wipe_free(sc, sclen);
		}
	}
out:
	wipe_free(octets, olen);
	asn1_delete_structure(&as);
	asn1_delete_structure(&pfx);
	asn1_delete_structure(&defs);
	if (r < 0) {
		ec_pfx_csp_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return r;
}

void ec_pfx_csp_free(struct ec_pfx_csp *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].container);
		free(v[i].provider);
	}
	free(v);
}

int ec_pfx_is_container(const char *s)
{
	/* {8-4-4-4-12 hex digits} */
	static const char shape[] = "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}";

	if (!s || strlen(s) != sizeof(shape) - 1)
		return 0;
	for (size_t i = 0; shape[i]; i++) {
		if (shape[i] == 'x' ? !strchr("0123456789abcdefABCDEF", s[i]) ||
		    !s[i] : s[i] != shape[i])
			return 0;
	}
	return 1;
}
