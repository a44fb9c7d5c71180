/* p12scan.h: the work a PKCS#12 file may ask for, bounded before GnuTLS
 * derives a single key.
 *
 * A hostile file can ask for much: thousands of ContentInfos (each one
 * more pass of GnuTLS over the whole AuthenticatedSafe), thousands of
 * bags, and many PBEs of up to EC_PFX_ITER_MAX iterations each.  The scan
 * decodes the outer structure once with libtasn1 (core/fmt/p12scan.asn) and
 * counts: ContentInfos, the bags of the plain ones, and the iterations of
 * the MAC and of every PBE it can see (the encrypted ContentInfos' and
 * the shrouded keys' of the plain ones).  Bags and keys inside an
 * encrypted ContentInfo are counted by ec_pfx_read as it opens them.
 * The scan also cuts the file into one PKCS#12 file per ContentInfo,
 * which ec_pfx_read hands to GnuTLS one at a time. */
#ifndef EC_P12SCAN_H
#define EC_P12SCAN_H

#include <stddef.h>

#include <libtasn1.h>

#include "err.h"

extern const asn1_static_node ec_p12scan_asn1_tab[];

#define EC_P12_CONTENTINFOS_MAX 64	/* Windows writes 2, OpenSSL 2 */
#define EC_P12_BAGS_MAX 256		/* a key, its chain, some spare */
/* all the iterations one file may ask for, per password tried: the
 * MAC's and every PBE's together (a file of GnuTLS: 3 x 600,000) */
#define EC_P12_ITER_TOTAL_MAX 10000000ull

struct ec_p12_scan {
	size_t ncontent;	/* ContentInfos of the AuthenticatedSafe */
	size_t nbags;		/* bags of the plain ContentInfos */
	unsigned long long iter;	/* the MAC's and the visible PBEs' */
	int have_mac;
	long long mac_iter;	/* as written (1 when absent) */
	size_t mac_salt_len;
	/* each ContentInfo as a PKCS#12 file of its own (no MAC), so that
	 * GnuTLS decodes each once (gnutls_pkcs12_get_bag(i) decodes the
	 * whole AuthenticatedSafe again for every i) */
	unsigned char **part;
	size_t *part_len;
	size_t npart;
};

/* Scan the DER of a PKCS#12 file.  Over a limit, a negative or absurd
 * iteration count, or a structure libtasn1 cannot decode: bad-input. */
int ec_p12_scan(const unsigned char *der, size_t len,
		struct ec_p12_scan *out, struct ec_err *e);
void ec_p12_scan_free(struct ec_p12_scan *s);

#endif
