#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imported.h"
#include "meta.h"
#include "pfx.h"

static const char *const pass_names[] = { "given", "none", "empty" };

static int record_name(char *buf, size_t n, const char *digest)
{
	if (strlen(digest) != EC_SHA256_HEX - 1)
		return -1;
	snprintf(buf, n, "%s.imported", digest);
	return ec_store_name_ok(buf) ? 0 : -1;
}

int ec_imported_add(struct ec_imported *r, enum ec_section sec,
		    const char *sha1, const char *name)
{
	struct ec_imported_cert *c = realloc(r->c, (r->n + 1) * sizeof(*c));

	if (!c)
		return -1;
	r->c = c;
	c += r->n;
	c->sec = sec;
	snprintf(c->sha1, sizeof(c->sha1), "%s", sha1);
	c->name = NULL;
	if (name && !(c->name = strdup(name)))
		return -1;
	r->n++;
	return 0;
}

void ec_imported_free(struct ec_imported *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->c[i].name);
	free(r->c);
	free(r->mac);
	free(r->name_opt);
	memset(r, 0, sizeof(*r));
}

static int is_hex40(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n != EC_SHA1_HEX - 1)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int flag(const struct ec_meta *m, const char *key)
{
	const char *v = ec_meta_get(m, key);

	return v && strcmp(v, "true") == 0;
}

static int from_meta(const struct ec_meta *m, struct ec_imported *r)
{
	const char *v = ec_meta_get(m, "password_used"), *sec, *sha1;
	char key[64];
	long n;
	char *end;
	int p = -1;

	for (int i = 0; v && i < 3; i++)
		if (strcmp(v, pass_names[i]) == 0)
			p = i;
	if (p < 0 || !(v = ec_meta_get(m, "certificates")))
		return -1;
	n = strtol(v, &end, 10);
	if (*end || n < 1 || n > 1000)
		return -1;
	r->pass = p;
	r->exportable = flag(m, "exportable");
	r->trust_root = flag(m, "trust_root");
	if (((v = ec_meta_get(m, "mac")) && !(r->mac = strdup(v))) ||
	    ((v = ec_meta_get(m, "name")) && !(r->name_opt = strdup(v))))
		return -1;
	for (long i = 1; i <= n; i++) {
		int s;

		snprintf(key, sizeof(key), "cert_%ld_section", i);
		sec = ec_meta_get(m, key);
		snprintf(key, sizeof(key), "cert_%ld_thumbprint", i);
		sha1 = ec_meta_get(m, key);
		snprintf(key, sizeof(key), "cert_%ld_friendly_name", i);
		if (!sec || (s = ec_section_parse(sec)) < 0 ||
		    s > EC_SEC_ROOT || !is_hex40(sha1) ||
		    ec_imported_add(r, (enum ec_section)s, sha1,
				    ec_meta_get(m, key)) < 0)
			return -1;
	}
	return 0;
}

int ec_imported_load(struct ec_store *s, const char *digest, int no_password,
		     struct ec_imported *out, struct ec_err *e)
{
	struct ec_data d = { 0 };
	struct ec_meta m = { 0 };
	struct ec_err bad;
	char name[128];
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (record_name(name, sizeof(name), digest) < 0)
		return 0;
	if ((r = ec_store_read_opt(s, EC_SEC_PERSONAL, name, &d, e)) != 0)
		return r < 0 ? -1 : 0;
	/* a bad hint (its error not the run's): import the file */
	if (ec_meta_parse(&m, (char *)d.data, d.size, &bad) < 0)
		goto out;
	/* a record of an older edgecert holds a fast password verifier: a miss,
	 * so that the full import writes the record anew without it */
	if (ec_meta_get(&m, "password_check"))
		goto out;
	if (from_meta(&m, out) < 0) {
		ec_imported_free(out);
		goto out;
	}
	/* the kind of password, not the password: given or none */
	if ((out->pass == EC_PFX_PASS_GIVEN) == !!no_password) {
		ec_imported_free(out);
		goto out;
	}
	r = 1;
out:
	ec_meta_free(&m);
	ec_data_free(&d);
	return r;
}

static int to_meta(struct ec_meta *m, const struct ec_imported *r)
{
	char key[64], num[24];

	snprintf(num, sizeof(num), "%zu", r->n);
	if ((r->mac && ec_meta_set(m, "mac", r->mac) < 0) ||
	    ec_meta_set(m, "password_used", pass_names[r->pass]) < 0 ||
	    ec_meta_set(m, "exportable", r->exportable ? "true" : "false") < 0
	    || ec_meta_set(m, "trust_root", r->trust_root ? "true" : "false")
	    < 0 || (r->name_opt && ec_meta_set(m, "name", r->name_opt) < 0) ||
	    ec_meta_set(m, "certificates", num) < 0)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		snprintf(key, sizeof(key), "cert_%zu_section", i + 1);
		if (ec_meta_set(m, key, ec_section_name(r->c[i].sec)) < 0)
			return -1;
		snprintf(key, sizeof(key), "cert_%zu_thumbprint", i + 1);
		if (ec_meta_set(m, key, r->c[i].sha1) < 0)
			return -1;
		snprintf(key, sizeof(key), "cert_%zu_friendly_name", i + 1);
		if (r->c[i].name && ec_meta_set(m, key, r->c[i].name) < 0)
			return -1;
	}
	return 0;
}

int ec_imported_stage(struct ec_store *s, struct ec_txn *t, const char *digest,
		      const struct ec_imported *r, struct ec_err *e)
{
	struct ec_meta m = { 0 };
	char name[128], *text = NULL;
	size_t len = 0;
	int ret = -1;

	if (record_name(name, sizeof(name), digest) < 0)
		return ec_fail(e, EC_INTERNAL, "bad digest '%s'", digest);
	if (to_meta(&m, r) < 0 ||
	    !(text = ec_meta_format(&m, &len))) {
		ec_fail(e, EC_INTERNAL, "out of memory");
		goto out;
	}
	ret = ec_txn_put_if_changed(s, t, EC_SEC_PERSONAL, name, text, len,
				    0600, e);
out:
	free(text);
	ec_meta_free(&m);
	return ret;
}
