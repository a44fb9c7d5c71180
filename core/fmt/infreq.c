#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "infreq.h"

#define BAD(l, ...) bad(e, (l), __VA_ARGS__)

static int bad(struct ec_err *e, const struct ec_inf_line *l,
	       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int bad(struct ec_err *e, const struct ec_inf_line *l,
	       const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ec_fail(e, EC_USAGE, "INF line %u: [%s] %s: %s", l->lineno,
		       l->section, l->key, msg);
}

static char *keep(struct ec_inf_req *r, char *s)
{
	char **b = s ? realloc(r->bufs, (r->nbufs + 1) * sizeof(*b)) : NULL;

	if (!b) {
		free(s);
		return NULL;
	}
	r->bufs = b;
	return b[r->nbufs++] = s;
}

static void warn(struct ec_inf_req *r, const struct ec_inf_line *l,
		 const char *what)
{
	char buf[600];

	if (r->nwarn == sizeof(r->warn) / sizeof(r->warn[0]))
		return;
	snprintf(buf, sizeof(buf), "INF line %u: %s = %s %s", l->lineno,
		 l->key, l->value, what);
	r->warn[r->nwarn] = strdup(buf);
	if (r->warn[r->nwarn])
		r->nwarn++;
}

/* TRUE or FALSE (any case), else -1. */
static int boolean(const char *v)
{
	if (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0)
		return 1;
	if (strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0)
		return 0;
	return -1;
}

/* A whole number: decimal or 0x hex. */
static int number(const char *v, unsigned long *out)
{
	char *end;

	if (!*v || *v == '-')
		return -1;
	*out = strtoul(v, &end, 0);
	return *end ? -1 : 0;
}

static const struct {
	const char *name;
	unsigned bit;
} ku_names[] = {
	{ "CERT_DIGITAL_SIGNATURE_KEY_USAGE", 0x80 },
	{ "CERT_NON_REPUDIATION_KEY_USAGE", 0x40 },
	{ "CERT_KEY_ENCIPHERMENT_KEY_USAGE", 0x20 },
	{ "CERT_DATA_ENCIPHERMENT_KEY_USAGE", 0x10 },
	{ "CERT_KEY_AGREEMENT_KEY_USAGE", 0x08 },
	{ "CERT_KEY_CERT_SIGN_KEY_USAGE", 0x04 },
	{ "CERT_OFFLINE_CRL_SIGN_KEY_USAGE", 0x02 },
	{ "CERT_CRL_SIGN_KEY_USAGE", 0x02 },
	{ "CERT_ENCIPHER_ONLY_KEY_USAGE", 0x01 },
	{ "CERT_DECIPHER_ONLY_KEY_USAGE", 0x8000 },
};

/* KeyUsage: 0xa0, 160, or CERT_..._KEY_USAGE names (or numbers) joined
 * by '|'.  CryptoAPI's bits are X.509's and GnuTLS' GNUTLS_KEY_*. */
static int key_usage(const struct ec_inf_line *l, unsigned *out,
		     struct ec_err *e)
{
	char *s = strdup(l->value), *save = NULL, *t;
	unsigned long v;
	unsigned ku = 0;
	int ret = -1;

	if (!s)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	for (t = strtok_r(s, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
		size_t i, n;

		t += strspn(t, " \t");
		n = strlen(t);
		while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
			t[--n] = '\0';
		for (i = 0; i < sizeof(ku_names) / sizeof(ku_names[0]); i++)
			if (strcasecmp(t, ku_names[i].name) == 0)
				break;
		if (i < sizeof(ku_names) / sizeof(ku_names[0])) {
			ku |= ku_names[i].bit;
		} else if (number(t, &v) == 0 && v && !(v & ~0x80ffUL)) {
			ku |= (unsigned)v;
		} else {
			BAD(l, "'%s' is not a key usage (0xa0, or "
			    "CERT_..._KEY_USAGE names joined by '|')", t);
			goto out;
		}
	}
	if (!ku) {
		BAD(l, "no key usage given");
		goto out;
	}
	*out = ku;
	ret = 0;
out:
	free(s);
	return ret;
}

static const struct {
	const char *inf, *x;
} dn_attrs[] = {
	{ "S", "ST" }, { "E", "EMAIL" }, { "T", "title" }, { "G", "givenName" },
	{ "I", "initials" }, { "SN", "surname" },
	{ "SERIALNUMBER", "serialNumber" }, { "POSTALCODE", "postalCode" },
	{ "STREET", "street" }, { "DESCRIPTION", "description" },
};

/* The value as RFC 4514 writes it. */
static void dn_escape(struct ec_buf *b, const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = v[i];

		if (strchr(",+\"\\<>;=", c) || (i == 0 && (c == '#' ||
		    c == ' ')) || (i == n - 1 && c == ' '))
			ec_buf_addc(b, '\\');
		ec_buf_addc(b, c);
	}
}

/* Subject: an X.500 string as CertStrToName takes it (RDNs separated by
 * ',' or ';', values "quoted" with "" for a quote inside, S= for the
 * state, E= for the e-mail address), rewritten in RFC 4514 for GnuTLS.
 * The order is the same: the most specific RDN first. */
static int subject(struct ec_inf_req *r, const struct ec_inf_line *l,
		   struct ec_err *e)
{
	const char *p = l->value;
	struct ec_buf b = { 0 }, v = { 0 };
	int ret = -1;

	while (*p) {
		const char *eq, *name;
		size_t n, k;

		p += strspn(p, " \t");
		if (!(eq = strchr(p, '=')) || eq == p) {
			BAD(l, "'%s' is not TYPE=value", p);
			goto out;
		}
		for (n = (size_t)(eq - p); n && (p[n - 1] == ' ' ||
						 p[n - 1] == '\t'); n--)
			;
		name = NULL;
		for (k = 0; k < sizeof(dn_attrs) / sizeof(dn_attrs[0]); k++)
			if (strlen(dn_attrs[k].inf) == n &&
			    strncasecmp(p, dn_attrs[k].inf, n) == 0)
				name = dn_attrs[k].x;
		if (b.len)
			ec_buf_addc(&b, ',');
		if (name)
			ec_buf_adds(&b, name);
		else
			ec_buf_add(&b, p, n);
		ec_buf_addc(&b, '=');
		p = eq + 1 + strspn(eq + 1, " \t");
		ec_buf_reset(&v);
		if (*p == '"') {
			for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
				if (*p == '"')
					p++;
				ec_buf_addc(&v, *p);
			}
			if (*p != '"') {
				BAD(l, "unclosed quote");
				goto out;
			}
			p++;
			p += strspn(p, " \t");
			if (*p && *p != ',' && *p != ';') {
				BAD(l, "text after a quoted value");
				goto out;
			}
		} else {
			n = strcspn(p, ",;+");
			if (p[n] == '+') {
				BAD(l, "multi-valued RDNs ('+') are not "
				    "supported");
				goto out;
			}
			while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
				n--;
			ec_buf_add(&v, p, n);
			p += strcspn(p, ",;");
		}
		if (!v.len) {
			BAD(l, "an empty value");
			goto out;
		}
		dn_escape(&b, v.p, v.len);
		if (*p)
			p++;
	}
	if (!b.len) {
		BAD(l, "an empty subject");
		goto out;
	}
	ec_buf_addc(&b, '\0');
	if (b.oom || !keep(r, b.p)) {
		ec_fail(e, EC_INTERNAL, "out of memory");
		b.p = NULL;
		goto out;
	}
	r->p.subject = b.p;
	b.p = NULL;
	ret = 0;
out:
	free(b.p);
	ec_buf_free(&v);
	return ret;
}

