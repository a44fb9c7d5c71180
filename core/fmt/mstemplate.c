#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mstemplate.h"

/* UTF-8 to UCS-2 big endian; -1 for invalid UTF-8 or a character past
 * U+FFFF. */
static long to_ucs2(const char *s, unsigned char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p) {
		unsigned long c;
		int more;

		if (*p < 0x80) {
			c = *p++;
			more = 0;
		} else if ((*p & 0xe0) == 0xc0) {
			c = *p++ & 0x1f;
			more = 1;
		} else if ((*p & 0xf0) == 0xe0) {
			c = *p++ & 0x0f;
			more = 2;
		} else {
			return -1;
		}
		for (int i = 0; i < more; i++) {
			if ((*p & 0xc0) != 0x80)
				return -1;
			c = c << 6 | (*p++ & 0x3f);
		}
		if (c == 0 || (c >= 0xd800 && c <= 0xdfff) ||
		    (more == 1 && c < 0x80) || (more == 2 && c < 0x800))
			return -1;	/* NUL, surrogate or overlong */
		if (n + 2 > cap)
			return -1;
		out[n++] = (unsigned char)(c >> 8);
		out[n++] = (unsigned char)c;
	}
	return (long)n;
}

static int der_of(asn1_node node, gnutls_datum_t *der, struct ec_err *e)
{
	int len = 0, r;

	r = asn1_der_coding(node, "", NULL, &len, NULL);
	if (r != ASN1_MEM_ERROR)
		return ec_fail(e, EC_INTERNAL, "libtasn1: %s", asn1_strerror(r));
	der->data = gnutls_malloc((size_t)len);
	if (!der->data)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	if ((r = asn1_der_coding(node, "", der->data, &len, NULL)) !=
	    ASN1_SUCCESS) {
		gnutls_free(der->data);
		der->data = NULL;
		return ec_fail(e, EC_INTERNAL, "libtasn1: %s", asn1_strerror(r));
	}
	der->size = (unsigned)len;
	return 0;
}

static int make(const char *type, asn1_node *defs, asn1_node *node,
		struct ec_err *e)
{
	char msg[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	int r;

	*defs = *node = NULL;
	if (asn1_array2tree(ec_mscert_asn1_tab, defs, msg) != ASN1_SUCCESS)
		return ec_fail(e, EC_INTERNAL, "libtasn1: %s", msg);
	if ((r = asn1_create_element(*defs, type, node)) != ASN1_SUCCESS) {
		asn1_delete_structure(defs);
		return ec_fail(e, EC_INTERNAL, "libtasn1: %s", asn1_strerror(r));
	}
	return 0;
}

static void unmake(asn1_node *defs, asn1_node *node)
{
	asn1_delete_structure(node);
	asn1_delete_structure(defs);
}

int ec_mstemplate_name_der(const char *name, gnutls_datum_t *der,
			   struct ec_err *e)
{
	unsigned char ucs2[512];
	asn1_node defs, node;
	long n = to_ucs2(name, ucs2, sizeof(ucs2));
	int r;

	if (n <= 0)
		return ec_fail(e, EC_USAGE, "template name '%s' must be 1 to "
			       "255 characters of the Basic Multilingual "
			       "Plane", name);
	if (make("MSCertTemplate.CertificateTemplateName", &defs, &node, e) <
	    0)
		return -1;
	if ((r = asn1_write_value(node, "", ucs2, (int)n)) != ASN1_SUCCESS) {
		unmake(&defs, &node);
		return ec_fail(e, EC_INTERNAL, "libtasn1: %s", asn1_strerror(r));
	}
	r = der_of(node, der, e);
	unmake(&defs, &node);
	return r;
}

int ec_mstemplate_pair_der(const char *name, const char *value,
			   gnutls_datum_t *der, struct ec_err *e)
{
	unsigned char un[512], uv[512];
	asn1_node defs, node;
	long nn = to_ucs2(name, un, sizeof(un)), nv = to_ucs2(value, uv,
							      sizeof(uv));
	int r;

	if (nn <= 0 || nv <= 0)
		return ec_fail(e, EC_USAGE, "request attribute '%s=%s' must be "
			       "1 to 255 characters of the Basic Multilingual "
			       "Plane each", name, value);
	if (make("MSCertTemplate.EnrollmentNameValuePair", &defs, &node, e) <
	    0)
		return -1;
	r = asn1_write_value(node, "name", un, (int)nn);
	if (r == ASN1_SUCCESS)
		r = asn1_write_value(node, "value", uv, (int)nv);
	if (r != ASN1_SUCCESS) {
		unmake(&defs, &node);
		return ec_fail(e, EC_INTERNAL, "libtasn1: %s", asn1_strerror(r));
	}
	r = der_of(node, der, e);
	unmake(&defs, &node);
	return r;
}

int ec_mstemplate_oid_der(const char *oid, long major, long minor,
			  gnutls_datum_t *der, struct ec_err *e)
{
	asn1_node defs, node;
	char num[24];
	int r;

	if (make("MSCertTemplate.CertificateTemplate", &defs, &node, e) < 0)
		return -1;
	r = asn1_write_value(node, "templateID", oid, 1);
	if (r == ASN1_SUCCESS) {
		snprintf(num, sizeof(num), "%ld", major);
		r = major >= 0 ? asn1_write_value(node,
			"templateMajorVersion", num, 0) :
			asn1_write_value(node, "templateMajorVersion", NULL, 0);
	}
	if (r == ASN1_SUCCESS) {
		snprintf(num, sizeof(num), "%ld", minor);
		r = minor >= 0 ? asn1_write_value(node,
			"templateMinorVersion", num, 0) :
			asn1_write_value(node, "templateMinorVersion", NULL, 0);
	}
	if (r != ASN1_SUCCESS) {
		unmake(&defs, &node);
		return ec_fail(e, EC_USAGE, "bad template OID '%s': %s", oid,
			       asn1_strerror(r));
	}
	r = der_of(node, der, e);
	unmake(&defs, &node);
	return r;
}
