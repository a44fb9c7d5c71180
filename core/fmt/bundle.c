#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/pkcs7.h>
#include <libtasn1.h>

#include "armor.h"
#include "bundle.h"
#include "crlfile.h"
#include "fileio.h"

#define OID_PKCS7 "1.2.840.113549.1.7."

static int add_crt(struct ec_bundle *b, gnutls_x509_crt_t crt)
{
	if (b->ncrt == b->capcrt) {
		size_t cap = b->capcrt ? b->capcrt * 2 : 8;
		gnutls_x509_crt_t *v = realloc(b->crt, cap * sizeof(*v));

		if (!v)
			return -1;
		b->crt = v;
		b->capcrt = cap;
	}
	b->crt[b->ncrt++] = crt;
	return 0;
}

static int add_crl(struct ec_bundle *b, gnutls_x509_crl_t crl,
		   const gnutls_datum_t *der)
{
	gnutls_datum_t copy = { malloc(der->size ? der->size : 1), der->size };

	if (!copy.data)
		return -1;
	memcpy(copy.data, der->data, der->size);
	if (b->ncrl == b->capcrl) {
		size_t cap = b->capcrl ? b->capcrl * 2 : 4;
		gnutls_x509_crl_t *v = realloc(b->crl, cap * sizeof(*v));
		gnutls_datum_t *d;

		if (v)
			b->crl = v;
		d = v ? realloc(b->crlder, cap * sizeof(*d)) : NULL;
		if (!d) {
			free(copy.data);
			return -1;
		}
		b->crlder = d;
		b->capcrl = cap;
	}
	b->crlder[b->ncrl] = copy;
	b->crl[b->ncrl++] = crl;
	return 0;
}

/* Import one DER certificate (what names it for messages). */
static int take_crt(struct ec_bundle *b, const gnutls_datum_t *der,
		    const char *what, struct ec_err *e)
{
	gnutls_x509_crt_t crt;
	int r;

	if ((r = gnutls_x509_crt_init(&crt)) < 0)
		return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	if ((r = gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER)) < 0) {
		gnutls_x509_crt_deinit(crt);
		return ec_fail(e, EC_BAD_INPUT, "%s is not a valid certificate: "
			       "%s", what, gnutls_strerror(r));
	}
	if (add_crt(b, crt) < 0) {
		gnutls_x509_crt_deinit(crt);
		return ec_fail(e, EC_INTERNAL, "out of memory");
	}
	return 0;
}

static int take_crl(struct ec_bundle *b, const gnutls_datum_t *der,
		    const char *what, struct ec_err *e)
{
	gnutls_x509_crl_t crl;
	int r;

	if (ec_crl_size_ok(der->size, what, e) < 0)
		return -1;
	if ((r = gnutls_x509_crl_init(&crl)) < 0)
		return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	if ((r = gnutls_x509_crl_import(crl, der, GNUTLS_X509_FMT_DER)) < 0) {
		gnutls_x509_crl_deinit(crl);
		return ec_fail(e, EC_BAD_INPUT, "%s is not a valid CRL: %s",
			       what, gnutls_strerror(r));
	}
	if (add_crl(b, crl, der) < 0) {
		gnutls_x509_crl_deinit(crl);
		return ec_fail(e, EC_INTERNAL, "out of memory");
	}
	return 0;
}

/* The content type of a CMS ContentInfo (SEQUENCE { OID, ... }), or ""
 * when der is not one (a certificate or CRL starts SEQUENCE { SEQUENCE
 * ...}).  libtasn1's DER primitives read the tags. */