static int key_algorithm(struct ec_inf_req *r, const struct ec_inf_line *l,
			 struct ec_err *e)
{
	if (strcasecmp(l->value, "RSA") == 0) {
		r->pk = GNUTLS_PK_RSA;
	} else if (strcasecmp(l->value, "ECDSA_P256") == 0) {
		r->pk = GNUTLS_PK_ECDSA;
		r->curve = GNUTLS_ECC_CURVE_SECP256R1;
	} else if (strcasecmp(l->value, "ECDSA_P384") == 0) {
		r->pk = GNUTLS_PK_ECDSA;
		r->curve = GNUTLS_ECC_CURVE_SECP384R1;
	} else if (strcasecmp(l->value, "ECDSA") == 0) {
		r->pk = GNUTLS_PK_ECDSA;
	} else {
		return BAD(l, "'%s' cannot be made here (RSA, ECDSA_P256 or "
			   "ECDSA_P384)", l->value);
	}
	return 0;
}

static int hash_algorithm(struct ec_inf_req *r, const struct ec_inf_line *l,
			  struct ec_err *e)
{
	static const struct {
		const char *name;
		gnutls_digest_algorithm_t d;
	} h[] = {
		{ "sha256", GNUTLS_DIG_SHA256 }, { "sha384", GNUTLS_DIG_SHA384 },
		{ "sha512", GNUTLS_DIG_SHA512 },
	};

