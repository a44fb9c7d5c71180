/* Generated from core/fmt/pkcs8.asn by asn1Parser (Debian libtasn1-bin):
 *   asn1Parser -o core/fmt/pkcs8_asn1_tab.c -n ec_pkcs8_asn1_tab core/fmt/pkcs8.asn
 * Regenerate with "make regen-asn1"; do not edit. */

#include <libtasn1.h>

#include "keywrap.h"

const asn1_static_node ec_pkcs8_asn1_tab[] = {
  { "EdgecertPKCS8", 536875024, NULL },
  { NULL, 1073741836, NULL },
  { "PrivateKeyInfo", 1610612741, NULL },
  { "version", 1073741827, NULL },
  { "privateKeyAlgorithm", 1073741826, "AlgorithmIdentifier"},
  { "privateKey", 1073741831, NULL },
  { "attributes", 536895490, "Attributes"},
  { NULL, 4104, "0"},
  { "AlgorithmIdentifier", 1610612741, NULL },
  { "algorithm", 1073741836, NULL },
  { "parameters", 541081613, NULL },
  { "algorithm", 1, NULL },
  { "Attributes", 1610612751, NULL },
  { NULL, 2, "Attribute"},
  { "Attribute", 1610612741, NULL },
  { "type", 1073741836, NULL },
  { "values", 536870927, NULL },
  { NULL, 13, NULL },
  { "ECParameters", 1610612754, NULL },
  { "namedCurve", 12, NULL },
  { "ECPrivateKey", 536870917, NULL },
  { "version", 1073741827, NULL },
  { "privateKey", 1073741831, NULL },
  { "parameters", 1610637314, "ECParameters"},
  { NULL, 2056, "0"},
  { "publicKey", 536895494, NULL },
  { NULL, 2056, "1"},
  { NULL, 0, NULL }
};

