/* Generated from core/pkcs12.asn by asn1Parser (Debian libtasn1-bin):
 *   asn1Parser -o core/pkcs12_asn1_tab.c -n ec_pkcs12_asn1_tab core/pkcs12.asn
 * Regenerate with "make regen-asn1"; do not edit. */

#include <libtasn1.h>

#include "pfxattr.h"

const asn1_static_node ec_pkcs12_asn1_tab[] = {
  { "PKCS12Attrs", 536875024, NULL },
  { NULL, 1073741836, NULL },
  { "PFX", 1610612741, NULL },
  { "version", 1073741827, NULL },
  { "authSafe", 1073741826, "ContentInfo"},
  { "macData", 16397, NULL },
  { "ContentInfo", 1610612741, NULL },
  { "contentType", 1073741836, NULL },
  { "content", 536895501, NULL },
  { NULL, 2056, "0"},
  { "Data", 1073741831, NULL },
  { "AuthenticatedSafe", 1610612747, NULL },
  { NULL, 2, "ContentInfo"},
  { "SafeContents", 1610612747, NULL },
  { NULL, 2, "SafeBag"},
  { "SafeBag", 1610612741, NULL },
  { "bagId", 1073741836, NULL },
  { "bagValue", 1610620941, NULL },
  { NULL, 2056, "0"},
  { "bagAttributes", 536887311, NULL },
  { NULL, 2, "Attribute"},
  { "Attribute", 1610612741, NULL },
  { "type", 1073741836, NULL },
  { "values", 536870927, NULL },
  { NULL, 13, NULL },
  { "BMPName", 33, NULL },
  { NULL, 0, NULL }
};

