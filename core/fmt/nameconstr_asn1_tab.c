/* Generated from core/fmt/nameconstr.asn by asn1Parser (Debian libtasn1-bin):
 *   asn1Parser -o core/fmt/nameconstr_asn1_tab.c -n ec_nameconstr_asn1_tab core/fmt/nameconstr.asn
 * Regenerate with "make regen-asn1"; do not edit. */

#include <libtasn1.h>

#include "nameconstr.h"

const asn1_static_node ec_nameconstr_asn1_tab[] = {
  { "EdgecertNC", 536875024, NULL },
  { NULL, 1073741836, NULL },
  { "NameConstraints", 1610612741, NULL },
  { "permittedSubtrees", 1610637314, "GeneralSubtrees"},
  { NULL, 4104, "0"},
  { "excludedSubtrees", 536895490, "GeneralSubtrees"},
  { NULL, 4104, "1"},
  { "GeneralSubtrees", 1610612747, NULL },
  { NULL, 2, "GeneralSubtree"},
  { "GeneralSubtree", 1610612741, NULL },
  { "base", 1073741826, "GeneralName"},
  { "minimum", 1610637315, NULL },
  { NULL, 4104, "0"},
  { "maximum", 536895491, NULL },
  { NULL, 4104, "1"},
  { "GeneralNames", 1610612747, NULL },
  { NULL, 2, "GeneralName"},
  { "GeneralName", 1610612754, NULL },
  { "otherName", 1610620930, "AnotherName"},
  { NULL, 4104, "0"},
  { "rfc822Name", 1610620957, NULL },
  { NULL, 4104, "1"},
  { "dNSName", 1610620957, NULL },
  { NULL, 4104, "2"},
  { "x400Address", 1610620939, NULL },
  { NULL, 1073745928, "3"},
  { NULL, 13, NULL },
  { "directoryName", 1610620941, NULL },
  { NULL, 2056, "4"},
  { "ediPartyName", 1610620939, NULL },
  { NULL, 1073745928, "5"},
  { NULL, 13, NULL },
  { "uniformResourceIdentifier", 1610620957, NULL },
  { NULL, 4104, "6"},
  { "iPAddress", 1610620935, NULL },
  { NULL, 4104, "7"},
  { "registeredID", 536879116, NULL },
  { NULL, 4104, "8"},
  { "AnotherName", 536870917, NULL },
  { "type-id", 1073741836, NULL },
  { "value", 536879117, NULL },
  { NULL, 2056, "0"},
  { NULL, 0, NULL }
};

