/* hostname.h: is a certificate valid for a host name or an IP address,
 * as RFC 9525 says (edgecert-verify-root(1), CONFORMANCE)?
 *
 *   - the reference identifier (--hostname, --fqdn) is a DNS name in
 *     ASCII (U-labels are converted to A-labels by GnuTLS' IDNA, which
 *     is libidn2) or an IP address in the canonical text form
 *     inet_ntop(3) writes (RFC 5952 for IPv6): no hex, octal, short or
 *     leading-zero IPv4 forms, no upper case or unshortened IPv6; any
 *     other form is usage, never a guess;
 *   - an address matches an iPAddress SAN of the same family and bytes,
 *     never a dNSName nor the CN;
 *   - a DNS name matches a dNSName SAN, compared as ASCII without regard
 *     to case; a wildcard is only the whole left-most label ("*.a.b", two
 *     labels at least after it) and stands for exactly one non-empty
 *     label; a partial wildcard (f*.a.b) matches nothing;
 *   - the subject's CN is used only when the certificate has no
 *     subjectAltName at all and the subject has exactly one CN (the
 *     seed's era issued such certificates); the match says so, and the
 *     caller warns.
 *
 *	struct ec_host h;
 *	if (ec_host_parse(arg, &h, &e) < 0) ... usage
 *	switch (ec_host_match(crt, &h, 1)) { EC_HOST_NO, _SAN, _CN }
 */
#ifndef EC_HOSTNAME_H
#define EC_HOSTNAME_H

#include <gnutls/x509.h>

#include "err.h"
#include "pathcheck.h"

struct ec_host {
	int family;		/* AF_INET, AF_INET6, or 0: a DNS name */
	unsigned char addr[16];
	char name[254];		/* lower-case A-labels, no final dot; or
				 * the address as given */
};

enum ec_host_match { EC_HOST_NO = 0, EC_HOST_SAN, EC_HOST_CN };

/* Parse a reference identifier; usage for what is neither a DNS name
 * nor a canonical address. */
int ec_host_parse(const char *s, struct ec_host *h, struct ec_err *e);

/* Does crt present h?  cn: the CN may be used (when there is no SAN). */
enum ec_host_match ec_host_match(gnutls_x509_crt_t crt,
				 const struct ec_host *h, int cn);

/* A dNSName as presented, lower case, final dot dropped, into out (254):
 * 0, or -1 when it is no ASCII name at all (a NUL, a space, 8-bit). */
int ec_host_presented(const char *s, size_t n, char out[254]);

/* The pathcheck module: p->hostname against p->v[0]; "name-mismatch",
 * and a warning when it matched on the CN.  The web PKI rules never use
 * the CN. */
void ec_hostname_check(const struct ec_path *p, struct ec_reasons *out);

#endif
