#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509-ext.h>

#include "cert.h"

void ec_time_rfc3339(time_t t, char *buf, size_t n)
{
	struct tm tm;

	if (t == (time_t)-1 || !gmtime_r(&t, &tm)) {
		snprintf(buf, n, "unknown");
		return;
	}
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* One export (GnuTLS hands back the DER it parsed, where
 * gnutls_x509_crt_get_fingerprint encodes the certificate anew for every
 * digest) and the digests of it. */
int ec_cert_ids(gnutls_x509_crt_t crt, char sha1[EC_SHA1_HEX],
		char sha256[EC_SHA256_HEX], struct ec_err *e)
{
	gnutls_datum_t der = { NULL, 0 };
	unsigned char d[32];
	int r;

	if ((r = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der)) < 0)
		return ec_fail(e, EC_INTERNAL, "cannot encode a certificate: "
			       "%s", gnutls_strerror(r));
	if ((r = gnutls_hash_fast(GNUTLS_DIG_SHA1, der.data, der.size, d)) < 0)
		goto fail;
	hex(d, 20, sha1);
	if (sha256) {
		if ((r = gnutls_hash_fast(GNUTLS_DIG_SHA256, der.data,
					  der.size, d)) < 0)
			goto fail;
		hex(d, 32, sha256);
	}
	gnutls_free(der.data);
	return 0;
fail:
	gnutls_free(der.data);
	return ec_fail(e, EC_INTERNAL, "cannot hash a certificate: %s",
		       gnutls_strerror(r));
}

int ec_cert_parse(const unsigned char *data, size_t len,
		  gnutls_x509_crt_t *out, struct ec_err *e)
{
	gnutls_datum_t d = { (unsigned char *)data, (unsigned)len };
	gnutls_x509_crt_fmt_t fmt = GNUTLS_X509_FMT_DER;
	int r;

	*out = NULL;
	if (len > 10 && memmem(data, len, "-----BEGIN", 10))
		fmt = GNUTLS_X509_FMT_PEM;
	if ((r = gnutls_x509_crt_init(out)) < 0)
		return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	if ((r = gnutls_x509_crt_import(*out, &d, fmt)) < 0) {
		gnutls_x509_crt_deinit(*out);
		*out = NULL;
		return ec_fail(e, EC_BAD_INPUT, "not a certificate: %s",
			       gnutls_strerror(r));
	}
	return 0;
}

int ec_cert_pem(gnutls_x509_crt_t crt, gnutls_datum_t *out, struct ec_err *e)
{
	int r = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, out);

	if (r < 0)
		return ec_fail(e, EC_INTERNAL, "cannot encode a certificate: "
			       "%s", gnutls_strerror(r));
	return 0;
}

char *ec_cert_dn(gnutls_x509_crt_t crt, int issuer)
{
	gnutls_datum_t d = { NULL, 0 };
	char *s;
	int r = issuer ? gnutls_x509_crt_get_issuer_dn3(crt, &d, 0)
		       : gnutls_x509_crt_get_dn3(crt, &d, 0);

	if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return strdup("");
	if (r < 0)
		return NULL;
	s = strndup((char *)d.data, d.size);
	gnutls_free(d.data);
	return s;
}

char *ec_cert_cn(gnutls_x509_crt_t crt)
{
	size_t n = 0;
	char *s;

	if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
					  0, NULL, &n) !=
	    GNUTLS_E_SHORT_MEMORY_BUFFER)
		return NULL;
	if (!(s = malloc(n + 1)))
		return NULL;
	if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
					  0, s, &n) < 0) {
		free(s);
		return NULL;
	}
	s[n] = '\0';
	return s;
}

/* Keep a SAN value as the record shows it: an IP address written out, a
 * name that holds no NUL.  0, or -1 out of memory. */
