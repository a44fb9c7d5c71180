/* pfxattr.h: what GnuTLS does not expose of a PKCS#12 file's key bags,
 * read with libtasn1 (core/fmt/p12scan.asn): the Microsoft CSP name attribute
 * (1.3.6.1.4.1.311.17.1) a CryptoAPI export puts next to the key
 * container's name (the key bag's friendlyName).  Only the bags outside
 * encrypted content are seen, where Windows puts its key bags. */
#ifndef EC_PFXATTR_H
#define EC_PFXATTR_H

#include <stddef.h>

struct ec_pfx_csp {
	char *container;	/* the key bag's friendlyName, or NULL */
	char *provider;		/* the CSP name */
};

/* The key bags of der that carry a CSP name.  Best effort: a file that
 * cannot be read this way gives none.  -1 only when out of memory. */
int ec_pfx_csp_read(const unsigned char *der, size_t len,
		    struct ec_pfx_csp **out, size_t *n);
void ec_pfx_csp_free(struct ec_pfx_csp *v, size_t n);

/* Does a key bag's friendlyName look like a CryptoAPI key container's
 * name, a GUID in braces ("{B8966AE4-4AA5-4280-B154-0CC6F0FE9843}")? */
int ec_pfx_is_container(const char *name);

#endif