	for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		if (strcasecmp(l->value, h[i].name) == 0) {
			r->p.hash = h[i].d;
			return 0;
		}
	return BAD(l, "'%s' is not taken (sha256, sha384 or sha512)",
		   l->value);
}

/* [NewRequest] keys that change nothing here, and what they must be. */
static const struct {
	const char *key;
	int want;	/* 0: FALSE only; 2: any boolean; 3: anything, warned */
} inert[] = {
	{ "MachineKeySet", 2 }, { "Silent", 2 }, { "SMIME", 0 },
	{ "PrivateKeyArchive", 0 }, { "UserProtected", 0 },
	{ "UseExistingKeySet", 0 }, { "ProviderName", 3 },
	{ "ProviderType", 3 },
};

static int new_request(struct ec_inf_req *r, const struct ec_inf_line *l,
		       struct ec_err *e)
{
	const char *k = l->key, *v = l->value;
	unsigned long n;
	int b;

	for (size_t i = 0; i < sizeof(inert) / sizeof(inert[0]); i++) {
		if (strcasecmp(k, inert[i].key) != 0)
			continue;
		if (inert[i].want == 3) {
			warn(r, l, "is ignored: the key is made by GnuTLS, "
			     "in the store or --token");
			return 0;
		}
		b = boolean(v);
		if (b < 0 || (inert[i].want == 0 && b))
			return BAD(l, "'%s' cannot be honoured here%s", v,
				   inert[i].want == 0 ? " (only FALSE)" : "");
		return 0;
	}
	if (strcasecmp(k, "Subject") == 0)
		return subject(r, l, e);
	if (strcasecmp(k, "KeyAlgorithm") == 0)
		return key_algorithm(r, l, e);
	if (strcasecmp(k, "HashAlgorithm") == 0)
		return hash_algorithm(r, l, e);
	if (strcasecmp(k, "KeyUsage") == 0)
		return key_usage(l, &r->p.key_usage, e);
	if (strcasecmp(k, "FriendlyName") == 0) {
		if (!*v)
			return BAD(l, "an empty name");
		r->name = v;
		return 0;
	}
	if (strcasecmp(k, "KeyLength") == 0) {
		if (number(v, &n) < 0 || n < 256 || n > 16384)
			return BAD(l, "'%s' is not a key length", v);
		r->bits = (unsigned)n;
		r->bits_line = l->lineno;
		return 0;
	}
	if (strcasecmp(k, "Exportable") == 0 ||
	    strcasecmp(k, "ExportableEncrypted") == 0) {
		if ((b = boolean(v)) < 0)
			return BAD(l, "'%s' is not TRUE or FALSE", v);
		r->exportable |= b;
		return 0;
	}
	if (strcasecmp(k, "KeySpec") == 0) {
		static const char *const specs[] = { "0", "1", "2", "AT_NONE",
			"AT_KEYEXCHANGE", "AT_SIGNATURE" };

		for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
			if (strcasecmp(v, specs[i]) == 0)
				return 0;
		return BAD(l, "'%s' is not a key spec", v);
	}
	if (strcasecmp(k, "RequestType") == 0) {
		if (strcasecmp(v, "PKCS10") != 0 && strcmp(v, "1") != 0)
			return BAD(l, "'%s' cannot be made here: edgecert makes "
				   "PKCS10 requests", v);
		return 0;
	}
	return BAD(l, "not a key edgecert can honour");
}

