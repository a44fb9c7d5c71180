#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509-ext.h>

#include "csr.h"
#include "mstemplate.h"

static const struct {
	const char *name, *oid;
} ekus[] = {
	{ "server", GNUTLS_KP_TLS_WWW_SERVER },
	{ "client", GNUTLS_KP_TLS_WWW_CLIENT },
};

int ec_oid_ok(const char *s)
{
	unsigned long long v = 0, first = 0;
	int arcs = 0, digits = 0;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			v = v * 10 + (unsigned)(*s - '0');
			if (++digits > 10 || v > 4294967295ULL)
				return 0;
		} else if (*s == '.' && digits) {
			if (arcs == 0)
				first = v;
			/* X.660: the first arc 0, 1 or 2, the second under 40
			 * below 0 and 1 (libtasn1 refuses others) */
			if (first > 2 || (arcs == 1 && first < 2 && v >= 40))
				return 0;
			arcs++;
			digits = 0;
			v = 0;
		} else {
			return 0;
		}
	}
	if (arcs == 1 && first < 2 && v >= 40)
		return 0;
	return digits && arcs >= 1;
}

int ec_eku_parse(char *s, struct ec_csr_params *p, struct ec_err *e)
{
	char *save = NULL;

	p->neku = 0;
	for (char *t = strtok_r(s, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		const char *oid = NULL;

		for (size_t i = 0; i < sizeof(ekus) / sizeof(ekus[0]); i++)
			if (strcmp(t, ekus[i].name) == 0)
				oid = ekus[i].oid;
		if (!oid && ec_oid_ok(t))
			oid = t;
		if (!oid)
			return ec_fail(e, EC_USAGE, "extended key usage wants "
				       "server, client or dotted OIDs, not "
				       "'%s'", t);
		if (p->neku == sizeof(p->eku) / sizeof(p->eku[0]))
			return ec_fail(e, EC_USAGE, "too many extended key "
				       "usage purposes");
		p->eku[p->neku++] = oid;
	}
	if (p->neku == 0)
		return ec_fail(e, EC_USAGE, "extended key usage wants at least "
			       "one purpose");
	return 0;
}

int ec_key_generate(gnutls_pk_algorithm_t pk, unsigned bits,
		    gnutls_ecc_curve_t curve, gnutls_x509_privkey_t *out,
		    struct ec_err *e)
{
	int r;

	if ((r = gnutls_x509_privkey_init(out)) < 0)
		return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	if (pk == GNUTLS_PK_ECDSA)
		bits = GNUTLS_CURVE_TO_BITS(curve);
	else if (pk == GNUTLS_PK_EDDSA_ED25519)
		bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_ED25519);
	if ((r = gnutls_x509_privkey_generate2(*out, pk, bits, 0, NULL, 0)) < 0) {
		gnutls_x509_privkey_deinit(*out);
		*out = NULL;
		return ec_fail(e, EC_INTERNAL, "cannot generate the key: %s",
			       gnutls_strerror(r));
	}
	return 0;
}

static int dns_ok(const char *s)
{
	if (!*s || strlen(s) > 253)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f || *s == ',' ||
		    *s == '/' || *s == '\\')
			return 0;
	return 1;
}

int ec_csr_check(const struct ec_csr_params *p, struct ec_err *e)
{
	unsigned char a[16];

	if (p->country && (strlen(p->country) != 2 ||
			   p->country[0] < 'A' || p->country[0] > 'Z' ||
			   p->country[1] < 'A' || p->country[1] > 'Z'))
		return ec_fail(e, EC_USAGE, "the country wants a two-letter "
			       "ISO 3166 code such as US, not '%s'",
			       p->country);
	for (size_t i = 0; i < p->nip; i++)
		if (inet_pton(AF_INET, p->ip[i], a) != 1 &&
		    inet_pton(AF_INET6, p->ip[i], a) != 1)
			return ec_fail(e, EC_USAGE, "an IP address wants IPv4 "
				       "or IPv6, not '%s'", p->ip[i]);
	for (size_t i = 0; i < p->ndns; i++)
		if (!dns_ok(p->dns[i]))
			return ec_fail(e, EC_USAGE, "'%s' is not a DNS name",
				       p->dns[i]);
	if (p->cn && !*p->cn)
		return ec_fail(e, EC_USAGE, "the common name is empty");
	return 0;
}

