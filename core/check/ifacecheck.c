#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "cert.h"
#include "certstore.h"
#include "hostname.h"
#include "ifacecheck.h"
#include "token.h"

static const char *const check_names[EC_CHK_COUNT] = {
	"private-key", "key-match", "validity", "trust", "name", "purpose",
	"resolve", "daemon-access",
};

static const char *const outcome_names[] = {
	"skipped", "pass", "warn", "fail", "forced",
};

const char *ec_check_name(enum ec_check_id id)
{
	return (unsigned)id < EC_CHK_COUNT ? check_names[id] : "?";
}

int ec_purpose_list(struct ec_ifacecheck_opts *o, const char *arg, char *buf,
		    size_t n, struct ec_err *e)
{
	char *save = NULL, *tok;
	const char *oid;

	o->npurpose = 0;
	if (snprintf(buf, n, "%s", arg) >= (int)n)
		return ec_fail(e, EC_USAGE, "--purpose is too long");
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (ec_purpose_parse(tok, &oid, e) < 0)
			return -1;
		if (!oid)
			continue;
		if (o->npurpose == EC_PURPOSE_MAX)
			return ec_fail(e, EC_USAGE, "--purpose takes at most "
				       "%d usages", EC_PURPOSE_MAX);
		o->purpose[o->npurpose++] = oid;
	}
	if (!o->npurpose && !strstr(arg, "any"))
		return ec_fail(e, EC_USAGE, "--purpose wants server, client, "
			       "any or OIDs, not '%s'", arg);
	return 0;
}

void ec_ifacecheck_forced(const struct ec_ifacecheck *c, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < EC_CHK_COUNT && len < n; i++)
		if (c->c[i].outcome == EC_OUT_FORCED)
			len += (size_t)snprintf(buf + len, n - len, "%s%s",
						len ? "," : "", check_names[i]);
}

