#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "nameconstr.h"
#include "namematch.h"

#define OID_NC "2.5.29.30"
#define OID_SAN "2.5.29.17"
#define OID_CN "2.5.4.3"
#define OID_EMAIL "1.2.840.113549.1.9.1"

/* GeneralName's forms, by their tag (RFC 5280 4.2.1.6). */
enum gn {
	GN_OTHER, GN_EMAIL, GN_DNS, GN_X400, GN_DIR, GN_EDI, GN_URI, GN_IP,
	GN_RID, GN_COUNT
};

struct gname {
	enum gn type;
	unsigned char *v;	/* the value (a string, octets); NULL: none */
	size_t len;
	gnutls_x509_dn_t dn;	/* GN_DIR: ours; NULL for a subject's */
	int bad;		/* could not be read */
};

struct names {
	struct gname *v;
	size_t n, cap;
};

/* One CA's subtrees. */
struct ncset {
	struct names sub;
	unsigned char *excl;	/* excl[i]: sub.v[i] is excluded */
	size_t count[GN_COUNT];	/* subtrees of each form */
	unsigned permitted;	/* forms with a permitted subtree: bits */
};

struct eval {
	const struct ec_path *p;
	struct ec_reasons *out;
	asn1_node defs;
	struct ncset *ca;	/* ca[j] of p->v[j], j >= 1 */
	size_t pairs;
};

static const char *const reasons[] = {
	"name-constraints-violated", "name-constraints-unsupported",
	"name-constraints-not-critical", "name-constraints-malformed",
	"name-constraints-too-complex",
};

int ec_nameconstr_found(const struct ec_reasons *rs)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (ec_reasons_has(rs, reasons[i]))
			return 1;
	return 0;
}

static void names_free(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++) {
		free(ns->v[i].v);
		if (ns->v[i].dn)
			gnutls_x509_dn_deinit(ns->v[i].dn);
	}
	free(ns->v);
	memset(ns, 0, sizeof(*ns));
}

static struct gname *names_add(struct names *ns, enum gn type)
{
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? 2 * ns->cap : 8;
		struct gname *v = realloc(ns->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		ns->v = v;
		ns->cap = cap;
	}
	memset(&ns->v[ns->n], 0, sizeof(ns->v[0]));
	ns->v[ns->n].type = type;
	return &ns->v[ns->n++];
}

/* Printable ASCII without "..": a name we can compare. */
static int well_formed(const unsigned char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] < 0x21 || v[i] > 0x7e ||
		    (v[i] == '.' && i + 1 < n && v[i + 1] == '.'))
			return 0;
	return 1;
}

/* Mark a text name (or subtree) that cannot be compared, once when read
 * rather than at each comparison: not printable ASCII, or "..". */
static void checked(struct gname *g)
{
	if (g->type == GN_DNS || g->type == GN_EMAIL || g->type == GN_URI)
		g->bad |= !well_formed(g->v, g->len);
}

/* Read name (a string, octets, or an ANY's TLV) into g, malloc'd. */
static int read_value(asn1_node n, const char *name, struct gname *g)
{
	int len = 0, r = asn1_read_value(n, name, NULL, &len);

	if (r == ASN1_SUCCESS && len == 0)
		return (g->v = malloc(1)) ? 0 : -1;	/* an empty string */
	if (r != ASN1_MEM_ERROR || len < 0 || !(g->v = malloc((size_t)len)))
		return -1;
	if (asn1_read_value(n, name, g->v, &len) != ASN1_SUCCESS)
		return -1;
	g->len = (size_t)len;
	return 0;
}

/* The GeneralName at path into ns; NULL when memory fails. */
static struct gname *read_gname(asn1_node n, const char *path,
				struct names *ns)
{
	static const char *const alt[GN_COUNT] = {
		"otherName", "rfc822Name", "dNSName", "x400Address",
		"directoryName", "ediPartyName", "uniformResourceIdentifier",
		"iPAddress", "registeredID",
	};
	char choice[64], sub[160];
	int len = sizeof(choice);
	struct gname *g;
	enum gn t;

	if (asn1_read_value(n, *path ? path : NULL, choice, &len) !=
	    ASN1_SUCCESS)
		len = 0;
	for (t = 0; t < GN_COUNT; t++)
		if (len > 0 && strcmp(choice, alt[t]) == 0)
			break;
	if (!(g = names_add(ns, t < GN_COUNT ? t : GN_OTHER)))
		return NULL;
	if (t >= GN_COUNT) {
		g->bad = 1;
		return g;
	}
	if (t != GN_EMAIL && t != GN_DNS && t != GN_URI && t != GN_IP &&
	    t != GN_DIR)
		return g;	/* not evaluated: its form is enough */
	snprintf(sub, sizeof(sub), "%s.%s", path, alt[t]);
	if (read_value(n, sub, g) < 0) {
		g->bad = 1;
		return g;
	}
	checked(g);
	if (t == GN_DIR) {
		gnutls_datum_t d = { g->v, (unsigned)g->len };

		if (gnutls_x509_dn_init(&g->dn) < 0)
			return NULL;
		if (gnutls_x509_dn_import(g->dn, &d) < 0)
			g->bad = 1;
	}
	return g;
}

