/* pending.h: the pending section, requests waiting for the CA's answer.
 *
 *   STORE/pending/<id>.key    the request's key (PKCS#8 PEM, 0600), absent
 *                             when the key is in a token
 *   STORE/pending/<id>.csr    the PKCS#10 request (PEM)
 *   STORE/pending/<id>.meta   key=value: id, subject, created, params,
 *                             friendly_name, key_type, key_store, key_url...
 *
 * id is the key id (hex SHA-256 of the public key, ec_keyid_of_privkey).
 * This module is the one place that knows those names; everything is read
 * and written through the store (store.h), in its transactions. */
#ifndef EC_PENDING_H
#define EC_PENDING_H

#include <stddef.h>
#include <time.h>

#include <gnutls/x509.h>

#include "buf.h"
#include "csr.h"
#include "err.h"
#include "infreq.h"
#include "meta.h"
#include "store.h"
#include "token.h"

#define EC_PENDING_ID_MAX 80

/* What a request asks for. */
struct ec_pending_spec {
	const struct ec_csr_params *p;
	gnutls_pk_algorithm_t pk;
	unsigned bits;
	gnutls_ecc_curve_t curve;
	const char *key_type, *name;	/* name: the friendly name, or NULL */
	const char *token;		/* the token's URL, or NULL */
	int exportable;
};

/* What an INF file (infreq.h) asks for fills what the command line left
 * out: the key type (unless type_given), RSA bits (unless bits_given), the
 * ECDSA curve (unless curve_given) and the friendly name; exportable is
 * or'ed in.  The request's own fields go in as ec_inf_merge puts them. */
void ec_pending_spec_inf(struct ec_pending_spec *sp, struct ec_csr_params *p,
			 const struct ec_inf_req *r, int type_given,
			 int bits_given, int curve_given);

/* What makes two requests the same, for idempotence (the "params" of the
 * metadata): hex SHA-256. */
void ec_pending_params_id(const struct ec_pending_spec *sp,
			  char out[EC_SHA256_HEX]);

/* The metadata of a new request (0, or non-zero on no memory). */
int ec_pending_fill_meta(struct ec_meta *m, const struct ec_pending_spec *sp,
			 const char *id, const char *params,
			 gnutls_x509_crq_t crq, const char *key_url);

/* The request's key: made here for the store's key file, or in tok (with
 * check a throwaway one here: the token is left as it is). */
struct ec_pending_key {
	gnutls_x509_privkey_t x509;	/* a key for the store's file */
	gnutls_privkey_t key;		/* signs the request */
	char *url;			/* the key in the token */
};

int ec_pending_key_make(const struct ec_pending_spec *sp, struct ec_token *tok,
			int check, struct ec_pending_key *k, struct ec_err *e);
/* Free the key; with failed, a key made in tok is taken out again (-1 in
 * e when it cannot be). */
int ec_pending_key_free(struct ec_pending_key *k, struct ec_token *tok,
			int failed, struct ec_err *e);

/* The hex SHA-256 of the request's DER ("" when it cannot be had). */
void ec_pending_csr_sha256(gnutls_x509_crq_t crq, char hex[EC_SHA256_HEX]);

/* Is a request with this id pending (its .meta is there)? */
int ec_pending_has(struct ec_store *s, const char *id);

/* The pending request whose id starts with prefix (its whole length), or
 * (prefix 0) whose metadata say key=want.  Returns how many match; with
 * exactly one, id gets it. */
int ec_pending_find(struct ec_store *s, const char *key, const char *want,
		    size_t prefix, char id[EC_PENDING_ID_MAX], struct ec_err *e);

/* The one pending request whose id starts with prefix: no-pending-request
 * when none does, ambiguous when several do. */
int ec_pending_resolve(struct ec_store *s, const char *prefix,
		       char id[EC_PENDING_ID_MAX], struct ec_err *e);

/* When the request was made (its metadata's created): 0, or -1 when it
 * has none that parses. */
int ec_pending_created(const struct ec_meta *m, time_t *out);

/* Remove pending request id, all its files, in one transaction. */
int ec_pending_cancel(struct ec_store *s, const char *id, struct ec_err *e);

/* A request accepted already: its certificate's personal/<sha1>.meta
 * keeps request_params=params.  Returns how many match; with one or more,
 * sha1 gets the last. */
int ec_pending_find_issued(struct ec_store *s, const char *params,
			   char sha1[EC_PENDING_ID_MAX], struct ec_err *e);

/* Load <id>.meta (absent: an empty m) or <id>.key (absent: not-found). */
int ec_pending_load_meta(struct ec_store *s, const char *id, struct ec_meta *m,
			 struct ec_err *e);
int ec_pending_load_key(struct ec_store *s, const char *id,
			gnutls_x509_privkey_t *key, struct ec_err *e);

/* Load <id>.csr, parsed; pem, when not NULL, gets the PEM (malloc'd). */
int ec_pending_load_csr(struct ec_store *s, const char *id,
			gnutls_x509_crq_t *crq, gnutls_datum_t *pem,
			struct ec_err *e);

/* Load a pending request: its metadata, its request (parsed) and the PEM
 * (*pem malloc'd).  Free with ec_pending_req_free. */
int ec_pending_load(struct ec_store *s, const char *id, gnutls_x509_crq_t *crq,
		    gnutls_datum_t *pem, struct ec_meta *m, struct ec_err *e);
void ec_pending_req_free(gnutls_x509_crq_t crq, gnutls_datum_t *pem,
			 struct ec_meta *m);

/* Stage a new pending request: key (NULL when it is in a token), the PEM
 * request and the metadata text. */
int ec_pending_stage(struct ec_store *s, struct ec_txn *t, const char *id,
		     gnutls_x509_privkey_t key, const gnutls_datum_t *pem,
		     const char *meta, size_t meta_len, struct ec_err *e);

/* Stage the removal of every file of pending request id (t NULL: count
 * them only).  Returns how many there are. */
int ec_pending_stage_del(struct ec_store *s, struct ec_txn *t, const char *id,
			 struct ec_err *e);

/* The request file's path, for the status record. */
void ec_pending_csr_path(struct ec_store *s, const char *id, char *buf,
			 size_t n);

/* The subjects of the pending requests, "'S1', 'S2'", added to out;
 * returns how many. */
int ec_pending_subjects(struct ec_store *s, struct ec_buf *out,
			struct ec_err *e);

#endif
