#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certstore.h"
#include "meta.h"
#include "select.h"

/* Bytes of an invisible character at p that a copied thumbprint may
 * carry, or 0. */
static size_t invisible(const unsigned char *p)
{
	if (p[0] == 0xc2 && p[1] == 0xa0)
		return 2;			/* U+00A0 */
	if (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0x8b && p[2] <= 0x8f)
		return 3;			/* U+200B..U+200F */
	if (p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0xa0)
		return 3;			/* U+2060 */
	if (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		return 3;			/* U+FEFF */
	return 0;
}

int ec_thumbprint_norm(const char *in, char out[EC_SHA256_HEX],
		       struct ec_err *e)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n = 0, skip;

	while (*p) {
		unsigned c = *p;

		if (c == ' ' || c == ':' || c == '\t') {
			p++;
		} else if ((skip = invisible(p)) > 0) {
			p += skip;
		} else if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			   (c >= 'A' && c <= 'F')) {
			if (n == EC_SHA256_HEX - 1)
				return ec_fail(e, EC_USAGE, "thumbprint '%s' "
					       "is longer than a SHA-256", in);
			out[n++] = (char)(c >= 'A' && c <= 'F' ? c + 32 : c);
			p++;
		} else {
			return ec_fail(e, EC_USAGE, "thumbprint '%s' holds "
				       "'%c', which is not a hex digit", in,
				       c < 0x20 || c > 0x7e ? '?' : (char)c);
		}
	}
	out[n] = '\0';
	if (n < 8)
		return ec_fail(e, EC_USAGE, "thumbprint '%s' is too short (8 "
			       "hex digits or more)", in);
	return 0;
}

int ec_interface_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || *s == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

int ec_selector_set(struct ec_selector *sel, enum ec_sel_kind kind,
		    const char *value, struct ec_err *e)
{
	if (sel->kind != EC_SEL_NONE)
		return ec_fail(e, EC_USAGE, "--thumbprint, --name and "
			       "--interface exclude each other");
	sel->kind = kind;
	sel->value = value;
	return 0;
}

#define EC_SEL_MAXHITS 32

struct search {
	struct ec_store *s;
	enum ec_section sec;
	const char *want;	/* hex, or the friendly name */
	size_t wantlen;
	int by_name;
	struct ec_found hits[EC_SEL_MAXHITS];
	size_t nhits;
};

static void hit(struct search *q, const char *sha1)
{
	for (size_t i = 0; i < q->nhits && i < EC_SEL_MAXHITS; i++)
		if (q->hits[i].sec == q->sec &&
		    strcmp(q->hits[i].sha1, sha1) == 0)
			return;
	if (q->nhits < EC_SEL_MAXHITS) {
		q->hits[q->nhits].sec = q->sec;
		snprintf(q->hits[q->nhits].sha1, EC_SHA1_HEX, "%s", sha1);
		q->hits[q->nhits].note[0] = '\0';
	}
	q->nhits++;
}

/* The certificate's SHA-256: from its metadata when recorded there, else
 * computed from the file. */
static int sha256_of(struct search *q, const char *sha1,
		     char out[EC_SHA256_HEX])
{
	struct ec_data d = { 0 };
	struct ec_meta m;
	gnutls_x509_crt_t crt;
	char name[64], s1[EC_SHA1_HEX];
	const char *v;
	struct ec_err e;

	snprintf(name, sizeof(name), "%s.meta", sha1);
	if (ec_store_read(q->s, q->sec, name, &d, &e) == 0) {
		if (ec_meta_parse(&m, (char *)d.data, d.size, &e) == 0) {
			v = ec_meta_get(&m, "sha256");
			if (v && strlen(v) == EC_SHA256_HEX - 1) {
				memcpy(out, v, EC_SHA256_HEX);
				ec_meta_free(&m);
				ec_data_free(&d);
				return 0;
			}
			ec_meta_free(&m);
		}
		ec_data_free(&d);
	}
	snprintf(name, sizeof(name), "%s.pem", sha1);
	if (ec_store_read(q->s, q->sec, name, &d, &e) < 0)
		return -1;
	if (ec_cert_parse(d.data, d.size, &crt, &e) < 0) {
		ec_data_free(&d);
		return -1;
	}
	ec_data_free(&d);
	if (ec_cert_ids(crt, s1, out, &e) < 0) {
		gnutls_x509_crt_deinit(crt);
		return -1;
	}
	gnutls_x509_crt_deinit(crt);
	return 0;
}

