/* Generated from core/fmt/p7certs.asn by asn1Parser (Debian libtasn1-bin):
 *   asn1Parser -o core/fmt/p7certs_asn1_tab.c -n ec_p7certs_asn1_tab core/fmt/p7certs.asn
 * Regenerate with "make regen-asn1"; do not edit. */

#include <libtasn1.h>

#include "bundle.h"

const asn1_static_node ec_p7certs_asn1_tab[] = {
  { "EdgecertP7", 536875024, NULL },
  { NULL, 1073741836, NULL },
  { "ContentInfo", 1610612741, NULL },
  { "contentType", 1073741836, NULL },
  { "content", 536879117, NULL },
  { NULL, 2056, "0"},
  { "SignedData", 536870917, NULL },
  { "version", 1073741827, NULL },
  { "digestAlgorithms", 1610612751, NULL },
  { NULL, 13, NULL },
  { "encapContentInfo", 1073741837, NULL },
  { "certificates", 1610637327, NULL },
  { NULL, 1073745928, "0"},
  { NULL, 13, NULL },
  { "crls", 1610637327, NULL },
  { NULL, 1073745928, "1"},
  { NULL, 13, NULL },
  { "signerInfos", 536870927, NULL },
  { NULL, 13, NULL },
  { NULL, 0, NULL }
};