/* One SAN item, "dns=NAME" or "ipaddress=ADDR" ("IP Address=" too). */
static int san_item(struct ec_inf_req *r, const struct ec_inf_line *l,
		    char *t, struct ec_err *e)
{
	char *eq = strchr(t, '='), name[32];
	size_t n = 0;

	if (!eq)
		return BAD(l, "'%s' is not NAME=value", t);
	for (char *p = t; p < eq && n < sizeof(name) - 1; p++)
		if (*p != ' ' && *p != '\t')
			name[n++] = *p;
	name[n] = '\0';
	eq++;
	eq += strspn(eq, " \t");
	if (!*eq)
		return BAD(l, "an empty %s", name);
	if (strcasecmp(name, "dns") == 0) {
		if (r->p.ndns == EC_MAX_NAMES)
			return BAD(l, "more than %d DNS names", EC_MAX_NAMES);
		r->san_order[r->p.ndns + r->p.nip] = 'd';
		r->p.dns[r->p.ndns++] = eq;
	} else if (strcasecmp(name, "ipaddress") == 0) {
		if (r->p.nip == EC_MAX_NAMES)
			return BAD(l, "more than %d addresses", EC_MAX_NAMES);
		r->san_order[r->p.ndns + r->p.nip] = 'i';
		r->p.ip[r->p.nip++] = eq;
	} else {
		return BAD(l, "a %s name cannot be honoured (dns and "
			   "ipaddress)", name);
	}
	r->have_san = 1;
	return 0;
}

static int eku_item(struct ec_inf_req *r, const struct ec_inf_line *l,
		    char *t, struct ec_err *e)
{
	if (!ec_oid_ok(t))
		return BAD(l, "'%s' is not a dotted OID", t);
	if (r->p.neku == sizeof(r->p.eku) / sizeof(r->p.eku[0]))
		return BAD(l, "too many extended key usages");
	r->p.eku[r->p.neku++] = t;
	r->have_eku = 1;
	return 0;
}

/* One line of an extension's text, its items separated by sep. */
static int ext_text(struct ec_inf_req *r, const struct ec_inf_line *l,
		    const char *v, int san, struct ec_err *e)
{
	char *s, *save = NULL;

	if (strncasecmp(v, "{text}", 6) == 0)
		v += 6;
	if (!(s = keep(r, strdup(v))))
		return ec_fail(e, EC_INTERNAL, "out of memory");
	for (char *t = strtok_r(s, san ? "&" : ",", &save); t;
	     t = strtok_r(NULL, san ? "&" : ",", &save)) {
		size_t n;

		t += strspn(t, " \t");
		n = strlen(t);
		while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
			t[--n] = '\0';
		if (!n)
			continue;
		if ((san ? san_item(r, l, t, e) : eku_item(r, l, t, e)) < 0)
			return -1;
	}
	return 0;
}

static int extension(struct ec_inf_req *r, const struct ec_inf_line *l,
		     int *cur, struct ec_err *e)
{
	if (strcasecmp(l->key, "_continue_") == 0) {
		if (*cur < 0)
			return BAD(l, "continues no extension");
		return ext_text(r, l, l->value, *cur, e);
	}
	if (strcmp(l->key, "2.5.29.17") == 0 ||
	    strcmp(l->key, "2.5.29.37") == 0) {
		*cur = strcmp(l->key, "2.5.29.17") == 0;
		if (strncasecmp(l->value, "{text}", 6) != 0)
			return BAD(l, "only the {text} form is read");
		return ext_text(r, l, l->value, *cur, e);
	}
	*cur = -1;
	if (strcasecmp(l->key, "OID") == 0)
		return eku_item(r, l, l->value, e);
	return BAD(l, "not an extension edgecert can honour (2.5.29.17 and "
		   "2.5.29.37)");
}

static int one(struct ec_inf_req *r, const struct ec_inf_line *l, int *cur,
	       struct ec_err *e)
{
	const char *s = l->section;

