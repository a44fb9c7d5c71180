/* mstemplate.h: the Microsoft certificate template extensions a Windows
 * Enterprise CA reads from a request, DER-encoded with libtasn1 from the
 * definitions in core/fmt/mscert.asn. */
#ifndef EC_MSTEMPLATE_H
#define EC_MSTEMPLATE_H

#include <gnutls/gnutls.h>
#include <libtasn1.h>

#include "err.h"

#define EC_OID_MS_TEMPLATE_NAME "1.3.6.1.4.1.311.20.2"
#define EC_OID_MS_TEMPLATE "1.3.6.1.4.1.311.21.7"
#define EC_OID_MS_NAME_VALUE "1.3.6.1.4.1.311.13.2.1"

extern const asn1_static_node ec_mscert_asn1_tab[];

/* CertificateTemplateName: a BMPString of the UTF-8 name (characters of
 * the Basic Multilingual Plane only: usage otherwise).  der is
 * gnutls_malloc'd. */
int ec_mstemplate_name_der(const char *name, gnutls_datum_t *der,
			   struct ec_err *e);
/* CertificateTemplate: the template's OID and, when >= 0, its major and
 * minor versions. */
int ec_mstemplate_oid_der(const char *oid, long major, long minor,
			  gnutls_datum_t *der, struct ec_err *e);
/* EnrollmentNameValuePair: name and value as BMPStrings (usage as for
 * ec_mstemplate_name_der). */
int ec_mstemplate_pair_der(const char *name, const char *value,
			   gnutls_datum_t *der, struct ec_err *e);

#endif
