/* token.h: private keys in a PKCS#11 token (an HSM, a TPM, SoftHSM2),
 * through GnuTLS' PKCS#11 layer.
 *
 * A key in a token is named by its pkcs11: URL (RFC 7512), which the store
 * keeps in the metadata (key_store=pkcs11, key_url=...) instead of a key
 * file.  Keys are made or imported sensitive and, unless exportable, not
 * extractable (CKA_EXTRACTABLE false): the token itself refuses to let
 * them out.  A certificate written to the token carries the key's CKA_ID,
 * so that PKCS#11 clients pair the two.
 *
 * The module: the one given (--token-module, EDGECERT_PKCS11_MODULE),
 * else every module p11-kit has registered.  The PIN comes from the
 * caller (--pin-file, --pin-env, --pin-fd) and is given to the token once;
 * a wrong one is bad-password, and is never retried. */
#ifndef EC_TOKEN_H
#define EC_TOKEN_H

#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "err.h"

struct ec_token;

/* Load the module (NULL: p11-kit's) and keep pin (NULL: none; copied)
 * for the logins to come. */
int ec_token_open(struct ec_token **out, const char *module, const char *pin,
		  struct ec_err *e);
/* Wipes the PIN. */
void ec_token_close(struct ec_token *t);

/* Is url a token URL edgecert takes ("pkcs11:" with path attributes, no
 * query: the PIN has its own options)?  usage otherwise. */
int ec_token_url_ok(const char *url, struct ec_err *e);
/* A token matches url: not-found otherwise. */
int ec_token_find(struct ec_token *t, const char *url, struct ec_err *e);

/* Make a key pair in the token of url (RSA with bits, ECDSA with curve,
 * Ed25519), labelled label, sensitive, extractable only when exportable.
 * *key_url gets the private key's URL (free it). */
int ec_token_generate(struct ec_token *t, const char *url,
		      gnutls_pk_algorithm_t pk, unsigned bits,
		      gnutls_ecc_curve_t curve, const char *label,
		      int exportable, char **key_url, struct ec_err *e);
/* Write key into the token of url, as ec_token_generate makes one. */
int ec_token_import(struct ec_token *t, const char *url,
		    gnutls_x509_privkey_t key, const char *label,
		    int exportable, char **key_url, struct ec_err *e);
/* Remove the key from its token, with the public key and certificates of
 * its CKA_ID (a request cancelled, a run undone). */
int ec_token_remove(struct ec_token *t, const char *key_url,
		    struct ec_err *e);
/* The key as a signing key (logs in). */
int ec_token_privkey(struct ec_token *t, const char *key_url,
		     gnutls_privkey_t *out, struct ec_err *e);
/* Does the key belong to crt (same public key)?  1 yes, 0 no, -1 when the
 * key cannot be read (not-found when the token lacks it). */
int ec_token_matches(struct ec_token *t, const char *key_url,
		     gnutls_x509_crt_t crt, struct ec_err *e);
/* Write crt into the key's token, labelled label, with the key's CKA_ID,
 * unless the token has it already.  1 written, 0 present. */
int ec_token_put_cert(struct ec_token *t, const char *key_url,
		      gnutls_x509_crt_t crt, const char *label,
		      struct ec_err *e);
/* Take a copy of the key out of the token (wrapped under a one-time AES
 * key, unwrapped here).  A key the token will not let out is
 * not-exportable. */
int ec_token_extract(struct ec_token *t, const char *key_url,
		     gnutls_x509_privkey_t *out, struct ec_err *e);
#endif