static int set_part(gnutls_x509_crq_t crq, const char *oid, const char *v,
		    const char *what, struct ec_err *e)
{
	int r;

	if (!v)
		return 0;
	if (!*v)
		return ec_fail(e, EC_USAGE, "%s is empty", what);
	r = gnutls_x509_crq_set_dn_by_oid(crq, oid, 0, v, (unsigned)strlen(v));
	if (r < 0)
		return ec_fail(e, EC_USAGE, "bad %s '%s': %s", what, v,
			       gnutls_strerror(r));
	return 0;
}

static int set_subject(gnutls_x509_crq_t crq, const struct ec_csr_params *p,
		       struct ec_err *e)
{
	const char *err = NULL;
	int r;

	if (p->subject) {
		if ((r = gnutls_x509_crq_set_dn(crq, p->subject, &err)) < 0)
			return ec_fail(e, EC_USAGE, "bad subject '%s'%s%s: %s",
				       p->subject, err ? " near " : "",
				       err ? err : "", gnutls_strerror(r));
		return 0;
	}
	if (ec_csr_check(p, e) < 0)
		return -1;
	/* most general first, as a DN is written in the request */
	if (set_part(crq, GNUTLS_OID_X520_COUNTRY_NAME, p->country,
		     "country", e) < 0 ||
	    set_part(crq, GNUTLS_OID_X520_STATE_OR_PROVINCE_NAME, p->state,
		     "state", e) < 0 ||
	    set_part(crq, GNUTLS_OID_X520_LOCALITY_NAME, p->locality,
		     "locality", e) < 0 ||
	    set_part(crq, GNUTLS_OID_X520_ORGANIZATION_NAME, p->org,
		     "organization", e) < 0 ||
	    set_part(crq, GNUTLS_OID_X520_ORGANIZATIONAL_UNIT_NAME, p->ou,
		     "organizational unit", e) < 0 ||
	    set_part(crq, GNUTLS_OID_X520_COMMON_NAME, p->cn, "common name",
		     e) < 0)
		return -1;
	return 0;
}