static void set(struct ec_check *c, enum ec_outcome o, enum ec_code code,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void set(struct ec_check *c, enum ec_outcome o, enum ec_code code,
		const char *fmt, ...)
{
	va_list ap;

	c->outcome = o;
	c->code = code;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
}

/* The key in a token: the token must hold it, and it must be the
 * certificate's. */
static int token_key(const char *url, gnutls_x509_crt_t crt,
		     const struct ec_ifacecheck_opts *o, struct ec_ifacecheck *out,
		     struct ec_err *e)
{
	struct ec_check *pk = &out->c[EC_CHK_PRIVATE_KEY],
			*km = &out->c[EC_CHK_KEY_MATCH];
	struct ec_err why;
	int r;

	if (!o->tok)
		return ec_fail(e, EC_INTERNAL, "no token for '%s'", url);
	if (!(out->key_url = strdup(url)))
		return ec_fail(e, EC_INTERNAL, "out of memory");
	if ((r = ec_token_matches(o->tok, url, crt, &why)) < 0) {
		if (why.code != EC_NOT_FOUND) {
			*e = why;
			return -1;
		}
		/* no key: an outcome of the check, not an error */
		set(pk, EC_OUT_FAIL, EC_NO_PRIVATE_KEY, "%s", why.msg);
		set(km, EC_OUT_SKIPPED, EC_OK, "no private key");
		return 0;
	}
	set(pk, EC_OUT_PASS, EC_OK, "in the token: %s", url);
	if (r)
		set(km, EC_OUT_PASS, EC_OK, "the private key in the token "
		    "belongs to the certificate");
	else
		set(km, EC_OUT_FAIL, EC_KEY_MISMATCH, "the private key in the "
		    "token belongs to another certificate");
	return 0;
}

static int keys(struct ec_store *s, const char *sha1, gnutls_x509_crt_t crt,
		const struct ec_ifacecheck_opts *o, struct ec_ifacecheck *out,
		struct ec_err *e)
{
	struct ec_check *pk = &out->c[EC_CHK_PRIVATE_KEY],
			*km = &out->c[EC_CHK_KEY_MATCH];
	struct ec_meta m;
	struct ec_err why;
	int r = 0;

	if (ec_cs_load_meta(s, EC_SEC_PERSONAL, sha1, &m, e) < 0)
		return -1;
	if (ec_cs_key_url(&m))
		r = token_key(ec_cs_key_url(&m), crt, o, out, e) < 0 ? -1 : 1;
	ec_meta_free(&m);
	if (r)
		return r < 0 ? -1 : 0;
	if (ec_cs_load_key(s, EC_SEC_PERSONAL, sha1, &out->key, &why) < 0) {
		if (why.code != EC_NOT_FOUND) {
			*e = why;
			return -1;
		}
		set(pk, EC_OUT_FAIL, EC_NO_PRIVATE_KEY, "the store has no "
		    "private key for %s", sha1);
		set(km, EC_OUT_SKIPPED, EC_OK, "no private key");
		return 0;
	}
	set(pk, EC_OUT_PASS, EC_OK, "personal/%s.key", sha1);
	if (ec_key_matches(crt, out->key))
		set(km, EC_OUT_PASS, EC_OK, "the private key belongs to the "
		    "certificate");
	else
		set(km, EC_OUT_FAIL, EC_KEY_MISMATCH, "the private key in the "
		    "store belongs to another certificate");
	return 0;
}

static void validity(gnutls_x509_crt_t crt, time_t now, struct ec_check *c)
{
	time_t nb = gnutls_x509_crt_get_activation_time(crt),
	       na = gnutls_x509_crt_get_expiration_time(crt);
	char t[32];
	long days;

	if (nb > now) {
		ec_time_rfc3339(nb, t, sizeof(t));
		set(c, EC_OUT_FAIL, EC_NOT_YET_VALID, "not valid before %s", t);
		return;
	}
	ec_time_rfc3339(na, t, sizeof(t));
	if (na < now) {
		set(c, EC_OUT_FAIL, EC_EXPIRED, "expired at %s", t);
		return;
	}
	days = (long)((na - now) / 86400);
	if (days < EC_EXPIRY_WARN_DAYS)
		set(c, EC_OUT_WARN, EC_OK, "expires within %d days, at %s "
		    "(%ld days)", EC_EXPIRY_WARN_DAYS, t, days);
	else
		set(c, EC_OUT_PASS, EC_OK, "valid until %s (%ld days)", t,
		    days);
}

static int trust(struct ec_store *s, gnutls_x509_crt_t crt,
		 const struct ec_ifacecheck_opts *o, struct ec_ifacecheck *out,
		 struct ec_err *e)
{
	/* purpose and name: below */
	struct ec_verify_opts vo = { .rules = o->rules, .serve = 1 };
	struct ec_verify_result *r = &out->vr;
	struct ec_check *c = &out->c[EC_CHK_TRUST];
	char why[200] = "", *dn;
	size_t len = 0;

	if (ec_verify(s, crt, &vo, r, e) < 0)
		return -1;
	if (r->trusted) {
		dn = ec_cert_dn(r->anchor, 0);
		set(c, EC_OUT_PASS, EC_OK, "its path ends in the trusted root "
		    "'%s'", dn ? dn : "");
		free(dn);
		return 0;
	}
	for (size_t i = 0; i < r->nreasons && len < sizeof(why); i++)
		len += (size_t)snprintf(why + len, sizeof(why) - len, "%s%s",
					i ? ", " : "", r->reasons[i]);
	set(c, EC_OUT_FAIL, r->code == EC_OK ? EC_UNTRUSTED : r->code,
	    "its path is not trusted: %s", why);
	return 0;
}

/* The name as RFC 9525 says (hostname.h): a SAN, or without any SAN the
 * CN, with a warning (never under the web PKI profile). */
static void name(gnutls_x509_crt_t crt, const struct ec_ifacecheck_opts *o,
		 struct ec_check *c)
{
	struct ec_host h;
	struct ec_err e;

	if (ec_host_parse(o->fqdn, &h, &e) < 0) {
		set(c, EC_OUT_FAIL, EC_NAME_MISMATCH, "%s", e.msg);
		return;
	}
	switch (ec_host_match(crt, &h, o->rules != EC_RULES_WEBPKI)) {
	case EC_HOST_SAN:
		set(c, EC_OUT_PASS, EC_OK, "the certificate is valid for '%s'",
		    h.name);
		break;
	case EC_HOST_CN:
		set(c, EC_OUT_WARN, EC_OK, "'%s' is the subject's CN and the "
		    "certificate has no subjectAltName: TLS clients that "
		    "follow RFC 9525 will not accept it", h.name);
		break;
	case EC_HOST_NO:
		set(c, EC_OUT_FAIL, EC_NAME_MISMATCH, "no name of the "
		    "certificate matches '%s' (its CN counts only without a "
		    "subjectAltName%s)", h.name, o->rules == EC_RULES_WEBPKI ?
		    ", and never with --profile webpki" : "");
		break;
	}
}

static const char *purpose_word(const char *oid)
{
	if (strcmp(oid, GNUTLS_KP_TLS_WWW_SERVER) == 0)
		return "server";
	if (strcmp(oid, GNUTLS_KP_TLS_WWW_CLIENT) == 0)
		return "client";
	return oid;
}

/* Does the extended key usage allow oid?  No extension allows all. */
static int eku_allows(gnutls_x509_crt_t crt, const char *oid)
{
	char buf[128];
	int any = 0;

	for (unsigned i = 0;; i++) {
		size_t n = sizeof(buf);
		int r = gnutls_x509_crt_get_key_purpose_oid(crt, i, buf, &n,
							    NULL);

		if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			return !any;
		if (r < 0)
			return 0;
		any = 1;
		if (strcmp(buf, oid) == 0 || strcmp(buf, GNUTLS_KP_ANY) == 0)
			return 1;
	}
}

static void purpose(gnutls_x509_crt_t crt, const struct ec_ifacecheck_opts *o,
		    struct ec_check *c)
{
	char ok[200] = "";
	size_t len = 0;

	for (size_t i = 0; i < o->npurpose; i++) {
		if (!eku_allows(crt, o->purpose[i])) {
			set(c, EC_OUT_FAIL, EC_PURPOSE_MISMATCH, "the extended "
			    "key usage does not allow %s authentication",
			    purpose_word(o->purpose[i]));
			return;
		}
		if (len < sizeof(ok))
			len += (size_t)snprintf(ok + len, sizeof(ok) - len,
						"%s%s", i ? ", " : "",
						purpose_word(o->purpose[i]));
	}
	if (o->npurpose)
		set(c, EC_OUT_PASS, EC_OK, "the extended key usage allows %s",
		    ok);
	else
		set(c, EC_OUT_SKIPPED, EC_OK, "--purpose any");
}

static int resolve(const char *fqdn, struct ec_ifacecheck *out,
		   struct ec_err *e)
{
	struct ec_check *c = &out->c[EC_CHK_RESOLVE];
	struct ec_resolved *r = &out->res;
	char list[300] = "";
	size_t len = 0;
	int local;

	if ((local = ec_resolve_local(fqdn, r, e)) < 0)
		return -1;
	for (size_t i = 0; i < r->n && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
					i ? ", " : "", r->addr[i]);
	if (r->n == 0)
		set(c, EC_OUT_FAIL, EC_NAME_MISMATCH, "'%s' does not resolve: "
		    "%s", fqdn, r->error);
	else if (local == 0)
		set(c, EC_OUT_FAIL, EC_NAME_MISMATCH, "'%s' resolves to %s, "
		    "none of them an address of this host", fqdn, list);
	else
		set(c, EC_OUT_PASS, EC_OK, "'%s' resolves to %s, an address "
		    "of this host", fqdn, list);
	return 0;
}

int ec_ifacecheck_run(struct ec_store *s, const char *sha1,
		      gnutls_x509_crt_t crt, const struct ec_ifacecheck_opts *o,
		      struct ec_ifacecheck *out, struct ec_err *e)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < EC_CHK_COUNT; i++)
		set(&out->c[i], EC_OUT_SKIPPED, EC_OK, "not asked for");
	if (keys(s, sha1, crt, o, out, e) < 0)
		return -1;
	validity(crt, time(NULL), &out->c[EC_CHK_VALIDITY]);
	if (trust(s, crt, o, out, e) < 0)
		return -1;
	if (o->fqdn)
		name(crt, o, &out->c[EC_CHK_NAME]);
	purpose(crt, o, &out->c[EC_CHK_PURPOSE]);
	if (o->resolve && resolve(o->fqdn, out, e) < 0)
		return -1;
	if (o->force)
		for (int i = EC_CHK_TRUST; i <= EC_CHK_RESOLVE; i++)
			if (out->c[i].outcome == EC_OUT_FAIL)
				out->c[i].outcome = EC_OUT_FORCED;
	return 0;
}

