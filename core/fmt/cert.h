/* cert.h: certificates as edgecert shows them: thumbprints, times, and
 * the certificate object of the status record. */
#ifndef EC_CERT_H
#define EC_CERT_H

#include <time.h>

#include <gnutls/x509.h>

#include "err.h"
#include "status.h"

#define EC_SHA1_HEX 41		/* 40 hex digits and a NUL */
#define EC_SHA256_HEX 65

/* RFC 3339 UTC: 2026-11-25T10:00:00Z (buf of 32). */
void ec_time_rfc3339(time_t t, char *buf, size_t n);

/* Parse a time as a user gives it: ISO 8601 "2030-01-01",
 * "2030-01-01T12:00:00Z", "2030-01-01T12:00Z", "2030-01-01 12:00:00",
 * with "Z", "+02:00" or no zone (UTC), or "@EPOCH" seconds.  Anything
 * else is usage; what names the option for the message. */
int ec_time_parse(const char *what, const char *s, time_t *out,
		  struct ec_err *e);

/* Lower-case hex SHA-1 and SHA-256 of the certificate's DER. */
int ec_cert_ids(gnutls_x509_crt_t crt, char sha1[EC_SHA1_HEX],
		char sha256[EC_SHA256_HEX], struct ec_err *e);

/* Parse one certificate from PEM or DER. */
int ec_cert_parse(const unsigned char *data, size_t len,
		  gnutls_x509_crt_t *out, struct ec_err *e);
/* The certificate as PEM, malloc'd, NUL-terminated. */
int ec_cert_pem(gnutls_x509_crt_t crt, gnutls_datum_t *out,
		struct ec_err *e);

/* Subject or issuer DN (RFC 4514), malloc'd; NULL on error. */
char *ec_cert_dn(gnutls_x509_crt_t crt, int issuer);
/* The subject's first CN, malloc'd, or NULL. */
char *ec_cert_cn(gnutls_x509_crt_t crt);

/* What the store knows about a certificate besides its bytes. */
struct ec_cert_extra {
	const char *section;		/* NULL: leave the field out */
	const char *friendly_name;	/* NULL: null */
	int has_private_key;
	int exportable;
	const char *key_url;		/* the key is in a PKCS#11 token */
	const char *key_container;	/* a CryptoAPI export's key container */
	const char *key_provider;	/* and its CSP name */
	int in_token;			/* so it is (or, --check, would be),
					 * its URL not known yet */
};

/* Write the certificate object: thumbprint, sha256, subject, issuer,
 * serial, not_before, not_after, dns_names, ip_addresses,
 * friendly_name, has_private_key, exportable, key_store (file, pkcs11,
 * null without a key), key_url, key_container, key_provider (from a
 * Windows export; null otherwise), and section when given.
 * key NULL inside an array. */
void ec_cert_status(struct ec_status *st, const char *key,
		    gnutls_x509_crt_t crt, const struct ec_cert_extra *x);
/* The same fields inside an object the caller has opened (and will close
 * after adding its own). */
void ec_cert_fields(struct ec_status *st, gnutls_x509_crt_t crt,
		    const struct ec_cert_extra *x);

/* The fields that come from the certificate alone, made once for a
 * certificate reported several times (a bundle's root in every path). */
struct ec_cert_facts {
	char sha1[EC_SHA1_HEX], sha256[EC_SHA256_HEX];
	char *subject, *issuer;		/* NULL: "" */
	char serial[129];
	char not_before[32], not_after[32];
	char **dns, **ips;		/* dns_names, ip_addresses */
	size_t ndns, nips;
};

/* 0, or -1 out of memory (f then holds what it could, and is freed the
 * same way). */
int ec_cert_facts(gnutls_x509_crt_t crt, struct ec_cert_facts *f);
void ec_cert_facts_free(struct ec_cert_facts *f);
/* ec_cert_fields from facts. */
void ec_cert_facts_fields(struct ec_status *st,
			  const struct ec_cert_facts *f,
			  const struct ec_cert_extra *x);

#endif
