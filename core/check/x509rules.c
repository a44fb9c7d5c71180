#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509-ext.h>

#include "chain.h"
#include "x509rules.h"

#define OID_SKI "2.5.29.14"
#define OID_KU "2.5.29.15"
#define OID_BC "2.5.29.19"
#define OID_AKI "2.5.29.35"
#define OID_EKU "2.5.29.37"
#define OID_PC "2.5.29.36"
#define KEYID_MAX 64

/* What the rules need to know of one certificate. */
struct facts {
	size_t aki_len;			/* 0: no keyIdentifier */
	size_t ski_len;			/* 0: no subjectKeyIdentifier */
	unsigned char aki_id[KEYID_MAX];
	unsigned char ski_id[KEYID_MAX];
	unsigned ku;			/* key usage bits; 0: none */
	int version;
	int ca, bc_critical;		/* basicConstraints' cA */
	int aki_critical;
	int eku_empty;
	int pc, pc_critical;
	int malformed;			/* a critical extension */
	int nomem;			/* something not evaluated */
};

/* The result of a decoder: 0 decoded, 1 did not, -1 out of memory. */
static int verdict(int r)
{
	if (r == GNUTLS_E_MEMORY_ERROR)
		return -1;
	return r < 0;
}

static int keyid(const gnutls_datum_t *id, unsigned char *buf, size_t *len)
{
	if (id->size == 0 || id->size > KEYID_MAX)
		return 1;
	memcpy(buf, id->data, id->size);
	*len = id->size;
	return 0;
}

static int dec_aki(const gnutls_datum_t *d, struct facts *f)
{
	gnutls_x509_aki_t aki;
	gnutls_datum_t id;
	int r;

	if (gnutls_x509_aki_init(&aki) < 0)
		return -1;
	r = verdict(gnutls_x509_ext_import_authority_key_id(d, aki, 0));
	/* without a keyIdentifier (issuer and serial only) it is missing */
	if (r == 0 && gnutls_x509_aki_get_id(aki, &id) == 0 &&
	    keyid(&id, f->aki_id, &f->aki_len) != 0)
		r = 1;
	gnutls_x509_aki_deinit(aki);
	return r;
}

static int dec_ski(const gnutls_datum_t *d, struct facts *f)
{
	gnutls_datum_t id = { NULL, 0 };
	int r = verdict(gnutls_x509_ext_import_subject_key_id(d, &id));

	if (r == 0 && keyid(&id, f->ski_id, &f->ski_len) != 0)
		r = 1;
	gnutls_free(id.data);
	return r;
}

