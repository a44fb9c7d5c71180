/* x509rules.h: the RFC 5280 rules on the certificates of a path that
 * GnuTLS 3.7 does not enforce, one reason each (edgecert-verify-root(1),
 * REASONS; the anchor's exemptions under CONFORMANCE):
 *
 *	serial-number-invalid		zero, negative or over 20 octets
 *	ca-subject-empty		a CA whose subject is empty
 *	ca-basic-constraints-not-critical
 *	ca-ski-missing			a CA without subjectKeyIdentifier
 *	ca-version-1			a version 1 or 2 certificate issues
 *	leaf-key-cert-sign		keyCertSign in a certificate no CA
 *	aki-critical, aki-missing	(every certificate but a self-signed
 *					one needs its keyIdentifier)
 *	aki-ski-mismatch		a self-signed certificate's AKI is not
 *					its SKI (the anchor's too)
 *	eku-empty			an extKeyUsage without a purpose
 *	policy-constraints-not-critical
 *	critical-extension-malformed	a critical extension edgecert or
 *					GnuTLS knows does not decode
 *	anchor-is-leaf			the path is the target alone, a trust
 *					anchor, and no self-signed CA
 *	leaf-is-ca			the target is a CA and serves (p->serve)
 *	rules-not-evaluated		out of memory: no pass
 *
 * Every certificate of the path is checked but the trust anchor, which
 * is the operator's choice (RFC 5280 6.1.1 d: its name and key are what
 * counts): of the anchor only a self-signed one's AKI against its SKI.
 *
 * Called by ec_pathcheck (pathcheck.h). */
#ifndef EC_X509RULES_H
#define EC_X509RULES_H

#include <libtasn1.h>

#include "pathcheck.h"

extern const asn1_static_node ec_x509rules_asn1_tab[];

void ec_x509rules(const struct ec_path *p, struct ec_reasons *out);

#endif