static int keep_san(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -1;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

/* The DNS names and IP addresses, from the extension decoded once. */
static int san_values(struct ec_cert_facts *f, gnutls_subject_alt_names_t sans)
{
	for (unsigned i = 0; sans; i++) {
		gnutls_datum_t v = { NULL, 0 }, oth = { NULL, 0 };
		char buf[1024], ip[INET6_ADDRSTRLEN];
		unsigned type;

		if (gnutls_subject_alt_names_get(sans, i, &type, &v, &oth) < 0)
			break;
		if ((type != GNUTLS_SAN_DNSNAME && type != GNUTLS_SAN_IPADDRESS)
		    || v.size >= sizeof(buf))
			continue;	/* absurdly long: leave it out */
		memcpy(buf, v.data, v.size);
		buf[v.size] = '\0';
		if (type == GNUTLS_SAN_IPADDRESS) {
			if ((v.size == 4 || v.size == 16) &&
			    inet_ntop(v.size == 16 ? AF_INET6 : AF_INET, buf, ip,
				      sizeof(ip)) &&
			    keep_san(&f->ips, &f->nips, ip) < 0)
				return -1;
			continue;
		}
		if (strlen(buf) == v.size &&
		    keep_san(&f->dns, &f->ndns, buf) < 0)
			return -1;
	}
	return 0;
}

static gnutls_subject_alt_names_t get_sans(gnutls_x509_crt_t crt)
{
	gnutls_subject_alt_names_t sans = NULL;
	gnutls_datum_t ext = { NULL, 0 };
	unsigned crit;

	if (gnutls_x509_crt_get_extension_by_oid2(crt, "2.5.29.17", 0, &ext,
						  &crit) < 0)
		return NULL;
	if (gnutls_subject_alt_names_init(&sans) < 0 ||
	    gnutls_x509_ext_import_subject_alt_names(&ext, sans, 0) < 0) {
		if (sans)
			gnutls_subject_alt_names_deinit(sans);
		sans = NULL;
	}
	gnutls_free(ext.data);
	return sans;
}

void ec_cert_status(struct ec_status *st, const char *key,
		    gnutls_x509_crt_t crt, const struct ec_cert_extra *x)
{
	ec_status_obj(st, key);
	ec_cert_fields(st, crt, x);
	ec_status_end(st);
}

int ec_cert_facts(gnutls_x509_crt_t crt, struct ec_cert_facts *f)
{
	unsigned char serial[64];
	size_t n = sizeof(serial);
	gnutls_subject_alt_names_t alt;
	struct ec_err e;
	int r;

	memset(f, 0, sizeof(*f));
	ec_cert_ids(crt, f->sha1, f->sha256, &e);
	f->subject = ec_cert_dn(crt, 0);
	f->issuer = ec_cert_dn(crt, 1);
	if (gnutls_x509_crt_get_serial(crt, serial, &n) == 0)
		hex(serial, n, f->serial);
	ec_time_rfc3339(gnutls_x509_crt_get_activation_time(crt),
			f->not_before, sizeof(f->not_before));
	ec_time_rfc3339(gnutls_x509_crt_get_expiration_time(crt),
			f->not_after, sizeof(f->not_after));
	alt = get_sans(crt);
	r = san_values(f, alt);
	if (alt)
		gnutls_subject_alt_names_deinit(alt);
	return r;
}

void ec_cert_facts_free(struct ec_cert_facts *f)
{
	for (size_t i = 0; i < f->ndns; i++)
		free(f->dns[i]);
	for (size_t i = 0; i < f->nips; i++)
		free(f->ips[i]);
	free(f->dns);
	free(f->ips);
	free(f->subject);
	free(f->issuer);
	memset(f, 0, sizeof(*f));
}

void ec_cert_facts_fields(struct ec_status *st,
			  const struct ec_cert_facts *f,
			  const struct ec_cert_extra *x)
{
	if (x && x->section)
		ec_status_str(st, "section", x->section);
	ec_status_str(st, "thumbprint", f->sha1);
	ec_status_str(st, "sha256", f->sha256);
	ec_status_str(st, "subject", f->subject ? f->subject : "");
	ec_status_str(st, "issuer", f->issuer ? f->issuer : "");
	ec_status_str(st, "serial", f->serial);
	ec_status_str(st, "not_before", f->not_before);
	ec_status_str(st, "not_after", f->not_after);
	ec_status_arr(st, "dns_names");
	for (size_t i = 0; i < f->ndns; i++)
		ec_status_str(st, NULL, f->dns[i]);
	ec_status_end(st);
	ec_status_arr(st, "ip_addresses");
	for (size_t i = 0; i < f->nips; i++)
		ec_status_str(st, NULL, f->ips[i]);
	ec_status_end(st);
	ec_status_str(st, "friendly_name", x ? x->friendly_name : NULL);
	ec_status_bool(st, "has_private_key", x && x->has_private_key);
	ec_status_bool(st, "exportable", x && x->exportable);
	ec_status_str(st, "key_store", x && x->has_private_key ?
		      (x->key_url || x->in_token ? "pkcs11" : "file") : NULL);
	ec_status_str(st, "key_url", x ? x->key_url : NULL);
	ec_status_str(st, "key_container", x ? x->key_container : NULL);
	ec_status_str(st, "key_provider", x ? x->key_provider : NULL);
}

void ec_cert_fields(struct ec_status *st, gnutls_x509_crt_t crt,
		    const struct ec_cert_extra *x)
{
	struct ec_cert_facts f;

	(void)ec_cert_facts(crt, &f);	/* out of memory: what it has */
	ec_cert_facts_fields(st, &f, x);
	ec_cert_facts_free(&f);
}

/* Two decimal digits at p, or -1. */
static int two_digits(const char *p)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return -1;
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/* "Z", "+HH:MM", "-HHMM", "+HH" or nothing: the offset in seconds.  Only
 * digits count (sscanf's %2d took "+-1:-5", a negative hour). */
static int zone(const char *p, long *off)
{
	int h, m = 0, sign;
	size_t n;

	*off = 0;
	if (*p == '\0' || strcmp(p, "Z") == 0)
		return 0;
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	n = strlen(p);
	if ((h = two_digits(p)) < 0)
		return -1;
	if (n == 5 && p[2] == ':')
		m = two_digits(p + 3);
	else if (n == 4)
		m = two_digits(p + 2);
	else if (n != 2)
		return -1;
	if (m < 0 || h > 23 || m > 59)
		return -1;
	*off = sign * (h * 3600L + m * 60L);
	return 0;
}

int ec_time_parse(const char *what, const char *s, time_t *out,
		  struct ec_err *e)
{
	struct tm tm = { 0 };
	const char *p;
	char *end;
	long off;

	if (s[0] == '@') {
		long long v = strtoll(s + 1, &end, 10);

		if (s[1] == '\0' || *end || v < 0)
			goto bad;
		*out = (time_t)v;
		return 0;
	}
	if (!(p = strptime(s, "%Y-%m-%d", &tm)))
		goto bad;
	if (*p == 'T' || *p == ' ') {
		const char *q = strptime(p + 1, "%H:%M:%S", &tm);

		/* a fraction of a second (2030-01-01T00:00:00.000Z, as
		 * JavaScript writes it) is dropped */
		if (q && (*q == '.' || *q == ',') && q[1] >= '0' && q[1] <= '9')
			for (q++; *q >= '0' && *q <= '9'; q++)
				;
		if (!q)
			q = strptime(p + 1, "%H:%M", &tm);
		if (!q)
			goto bad;
		p = q;
	}
	if (zone(p, &off) < 0)
		goto bad;
	*out = timegm(&tm) - off;
	return 0;
bad:
	return ec_fail(e, EC_USAGE, "%s wants an ISO 8601 time "
		       "(2030-01-01, 2030-01-01T00:00:00Z) or @EPOCH, not "
		       "'%s'", what, s);
}
