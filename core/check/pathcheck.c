#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "hostname.h"
#include "nameconstr.h"
#include "pathcheck.h"
#include "webpki.h"
#include "x509rules.h"

#define OID_TLSFEATURE "1.3.6.1.5.5.7.1.24"
#define GNUTLS_MAX_PATH 16	/* GnuTLS 3.7's MAX_VERIFY_DEPTH */

void ec_reasons_add(struct ec_reasons *r, const char *name,
		    enum ec_code code)
{
	if (ec_reasons_has(r, name) || r->n >= EC_REASONS_MAX)
		return;
	r->v[r->n].name = name;
	r->v[r->n++].code = code;
}

int ec_reasons_has(const struct ec_reasons *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].name, name) == 0)
			return 1;
	return 0;
}

void ec_reasons_warn(struct ec_reasons *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nwarn >= EC_REASONS_MAXWARN)
		return;
	va_start(ap, fmt);
	vsnprintf(r->warn[r->nwarn++], sizeof(r->warn[0]), fmt, ap);
	va_end(ap);
}

int ec_rules_parse(const char *s, enum ec_profile_rules *out,
		   struct ec_err *e)
{
	if (strcmp(s, "rfc5280") == 0)
		*out = EC_RULES_RFC5280;
	else if (strcmp(s, "webpki") == 0)
		*out = EC_RULES_WEBPKI;
	else
		return ec_fail(e, EC_USAGE, "--profile wants rfc5280 or "
			       "webpki, not '%s'", s);
	return 0;
}

size_t ec_pathcheck(const struct ec_path *p, struct ec_reasons *out)
{
	size_t before = out->n;

	/* the modules' checks, one call each */
	ec_x509rules(p, out);
	ec_hostname_check(p, out);
	ec_nameconstr_check(p, out);
	if (p->rules == EC_RULES_WEBPKI)
		ec_webpki_check(p, out);
	return out->n - before;
}

/* Would GnuTLS 3.7 set its constraints bit on p for a cause other than
 * name constraints, or cannot it read the name constraints of a CA above
 * the target's issuer (it then stops before the links below; of the
 * target's issuer it only skips the target's name checks)?  Its
 * verify_crt, link by link from the top: the path length (counting
 * self-issued certificates), keyCertSign, TLS features. */
static int other_constraint_fault(const struct ec_path *p)
{
	unsigned max = GNUTLS_MAX_PATH;
	gnutls_x509_name_constraints_t nc;
	gnutls_datum_t der = { NULL, 0 };

	for (size_t i = p->n - 1; i >= 1; i--) {
		gnutls_x509_crt_t iss = p->v[i];
		unsigned crit, ca = 0, usage = 0;
		int pathlen = -1, r;

		if (max == 0)
			return 1;
		max--;
		if (gnutls_x509_crt_get_basic_constraints(iss, &crit, &ca,
							  &pathlen) >= 0 &&
		    ca && pathlen >= 0 && (unsigned)pathlen < max)
			max = (unsigned)pathlen;
		r = gnutls_x509_crt_get_key_usage(iss, &usage, &crit);
		if (r >= 0 && !(usage & GNUTLS_KEY_KEY_CERT_SIGN))
			return 1;
		if (gnutls_x509_crt_get_extension_by_oid2(iss, OID_TLSFEATURE,
							  0, &der, NULL) == 0) {
			gnutls_free(der.data);
			return 1;
		}
		if (gnutls_x509_name_constraints_init(&nc) < 0)
			return 1;
		r = gnutls_x509_crt_get_name_constraints(iss, nc, 0, &crit);
		gnutls_x509_name_constraints_deinit(nc);
		if (r < 0 && r != GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE &&
		    i > 1)
			return 1;
	}
	return 0;
}

unsigned ec_pathcheck_gnutls(const struct ec_path *p,
			     const struct ec_reasons *rs, unsigned status)
{
	if (!(status & GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE) || p->n < 2 ||
	    !ec_nameconstr_any(p) || ec_nameconstr_found(rs) ||
	    other_constraint_fault(p))
		return status;
	status &= ~(unsigned)GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE;
	if (status & ~(unsigned)GNUTLS_CERT_INVALID)
		return status;
	status = 0;
	for (size_t i = 0; i < p->n && p->crl; i++) {
		if (p->anchored && i == p->n - 1)
			break;
		if (gnutls_x509_crt_check_revocation(p->v[i], p->crl,
						     (unsigned)p->ncrl) == 1)
			return GNUTLS_CERT_REVOKED | GNUTLS_CERT_INVALID;
	}
	return status;
}