static int decode(asn1_node defs, const char *type, const gnutls_datum_t *der,
		  asn1_node *node)
{
	char msg[ASN1_MAX_ERROR_DESCRIPTION_SIZE];

	*node = NULL;
	if (der->size > INT_MAX ||
	    asn1_create_element(defs, type, node) != ASN1_SUCCESS)
		return -1;
	if (asn1_der_decoding(node, der->data, (int)der->size, msg) !=
	    ASN1_SUCCESS) {
		asn1_delete_structure(node);
		return -1;
	}
	return 0;
}

/* A subtree's minimum other than 0, or a maximum (RFC 5280: MUST NOT). */
static int minmax(asn1_node n, const char *path)
{
	unsigned char b[16];
	char sub[160];
	int len = sizeof(b);

	snprintf(sub, sizeof(sub), "%s.minimum", path);
	if (asn1_read_value(n, sub, b, &len) == ASN1_SUCCESS &&
	    !(len == 1 && b[0] == 0))
		return 1;
	len = sizeof(b);
	snprintf(sub, sizeof(sub), "%s.maximum", path);
	return asn1_read_value(n, sub, b, &len) == ASN1_SUCCESS;
}

/* Take the elements of the SEQUENCE OF set ("" the node itself) in
 * order, each deleted once read so that finding the next does not walk
 * the ones before; base: the GeneralName's name in an element ("" the
 * element itself).  Returns the count (-3: set absent), -1 for memory,
 * -2 when a subtree (s given) is malformed. */
static int take(asn1_node n, const char *set, const char *base,
		struct ncset *s, struct names *ns, int excluded)
{
	char el[96], gp[128];
	struct gname *g;
	int i, bad = 0;

	if (*set && !asn1_find_node(n, set))
		return -3;
	for (i = 0;; i++) {
		snprintf(el, sizeof(el), "%s%s?%d", set, *set ? "." : "",
			 i + 1);
		if (!asn1_find_node(n, el))
			break;
		snprintf(gp, sizeof(gp), "%s%s", el, base);
		if (!(g = read_gname(n, gp, ns)))
			return -1;
		if (s) {
			unsigned char *x = realloc(s->excl, ns->n);

			if (!x)
				return -1;
			s->excl = x;
			x[ns->n - 1] = (unsigned char)excluded;
			s->count[g->type]++;
			if (!excluded)
				s->permitted |= 1u << g->type;
			bad |= g->bad || minmax(n, el);
		}	/* a SAN that cannot be read fails where constrained */
		if (asn1_delete_element(n, el) != ASN1_SUCCESS)
			return -2;
	}
	return bad ? -2 : i;
}

/* One CA's name constraints into s; a reason when they are not
 * critical or cannot be read.  Returns -1 when memory fails. */
static int load_nc(struct eval *ev, gnutls_x509_crt_t crt, struct ncset *s)
{
	gnutls_datum_t der = { NULL, 0 };
	unsigned crit = 0;
	asn1_node n = NULL;
	int a, b, ret = 0;

	if (gnutls_x509_crt_get_extension_by_oid2(crt, OID_NC, 0, &der,
						  &crit) < 0)
		return 0;	/* none */
	if (!crit)
		ec_reasons_add(ev->out, "name-constraints-not-critical",
			       EC_UNTRUSTED);
	if (decode(ev->defs, "EdgecertNC.NameConstraints", &der, &n) < 0) {
		ec_reasons_add(ev->out, "name-constraints-malformed",
			       EC_UNTRUSTED);
		goto out;
	}
	a = take(n, "permittedSubtrees", ".base", s, &s->sub, 0);
	b = take(n, "excludedSubtrees", ".base", s, &s->sub, 1);
	if (a == -1 || b == -1)
		ret = -1;
	else if (a == -2 || b == -2 || a == 0 || b == 0 || a + b == -6)
		/* a subtree, or an empty sequence: both absent too */
		ec_reasons_add(ev->out, "name-constraints-malformed",
			       EC_UNTRUSTED);
out:
	asn1_delete_structure(&n);
	gnutls_free(der.data);
	return ret;
}

/* Is the name g within the subtree c (1), not (0), or can it not be
 * told (-1: malformed, -2: a form or name we do not evaluate)? */
