/* winpfx.c: a PKCS#12 file shaped as a CryptoAPI export of Windows
 * Server 2003-2016 writes it, for the tests (t/workflow.bats), made with
 * GnuTLS alone (openssl cannot write the absent password, certtool names
 * every certificate bag):
 *
 *   winpfx KEY.pem CERTS.pem OUT.pfx
 *
 * The certificates (the key's first, then its chain) in one bag under
 * RC2-40 with no friendlyName; the key shrouded with 3DES, its bag's
 * friendlyName a key container's GUID; the absent (NULL) password for
 * both and for the SHA-1 MAC; 8 NUL bytes after the DER.  Built with
 *   cc -std=c11 -o winpfx scripts/winpfx.c $(pkg-config --cflags --libs gnutls) */
#include <stdio.h>
#include <stdlib.h>

#include <gnutls/gnutls.h>
#include <gnutls/pkcs12.h>
#include <gnutls/x509.h>

#define CHECK(x) do { int r_ = (x); if (r_ < 0) { \
	fprintf(stderr, "winpfx: %s: %s\n", #x, gnutls_strerror(r_)); \
	exit(1); } } while (0)

static gnutls_datum_t load(const char *path)
{
	gnutls_datum_t d;

	CHECK(gnutls_load_file(path, &d));
	return d;
}

int main(int argc, char **argv)
{
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt[8];
	unsigned ncrt = 8;
	gnutls_pkcs12_bag_t cbag, kbag;
	gnutls_pkcs12_t p12;
	gnutls_datum_t k, c, der, out;
	unsigned char kder[8192];
	size_t klen = sizeof(kder);
	static const unsigned char pad[8];
	FILE *f;
	int idx;

	if (argc != 4) {
		fprintf(stderr, "usage: winpfx KEY.pem CERTS.pem OUT.pfx\n");
		return 2;
	}
	k = load(argv[1]);
	c = load(argv[2]);
	CHECK(gnutls_x509_privkey_init(&key));
	CHECK(gnutls_x509_privkey_import(key, &k, GNUTLS_X509_FMT_PEM));
	CHECK(gnutls_x509_crt_list_import(crt, &ncrt, &c, GNUTLS_X509_FMT_PEM,
					  0));

	CHECK(gnutls_pkcs12_bag_init(&cbag));
	for (unsigned i = 0; i < ncrt; i++)
		CHECK(gnutls_pkcs12_bag_set_crt(cbag, crt[i]));
	CHECK(gnutls_pkcs12_bag_encrypt(cbag, NULL,
					GNUTLS_PKCS_USE_PKCS12_RC2_40));

	CHECK(gnutls_x509_privkey_export_pkcs8(key, GNUTLS_X509_FMT_DER, NULL,
					       GNUTLS_PKCS_USE_PKCS12_3DES |
					       GNUTLS_PKCS_NULL_PASSWORD,
					       kder, &klen));
	der.data = kder;
	der.size = (unsigned)klen;
	CHECK(gnutls_pkcs12_bag_init(&kbag));
	CHECK(idx = gnutls_pkcs12_bag_set_data(kbag,
					GNUTLS_BAG_PKCS8_ENCRYPTED_KEY, &der));
	CHECK(gnutls_pkcs12_bag_set_friendly_name(kbag, (unsigned)idx,
				"{3F2504E0-4F89-41D3-9A0C-0305E82C3301}"));

	CHECK(gnutls_pkcs12_init(&p12));
	CHECK(gnutls_pkcs12_set_bag(p12, cbag));
	CHECK(gnutls_pkcs12_set_bag(p12, kbag));
	CHECK(gnutls_pkcs12_generate_mac2(p12, GNUTLS_MAC_SHA1, NULL));
	CHECK(gnutls_pkcs12_export2(p12, GNUTLS_X509_FMT_DER, &out));
	if (!(f = fopen(argv[3], "wb")) ||
	    fwrite(out.data, 1, out.size, f) != out.size ||
	    fwrite(pad, 1, sizeof(pad), f) != sizeof(pad) || fclose(f) != 0) {
		perror(argv[3]);
		return 1;
	}
	return 0;
}
