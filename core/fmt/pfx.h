/* pfx.h: PKCS#12 (.pfx, .p12) files, read and written by GnuTLS.
 *
 * Reading checks the MAC before anything is decrypted, refuses absurd
 * iteration counts before a key is derived, and returns the private keys
 * and certificates with their friendlyName attributes; pairing them is
 * the caller's business (by public key, see ec_key_matches).  Writing
 * makes the file Windows, OpenSSL, Java and NSS read: key and certificate
 * bags with friendlyName and localKeyID, in one of two profiles. */
#ifndef EC_PFX_H
#define EC_PFX_H

#include <stddef.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "err.h"

/* The most PBKDF/MAC iterations a file may ask for: more is bad-input. */
#define EC_PFX_ITER_MAX 10000000u
/* The most MAC iterations a written file may have: Windows refuses more.
 * GnuTLS picks the count (600000 in 3.7); ec_pfx_write checks it. */
#define EC_PFX_MAC_ITER_MAX 600000u

/* Which password opened the file. */
enum ec_pfx_pass { EC_PFX_PASS_GIVEN, EC_PFX_PASS_ABSENT, EC_PFX_PASS_EMPTY };

struct ec_pfx {
	gnutls_x509_crt_t *crt;
	char **crt_name;	/* friendlyName of crt[i], or NULL */
	size_t ncrt;
	gnutls_x509_privkey_t *key;
	char **key_name;	/* the key bag's friendlyName, unless it is a
				 * CryptoAPI key container's name */
	char **key_container;	/* that container's name, or NULL */
	char **key_provider;	/* its CSP (1.3.6.1.4.1.311.17.1), or NULL */
	size_t nkey;
	const char *mac;	/* "SHA256" and the like; NULL: no MAC */
	unsigned mac_iter;
	enum ec_pfx_pass pass;
	size_t nother;		/* CRL, secret and unknown bags, ignored */
	/* while reading: bags opened and iterations spent (MAC included),
	 * against p12scan.h's limits, bags inside encrypted contents too */
	size_t nbags;
	unsigned long long work;
};

/* Decode a PKCS#12 file: DER, PEM ("-----BEGIN ...") or bare base64, as
 * ec_armor_read takes them; bytes after the outer DER are ignored
 * (Windows pads some exports with NUL bytes; ec_armor_trailing counts
 * them).
 * pass NULL is "no password": the absent and the empty password are both
 * tried.  Not PKCS#12, damaged, an unsupported scheme or an iteration
 * count over EC_PFX_ITER_MAX: bad-input.  A MAC that fails, or (without a
 * MAC) a bag that does not decrypt: bad-password. */
int ec_pfx_read(const unsigned char *data, size_t len, const char *pass,
		struct ec_pfx *out, struct ec_err *e);
void ec_pfx_free(struct ec_pfx *p);

enum ec_pfx_profile {
	EC_PFX_MODERN,	/* PBES2 AES-256-CBC, PBKDF2-HMAC-SHA256; SHA-256 MAC */
	EC_PFX_COMPAT,	/* pbeWithSHAAnd3-KeyTripleDES-CBC; SHA-1 MAC */
};

/* Encode key and crt[0..n) (crt[0] is key's certificate, the others its
 * chain) as DER PKCS#12 in out (gnutls_free it, after wiping).  The key
 * bag and crt[0]'s bag get friendlyName name (when not NULL) and
 * localKeyID, the SHA-1 of crt[0].  pass NULL: the empty password (the
 * bags encrypted and the MAC made with it), which Windows, OpenSSL, Java and
 * NSS take for "no password"; a file without MAC or with a plain key bag
 * is one NSS and Java do not read. */
int ec_pfx_write(gnutls_x509_privkey_t key, gnutls_x509_crt_t *crt,
		 size_t n, const char *name, const char *pass,
		 enum ec_pfx_profile profile, gnutls_datum_t *out,
		 struct ec_err *e);

#endif
