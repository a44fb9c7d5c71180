/* Generated from core/fmt/mscert.asn by asn1Parser (Debian libtasn1-bin):
 *   asn1Parser -o core/fmt/mscert_asn1_tab.c -n ec_mscert_asn1_tab core/fmt/mscert.asn
 * Regenerate with "make regen-asn1"; do not edit. */

#include <libtasn1.h>

#include "mstemplate.h"

const asn1_static_node ec_mscert_asn1_tab[] = {
  { "MSCertTemplate", 536875024, NULL },
  { NULL, 1073741836, NULL },
  { "CertificateTemplateName", 1073741857, NULL },
  { "CertificateTemplate", 1610612741, NULL },
  { "templateID", 1073741836, NULL },
  { "templateMajorVersion", 1073758211, NULL },
  { "templateMinorVersion", 16387, NULL },
  { "EnrollmentNameValuePair", 536870917, NULL },
  { "name", 1073741857, NULL },
  { "value", 33, NULL },
  { NULL, 0, NULL }
};