static int within(const struct gname *g, const struct gname *c,
		  int excluded)
{
	if (c->bad || g->bad)
		return -1;
	switch (g->type) {
	case GN_DNS:
		if (g->len == 0)
			return -1;
		return ec_nm_dns(g->v, g->len, c->v, c->len, excluded);
	case GN_EMAIL:
		if (!memchr(g->v, '@', g->len))
			return -1;
		return ec_nm_email(g->v, g->len, c->v, c->len);
	case GN_URI:
		return ec_nm_uri(g->v, g->len, c->v, c->len);
	case GN_IP:
		return ec_nm_ip(g->v, g->len, c->v, c->len);
	case GN_DIR:
		return ec_nm_dn(g->dn, c->dn);
	default:
		return -2;
	}
}

/* The reason of a name that fails (within's -1, -2, or 0/1: violated). */
static int fault(struct ec_reasons *out, int r)
{
	if (r == -1)
		ec_reasons_add(out, "name-constraints-malformed", EC_UNTRUSTED);
	else if (r == -2)
		ec_reasons_add(out, "name-constraints-unsupported",
			       EC_UNTRUSTED);
	else
		ec_reasons_add(out, "name-constraints-violated", EC_UNTRUSTED);
	return 1;
}

/* The name g against the constraints of every CA above certificate k.
 * Returns 1 when a reason was added. */
static int check_name(struct eval *ev, size_t k, const struct gname *g)
{
	for (size_t j = k + 1; j < ev->p->n; j++) {
		const struct ncset *s = &ev->ca[j];
		int permitted = !(s->permitted >> g->type & 1), r;

		if (s->count[g->type] == 0)
			continue;
		for (size_t i = 0; i < s->sub.n; i++) {
			if (s->sub.v[i].type != g->type ||
			    (permitted && !s->excl[i]))
				continue;
			r = within(g, &s->sub.v[i], s->excl[i]);
			if (r < 0 || (r == 1 && s->excl[i]))
				return fault(ev->out, r);
			if (r == 1)
				permitted = 1;
		}
		if (!permitted)
			return fault(ev->out, 0);
	}
	return 0;
}

/* A common name a client may take for a host name: letters, digits,
 * '-', '_', '*' and dots, with a dot inside and a last label that is not
 * all digits (an IPv4 address is no host name, and is matched by
 * iPAddress only). */
static int hostlike(const gnutls_datum_t *v)
{
	int dot = 0, alpha = 0;

	if (v->size < 3 || v->data[0] == '.' || v->data[v->size - 1] == '.')
		return 0;
	for (size_t i = 0; i < v->size; i++) {
		unsigned char c = v->data[i];

		if (c == '.')
			dot = 1, alpha = 0;
		else if (!(c >= '0' && c <= '9'))
			alpha = 1;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '*' || c == '.'))
			return 0;
	}
	return dot && alpha;
}

static int oid_is(const gnutls_datum_t *o, const char *oid)
{
	size_t n = strlen(oid);

	return (o->size == n || (o->size == n + 1 && o->data[n] == 0)) &&
	       memcmp(o->data, oid, n) == 0;
}

static int add_text(struct names *ns, enum gn type, const gnutls_datum_t *v)
{
	struct gname *g = names_add(ns, type);

	if (!g || !(g->v = malloc(v->size ? v->size : 1)))
		return -1;
	memcpy(g->v, v->data, v->size);
	g->len = v->size;
	checked(g);
	return 0;
}

/* The names of certificate k: its SANs, its subject DN (when not empty),
 * the DN's emailAddress attributes, and in the target without a dNSName
 * its common names that look like host names. */
static int cert_names(struct eval *ev, size_t k, struct names *ns)
{
	gnutls_x509_crt_t crt = ev->p->v[k];
	gnutls_datum_t der = { NULL, 0 }, raw = { NULL, 0 };
	gnutls_x509_dn_t subj;
	asn1_node n = NULL;
	int dns = 0, r = 0, t;

	if (gnutls_x509_crt_get_extension_by_oid2(crt, OID_SAN, 0, &der,
						  NULL) == 0) {
		if (decode(ev->defs, "EdgecertNC.GeneralNames", &der, &n) < 0 ||
		    (t = take(n, "", "", NULL, ns, 0)) == -2 || t == 0) {
			ec_reasons_add(ev->out, "name-constraints-malformed",
				       EC_UNTRUSTED);
			t = -4;
		}
		asn1_delete_structure(&n);
		gnutls_free(der.data);
		if (t < 0)
			return t == -1 ? -1 : 1;
	}
	for (size_t i = 0; i < ns->n; i++)
		dns |= ns->v[i].type == GN_DNS;
	if (gnutls_x509_crt_get_raw_dn(crt, &raw) < 0 ||
	    gnutls_x509_crt_get_subject(crt, &subj) < 0) {
		gnutls_free(raw.data);
		ec_reasons_add(ev->out, "name-constraints-malformed",
			       EC_UNTRUSTED);
		return 1;
	}
	if (raw.size > 2) {
		struct gname *g = names_add(ns, GN_DIR);

		if (!g) {
			gnutls_free(raw.data);
			return -1;
		}
		g->v = NULL;
		g->dn = NULL;
		if (gnutls_x509_dn_init(&g->dn) < 0)
			r = -1;
		else if (gnutls_x509_dn_import(g->dn, &raw) < 0)
			g->bad = 1;
	}
	gnutls_free(raw.data);
	for (int i = 0; r == 0 && i < 4096; i++) {
		gnutls_x509_ava_st a;

		for (int j = 0; r == 0 && j < 64; j++) {
			if (gnutls_x509_dn_get_rdn_ava(subj, i, j, &a) < 0) {
				if (j == 0)
					i = 4096;
				break;
			}
			if (oid_is(&a.oid, OID_EMAIL))
				r = add_text(ns, GN_EMAIL, &a.value);
			else if (k == 0 && !dns && oid_is(&a.oid, OID_CN) &&
				 hostlike(&a.value))
				r = add_text(ns, GN_DNS, &a.value);
		}
	}
	return r;
}