static int by_thumb(void *arg, const char *name)
{
	struct search *q = arg;
	char sha1[EC_SHA1_HEX], sha256[EC_SHA256_HEX];
	size_t n = strlen(name) - 4;	/* ".pem" */

	if (n != EC_SHA1_HEX - 1)
		return 0;
	memcpy(sha1, name, n);
	sha1[n] = '\0';
	if (q->wantlen <= n && memcmp(sha1, q->want, q->wantlen) == 0) {
		hit(q, sha1);
		return 0;
	}
	if (sha256_of(q, sha1, sha256) == 0 &&
	    memcmp(sha256, q->want, q->wantlen) == 0)
		hit(q, sha1);
	return 0;
}

/* A thumbprint by file names alone: <sha1>.pem for SHA-1 digits,
 * <sha256>.sha256 (the alias, read only when its name matches) for
 * SHA-256 ones.  Counts both, so that a section where some certificate
 * has no alias (put there by hand, or by an older edgecert) is searched
 * by by_thumb, which opens the metadata of each. */
struct by_names {
	struct search *q;
	size_t npem, nalias;
};

static int by_names(void *arg, const char *name)
{
	struct by_names *bn = arg;
	struct search *q = bn->q;
	size_t n = strlen(name);
	char sha1[EC_SHA1_HEX], sha256[EC_SHA256_HEX];

	if (n == EC_SHA1_HEX - 1 + 4 && strcmp(name + n - 4, ".pem") == 0) {
		bn->npem++;
		if (q->wantlen <= EC_SHA1_HEX - 1 &&
		    memcmp(name, q->want, q->wantlen) == 0) {
			memcpy(sha1, name, EC_SHA1_HEX - 1);
			sha1[EC_SHA1_HEX - 1] = '\0';
			hit(q, sha1);
		}
	} else if (n == EC_SHA256_HEX - 1 + 7 &&
		   strcmp(name + n - 7, ".sha256") == 0) {
		bn->nalias++;
		if (memcmp(name, q->want, q->wantlen) != 0)
			return 0;
		memcpy(sha256, name, EC_SHA256_HEX - 1);
		sha256[EC_SHA256_HEX - 1] = '\0';
		if (ec_cs_alias(q->s, q->sec, sha256, sha1))
			hit(q, sha1);
	}
	return 0;
}

static int thumb_scan(struct search *q, struct ec_err *e)
{
	struct by_names bn = { .q = q };
	char sha1[EC_SHA1_HEX];

	/* a whole SHA-256 is an alias's name: no scan */
	if (q->wantlen == EC_SHA256_HEX - 1 &&
	    ec_cs_alias(q->s, q->sec, q->want, sha1)) {
		hit(q, sha1);
		return 0;
	}
	if (ec_store_scan(q->s, q->sec, "", by_names, &bn, e) < 0)
		return -1;
	if (bn.npem == bn.nalias)
		return 0;
	return ec_store_scan(q->s, q->sec, ".pem", by_thumb, q, e) < 0 ? -1 : 0;
}

static int by_name(void *arg, const char *name)
{
	struct search *q = arg;
	struct ec_data d = { 0 };
	struct ec_meta m;
	const char *fn;
	char sha1[EC_SHA1_HEX];
	size_t n = strlen(name) - 5;	/* ".meta" */
	struct ec_err e;

	if (n != EC_SHA1_HEX - 1)
		return 0;
	if (ec_store_read(q->s, q->sec, name, &d, &e) < 0)
		return 0;
	if (ec_meta_parse(&m, (char *)d.data, d.size, &e) == 0) {
		fn = ec_meta_get(&m, "friendly_name");
		if (fn && strcmp(fn, q->want) == 0) {
			char pem[EC_SHA1_HEX + 4];

			memcpy(sha1, name, n);
			sha1[n] = '\0';
			snprintf(pem, sizeof(pem), "%s.pem", sha1);
			if (ec_store_has(q->s, q->sec, pem))
				hit(q, sha1);
		}
		ec_meta_free(&m);
	}
	ec_data_free(&d);
	return 0;
}

/* --name by the name aliases (certstore.h): the metadata of the
 * candidates alone is read.  A section where the metadata files outnumber
 * the aliases (files put there by hand, or by an older edgecert) is
 * searched by by_name, which reads every one. */
struct by_alias {
	struct search *q;
	char h[17];
	size_t nmeta, nalias;
};

