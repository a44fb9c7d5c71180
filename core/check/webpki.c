#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509-ext.h>

#include "hostname.h"
#include "webpki.h"

#define OID_AIA "1.3.6.1.5.5.7.1.1"

/* A rule of the list as A-labels (IDN rules are written in U-labels):
 * the part after "!" or "*." mapped by GnuTLS' IDNA into buf. */
static const char *rule_alabels(const char *r, char *buf, size_t n)
{
	size_t pre = r[0] == '!' ? 1 : (r[0] == '*' && r[1] == '.') ? 2 : 0;
	gnutls_datum_t a = { NULL, 0 };
	int ok;

	if (gnutls_idna_map(r + pre, (unsigned)strlen(r + pre), &a, 0) < 0)
		return NULL;
	ok = pre + a.size < n;
	if (ok)
		snprintf(buf, n, "%.*s%s", (int)pre, r, (const char *)a.data);
	gnutls_free(a.data);
	return ok ? buf : NULL;
}

int ec_psl_is_suffix(const char *file, const char *x)
{
	const char *parent = strchr(x, '.'), *r;
	int icann = 0, pub = parent == NULL, exc = 0, ret;
	int idn = strstr(x, "xn--") != NULL;
	char line[512], buf[512];
	FILE *f = fopen(file, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "// ===BEGIN ICANN DOMAINS===", 28) == 0)
			icann = 1;
		else if (strncmp(line, "// ===END ICANN DOMAINS===", 26) == 0)
			break;
		line[strcspn(line, " \t\r\n")] = '\0';
		if (!icann || line[0] == '\0' || line[0] == '/')
			continue;
		r = line;
		for (const char *p = line; *p; p++)
			if ((unsigned char)*p >= 0x80) {
				r = idn ? rule_alabels(line, buf, sizeof(buf))
					: NULL;
				break;
			}
		if (!r)
			continue;
		if (r[0] == '!')
			exc |= strcmp(r + 1, x) == 0;
		else if (r[0] == '*' && r[1] == '.')
			pub |= parent && strcmp(r + 2, parent + 1) == 0;
		else
			pub |= strcmp(r, x) == 0;
	}
	ret = ferror(f) || !icann ? -1 : exc ? 0 : pub;
	fclose(f);
	return ret;
}

/* Is there at least one name in the subjectAltName? */
static int has_san(gnutls_x509_crt_t c)
{
	char buf[8];
	size_t n = sizeof(buf);
	int t = gnutls_x509_crt_get_subject_alt_name(c, 0, buf, &n, NULL);

	return t >= 0 || t == GNUTLS_E_SHORT_MEMORY_BUFFER;
}

/* 0: no EKU; 1: one; 2: one that allows anyExtendedKeyUsage. */
static int eku(gnutls_x509_crt_t c)
{
	char oid[128];
	int any = 0;

	for (unsigned i = 0;; i++) {
		size_t n = sizeof(oid);
		int r = gnutls_x509_crt_get_key_purpose_oid(c, i, oid, &n,
							    NULL);

		if (r == GNUTLS_E_SHORT_MEMORY_BUFFER) {
			any = 1;
			continue;
		}
		if (r < 0)
			return any;
		if (strcmp(oid, GNUTLS_KP_ANY) == 0)
			return 2;
		any = 1;
	}
}

/* "*.X" dNSNames of the leaf, X a public suffix. */
static void wildcards(gnutls_x509_crt_t c, struct ec_reasons *out)
{
	char buf[512], p[254];

	for (unsigned i = 0;; i++) {
		size_t n = sizeof(buf) - 1;
		int t = gnutls_x509_crt_get_subject_alt_name(c, i, buf, &n,
							     NULL), r;

		if (t == GNUTLS_E_SHORT_MEMORY_BUFFER)
			continue;
		if (t < 0)
			return;
		if (t != GNUTLS_SAN_DNSNAME || ec_host_presented(buf, n, p) ||
		    strncmp(p, "*.", 2) != 0)
			continue;
		if ((r = ec_psl_is_suffix(EC_PSL_FILE, p + 2)) < 0)
			ec_reasons_add(out, "webpki-psl-unavailable",
				       EC_UNTRUSTED);
		else if (r)
			ec_reasons_add(out, "webpki-wildcard-public-suffix",
				       EC_UNTRUSTED);
		if (r)
			return;
	}
}