void ec_ifacecheck_free(struct ec_ifacecheck *c)
{
	ec_verify_free(&c->vr);
	if (c->key)
		gnutls_x509_privkey_deinit(c->key);
	c->key = NULL;
	free(c->key_url);
	c->key_url = NULL;
}

int ec_ifacecheck_refusal(const struct ec_ifacecheck *c)
{
	for (int i = 0; i < EC_CHK_COUNT; i++)
		if (c->c[i].outcome == EC_OUT_FAIL)
			return i;
	return -1;
}

void ec_ifacecheck_report(struct ec_status *st, const struct ec_ifacecheck *c,
			  const struct ec_ifacecheck_opts *o)
{
	ec_status_arr(st, "checks");
	for (int i = 0; i < EC_CHK_COUNT; i++) {
		const struct ec_check *k = &c->c[i];

		ec_status_obj(st, NULL);
		ec_status_str(st, "name", check_names[i]);
		ec_status_str(st, "outcome", outcome_names[k->outcome]);
		ec_status_str(st, "code", k->code == EC_OK ? NULL :
			      ec_code_name(k->code));
		ec_status_str(st, "message", k->msg);
		ec_status_end(st);
		ec_status_text(st, "  %-12s %-8s %s", check_names[i],
			       outcome_names[k->outcome], k->msg);
		if (k->outcome == EC_OUT_WARN)
			ec_status_warn(st, "%s: %s", check_names[i], k->msg);
		if (k->outcome == EC_OUT_FORCED)
			ec_status_warn(st, "%s check forced (--force): %s",
				       check_names[i], k->msg);
	}
	ec_status_end(st);
	ec_status_arr(st, "forced");
	for (int i = 0; i < EC_CHK_COUNT; i++)
		if (c->c[i].outcome == EC_OUT_FORCED)
			ec_status_str(st, NULL, check_names[i]);
	ec_status_end(st);
	if (!o->resolve)
		return;
	ec_status_arr(st, "resolved");
	for (size_t i = 0; i < c->res.n; i++) {
		ec_status_obj(st, NULL);
		ec_status_str(st, "address", c->res.addr[i]);
		ec_status_bool(st, "local", c->res.local[i]);
		ec_status_end(st);
	}
	ec_status_end(st);
}
