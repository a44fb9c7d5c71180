/* Generated from core/fmt/x509rules.asn by asn1Parser (Debian libtasn1-bin):
 *   asn1Parser -o core/fmt/x509rules_asn1_tab.c -n ec_x509rules_asn1_tab core/fmt/x509rules.asn
 * Regenerate with "make regen-asn1"; do not edit. */

#include <libtasn1.h>

#include "x509rules.h"

const asn1_static_node ec_x509rules_asn1_tab[] = {
  { "EdgecertX509Rules", 536875024, NULL },
  { NULL, 1073741836, NULL },
  { "Certificate", 1610612741, NULL },
  { "tbsCertificate", 1073741837, NULL },
  { "signatureAlgorithm", 1073741837, NULL },
  { "signature", 6, NULL },
  { "PolicyMappings", 1612709899, NULL },
  { "MAX", 1074266122, "1"},
  { NULL, 536870917, NULL },
  { "issuerDomainPolicy", 1073741836, NULL },
  { "subjectDomainPolicy", 12, NULL },
  { "PolicyConstraints", 536870917, NULL },
  { "requireExplicitPolicy", 1610637315, NULL },
  { NULL, 4104, "0"},
  { "inhibitPolicyMapping", 536895491, NULL },
  { NULL, 4104, "1"},
  { NULL, 0, NULL }
};