static void content_type(const unsigned char *der, size_t len, char *oid,
			 size_t n)
{
	unsigned char cls;
	unsigned long tag;
	int tl, ll, ol;
	long l;

	oid[0] = '\0';
	if (len < 4 || len > (size_t)1 << 30)
		return;
	if (asn1_get_tag_der(der, (int)len, &cls, &tl, &tag) != ASN1_SUCCESS ||
	    cls != ASN1_CLASS_STRUCTURED || tag != ASN1_TAG_SEQUENCE)
		return;
	/* BER's indefinite length too: the Windows CA writes it */
	l = asn1_get_length_ber(der + tl, (int)len - tl, &ll);
	if (l < 0 || tl + ll >= (int)len)
		return;
	der += tl + ll;
	len -= (size_t)(tl + ll);
	if (asn1_get_tag_der(der, (int)len, &cls, &tl, &tag) != ASN1_SUCCESS ||
	    cls != ASN1_CLASS_UNIVERSAL || tag != ASN1_TAG_OBJECT_ID)
		return;
	if (asn1_get_object_id_der(der + tl, (int)len - tl, &ol, oid,
				   (int)n) != ASN1_SUCCESS)
		oid[0] = '\0';
}

static const char *p7_type_name(const char *oid)
{
	static const struct { const char *oid, *name; } t[] = {
		{ OID_PKCS7 "1", "plain data" },
		{ OID_PKCS7 "3", "enveloped data (an encrypted message)" },
		{ OID_PKCS7 "4", "signed and enveloped data" },
		{ OID_PKCS7 "5", "digested data" },
		{ OID_PKCS7 "6", "encrypted data" },
		{ "1.2.840.113549.1.9.16.1.2", "authenticated data" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(oid, t[i].oid) == 0)
			return t[i].name;
	return NULL;
}

/* Empty content: none, or what GnuTLS returns for an empty BER
 * constructed OCTET STRING of indefinite length (its end-of-contents
 * octets, 00 00), as amazon-roots.p7b and Windows bundles have. */
static int eoc_only(const gnutls_datum_t *d)
{
	if (d->size > 4 || d->size % 2)
		return 0;
	for (unsigned i = 0; i < d->size; i++)
		if (d->data[i])
			return 0;
	return 1;
}

/* The content of a SignedData without signers: an AD CS web enrolment
 * answer carries the issued certificate there, as id-data, and its chain
 * in certificates.  Anything else there is refused. */
static int econtent_crt(gnutls_pkcs7_t p7, struct ec_bundle *b,
			const gnutls_datum_t *raw, const char *what,
			struct ec_err *e)
{
	const char *oid = gnutls_pkcs7_get_embedded_data_oid(p7);
	char sub[256];

	if (oid && strcmp(oid, OID_PKCS7 "1") == 0 &&
	    ec_der_outer_len(raw->data, raw->size) == raw->size &&
	    raw->size > 0 && raw->data[0] == 0x30) {
		snprintf(sub, sizeof(sub), "the content of %s", what);
		return take_crt(b, raw, sub, e);
	}
	return ec_fail(e, EC_BAD_INPUT, "%s is PKCS#7 signed data with "
		       "content (%u bytes of %s) that is no certificate, not "
		       "a certs-only bundle", what, raw->size,
		       oid ? oid : "unknown type");
}

/* Read one ANY of a decoded structure (name) into a malloc'd datum. */
static int read_any(asn1_node n, const char *name, gnutls_datum_t *out)
{
	int len = 0, r = asn1_read_value(n, name, NULL, &len);

	out->data = NULL;
	out->size = 0;
	if (r != ASN1_MEM_ERROR || len <= 0)
		return -1;
	if (!(out->data = malloc((size_t)len)))
		return -1;
	if (asn1_read_value(n, name, out->data, &len) != ASN1_SUCCESS) {
		free(out->data);
		out->data = NULL;
		return -1;
	}
	out->size = (unsigned)len;
	return 0;
}

/* Take each element of the set (certificates or crls) of a decoded
 * SignedData, first to last: each ("?I", libtasn1's name for it) deleted
 * once read, so that finding the next one does not walk the ones
 * before. */
static int take_set(struct ec_bundle *b, asn1_node sd, const char *set,
		    int crl, const char *what, struct ec_err *e)
{
	char name[32], sub[256];
	int n = 0;

	if (asn1_number_of_elements(sd, set, &n) != ASN1_SUCCESS)
		return 0;	/* absent */
	for (int i = 0; i < n; i++) {
		gnutls_datum_t raw;
		int r;

		snprintf(name, sizeof(name), "%s.?%d", set, i + 1);
		snprintf(sub, sizeof(sub), "%s %d of %s",
			 crl ? "CRL" : "certificate", i + 1, what);
		if (read_any(sd, name, &raw) < 0)
			return ec_fail(e, EC_BAD_INPUT, "%s cannot be read",
				       sub);
		r = crl ? take_crl(b, &raw, sub, e) : take_crt(b, &raw, sub, e);
		free(raw.data);
		if (r < 0)
			return -1;
		if (asn1_delete_element(sd, name) != ASN1_SUCCESS)
			return ec_fail(e, EC_INTERNAL, "cannot walk %s", what);
	}
	return 0;
}

/* The certificates, then the CRLs, of a certs-only PKCS#7 (GnuTLS has
 * checked its form), by libtasn1 in one decoding. */
static int take_p7_set(struct ec_bundle *b, const gnutls_datum_t *der,
		       const char *what, struct ec_err *e)
{
	char msg[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	asn1_node defs = NULL, ci = NULL, sd = NULL;
	gnutls_datum_t content = { NULL, 0 };
	int ret = -1;

	if (asn1_array2tree(ec_p7certs_asn1_tab, &defs, msg) != ASN1_SUCCESS ||
	    asn1_create_element(defs, "EdgecertP7.ContentInfo", &ci) !=
	    ASN1_SUCCESS ||
	    asn1_create_element(defs, "EdgecertP7.SignedData", &sd) !=
	    ASN1_SUCCESS) {
		ec_fail(e, EC_INTERNAL, "cannot load the PKCS#7 module");
		goto out;
	}
	if (asn1_der_decoding(&ci, der->data, (int)der->size, msg) !=
	    ASN1_SUCCESS || read_any(ci, "content", &content) < 0 ||
	    asn1_der_decoding(&sd, content.data, (int)content.size, msg) !=
	    ASN1_SUCCESS) {
		ec_fail(e, EC_BAD_INPUT, "%s is not a valid PKCS#7: %s", what,
			msg);
		goto out;
	}
	if (take_set(b, sd, "certificates", 0, what, e) < 0 ||
	    take_set(b, sd, "crls", 1, what, e) < 0)
		goto out;
	ret = 0;
out:
	free(content.data);
	asn1_delete_structure(&sd);
	asn1_delete_structure(&ci);
	asn1_delete_structure(&defs);
	return ret;
}

/* A certs-only PKCS#7: its certificates and CRLs; and an AD CS answer's
 * certificate in its content. */
static int take_p7(struct ec_bundle *b, const gnutls_datum_t *der,
		   const char *what, struct ec_err *e)
{
	gnutls_pkcs7_t p7 = NULL;
	gnutls_datum_t raw = { NULL, 0 };
	int r, n, ret = -1;

	if ((r = gnutls_pkcs7_init(&p7)) < 0)
		return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	if ((r = gnutls_pkcs7_import(p7, der, GNUTLS_X509_FMT_DER)) < 0) {
		ec_fail(e, EC_BAD_INPUT, "%s is not a valid PKCS#7: %s", what,
			gnutls_strerror(r));
		goto out;
	}
	if ((n = gnutls_pkcs7_get_signature_count(p7)) > 0) {
		ec_fail(e, EC_BAD_INPUT, "%s is PKCS#7 signed data with %d "
			"signer%s, not a certs-only bundle", what, n,
			n == 1 ? "" : "s");
		goto out;
	}
	if (gnutls_pkcs7_get_embedded_data(p7, 0, &raw) == 0 &&
	    !eoc_only(&raw) && econtent_crt(p7, b, &raw, what, e) < 0)
		goto out;
	gnutls_free(raw.data);
	raw.data = NULL;
	if (take_p7_set(b, der, what, e) < 0)
		goto out;
	ret = 0;
out:
	gnutls_free(raw.data);
	gnutls_pkcs7_deinit(p7);
	return ret;
}

/* One DER object, whatever it is. */
static int take_der(struct ec_bundle *b, const unsigned char *p, size_t len,
		    const char *what, struct ec_err *e)
{
	gnutls_datum_t der = { (unsigned char *)p, (unsigned)len };
	struct ec_err notcrt;
	const char *tn;
	char oid[128];

	if (len == 0)
		return ec_fail(e, EC_BAD_INPUT, "%s is empty", what);
	content_type(p, len, oid, sizeof(oid));
	if (strcmp(oid, OID_PKCS7 "2") == 0)
		return take_p7(b, &der, what, e);
	if ((tn = p7_type_name(oid)))
		return ec_fail(e, EC_BAD_INPUT, "%s is PKCS#7 %s, not a "
			       "certificate bundle", what, tn);
	if (*oid)
		return ec_fail(e, EC_BAD_INPUT, "%s is content of type %s, not "
			       "a certificate, CRL or PKCS#7 bundle", what, oid);
	if (take_crt(b, &der, what, &notcrt) == 0)
		return 0;
	/* not a certificate (why not is notcrt's, not the run's): a CRL
	 * then?  One over the limit is not parsed (it would cost 31 times
	 * its size): refused as too large */
	if (len > EC_CRL_MAX)
		return ec_fail(e, EC_CRL_TOO_LARGE, "%s is not a certificate, "
			       "and at %zu bytes too large for a CRL (at most "
			       "%u bytes)", what, len, (unsigned)EC_CRL_MAX);
	if (take_crl(b, &der, what, e) == 0)
		return 0;
	if (e->code == EC_INTERNAL)
		return -1;
	return ec_fail(e, EC_BAD_INPUT, "%s is not a certificate, CRL or "
		       "PKCS#7 bundle", what);
}

int ec_bundle_parse(const char *name, const unsigned char *data, size_t len,
		    struct ec_bundle *b, struct ec_err *e)
{
	struct ec_armor a;
	char what[200];
	int r = 0;

	memset(b, 0, sizeof(*b));
	if (ec_armor_read(data, len, name, &a, e) < 0)
		return -1;
	if (a.n == 0)
		r = ec_fail(e, EC_BAD_INPUT, "'%s' is empty", name);
	for (size_t i = 0; i < a.n && r == 0; i++) {
		if (a.obj[i].label[0])
			snprintf(what, sizeof(what), "'%s': PEM block %zu (%s)",
				 name, i + 1, a.obj[i].label);
		else
			snprintf(what, sizeof(what), a.text ? "'%s' (base64)" :
				 "'%s'", name);
		r = take_der(b, a.obj[i].der, a.obj[i].len, what, e);
	}
	b->trailing = ec_armor_trailing(&a);
	b->encoding = a.encoding;
	ec_armor_free(&a);
	if (r == 0 && b->ncrt == 0 && b->ncrl == 0)
		r = ec_fail(e, EC_BAD_INPUT, "'%s' holds no certificate or "
			    "CRL", name);
	if (r < 0)
		ec_bundle_free(b);
	return r;
}

int ec_bundle_read(const char *path, struct ec_bundle *b, struct ec_err *e)
{
	struct ec_data d = { 0 };
	int r;

	memset(b, 0, sizeof(*b));
	if (ec_read_input(path, EC_INPUT_MAX, &d, e) < 0)
		return -1;
	r = ec_bundle_parse(path, d.data, d.size, b, e);
	ec_data_free(&d);
	return r;
}

void ec_bundle_free(struct ec_bundle *b)
{
	for (size_t i = 0; i < b->ncrt; i++)
		gnutls_x509_crt_deinit(b->crt[i]);
	for (size_t i = 0; i < b->ncrl; i++) {
		if (b->crl[i])
			gnutls_x509_crl_deinit(b->crl[i]);
		if (b->crlder)
			free(b->crlder[i].data);
	}
	free(b->crt);
	free(b->crl);
	free(b->crlder);
	memset(b, 0, sizeof(*b));
}

void ec_bundle_note(struct ec_status *st, const char *name,
		    const struct ec_bundle *b)
{
	if (b->trailing)
		ec_status_warn(st, "'%s' has %zu byte%s after its DER: ignored",
			       name, b->trailing, b->trailing == 1 ? "" : "s");
}