static int dec_eku(const gnutls_datum_t *d, struct facts *f)
{
	gnutls_x509_key_purposes_t kp;
	gnutls_datum_t oid;
	int r;

	if (gnutls_x509_key_purpose_init(&kp) < 0)
		return -1;
	r = verdict(gnutls_x509_ext_import_key_purposes(d, kp, 0));
	if (r == 0 && gnutls_x509_key_purpose_get(kp, 0, &oid) ==
		      GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		f->eku_empty = 1;
	gnutls_x509_key_purpose_deinit(kp);
	return r;
}

static int dec_san(const gnutls_datum_t *d)
{
	gnutls_subject_alt_names_t sans;
	int r;

	if (gnutls_subject_alt_names_init(&sans) < 0)
		return -1;
	r = verdict(gnutls_x509_ext_import_subject_alt_names(d, sans, 0));
	gnutls_subject_alt_names_deinit(sans);
	return r;
}

static int dec_policies(const gnutls_datum_t *d)
{
	gnutls_x509_policies_t p;
	int r;

	if (gnutls_x509_policies_init(&p) < 0)
		return -1;
	r = verdict(gnutls_x509_ext_import_policies(d, p, 0));
	gnutls_x509_policies_deinit(p);
	return r;
}

static int dec_crldp(const gnutls_datum_t *d)
{
	gnutls_x509_crl_dist_points_t dp;
	int r;

	if (gnutls_x509_crl_dist_points_init(&dp) < 0)
		return -1;
	r = verdict(gnutls_x509_ext_import_crl_dist_points(d, dp, 0));
	gnutls_x509_crl_dist_points_deinit(dp);
	return r;
}

static int dec_aia(const gnutls_datum_t *d)
{
	gnutls_x509_aia_t aia;
	int r;

	if (gnutls_x509_aia_init(&aia) < 0)
		return -1;
	r = verdict(gnutls_x509_ext_import_aia(d, aia, 0));
	gnutls_x509_aia_deinit(aia);
	return r;
}

static int dec_tlsfeat(const gnutls_datum_t *d)
{
	gnutls_x509_tlsfeatures_t tf;
	int r;

	if (gnutls_x509_tlsfeatures_init(&tf) < 0)
		return -1;
	r = verdict(gnutls_x509_ext_import_tlsfeatures(d, tf, 0));
	gnutls_x509_tlsfeatures_deinit(tf);
	return r;
}

static int absent(asn1_node node, const char *name)
{
	unsigned char v[8];
	int len = sizeof(v);

	return asn1_read_value(node, name, v, &len) == ASN1_ELEMENT_NOT_FOUND;
}

/* PolicyMappings and PolicyConstraints, which GnuTLS does not decode:
 * by core/fmt/x509rules.asn; neither may be empty (RFC 5280 4.2.1.5 SIZE
 * (1..MAX), 4.2.1.11 "MUST NOT issue ... an empty sequence"). */
static int dec_tasn(const gnutls_datum_t *d, const char *type,
		    const char *first, const char *second)
{
	char msg[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	asn1_node defs = NULL, node = NULL;
	int r = -1;

	if (asn1_array2tree(ec_x509rules_asn1_tab, &defs, msg) !=
	    ASN1_SUCCESS ||
	    asn1_create_element(defs, type, &node) != ASN1_SUCCESS)
		goto out;
	r = asn1_der_decoding(&node, d->data, (int)d->size, msg) !=
	    ASN1_SUCCESS;
	if (r == 0 && absent(node, first) && (!second || absent(node, second)))
		r = 1;
out:
	asn1_delete_structure(&node);
	asn1_delete_structure(&defs);
	return r;
}

/* Decode one extension into f: 0, 1 when it does not decode, -1 when out
 * of memory.  An extension nobody here knows is GnuTLS' business
 * (unknown-critical-extension). */
static int decode(const char *oid, int critical, const gnutls_datum_t *d,
		  struct facts *f)
{
	unsigned ca = 0;
	int pathlen, r;

	if (strcmp(oid, OID_BC) == 0) {
		r = verdict(gnutls_x509_ext_import_basic_constraints(d, &ca,
								     &pathlen));
		f->bc_critical = critical;
		f->ca = r == 0 && ca;
		return r;
	}
	if (strcmp(oid, OID_KU) == 0)
		return verdict(gnutls_x509_ext_import_key_usage(d, &f->ku));
	if (strcmp(oid, OID_AKI) == 0) {
		f->aki_critical = critical;
		return dec_aki(d, f);
	}
	if (strcmp(oid, OID_SKI) == 0)
		return dec_ski(d, f);
	if (strcmp(oid, OID_EKU) == 0)
		return dec_eku(d, f);
	if (strcmp(oid, OID_PC) == 0) {
		f->pc = 1;
		f->pc_critical = critical;
		return dec_tasn(d, "EdgecertX509Rules.PolicyConstraints",
				"requireExplicitPolicy",
				"inhibitPolicyMapping");
	}
	if (strcmp(oid, "2.5.29.33") == 0)
		return dec_tasn(d, "EdgecertX509Rules.PolicyMappings",
				"?1.issuerDomainPolicy",
				NULL);
	if (strcmp(oid, "2.5.29.17") == 0 || strcmp(oid, "2.5.29.18") == 0)
		return dec_san(d);
	if (strcmp(oid, "2.5.29.30") == 0)
		return 0;	/* nameconstr.c decodes it, every form
				 * GnuTLS cannot (registeredID), and
				 * says name-constraints-malformed */
	if (strcmp(oid, "2.5.29.32") == 0)
		return dec_policies(d);
	if (strcmp(oid, "2.5.29.31") == 0)
		return dec_crldp(d);
	if (strcmp(oid, "2.5.29.54") == 0) {
		unsigned skip;

		return verdict(gnutls_x509_ext_import_inhibit_anypolicy(d,
								&skip));
	}
	if (strcmp(oid, "1.3.6.1.5.5.7.1.1") == 0)
		return dec_aia(d);
	if (strcmp(oid, "1.3.6.1.5.5.7.1.24") == 0)
		return dec_tlsfeat(d);
	return 0;
}

static void facts(gnutls_x509_crt_t crt, struct facts *f)
{
	char oid[128];
	size_t len;
	unsigned critical;
	gnutls_datum_t d;
	int r;

	memset(f, 0, sizeof(*f));
	f->version = gnutls_x509_crt_get_version(crt);
	for (unsigned i = 0;; i++) {
		len = sizeof(oid);
		critical = 0;
		r = gnutls_x509_crt_get_extension_info(crt, i, oid, &len,
						       &critical);
		if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (r == GNUTLS_E_MEMORY_ERROR)
			f->nomem = 1;
		if (r < 0)	/* or an OID longer than any known here */
			continue;
		if ((r = gnutls_x509_crt_get_extension_data2(crt, i, &d)) < 0) {
			f->nomem |= r == GNUTLS_E_MEMORY_ERROR;
			f->malformed |= critical && r != GNUTLS_E_MEMORY_ERROR;
			continue;
		}
		r = decode(oid, (int)critical, &d, f);
		gnutls_free(d.data);
		if (r < 0)
			f->nomem = 1;
		else if (r > 0 && critical)
			f->malformed = 1;
	}
}

/* A positive INTEGER of at most 20 octets (RFC 5280 4.1.2.2); the sign
 * octet a DER encoding needs when the top bit is set does not count. */
static int serial_ok(gnutls_x509_crt_t crt)
{
	unsigned char s[64];
	size_t len = sizeof(s), i = 0;

	if (gnutls_x509_crt_get_serial(crt, s, &len) < 0 || len == 0 ||
	    (s[0] & 0x80))
		return 0;
	if (len > 1 && s[0] == 0)
		i = 1;
	if (len - i > 20)
		return 0;
	for (; i < len; i++)
		if (s[i])
			return 1;
	return 0;
}

/* The subject names the issuer (the same DER) and the certificate's own
 * key verifies its signature: key identifiers are not compared, as
 * gnutls_x509_crt_check_issuer would.  -1: out of memory. */
static int self_signed(gnutls_x509_crt_t crt)
{
	char msg[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	gnutls_datum_t der = { NULL, 0 }, sub = { NULL, 0 },
		       iss = { NULL, 0 }, tbs, sig;
	unsigned char sigbuf[2048];	/* RSA-16384 */
	size_t siglen = sizeof(sigbuf);
	asn1_node defs = NULL, node = NULL;
	gnutls_pubkey_t pub = NULL;
	int start, end, r = 0;

	if (gnutls_x509_crt_get_raw_dn(crt, &sub) < 0 ||
	    gnutls_x509_crt_get_raw_issuer_dn(crt, &iss) < 0 ||
	    sub.size != iss.size || memcmp(sub.data, iss.data, sub.size) != 0)
		goto out;
	r = -1;
	if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) < 0 ||
	    asn1_array2tree(ec_x509rules_asn1_tab, &defs, msg) !=
		    ASN1_SUCCESS ||
	    asn1_create_element(defs, "EdgecertX509Rules.Certificate",
				&node) != ASN1_SUCCESS ||
	    gnutls_pubkey_init(&pub) < 0)
		goto out;
	r = 0;
	if (asn1_der_decoding(&node, der.data, (int)der.size, msg) !=
		    ASN1_SUCCESS ||
	    asn1_der_decoding_startEnd(node, der.data, (int)der.size,
				       "tbsCertificate", &start, &end) !=
		    ASN1_SUCCESS ||
	    gnutls_pubkey_import_x509(pub, crt, 0) < 0 ||
	    gnutls_x509_crt_get_signature(crt, (char *)sigbuf, &siglen) < 0)
		goto out;
	sig.data = sigbuf;
	sig.size = (unsigned)siglen;
	tbs.data = der.data + start;
	tbs.size = (unsigned)(end - start + 1);
	r = gnutls_pubkey_verify_data2(pub,
			gnutls_x509_crt_get_signature_algorithm(crt),
			GNUTLS_VERIFY_ALLOW_BROKEN, &tbs, &sig) >= 0;
out:
	gnutls_pubkey_deinit(pub);
	asn1_delete_structure(&node);
	asn1_delete_structure(&defs);
	gnutls_free(der.data);
	gnutls_free(iss.data);
	gnutls_free(sub.data);
	return r;
}

static int subject_empty(gnutls_x509_crt_t crt)
{
	gnutls_x509_dn_t dn;
	gnutls_x509_ava_st ava;

	if (gnutls_x509_crt_get_subject(crt, &dn) < 0)
		return 1;
	return gnutls_x509_dn_get_rdn_ava(dn, 0, 0, &ava) < 0;
}

/* The rules on one certificate of the path, v[i], not the anchor; iss:
 * the facts of its issuer on the path, NULL when the path ends here. */
static void one(gnutls_x509_crt_t crt, size_t i, const struct facts *f,
		const struct facts *iss, int self, struct ec_reasons *out)
{
	if (!serial_ok(crt))
		ec_reasons_add(out, "serial-number-invalid", EC_UNTRUSTED);
	if (f->ca && subject_empty(crt))
		ec_reasons_add(out, "ca-subject-empty", EC_UNTRUSTED);
	if (f->ca && !f->bc_critical)
		ec_reasons_add(out, "ca-basic-constraints-not-critical",
			       EC_UNTRUSTED);
	if (f->ca && !f->ski_len)
		ec_reasons_add(out, "ca-ski-missing", EC_UNTRUSTED);
	if (i > 0 && f->version < 3)
		ec_reasons_add(out, "ca-version-1", EC_UNTRUSTED);
	if (!f->ca && (f->ku & GNUTLS_KEY_KEY_CERT_SIGN))
		ec_reasons_add(out, "leaf-key-cert-sign", EC_UNTRUSTED);
	if (f->aki_critical)
		ec_reasons_add(out, "aki-critical", EC_UNTRUSTED);
	/* an issuer without SKI (a version 1 anchor) has no key identifier
	 * to name; that issuer, if not the anchor, is ca-ski-missing */
	if (!self && !f->aki_len && (!iss || iss->ski_len))
		ec_reasons_add(out, "aki-missing", EC_UNTRUSTED);
	if (f->eku_empty)
		ec_reasons_add(out, "eku-empty", EC_UNTRUSTED);
	if (f->pc && !f->pc_critical)
		ec_reasons_add(out, "policy-constraints-not-critical",
			       EC_UNTRUSTED);
	if (f->malformed)
		ec_reasons_add(out, "critical-extension-malformed",
			       EC_UNTRUSTED);
}

void ec_x509rules(const struct ec_path *p, struct ec_reasons *out)
{
	struct facts f[EC_CHAIN_MAX + 1];
	size_t n = p->n;
	int self;

	if (n > EC_CHAIN_MAX + 1) {	/* more than a path holds */
		ec_reasons_add(out, "rules-not-evaluated", EC_UNTRUSTED);
		n = EC_CHAIN_MAX + 1;
	}
	for (size_t i = 0; i < n; i++)
		facts(p->v[i], &f[i]);
	for (size_t i = 0; i < n; i++) {
		int anchor = p->anchored && i == p->n - 1;

		if ((self = self_signed(p->v[i])) < 0) {
			f[i].nomem = 1;
			self = 0;
		}
		if (f[i].nomem)
			ec_reasons_add(out, "rules-not-evaluated",
				       EC_UNTRUSTED);
		if (!anchor)
			one(p->v[i], i, &f[i], i + 1 < n ? &f[i + 1] : NULL,
			    self, out);
		if (self && f[i].aki_len && f[i].ski_len &&
		    (f[i].aki_len != f[i].ski_len ||
		     memcmp(f[i].aki_id, f[i].ski_id, f[i].ski_len) != 0))
			ec_reasons_add(out, "aki-ski-mismatch", EC_UNTRUSTED);
		if (i == 0 && p->serve && f[i].ca)
			ec_reasons_add(out, "leaf-is-ca", EC_UNTRUSTED);
		if (i == 0 && anchor && !(self && f[i].ca))
			ec_reasons_add(out, "anchor-is-leaf", EC_UNTRUSTED);
	}
}