static int by_alias(void *arg, const char *name)
{
	struct by_alias *ba = arg;
	size_t n = strlen(name);
	char meta[EC_SHA1_HEX + 5];

	if (n == EC_SHA1_HEX - 1 + 5 && strcmp(name + n - 5, ".meta") == 0) {
		ba->nmeta++;
	} else if (n == 16 + 1 + EC_SHA1_HEX - 1 + 5 &&
		   strcmp(name + n - 5, ".name") == 0 && name[16] == '-') {
		ba->nalias++;
		if (memcmp(name, ba->h, 16) != 0)
			return 0;
		snprintf(meta, sizeof(meta), "%.40s.meta", name + 17);
		by_name(ba->q, meta);
	}
	return 0;
}

static int name_scan(struct search *q, struct ec_err *e)
{
	struct by_alias ba = { .q = q };

	ec_cs_name_hash(q->want, ba.h);
	if (ec_store_scan(q->s, q->sec, "", by_alias, &ba, e) < 0)
		return -1;
	if (ba.nmeta == ba.nalias)
		return 0;
	return ec_store_scan(q->s, q->sec, ".meta", by_name, q, e) < 0 ? -1 : 0;
}

static int from_interface(struct ec_store *s, const char *iface,
			  struct ec_found *out, struct ec_err *e)
{
	struct ec_data d = { 0 };
	struct ec_meta m;
	const char *t;
	char name[80];

	if (!ec_interface_ok(iface))
		return ec_fail(e, EC_USAGE, "bad interface name '%s' (want "
			       "[a-z0-9][a-z0-9-]*)", iface);
	snprintf(name, sizeof(name), "%s.meta", iface);
	if (ec_store_read(s, EC_SEC_ASSIGNED, name, &d, e) < 0) {
		if (e->code == EC_NOT_FOUND)
			ec_fail(e, EC_NOT_FOUND, "no certificate is assigned "
				"to interface '%s'", iface);
		return -1;
	}
	if (ec_meta_parse(&m, (char *)d.data, d.size, e) < 0) {
		ec_data_free(&d);
		return -1;
	}
	ec_data_free(&d);
	t = ec_meta_get(&m, "thumbprint");
	if (!t || strlen(t) != EC_SHA1_HEX - 1) {
		ec_meta_free(&m);
		return ec_fail(e, EC_STORE_CORRUPT, "the assignment of "
			       "interface '%s' names no certificate", iface);
	}
	out->sec = EC_SEC_PERSONAL;
	memcpy(out->sha1, t, EC_SHA1_HEX);
	ec_meta_free(&m);
	snprintf(name, sizeof(name), "%s.pem", out->sha1);
	if (!ec_store_has(s, EC_SEC_PERSONAL, name))
		return ec_fail(e, EC_STORE_CORRUPT, "interface '%s' is "
			       "assigned certificate %s, which is not in the "
			       "store", iface, out->sha1);
	return 0;
}

/* How a certificate of the same name ranks: key, valid at now, then
 * notBefore.  A certificate that cannot be read ranks last. */
struct rank {
	int key, valid, ok;
	time_t nb;
};

static void rank_of(struct ec_store *s, const struct ec_found *f, time_t now,
		    struct rank *r)
{
	gnutls_x509_crt_t crt;
	struct ec_cert_extra x;
	struct ec_meta m;
	struct ec_err e;
	time_t na;

	memset(r, 0, sizeof(*r));
	if (ec_cs_load_cert(s, f->sec, f->sha1, &crt, &e) < 0)
		return;
	r->ok = 1;
	r->nb = gnutls_x509_crt_get_activation_time(crt);
	na = gnutls_x509_crt_get_expiration_time(crt);
	r->valid = r->nb != (time_t)-1 && na != (time_t)-1 && r->nb <= now &&
		   now <= na;
	gnutls_x509_crt_deinit(crt);
	if (ec_cs_load_meta(s, f->sec, f->sha1, &m, &e) < 0)
		return;
	ec_cs_extra(s, f->sec, f->sha1, &m, &x);
	r->key = x.has_private_key;
	ec_meta_free(&m);
}

/* <0, 0, >0 as a ranks below, equal to, above b. */
static int rank_cmp(const struct rank *a, const struct rank *b)
{
	if (a->ok != b->ok)
		return a->ok - b->ok;
	if (a->key != b->key)
		return a->key - b->key;
	if (a->valid != b->valid)
		return a->valid - b->valid;
	return a->nb < b->nb ? -1 : a->nb > b->nb;
}