/* The subject's CN as set, or NULL. */
static char *crq_cn(gnutls_x509_crq_t crq)
{
	char buf[1024];
	size_t n = sizeof(buf) - 1;

	if (gnutls_x509_crq_get_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME, 0,
					  0, buf, &n) < 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

static int add_ip(gnutls_x509_crq_t crq, const char *ip, struct ec_err *e)
{
	unsigned char a[16];
	unsigned n = 4;
	int r;

	if (inet_pton(AF_INET, ip, a) != 1) {
		n = 16;
		if (inet_pton(AF_INET6, ip, a) != 1)
			return ec_fail(e, EC_USAGE, "an IP address wants IPv4 "
				       "or IPv6, not '%s'", ip);
	}
	r = gnutls_x509_crq_set_subject_alt_name(crq, GNUTLS_SAN_IPADDRESS, a,
						 n, GNUTLS_FSAN_APPEND);
	if (r < 0)
		return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	return 0;
}

static int set_sans(gnutls_x509_crq_t crq, const struct ec_csr_params *p,
		    struct ec_err *e)
{
	char *cn = crq_cn(crq);
	int r, have_cn = 0;

	for (size_t i = 0; i < p->ndns; i++) {
		if (cn && strcasecmp(cn, p->dns[i]) == 0)
			have_cn = 1;
		r = gnutls_x509_crq_set_subject_alt_name(crq,
				GNUTLS_SAN_DNSNAME, p->dns[i],
				(unsigned)strlen(p->dns[i]), GNUTLS_FSAN_APPEND);
		if (r < 0) {
			free(cn);
			return ec_fail(e, EC_USAGE, "bad DNS name '%s': %s",
				       p->dns[i], gnutls_strerror(r));
		}
	}
	/* the subject name should match the FQDN: the CN joins the SANs */
	if (cn && !have_cn && !p->exact_sans && strchr(cn, ' ') == NULL) {
		r = gnutls_x509_crq_set_subject_alt_name(crq,
				GNUTLS_SAN_DNSNAME, cn, (unsigned)strlen(cn),
				p->ndns ? GNUTLS_FSAN_APPEND : GNUTLS_FSAN_SET);
		if (r < 0) {
			ec_fail(e, EC_USAGE, "CN '%s' is not a DNS name: %s",
				cn, gnutls_strerror(r));
			free(cn);
			return -1;
		}
	}
	free(cn);
	for (size_t i = 0; i < p->nip; i++)
		if (add_ip(crq, p->ip[i], e) < 0)
			return -1;
	return 0;
}

/* The SANs in the order of p->san_order (as certreq keeps an INF's). */
static int set_sans_ordered(gnutls_x509_crq_t crq,
			    const struct ec_csr_params *p, struct ec_err *e)
{
	size_t d = 0, i = 0;
	int r;

	for (const char *k = p->san_order; *k; k++) {
		if (*k == 'd' && d < p->ndns) {
			r = gnutls_x509_crq_set_subject_alt_name(crq,
					GNUTLS_SAN_DNSNAME, p->dns[d],
					(unsigned)strlen(p->dns[d]),
					GNUTLS_FSAN_APPEND);
			if (r < 0)
				return ec_fail(e, EC_USAGE, "bad DNS name '%s': "
					       "%s", p->dns[d], gnutls_strerror(r));
			d++;
		} else if (*k == 'i' && i < p->nip) {
			if (add_ip(crq, p->ip[i++], e) < 0)
				return -1;
		}
	}
	if (d != p->ndns || i != p->nip)
		return ec_fail(e, EC_INTERNAL, "the SAN order does not match "
			       "the names");
	return 0;
}

static int set_templates(gnutls_x509_crq_t crq,
			 const struct ec_csr_params *p, struct ec_err *e)
{
	gnutls_datum_t der = { NULL, 0 };
	int r;

	if (p->template_name) {
		if (ec_mstemplate_name_der(p->template_name, &der, e) < 0)
			return -1;
		r = gnutls_x509_crq_set_extension_by_oid(crq,
				EC_OID_MS_TEMPLATE_NAME, der.data, der.size, 0);
		gnutls_free(der.data);
		if (r < 0)
			return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	}
	if (p->template_attr) {
		if (ec_mstemplate_pair_der("CertificateTemplate", p->template_attr,
					   &der, e) < 0)
			return -1;
		r = gnutls_x509_crq_set_attribute_by_oid(crq,
				EC_OID_MS_NAME_VALUE, der.data, der.size);
		gnutls_free(der.data);
		if (r < 0)
			return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	}
	if (p->template_oid) {
		if (ec_mstemplate_oid_der(p->template_oid, p->template_major,
					  p->template_minor, &der, e) < 0)
			return -1;
		r = gnutls_x509_crq_set_extension_by_oid(crq,
				EC_OID_MS_TEMPLATE, der.data, der.size, 0);
		gnutls_free(der.data);
		if (r < 0)
			return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	}
	return 0;
}

/* The EKU, not critical (as certreq makes it; GnuTLS'
 * gnutls_x509_crq_set_key_purpose_oid marked it critical whatever it was
 * told). */
static int set_eku(gnutls_x509_crq_t crq, const struct ec_csr_params *p)
{
	gnutls_x509_key_purposes_t kp;
	gnutls_datum_t der = { NULL, 0 };
	int r;

	if (!p->neku)
		return 0;
	if ((r = gnutls_x509_key_purpose_init(&kp)) < 0)
		return r;
	for (size_t i = 0; i < p->neku && r >= 0; i++)
		r = gnutls_x509_key_purpose_set(kp, p->eku[i]);
	if (r >= 0)
		r = gnutls_x509_ext_export_key_purposes(kp, &der);
	if (r >= 0)
		r = gnutls_x509_crq_set_extension_by_oid(crq, "2.5.29.37",
							 der.data, der.size, 0);
	gnutls_free(der.data);
	gnutls_x509_key_purpose_deinit(kp);
	return r;
}

int ec_csr_make(const struct ec_csr_params *p, gnutls_privkey_t key,
		gnutls_x509_crq_t *out, struct ec_err *e)
{
	gnutls_digest_algorithm_t dig = GNUTLS_DIG_SHA256;
	unsigned usage = GNUTLS_KEY_DIGITAL_SIGNATURE, bits = 0;
	gnutls_x509_crq_t crq;
	gnutls_pubkey_t pub = NULL;
	int pk = gnutls_privkey_get_pk_algorithm(key, &bits), r;

	if ((r = gnutls_x509_crq_init(&crq)) < 0)
		return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	if (pk == GNUTLS_PK_RSA)
		usage |= GNUTLS_KEY_KEY_ENCIPHERMENT;
	if (pk == GNUTLS_PK_ECDSA && bits > 256)
		dig = GNUTLS_DIG_SHA384;
	if (p->hash && pk != GNUTLS_PK_EDDSA_ED25519)
		dig = p->hash;
	if (pk == GNUTLS_PK_EDDSA_ED25519)
		dig = GNUTLS_DIG_UNKNOWN;	/* EdDSA hashes by itself */
	if (p->key_usage)
		usage = p->key_usage;
	if (set_subject(crq, p, e) < 0 ||
	    (p->exact_sans && p->san_order ? set_sans_ordered(crq, p, e) :
	     set_sans(crq, p, e)) < 0 ||
	    set_templates(crq, p, e) < 0)
		goto fail;
	if ((r = gnutls_x509_crq_set_version(crq, 1)) < 0 ||
	    (r = gnutls_pubkey_init(&pub)) < 0 ||
	    (r = gnutls_pubkey_import_privkey(pub, key, 0, 0)) < 0 ||
	    (r = gnutls_x509_crq_set_pubkey(crq, pub)) < 0 ||
	    (r = gnutls_x509_crq_set_key_usage(crq, usage)) < 0)
		goto fail_gnutls;
	if ((r = set_eku(crq, p)) < 0)
		goto fail_gnutls;
	if ((r = gnutls_x509_crq_privkey_sign(crq, key, dig, 0)) < 0)
		goto fail_gnutls;
	gnutls_pubkey_deinit(pub);
	*out = crq;
	return 0;
fail_gnutls:
	ec_fail(e, EC_INTERNAL, "cannot make the request: %s",
		gnutls_strerror(r));
fail:
	if (pub)
		gnutls_pubkey_deinit(pub);
	gnutls_x509_crq_deinit(crq);
	return -1;
}

static void hex(const unsigned char *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

int ec_keyid_of_privkey(gnutls_privkey_t key, char id[EC_KEYID_HEX],
			struct ec_err *e)
{
	gnutls_pubkey_t pub = NULL;
	unsigned char d[32];
	size_t n = sizeof(d);
	int r;

	if ((r = gnutls_pubkey_init(&pub)) < 0 ||
	    (r = gnutls_pubkey_import_privkey(pub, key, 0, 0)) < 0 ||
	    (r = gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA256, d,
					  &n)) < 0 || n != 32) {
		if (pub)
			gnutls_pubkey_deinit(pub);
		return ec_fail(e, EC_INTERNAL, "cannot hash a key: %s",
			       gnutls_strerror(r));
	}
	gnutls_pubkey_deinit(pub);
	hex(d, n, id);
	return 0;
}

int ec_keyid_of_crt(gnutls_x509_crt_t crt, char id[EC_KEYID_HEX],
		    struct ec_err *e)
{
	unsigned char d[32];
	size_t n = sizeof(d);
	int r = gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, d, &n);

	if (r < 0 || n != 32)
		return ec_fail(e, EC_BAD_INPUT, "cannot hash a certificate's "
			       "key: %s", gnutls_strerror(r));
	hex(d, n, id);
	return 0;
}