static int self_issued(gnutls_x509_crt_t c)
{
	gnutls_datum_t s = { NULL, 0 }, i = { NULL, 0 };
	int same;

	if (gnutls_x509_crt_get_raw_dn(c, &s) < 0 ||
	    gnutls_x509_crt_get_raw_issuer_dn(c, &i) < 0)
		same = 0;
	else
		same = s.size == i.size && memcmp(s.data, i.data, s.size) == 0;
	gnutls_free(s.data);
	gnutls_free(i.data);
	return same;
}

/* The comparisons names ns of certificate k cost against the CAs above. */
static size_t cost(const struct eval *ev, size_t k, const struct names *ns)
{
	size_t c = 0;

	for (size_t i = 0; i < ns->n; i++)
		for (size_t j = k + 1; j < ev->p->n; j++)
			c += ev->ca[j].count[ns->v[i].type] *
			     (ns->v[i].type == GN_DIR ? EC_NC_DN_WEIGHT : 1);
	return c;
}

int ec_nameconstr_any(const struct ec_path *p)
{
	gnutls_datum_t der = { NULL, 0 };

	for (size_t j = 1; j < p->n; j++)
		if (gnutls_x509_crt_get_extension_by_oid2(p->v[j], OID_NC, 0,
							  &der, NULL) == 0) {
			gnutls_free(der.data);
			return 1;
		}
	return 0;
}

static void evaluate(struct eval *ev)
{
	const struct ec_path *p = ev->p;
	int any = 0;

	for (size_t j = p->n - 1; j >= 1; j--) {
		if (load_nc(ev, p->v[j], &ev->ca[j]) < 0)
			goto oom;
		any |= ev->ca[j].sub.n > 0;
	}
	if (!any || ec_reasons_has(ev->out, "name-constraints-malformed"))
		return;
	for (size_t k = p->n - 1; k-- > 0;) {
		struct names ns = { 0 };
		int stop = 0;

		if (k > 0 && self_issued(p->v[k]))
			continue;
		if ((stop = cert_names(ev, k, &ns)) < 0) {
			names_free(&ns);
			goto oom;
		}
		ev->pairs += cost(ev, k, &ns);
		if (ev->pairs > EC_NC_MAX_PAIRS) {
			ec_reasons_add(ev->out, "name-constraints-too-complex",
				       EC_UNTRUSTED);
			stop = 1;
		}
		for (size_t i = 0; i < ns.n && !stop; i++)
			stop = check_name(ev, k, &ns.v[i]);
		names_free(&ns);
		if (stop)
			return;
	}
	return;
oom:	/* what cannot be evaluated is no pass */
	ec_reasons_add(ev->out, "name-constraints-too-complex", EC_UNTRUSTED);
}

size_t ec_nameconstr_check(const struct ec_path *p, struct ec_reasons *out)
{
	char msg[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	struct eval ev = { .p = p, .out = out };
	size_t before = out->n;

	if (p->n < 2 || !ec_nameconstr_any(p))
		return 0;	/* the common case: no decoder set up */
	if (!(ev.ca = calloc(p->n, sizeof(ev.ca[0]))) ||
	    asn1_array2tree(ec_nameconstr_asn1_tab, &ev.defs, msg) !=
	    ASN1_SUCCESS) {
		ec_reasons_add(out, "name-constraints-too-complex",
			       EC_UNTRUSTED);
		free(ev.ca);
		return out->n - before;
	}
	evaluate(&ev);
	for (size_t j = 0; j < p->n; j++) {
		names_free(&ev.ca[j].sub);
		free(ev.ca[j].excl);
	}
	free(ev.ca);
	asn1_delete_structure(&ev.defs);
	return out->n - before;
}
