#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "hostname.h"

#define OID_SAN "2.5.29.17"

/* Does the name end in a label a URL parser takes for an IPv4 number
 * (all digits, or 0x and hex digits)?  No top-level domain does. */
static int numeric_end(const char *s, size_t n)
{
	size_t b = n;

	if (n && s[n - 1] == '.')
		b = --n;
	while (b && s[b - 1] != '.')
		b--;
	if (b == n)
		return 0;
	if (n - b <= 2 || s[b] != '0' || (s[b + 1] != 'x' && s[b + 1] != 'X'))
		return strspn(s + b, "0123456789") >= n - b;
	for (b += 2; b < n; b++)
		if (!strchr("0123456789abcdefABCDEF", s[b]))
			return 0;
	return 1;
}

/* An address in the form inet_ntop writes, and nothing else. */
static int parse_addr(const char *s, int family, struct ec_host *h,
		      struct ec_err *e)
{
	char canon[INET6_ADDRSTRLEN] = "";
	int ok = inet_pton(family, s, h->addr) == 1 &&
		 inet_ntop(family, h->addr, canon, sizeof(canon));

	if (ok && strcmp(canon, s) == 0) {
		h->family = family;
		snprintf(h->name, sizeof(h->name), "%s", s);
		return 0;
	}
	if (ok)
		return ec_fail(e, EC_USAGE, "'%s' is not an IP address in "
			       "canonical form: write '%s'", s, canon);
	return ec_fail(e, EC_USAGE, "'%s' is not an IP%s address in canonical "
		       "form (%s)", s, family == AF_INET ? "v4" : "v6",
		       family == AF_INET ? "four decimal numbers without "
		       "leading zeros" : "RFC 5952");
}

/* ASCII letters to lower case, nothing else. */
static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* Letters, digits and hyphens, labels of 1 to 63 characters that
 * neither begin nor end with a hyphen, 253 at most in all. */
static int ldh(const char *s)
{
	size_t len = 0;

	if (strlen(s) > 253)
		return 0;
	for (const char *p = s;; p++) {
		if (*p == '.' || *p == '\0') {
			if (len == 0 || len > 63 || p[-1] == '-')
				return 0;
			if (*p == '\0')
				return 1;
			len = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      (*p == '-' && len > 0)))
			return 0;
		len++;
	}
}

int ec_host_parse(const char *s, struct ec_host *h, struct ec_err *e)
{
	const char *given = s;
	size_t n = strlen(s);
	gnutls_datum_t a = { NULL, 0 };
	int ascii = 1, r;

	memset(h, 0, sizeof(*h));
	if (strchr(s, ':'))
		return parse_addr(s, AF_INET6, h, e);
	if (numeric_end(s, n))
		return parse_addr(s, AF_INET, h, e);
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p >= 0x80)
			ascii = 0;
	if (!ascii) {
		/* IDNA2008 through GnuTLS (libidn2); unimplemented without */
		if ((r = gnutls_idna_map(s, (unsigned)n, &a, 0)) < 0)
			return ec_fail(e, EC_USAGE, "cannot convert '%s' to "
				       "A-labels: %s", s, gnutls_strerror(r));
		s = (const char *)a.data;
		n = a.size;
	}
	if (n && s[n - 1] == '.')
		n--;
	if (n < sizeof(h->name)) {
		memcpy(h->name, s, n);
		h->name[n] = '\0';
		lower(h->name);
	}
	gnutls_free(a.data);
	if (n >= sizeof(h->name) || !ldh(h->name))
		return ec_fail(e, EC_USAGE, "'%s' is not a host name: labels "
			       "of letters, digits and hyphens, or an IP "
			       "address", given);
	return 0;
}

int ec_host_presented(const char *s, size_t n, char out[254])
{
	if (n && s[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	lower(out);
	return 0;
}

/* pat (lower case) against host: exact, or "*." and two labels at least
 * that equal all of host but its first label. */
static int match_dns(const char *pat, const char *host)
{
	const char *rest = pat + 2, *dot;

	if (pat[0] != '*')
		return !strchr(pat, '*') && strcmp(pat, host) == 0;
	if (pat[1] != '.' || strchr(rest, '*') || !strchr(rest, '.'))
		return 0;
	dot = strchr(host, '.');
	return dot && dot != host && strcmp(dot + 1, rest) == 0;
}

static int has_san(gnutls_x509_crt_t crt)
{
	gnutls_datum_t d = { NULL, 0 };
	unsigned crit = 0;

	if (gnutls_x509_crt_get_extension_by_oid2(crt, OID_SAN, 0, &d,
						  &crit) < 0)
		return 0;
	gnutls_free(d.data);
	return 1;
}

/* The subject's only CN as a DNS name against host. */
static int cn_match(gnutls_x509_crt_t crt, const char *host)
{
	char buf[512], p[254];
	size_t n = 0;

	if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 1,
					  0, NULL, &n) !=
	    GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return 0;	/* several CNs: which one names the host? */
	n = sizeof(buf);
	if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
					  0, buf, &n) < 0 || n >= sizeof(buf))
		return 0;
	return ec_host_presented(buf, n, p) == 0 && match_dns(p, host);
}

enum ec_host_match ec_host_match(gnutls_x509_crt_t crt,
				 const struct ec_host *h, int cn)
{
	size_t alen = h->family == AF_INET ? 4 : 16;
	char buf[512], p[254];

	for (unsigned i = 0;; i++) {
		size_t n = sizeof(buf) - 1;
		int t = gnutls_x509_crt_get_subject_alt_name(crt, i, buf, &n,
							     NULL);

		if (t == GNUTLS_E_SHORT_MEMORY_BUFFER)
			continue;	/* longer than any name */
		if (t < 0)
			break;
		if (h->family && t == GNUTLS_SAN_IPADDRESS && n == alen &&
		    memcmp(buf, h->addr, alen) == 0)
			return EC_HOST_SAN;
		if (!h->family && t == GNUTLS_SAN_DNSNAME &&
		    ec_host_presented(buf, n, p) == 0 && match_dns(p, h->name))
			return EC_HOST_SAN;
	}
	if (!cn || h->family || has_san(crt))
		return EC_HOST_NO;
	return cn_match(crt, h->name) ? EC_HOST_CN : EC_HOST_NO;
}

void ec_hostname_check(const struct ec_path *p, struct ec_reasons *out)
{
	struct ec_host h;
	struct ec_err e;

	if (!p->hostname || p->n == 0)
		return;
	if (ec_host_parse(p->hostname, &h, &e) < 0) {
		ec_reasons_add(out, "name-mismatch", EC_NAME_MISMATCH);
		return;
	}
	switch (ec_host_match(p->v[0], &h, p->rules != EC_RULES_WEBPKI)) {
	case EC_HOST_NO:
		ec_reasons_add(out, "name-mismatch", EC_NAME_MISMATCH);
		break;
	case EC_HOST_CN:
		ec_reasons_warn(out, "'%s' matched the subject's CN: the "
				"certificate has no subjectAltName, which TLS "
				"clients that follow RFC 9525 refuse", h.name);
		break;
	case EC_HOST_SAN:
		break;
	}
}