static int http_uri(const gnutls_datum_t *u)
{
	if (u->size <= 7 || strncasecmp((const char *)u->data, "http://", 7) != 0 ||
	    u->data[7] == '/')
		return 0;
	for (unsigned i = 0; i < u->size; i++)
		if (u->data[i] <= 0x20 || u->data[i] >= 0x7f)
			return 0;
	return 1;
}

static int oid_is(const gnutls_datum_t *d, const char *oid)
{
	return d->size == strlen(oid) && memcmp(d->data, oid, d->size) == 0;
}

/* An authorityInfoAccess that is there and not well-formed. */
static int aia_bad(gnutls_x509_crt_t c)
{
	gnutls_datum_t der = { NULL, 0 }, oid, san;
	gnutls_x509_aia_t aia = NULL;
	unsigned crit = 0, type;
	int bad, r;

	if (gnutls_x509_crt_get_extension_by_oid2(c, OID_AIA, 0, &der,
						  &crit) < 0)
		return 0;
	bad = crit || gnutls_x509_aia_init(&aia) < 0 ||
	      gnutls_x509_ext_import_aia(&der, aia, 0) < 0;
	for (unsigned i = 0; !bad; i++) {
		r = gnutls_x509_aia_get(aia, i, &oid, &type, &san);
		if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
			bad = i == 0;
			break;
		}
		if (r < 0 || ((oid_is(&oid, GNUTLS_OID_AD_OCSP) ||
			       oid_is(&oid, GNUTLS_OID_AD_CAISSUERS)) &&
			      (type != GNUTLS_SAN_URI || !http_uri(&san))))
			bad = 1;
	}
	if (aia)
		gnutls_x509_aia_deinit(aia);
	gnutls_free(der.data);
	return bad;
}

static void key_checks(gnutls_x509_crt_t c, struct ec_reasons *out)
{
	unsigned bits = 0;
	int pk = gnutls_x509_crt_get_pk_algorithm(c, &bits),
	    sig = gnutls_x509_crt_get_signature_algorithm(c);

	if (pk == GNUTLS_PK_DSA ||
	    (sig > 0 && gnutls_sign_get_pk_algorithm(
			(gnutls_sign_algorithm_t)sig) == GNUTLS_PK_DSA))
		ec_reasons_add(out, "webpki-dsa", EC_UNTRUSTED);
	if (pk != GNUTLS_PK_RSA && pk != GNUTLS_PK_RSA_PSS)
		return;
	if (bits < 2048)
		ec_reasons_add(out, "webpki-rsa-too-small", EC_UNTRUSTED);
	if (bits % 8)
		ec_reasons_add(out, "webpki-rsa-not-octets", EC_UNTRUSTED);
}

void ec_webpki_check(const struct ec_path *p, struct ec_reasons *out)
{
	if (p->n == 0)
		return;
	if (!has_san(p->v[0]))
		ec_reasons_add(out, "webpki-no-san", EC_UNTRUSTED);
	if (eku(p->v[0]) == 0)
		ec_reasons_add(out, "webpki-no-eku", EC_UNTRUSTED);
	wildcards(p->v[0], out);
	for (size_t i = 0; i < p->n; i++) {
		int k = eku(p->v[i]);

		if (k == 2)
			ec_reasons_add(out, "webpki-any-eku", EC_UNTRUSTED);
		if (k && p->anchored && p->n > 1 && i == p->n - 1)
			ec_reasons_add(out, "webpki-eku-in-root", EC_UNTRUSTED);
		key_checks(p->v[i], out);
		if (aia_bad(p->v[i]))
			ec_reasons_add(out, "webpki-aia-malformed",
				       EC_UNTRUSTED);
	}
}
