/* certstore.h: certificates, keys and their metadata as store objects.
 *
 * In the personal, ca and root sections a certificate is <sha1>.pem (PEM),
 * with <sha1>.key (PKCS#8 PEM, mode 0600, personal only), <sha1>.meta
 * (key=value: friendly_name, exportable, sha256, added, ...) and
 * <sha256>.sha256, its alias (the SHA-1 and a line break), so that a
 * SHA-256 thumbprint is found without opening every certificate.  A key in
 * a PKCS#11 token has no .key file: the metadata say key_store=pkcs11 and
 * key_url=<its pkcs11: URL>. */
#ifndef EC_CERTSTORE_H
#define EC_CERTSTORE_H

#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "cert.h"
#include "err.h"
#include "meta.h"
#include "store.h"

/* Load <id>.pem of sec; the certificate's SHA-1 must be id
 * (store-corrupt otherwise).  not-found if absent. */
int ec_cs_load_cert(struct ec_store *s, enum ec_section sec, const char *id,
		    gnutls_x509_crt_t *out, struct ec_err *e);
/* Load <id>.meta of sec; an absent file gives an empty m. */
int ec_cs_load_meta(struct ec_store *s, enum ec_section sec, const char *id,
		    struct ec_meta *m, struct ec_err *e);
/* Load <id>.key of sec; not-found if absent. */
int ec_cs_load_key(struct ec_store *s, enum ec_section sec, const char *id,
		   gnutls_x509_privkey_t *out, struct ec_err *e);

/* Which of personal, ca, root holds the certificate with this SHA-1;
 * -1 if none. */
int ec_cs_where(struct ec_store *s, const char *sha1);

/* Stage <sha1>.pem of crt in sec, and <sha1>.meta when m is not NULL
 * (sha256 is added to it), unless identical files are already there.
 * Returns 1 when something was staged, 0 when the store has it all.  The
 * alias <sha256>.sha256 (and with m the name alias, the old one removed)
 * is staged too where it is missing, which (as an index, not content) is
 * not counted as a change.
 * With t NULL nothing is staged: the answer is what a real run would do
 * (for --check).  Likewise for ec_cs_stage_key. */
int ec_cs_stage_cert(struct ec_store *s, struct ec_txn *t,
		     enum ec_section sec, gnutls_x509_crt_t crt,
		     struct ec_meta *m, struct ec_err *e);
/* The name alias of a certificate with metadata: <H>-<sha1>.name, H the
 * first 16 hex digits of the SHA-256 of its friendly name (of "" when it
 * has none), so that --name reads the metadata of the candidates alone.
 * h gets H. */
void ec_cs_name_hash(const char *friendly_name, char h[17]);

/* Stage the removal of a certificate from sec: <sha1>.pem, its .meta and
 * its aliases where present. */
int ec_cs_stage_del_cert(struct ec_store *s, struct ec_txn *t,
			 enum ec_section sec, gnutls_x509_crt_t crt,
			 struct ec_err *e);
/* The SHA-1 of the certificate of sec whose SHA-256 is sha256, by its
 * alias <sha256>.sha256: 1 found (and its .pem is there), 0 not. */
int ec_cs_alias(struct ec_store *s, enum ec_section sec, const char *sha256,
		char sha1[EC_SHA1_HEX]);

/* Stage <id>.key (PKCS#8 PEM, unencrypted, mode 0600).  Returns 1 when
 * staged, 0 when the same key is there already. */
int ec_cs_stage_key(struct ec_store *s, struct ec_txn *t,
		    enum ec_section sec, const char *id,
		    gnutls_x509_privkey_t key, struct ec_err *e);

/* All certificates of a section (for trust lists and chain building).
 * *list is malloc'd; free with ec_cs_free_list. */
int ec_cs_load_all(struct ec_store *s, enum ec_section sec,
		   gnutls_x509_crt_t **list, size_t *n, struct ec_err *e);
void ec_cs_free_list(gnutls_x509_crt_t *list, size_t n);

/* CRLs: crl/<id>.pem, id the lower-case hex SHA-1 of the CRL's DER.
 * Stage one (returns 1 when staged, 0 when the store has it; t NULL is
 * the dry run); id, when not NULL, gets its id. */
int ec_cs_stage_crl(struct ec_store *s, struct ec_txn *t,
		    gnutls_x509_crl_t crl, const gnutls_datum_t *der,
		    char id[EC_SHA1_HEX], struct ec_err *e);

/* Does the private key belong to the certificate (same public key)? */
int ec_key_matches(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key);

/* The URL of the certificate's key when it is in a token (key_store=pkcs11
 * in m), else NULL. */
const char *ec_cs_key_url(const struct ec_meta *m);

/* The cert extras for the status record (section, friendly_name,
 * has_private_key, exportable, key_url) from the store; m may be NULL. */
void ec_cs_extra(struct ec_store *s, enum ec_section sec, const char *id,
		 const struct ec_meta *m, struct ec_cert_extra *x);

#endif
