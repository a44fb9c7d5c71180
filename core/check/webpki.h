/* webpki.h: the web PKI profile (--profile webpki): the CA/Browser
 * Forum's baseline rules for certificates that also face the outside,
 * on top of RFC 5280 (edgecert-verify-root(1), PROFILES).  Each failure
 * is a reason of its own, untrusted:
 *
 *   webpki-no-san                  the leaf has no subjectAltName
 *   webpki-no-eku                  the leaf has no extended key usage
 *   webpki-eku-in-root             the trust anchor has one
 *   webpki-any-eku                 a certificate allows anyExtendedKeyUsage
 *   webpki-dsa                     a DSA key or DSA signature on the path
 *   webpki-rsa-too-small           an RSA modulus under 2048 bits
 *   webpki-rsa-not-octets          one whose size is no multiple of 8
 *   webpki-wildcard-public-suffix  "*.X" in the leaf, X a public suffix
 *   webpki-psl-unavailable         ... and the list cannot be read
 *   webpki-aia-malformed           an authorityInfoAccess that is
 *                                  critical, empty, undecodable, or whose
 *                                  OCSP or caIssuers location is no
 *                                  http:// URI
 *
 * The host name is never matched on the CN (hostname.c).  Public
 * suffixes are the ICANN section of Debian's publicsuffix list
 * (EC_PSL_FILE), as the baseline requirements ask. */
#ifndef EC_WEBPKI_H
#define EC_WEBPKI_H

#include "pathcheck.h"

#define EC_PSL_FILE "/usr/share/publicsuffix/public_suffix_list.dat"

void ec_webpki_check(const struct ec_path *p, struct ec_reasons *out);

/* Is x (lower-case A-labels, no final dot) a public suffix of the ICANN
 * section of the list in file?  1, 0, or -1 when it cannot be read. */
int ec_psl_is_suffix(const char *file, const char *x);

#endif
