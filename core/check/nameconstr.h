/* nameconstr.h: name constraints as RFC 5280 says (4.2.1.10; 6.1.3 b and
 * c; 6.1.4 g), evaluated by edgecert over a certification path, beside
 * GnuTLS' own evaluation (which both misses violations and refuses valid
 * paths; edgecert-verify-root(1), CONFORMANCE).
 *
 * Every CA of the path (the trust anchor's own certificate too) constrains
 * every certificate below it: the subject DN (when not empty) against
 * directoryName subtrees, its emailAddress attributes against rfc822Name
 * subtrees, each subjectAltName against the subtrees of its form, and, in
 * the target without a dNSName, each common name that is a host name
 * against dNSName subtrees.  Of a CA with permitted subtrees of a form a
 * name must be within one of them (the permitted sets of several CAs
 * intersect); within an excluded subtree of any CA it must not be.  A
 * self-issued intermediate's own names are not checked (6.1.3 b).
 *
 *   dNSName    "example.com" is that name and any name below it;
 *              ".example.com" only names below it; "" every name.  A
 *              wildcard name "*.example.com" is within a permitted subtree
 *              when example.com is, and meets an excluded subtree when any
 *              name it covers would (bad.example.com does).
 *   rfc822Name "user@host" that mailbox; "host" every mailbox at that
 *              host; ".example.com" every mailbox of a host below it.
 *   URI        the host part: "host" that host; ".example.com" hosts
 *              below it.
 *   iPAddress  address and mask (8 or 16 octets each half) of one family;
 *              a mask that is no prefix is malformed.
 *   directoryName  a prefix of the name's RDN sequence, attribute values
 *              compared as RFC 5280 7.1 asks at least: string types as
 *              text with ASCII case and runs of white space folded.
 *
 * A form we do not evaluate (otherName, x400Address, ediPartyName,
 * registeredID, a URI without a host) fails only when a name of that form
 * meets a constraint of that form (4.2.1.10: process it or reject).
 *
 * Reasons, each EC_UNTRUSTED: name-constraints-violated,
 * name-constraints-unsupported, name-constraints-not-critical (a CA may
 * only issue the extension critical), name-constraints-malformed (the
 * extension, an empty one, a minimum or maximum, or a name under a
 * constraint of its form that cannot be read), name-constraints-too-complex
 * (names times subtrees over EC_NC_MAX_PAIRS: refused rather than
 * evaluated, to bound the work). */
#ifndef EC_NAMECONSTR_H
#define EC_NAMECONSTR_H

#include <libtasn1.h>

#include "pathcheck.h"

/* The most name-and-subtree comparisons one path may cost (a
 * directoryName pair counts as EC_NC_DN_WEIGHT). */
#define EC_NC_MAX_PAIRS (1u << 22)
#define EC_NC_DN_WEIGHT 16

extern const asn1_static_node ec_nameconstr_asn1_tab[];

/* Add the reasons of p's name constraints to out (the first violation
 * stops the evaluation); returns how many were added. */
size_t ec_nameconstr_check(const struct ec_path *p, struct ec_reasons *out);

/* Does rs hold a reason of this module? */
int ec_nameconstr_found(const struct ec_reasons *rs);

/* Does a certificate above the target of p have a name constraints
 * extension? */
int ec_nameconstr_any(const struct ec_path *p);

#endif
