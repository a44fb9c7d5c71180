/* ifacecheck.h: can this certificate serve a server interface?  The checks
 * of edgecert-assign(1), each with an outcome, a code and a message:
 *
 *   private-key  the store holds its private key       no-private-key
 *                (a file, or a key in a PKCS#11 token)
 *   key-match    the key belongs to the certificate    key-mismatch
 *   validity     valid now (warn within 30 days)       expired, not-yet-valid
 *   trust        its path validates (verify-root)      untrusted, revoked, ...
 *   name         a SAN matches --fqdn (hostname.h; the  name-mismatch
 *                CN without any SAN, warned)
 *   purpose      the EKU allows each --purpose         purpose-mismatch
 *   resolve      --fqdn resolves to an address here    name-mismatch
 *   daemon-access  --owner/--group can read the files  no-daemon-access
 *                (the applet runs it: core/check/daccess.h)
 *
 * A failed trust, name, purpose or resolve check is "forced" when the
 * caller forces it; the key, validity and daemon-access checks never are. */
#ifndef EC_IFACECHECK_H
#define EC_IFACECHECK_H

#include <stddef.h>
#include <time.h>

#include <gnutls/x509.h>

#include "err.h"
#include "resolve.h"
#include "status.h"
#include "store.h"
#include "verify.h"

enum ec_check_id {
	EC_CHK_PRIVATE_KEY, EC_CHK_KEY_MATCH, EC_CHK_VALIDITY, EC_CHK_TRUST,
	EC_CHK_NAME, EC_CHK_PURPOSE, EC_CHK_RESOLVE, EC_CHK_DAEMON_ACCESS,
	EC_CHK_COUNT
};

enum ec_outcome { EC_OUT_SKIPPED, EC_OUT_PASS, EC_OUT_WARN, EC_OUT_FAIL,
		  EC_OUT_FORCED };

#define EC_PURPOSE_MAX 4
#define EC_EXPIRY_WARN_DAYS 30

struct ec_token;

struct ec_ifacecheck_opts {
	struct ec_token *tok;			/* for a key in a token */
	const char *fqdn;			/* NULL: no name check */
	const char *purpose[EC_PURPOSE_MAX];	/* EKU OIDs */
	size_t npurpose;
	int resolve;
	int force;
	enum ec_profile_rules rules;		/* --profile */
};

struct ec_check {
	enum ec_outcome outcome;
	enum ec_code code;			/* EC_OK unless it failed */
	char msg[400];
};

struct ec_ifacecheck {
	struct ec_check c[EC_CHK_COUNT];
	struct ec_resolved res;			/* with resolve */
	struct ec_verify_result vr;		/* the trust check's; its
						 * built path feeds chain.pem */
	gnutls_x509_privkey_t key;		/* the store's, or NULL */
	char *key_url;				/* or its URL in a token */
};

/* Run every check on personal/<sha1> (crt is the caller's); a key in a
 * token is asked of o->tok (a token that wants a PIN it lacks, or refuses
 * it, fails the run: usage, bad-password).  Returns 0
 * with the outcomes in out (a failed check is not an error), or -1 with
 * e set when the checks could not be made (a damaged store, say). */
int ec_ifacecheck_run(struct ec_store *s, const char *sha1,
		      gnutls_x509_crt_t crt, const struct ec_ifacecheck_opts *o,
		      struct ec_ifacecheck *out, struct ec_err *e);
void ec_ifacecheck_free(struct ec_ifacecheck *c);

/* The first check that refuses the assignment, or -1. */
int ec_ifacecheck_refusal(const struct ec_ifacecheck *c);

/* --purpose server,client,OID into o->purpose (the OIDs point into buf,
 * which keeps a copy of arg): each through ec_purpose_parse; "any"
 * drops the check.  usage for anything else. */
int ec_purpose_list(struct ec_ifacecheck_opts *o, const char *arg, char *buf,
		    size_t n, struct ec_err *e);

/* The names of the forced checks, comma-separated, for the record. */
void ec_ifacecheck_forced(const struct ec_ifacecheck *c, char *buf, size_t n);

const char *ec_check_name(enum ec_check_id id);

/* Fields checks, forced and resolved (see edgecert-assign(1)) and the text
 * form's lines; warnings for warned and forced checks. */
void ec_ifacecheck_report(struct ec_status *st, const struct ec_ifacecheck *c,
			  const struct ec_ifacecheck_opts *o);

#endif