/* Several certificates share the name: take the best ranked, or fail
 * ambiguous on a tie.  out->note names the others. */
static int pick(struct ec_store *s, const struct search *q, time_t now,
		struct ec_found *out)
{
	struct rank r[EC_SEL_MAXHITS] = { { 0 } };
	size_t best = 0, ties = 0;
	char *note = out->note;
	size_t n;

	if (q->nhits < 2 || q->nhits > EC_SEL_MAXHITS)
		return 0;
	for (size_t i = 0; i < q->nhits; i++) {
		rank_of(s, &q->hits[i], now, &r[i]);
		if (i && rank_cmp(&r[i], &r[best]) > 0)
			best = i;
	}
	for (size_t i = 0; i < q->nhits; i++)
		if (rank_cmp(&r[i], &r[best]) == 0)
			ties++;
	if (ties > 1)
		return 0;
	*out = q->hits[best];
	snprintf(note, sizeof(out->note), "%zu certificates are named '%s': "
		 "took %s/%s (%s, %s, latest notBefore); not", q->nhits,
		 q->want, ec_section_name(out->sec), out->sha1,
		 r[best].key ? "with a key" : "no key",
		 r[best].valid ? "valid now" : "not valid now");
	for (size_t i = 0, k = 0; i < q->nhits; i++) {
		if (i == best)
			continue;
		n = strlen(note);
		if (k == 6) {
			snprintf(note + n, sizeof(out->note) - n, ", ...");
			break;
		}
		snprintf(note + n, sizeof(out->note) - n, "%s %s/%s (%s)",
			 k++ ? "," : "", ec_section_name(q->hits[i].sec),
			 q->hits[i].sha1, !r[i].ok ? "unreadable" :
			 !r[i].key && r[best].key ? "no key" :
			 !r[i].valid && r[best].valid ? "not valid now" :
			 "older");
	}
	return 1;
}

int ec_select(struct ec_store *s, const struct ec_selector *sel,
	      unsigned secmask, time_t now, struct ec_found *out,
	      struct ec_err *e)
{
	struct search q = { .s = s };
	char hexbuf[EC_SHA256_HEX], list[300] = "";

	out->note[0] = '\0';

	switch (sel->kind) {
	case EC_SEL_NONE:
		return ec_fail(e, EC_USAGE, "name a certificate with "
			       "--thumbprint, --name or --interface");
	case EC_SEL_INTERFACE:
		return from_interface(s, sel->value, out, e);
	case EC_SEL_THUMBPRINT:
		if (ec_thumbprint_norm(sel->value, hexbuf, e) < 0)
			return -1;
		q.want = hexbuf;
		q.wantlen = strlen(hexbuf);
		break;
	case EC_SEL_NAME:
		q.want = sel->value;
		q.by_name = 1;
		break;
	}
	for (int i = 0; i < EC_SEC_COUNT; i++) {
		char name[EC_SHA1_HEX + 4];

		if (!(secmask & EC_SECMASK(i)))
			continue;
		q.sec = (enum ec_section)i;
		/* a whole SHA-1 is a file name: no scan */
		if (!q.by_name && q.wantlen == EC_SHA1_HEX - 1) {
			snprintf(name, sizeof(name), "%s.pem", q.want);
			if (ec_store_has(s, q.sec, name)) {
				hit(&q, q.want);
				continue;
			}
		}
		if (q.by_name ? name_scan(&q, e) < 0 : thumb_scan(&q, e) < 0)
			return -1;
	}
	if (q.nhits == 0)
		return ec_fail(e, EC_NOT_FOUND, "no certificate in the store "
			       "matches %s '%s'", q.by_name ? "name" :
			       "thumbprint", sel->value);
	if (q.nhits > 1 && q.by_name && q.nhits <= EC_SEL_MAXHITS &&
	    pick(s, &q, now, out))
		return 0;
	if (q.nhits > 1) {
		for (size_t i = 0; i < q.nhits && i < 4; i++) {
			size_t n = strlen(list);

			snprintf(list + n, sizeof(list) - n, "%s%s/%s",
				 i ? ", " : "", ec_section_name(q.hits[i].sec),
				 q.hits[i].sha1);
		}
		return ec_fail(e, EC_AMBIGUOUS, "%zu certificates match %s "
			       "'%s': %s%s", q.nhits, q.by_name ? "name" :
			       "thumbprint", sel->value, list,
			       q.nhits > 4 ? ", ..." : "");
	}
	*out = q.hits[0];
	return 0;
}