	if (strcasecmp(s, "NewRequest") == 0)
		return new_request(r, l, e);
	if (strcasecmp(s, "Extensions") == 0)
		return extension(r, l, cur, e);
	if (strcasecmp(s, "EnhancedKeyUsageExtension") == 0) {
		if (strcasecmp(l->key, "OID") != 0)
			return BAD(l, "not a key of this section (OID)");
		return eku_item(r, l, l->value, e);
	}
	if (strcasecmp(s, "RequestAttributes") == 0) {
		if (strcasecmp(l->key, "CertificateTemplate") != 0)
			return BAD(l, "not an attribute edgecert can honour "
				   "(CertificateTemplate)");
		if (!*l->value)
			return BAD(l, "an empty template name");
		r->p.template_name = r->p.template_attr = l->value;
		return 0;
	}
	if (strcasecmp(s, "Version") == 0) {
		if (strcasecmp(l->key, "Signature") != 0)
			return BAD(l, "not a key of this section (Signature)");
		return 0;
	}
	return ec_fail(e, EC_USAGE, "INF line %u: [%s] is not a section "
		       "edgecert can honour", l->lineno, s);
}

int ec_inf_request(const unsigned char *data, size_t n, struct ec_inf_req *r,
		   struct ec_err *e)
{
	int cur = -1, have_new = 0;

	memset(r, 0, sizeof(*r));
	r->p.template_major = r->p.template_minor = -1;
	r->p.exact_sans = 1;
	if (ec_inf_parse(data, n, &r->inf, e) < 0)
		return -1;
	for (size_t i = 0; i < r->inf.n; i++) {
		const struct ec_inf_line *l = &r->inf.l[i];

		if (strcasecmp(l->section, "Extensions") != 0)
			cur = -1;
		if (strcasecmp(l->section, "NewRequest") == 0)
			have_new = 1;
		if (one(r, l, &cur, e) < 0) {
			ec_inf_req_free(r);
			return -1;
		}
	}
	if (!have_new) {
		ec_inf_req_free(r);
		return ec_fail(e, EC_USAGE, "the INF file has no [NewRequest] "
			       "section");
	}
	if (r->pk == GNUTLS_PK_ECDSA && r->bits) {
		unsigned bits = r->bits, line = r->bits_line;

		if (r->curve == 0)
			r->curve = r->bits == 256 ? GNUTLS_ECC_CURVE_SECP256R1 :
				   r->bits == 384 ? GNUTLS_ECC_CURVE_SECP384R1 :
				   GNUTLS_ECC_CURVE_INVALID;
		if (r->curve == GNUTLS_ECC_CURVE_INVALID ||
		    (unsigned)gnutls_ecc_curve_get_size(r->curve) * 8 !=
		    r->bits) {
			ec_inf_req_free(r);
			r->bits = bits;
			r->bits_line = line;
			return ec_fail(e, EC_USAGE, "INF line %u: [NewRequest] "
				       "KeyLength: %u does not go with the "
				       "ECDSA curve (256 or 384)", r->bits_line,
				       r->bits);
		}
		r->bits = 0;
	}
	if (r->pk == GNUTLS_PK_ECDSA && r->curve == 0)
		r->curve = GNUTLS_ECC_CURVE_SECP256R1;
	return 0;
}

void ec_inf_merge(const struct ec_inf_req *r, struct ec_csr_params *p)
{
	if (!p->subject && !p->cn && !p->org && !p->ou && !p->locality &&
	    !p->state && !p->country)
		p->subject = r->p.subject;
	if (!p->ndns && !p->nip) {
		memcpy(p->dns, r->p.dns, sizeof(p->dns));
		p->ndns = r->p.ndns;
		memcpy(p->ip, r->p.ip, sizeof(p->ip));
		p->nip = r->p.nip;
		p->san_order = r->san_order;
	}
	if (!p->neku) {
		memcpy(p->eku, r->p.eku, sizeof(p->eku));
		p->neku = r->p.neku;
	}
	if (!p->template_name && !p->template_oid) {
		p->template_name = r->p.template_name;
		p->template_attr = r->p.template_attr;
	}
	p->key_usage = r->p.key_usage;
	p->hash = r->p.hash;
	p->exact_sans = 1;
}

void ec_inf_req_free(struct ec_inf_req *r)
{
	for (size_t i = 0; i < r->nbufs; i++)
		free(r->bufs[i]);
	free(r->bufs);
	for (size_t i = 0; i < r->nwarn; i++)
		free(r->warn[i]);
	ec_inf_free(&r->inf);
	memset(r, 0, sizeof(*r));
}
