#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/pkcs12.h>

#include "armor.h"
#include "p12scan.h"
#include "pfx.h"
#include "pfxattr.h"

/* The DER inside (armor.h): as is, from PEM, or from bare base64, in
 * any text encoding; bytes after it are counted and dropped. */
static int outer_der(const unsigned char *data, size_t len,
		     struct ec_armor *a, struct ec_err *e)
{
	char tmp[sizeof(e->msg)];

	if (ec_armor_read(data, len, "the file", a, e) < 0) {
		memcpy(tmp, e->msg, sizeof(tmp));
		return ec_fail(e, EC_BAD_INPUT, "not a PKCS#12 file: %.800s",
			       tmp);
	}
	if (a->n == 0)
		return ec_fail(e, EC_BAD_INPUT, "not a PKCS#12 file: empty");
	return 0;
}

static int too_many(unsigned iter, const char *what, struct ec_err *e)
{
	if (iter <= EC_PFX_ITER_MAX)
		return 0;
	return ec_fail(e, EC_BAD_INPUT, "the %s asks for %u iterations "
		       "(more than %u): refused", what, iter, EC_PFX_ITER_MAX);
}

/* Count a key derivation against the file's total (p12scan.h): what the
 * scan could not see, inside encrypted contents, is counted here. */
static int spend(struct ec_pfx *out, unsigned iter, struct ec_err *e)
{
	out->work += iter;
	if (out->work <= EC_P12_ITER_TOTAL_MAX)
		return 0;
	return ec_fail(e, EC_BAD_INPUT, "the file asks for more than %llu key "
		       "derivation iterations in all (MAC and encryptions): "
		       "refused", EC_P12_ITER_TOTAL_MAX);
}

/* The encryption parameters of a bag or key that GnuTLS will not use. */
static int enc_unusable(const char *what, const char *oid, int r,
			struct ec_err *e)
{
	if (r == GNUTLS_E_ILLEGAL_PARAMETER)
		return ec_fail(e, EC_BAD_INPUT, "the %s has parameters GnuTLS "
			       "refuses (such as 10485760 iterations or more): "
			       "refused", what);
	return ec_fail(e, EC_BAD_INPUT, "the %s%s%s is not supported: %s",
		       what, oid ? " " : "", oid ? oid : "",
		       gnutls_strerror(r));
}

static int unsupported(int r)
{
	return r == GNUTLS_E_UNKNOWN_CIPHER_TYPE ||
	       r == GNUTLS_E_UNKNOWN_HASH_ALGORITHM ||
	       r == GNUTLS_E_UNKNOWN_ALGORITHM ||
	       r == GNUTLS_E_UNKNOWN_PK_ALGORITHM ||
	       r == GNUTLS_E_UNIMPLEMENTED_FEATURE;
}

/* A decryption failure: with a verified MAC the password is right and
 * the file is at fault; without one, the password is the suspect. */
static int decrypt_failed(int r, int have_mac, const char *what,
			  struct ec_err *e)
{
	if (unsupported(r))
		return ec_fail(e, EC_BAD_INPUT, "cannot decrypt the %s: "
			       "unsupported scheme: %s", what,
			       gnutls_strerror(r));
	if (!have_mac)
		return ec_fail(e, EC_BAD_PASSWORD, "cannot decrypt the %s: "
			       "wrong password", what);
	/* GnuTLS says "decryption failed" for a key it cannot decode, too */
	return ec_fail(e, EC_BAD_INPUT, "cannot decrypt or decode the %s "
		       "although the MAC verified%s: %s", what,
		       strcmp(what, "private key") ? "" : " (GnuTLS " GNUTLS_VERSION
		       " cannot read an EC key without its public key, as Java "
		       "writes it)", gnutls_strerror(r));
}

/* The passwords to try: the one given; for "no password" and for an
 * empty one, both the absent and the empty password, as Windows'
 * PFXImportCertStore does (the given kind first). */
static int candidates(const char *pass, const char **cand,
		      enum ec_pfx_pass *kind)
{
	if (pass && *pass) {
		cand[0] = pass;
		kind[0] = EC_PFX_PASS_GIVEN;
		return 1;
	}
	cand[0] = pass;
	kind[0] = pass ? EC_PFX_PASS_EMPTY : EC_PFX_PASS_ABSENT;
	cand[1] = pass ? NULL : "";
	kind[1] = pass ? EC_PFX_PASS_ABSENT : EC_PFX_PASS_EMPTY;
	return 2;
}

/* Read the MAC's parameters and try the candidate passwords.  *pw is set
 * to the one that verified; out->mac stays NULL for a file without MAC. */
static int check_mac(gnutls_pkcs12_t p12, const char *pass, struct ec_pfx *out,
		     const char **pw, struct ec_err *e)
{
	unsigned mac = 0, iter = 0;
	unsigned char salt[1025];	/* p12scan.c's MAC_SALT_MAX and more */
	unsigned salt_size = sizeof(salt);
	char *oid = NULL;
	const char *cand[2];
	enum ec_pfx_pass kind[2];
	int r, n;

	r = gnutls_pkcs12_mac_info(p12, &mac, salt, &salt_size, &iter, &oid);
	if (r == GNUTLS_E_INVALID_REQUEST || r == GNUTLS_E_ASN1_ELEMENT_NOT_FOUND)
		return 0;	/* no MAC */
	if (r < 0) {
		ec_fail(e, EC_BAD_INPUT, "unsupported MAC %s: %s",
			oid ? oid : "", gnutls_strerror(r));
		gnutls_free(oid);
		return -1;
	}
	gnutls_free(oid);
	if (too_many(iter, "MAC", e) < 0)
		return -1;
	out->mac = gnutls_mac_get_name((gnutls_mac_algorithm_t)mac);
	out->mac_iter = iter ? iter : 1;
	if (!out->mac)
		out->mac = "unknown";
	n = candidates(pass, cand, kind);
	for (int i = 0; i < n; i++) {
		r = gnutls_pkcs12_verify_mac(p12, cand[i]);
		out->pass = kind[i];
		*pw = cand[i];
		if (r != GNUTLS_E_MAC_VERIFY_FAILED)
			break;
	}
	if (r == GNUTLS_E_MAC_VERIFY_FAILED)
		return ec_fail(e, EC_BAD_PASSWORD, "the MAC does not verify: "
			       "wrong password%s", n == 1 ? "" :
			       " (tried none and the empty one)");
	if (r < 0)
		return ec_fail(e, EC_BAD_INPUT, "cannot verify the %s MAC%s: %s",
			       out->mac, unsupported(r) ? " (unsupported)" : "",
			       gnutls_strerror(r));
	return 0;
}

/* Room for one more handle (of size bytes) in vec, its name put in
 * (*names)[n]: the names first, so that a failure leaves both valid (the
 * names' vector one longer).  The new vec, or NULL on out of memory. */
static void *grow(void *vec, size_t n, size_t size, char ***names,
		  char *name)
{
	char **nv = realloc(*names, (n + 1) * sizeof(*nv));

	if (!nv)
		return NULL;
	*names = nv;
	if (!(vec = realloc(vec, (n + 1) * size)))
		return NULL;
	nv[n] = name;
	return vec;
}

static int take_crt(const gnutls_datum_t *d, char *name, struct ec_pfx *out,
		    struct ec_err *e)
{
	gnutls_x509_crt_t crt, *v;
	int r;

	if ((r = gnutls_x509_crt_init(&crt)) < 0)
		return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	if ((r = gnutls_x509_crt_import(crt, d, GNUTLS_X509_FMT_DER)) < 0) {
		gnutls_x509_crt_deinit(crt);
		return ec_fail(e, EC_BAD_INPUT, "a certificate in the file is "
			       "damaged: %s", gnutls_strerror(r));
	}
	if (!(v = grow(out->crt, out->ncrt, sizeof(*v), &out->crt_name,
		       name))) {
		gnutls_x509_crt_deinit(crt);
		return ec_fail(e, EC_INTERNAL, "out of memory");
	}
	(out->crt = v)[out->ncrt++] = crt;
	return 0;
}

static int take_key(const gnutls_datum_t *d, int encrypted, const char *pw,
		    int have_mac, char *name, struct ec_pfx *out,
		    struct ec_err *e)
{
	gnutls_x509_privkey_t key, *v;
	unsigned schema, cipher, iter = 0, flags;
	unsigned char salt[256];
	unsigned salt_size = sizeof(salt);
	char *oid = NULL;
	int r;

	if (encrypted) {
		r = gnutls_pkcs8_info(d, GNUTLS_X509_FMT_DER, &schema, &cipher,
				      salt, &salt_size, &iter, &oid);
		/* certtool --pkcs-cipher none puts a plain key in a
		 * shrouded bag: read it as what it is */
		if (r == GNUTLS_E_INVALID_REQUEST)
			encrypted = 0;
		else if (r < 0) {
			enc_unusable("private key's encryption", oid, r, e);
			gnutls_free(oid);
			return -1;
		}
		gnutls_free(oid);
		oid = NULL;
		if (encrypted && (too_many(iter, "private key's encryption",
					   e) < 0 || spend(out, iter, e) < 0))
			return -1;
	}
	if ((r = gnutls_x509_privkey_init(&key)) < 0)
		return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	flags = !encrypted ? GNUTLS_PKCS_PLAIN :
		pw ? 0 : GNUTLS_PKCS_NULL_PASSWORD;
	r = gnutls_x509_privkey_import_pkcs8(key, d, GNUTLS_X509_FMT_DER,
					     encrypted ? pw : NULL, flags);
	if (r < 0) {
		gnutls_x509_privkey_deinit(key);
		if (encrypted)
			return decrypt_failed(r, have_mac, "private key", e);
		return ec_fail(e, EC_BAD_INPUT, "a private key in the file is "
			       "damaged: %s", gnutls_strerror(r));
	}
	if (!(v = grow(out->key, out->nkey, sizeof(*v), &out->key_name,
		       name))) {
		gnutls_x509_privkey_deinit(key);
		return ec_fail(e, EC_INTERNAL, "out of memory");
	}
	(out->key = v)[out->nkey++] = key;
	return 0;
}

static int take_element(gnutls_pkcs12_bag_t bag, unsigned j, const char *pw,
			int have_mac, struct ec_pfx *out, struct ec_err *e)
{
	int type = gnutls_pkcs12_bag_get_type(bag, j);
	gnutls_datum_t d;
	char *fn = NULL, *name = NULL;
	int r;

	if (type != GNUTLS_BAG_CERTIFICATE && type != GNUTLS_BAG_PKCS8_KEY &&
	    type != GNUTLS_BAG_PKCS8_ENCRYPTED_KEY) {
		out->nother++;	/* CRLs, secrets, unknown bags */
		return 0;
	}
	if ((r = gnutls_pkcs12_bag_get_data(bag, j, &d)) < 0)
		return ec_fail(e, EC_BAD_INPUT, "a bag in the file is damaged: "
			       "%s", gnutls_strerror(r));
	if (gnutls_pkcs12_bag_get_friendly_name(bag, j, &fn) == 0 && fn &&
	    !(name = strdup(fn)))
		return ec_fail(e, EC_INTERNAL, "out of memory");
	if (type == GNUTLS_BAG_CERTIFICATE)
		r = take_crt(&d, name, out, e);
	else
		r = take_key(&d, type == GNUTLS_BAG_PKCS8_ENCRYPTED_KEY, pw,
			     have_mac, name, out, e);
	if (r < 0)
		free(name);
	/* on success name belongs to out (take_crt, take_key) */
	return r; /* NOLINT(clang-analyzer-unix.Malloc) */
}

static int open_bag(gnutls_pkcs12_bag_t bag, const char *pw, int have_mac,
		    struct ec_pfx *out, struct ec_err *e)
{
	unsigned schema, cipher, iter = 0;
	unsigned char salt[256];
	unsigned salt_size = sizeof(salt);
	char *oid = NULL;
	int r;

	if (gnutls_pkcs12_bag_get_type(bag, 0) != GNUTLS_BAG_ENCRYPTED)
		return 0;
	r = gnutls_pkcs12_bag_enc_info(bag, &schema, &cipher, salt, &salt_size,
				       &iter, &oid);
	if (r < 0) {
		enc_unusable("certificates' encryption", oid, r, e);
		gnutls_free(oid);
		return -1;
	}
	gnutls_free(oid);
	if (too_many(iter, "certificates' encryption", e) < 0 ||
	    spend(out, iter, e) < 0)
		return -1;
	if ((r = gnutls_pkcs12_bag_decrypt(bag, pw)) < 0)
		return decrypt_failed(r, have_mac, "certificates", e);
	return 0;
}

/* Bag i of the file: from the scan's part i, which GnuTLS decodes alone,
 * rather than through gnutls_pkcs12_get_bag(p12, i), which decodes the
 * whole AuthenticatedSafe again for every i.  Without parts (a file the
 * scan left to GnuTLS), from p12. */
static int get_bag(gnutls_pkcs12_t p12, const struct ec_p12_scan *scan,
		   int i, gnutls_pkcs12_bag_t bag)
{
	gnutls_pkcs12_t part;
	gnutls_datum_t d;
	int r;

	if (!scan->npart)
		return gnutls_pkcs12_get_bag(p12, i, bag);
	if ((size_t)i >= scan->npart)
		return GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE;
	d.data = scan->part[i];
	d.size = (unsigned)scan->part_len[i];
	if ((r = gnutls_pkcs12_init(&part)) < 0)
		return r;
	if ((r = gnutls_pkcs12_import(part, &d, GNUTLS_X509_FMT_DER, 0)) == 0)
		r = gnutls_pkcs12_get_bag(part, 0, bag);
	gnutls_pkcs12_deinit(part);
	return r;
}

static int read_bags(gnutls_pkcs12_t p12, const struct ec_p12_scan *scan,
		     const char *pw, int have_mac, struct ec_pfx *out,
		     struct ec_err *e)
{
	gnutls_pkcs12_bag_t bag = NULL;
	int r = -1, n;

	out->work = out->mac ? out->mac_iter : 0;
	out->nbags = 0;
	for (int i = 0;; i++) {
		if (gnutls_pkcs12_bag_init(&bag) < 0)
			return ec_fail(e, EC_INTERNAL, "out of memory");
		r = get_bag(p12, scan, i, bag);
		if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (r < 0) {
			ec_fail(e, EC_BAD_INPUT, "the file is damaged: %s",
				gnutls_strerror(r));
			goto out;
		}
		if ((r = open_bag(bag, pw, have_mac, out, e)) < 0)
			goto out;
		n = gnutls_pkcs12_bag_get_count(bag);
		out->nbags += n > 0 ? (size_t)n : 0;
		if (out->nbags > EC_P12_BAGS_MAX) {
			r = ec_fail(e, EC_BAD_INPUT, "the file holds more than "
				    "%d bags: refused", EC_P12_BAGS_MAX);
			goto out;
		}
		for (int j = 0; j < n; j++)
			if ((r = take_element(bag, (unsigned)j, pw, have_mac,
					      out, e)) < 0)
				goto out;
		gnutls_pkcs12_bag_deinit(bag);
		bag = NULL;
	}
	r = 0;
out:
	if (bag)
		gnutls_pkcs12_bag_deinit(bag);
	return r;
}

/* Without a MAC the password can only be tested by decrypting. */
static int read_unmacked(gnutls_pkcs12_t p12, const struct ec_p12_scan *scan,
			 const char *pass, struct ec_pfx *out,
			 struct ec_err *e)
{
	const char *cand[2];
	enum ec_pfx_pass kind[2];
	int ncand = candidates(pass, cand, kind), r = -1;

	for (int i = 0; i < ncand; i++) {
		r = read_bags(p12, scan, cand[i], 0, out, e);
		if (r == 0) {
			out->pass = kind[i];
			break;
		}
		if (e->code != EC_BAD_PASSWORD)
			break;
		ec_pfx_free(out);
	}
	return r;
}

/* A key bag's friendlyName in a CryptoAPI export is its key container's
 * name (a GUID, with the CSP name beside it), not the certificate's:
 * moved to key_container, with key_provider. */
static int containers(const gnutls_datum_t *der, struct ec_pfx *out,
		      struct ec_err *e)
{
	struct ec_pfx_csp *csp = NULL;
	size_t ncsp = 0;

	if (!(out->key_container = calloc(out->nkey + 1, sizeof(char *))) ||
	    !(out->key_provider = calloc(out->nkey + 1, sizeof(char *))) ||
	    ec_pfx_csp_read(der->data, der->size, &csp, &ncsp) < 0)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	for (size_t k = 0; k < out->nkey; k++) {
		const char *fn = out->key_name[k];
		const char *prov = NULL;

		for (size_t i = 0; i < ncsp && !prov; i++)
			if ((fn && csp[i].container &&
			     strcmp(fn, csp[i].container) == 0) ||
			    (!csp[i].container && out->nkey == 1))
				prov = csp[i].provider;
		if (prov && !(out->key_provider[k] = strdup(prov))) {
			ec_pfx_csp_free(csp, ncsp);
			return ec_fail(e, EC_INTERNAL, "out of memory");
		}
		if (fn && (prov || ec_pfx_is_container(fn))) {
			out->key_container[k] = out->key_name[k];
			out->key_name[k] = NULL;
		}
	}
	ec_pfx_csp_free(csp, ncsp);
	return 0;
}

int ec_pfx_read(const unsigned char *data, size_t len, const char *pass,
		struct ec_pfx *out, struct ec_err *e)
{
	struct ec_armor a;
	gnutls_datum_t der = { NULL, 0 };
	gnutls_pkcs12_t p12 = NULL;
	struct ec_p12_scan scan = { 0 };
	const char *pw = pass;
	int r;

	memset(out, 0, sizeof(*out));
	if (outer_der(data, len, &a, e) < 0)
		return -1;
	der.data = a.obj[0].der;
	der.size = (unsigned)a.obj[0].len;
	if ((r = gnutls_pkcs12_init(&p12)) < 0) {
		r = ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
		goto out;
	}
	if ((r = gnutls_pkcs12_import(p12, &der, GNUTLS_X509_FMT_DER, 0)) < 0) {
		r = ec_fail(e, EC_BAD_INPUT, "not a PKCS#12 file, or a damaged "
			    "one: %s", gnutls_strerror(r));
		goto out;
	}
	/* the limits (p12scan.h), before any key is derived */
	if ((r = ec_p12_scan(der.data, der.size, &scan, e)) < 0)
		goto out;
	if ((r = check_mac(p12, pass, out, &pw, e)) < 0)
		goto out;
	if (out->mac)
		r = read_bags(p12, &scan, pw, 1, out, e);
	else
		r = read_unmacked(p12, &scan, pass, out, e);
	if (r == 0)
		r = containers(&der, out, e);
out:
	ec_p12_scan_free(&scan);
	if (r < 0)
		ec_pfx_free(out);
	if (p12)
		gnutls_pkcs12_deinit(p12);
	ec_armor_free(&a);	/* wiped */
	return r;
}

void ec_pfx_free(struct ec_pfx *p)
{
	for (size_t i = 0; i < p->ncrt; i++) {
		gnutls_x509_crt_deinit(p->crt[i]);
		free(p->crt_name[i]);
	}
	for (size_t i = 0; i < p->nkey; i++) {
		gnutls_x509_privkey_deinit(p->key[i]);
		free(p->key_name[i]);
		if (p->key_container)
			free(p->key_container[i]);
		if (p->key_provider)
			free(p->key_provider[i]);
	}
	free(p->key_container);
	free(p->key_provider);
	p->key_container = p->key_provider = NULL;
	free(p->crt);
	free(p->crt_name);
	free(p->key);
	free(p->key_name);
	p->crt = NULL;
	p->crt_name = NULL;
	p->key = NULL;
	p->key_name = NULL;
	p->ncrt = p->nkey = p->nother = 0;
}

/* Name and localKeyID on element idx of bag. */
static int label(gnutls_pkcs12_bag_t bag, int idx, const char *name,
		 const gnutls_datum_t *id)
{
	int r = gnutls_pkcs12_bag_set_key_id(bag, (unsigned)idx, id);

	if (r >= 0 && name)
		r = gnutls_pkcs12_bag_set_friendly_name(bag, (unsigned)idx,
							name);
	return r;
}

static int crt_bag(gnutls_pkcs12_t p12, gnutls_x509_crt_t *crt, size_t n,
		   const char *name, const gnutls_datum_t *id,
		   const char *pass, unsigned flags)
{
	gnutls_pkcs12_bag_t bag;
	int r, idx;

	if ((r = gnutls_pkcs12_bag_init(&bag)) < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if ((idx = r = gnutls_pkcs12_bag_set_crt(bag, crt[i])) < 0)
			goto out;
		if (i == 0 && (r = label(bag, idx, name, id)) < 0)
			goto out;
	}
	if ((r = gnutls_pkcs12_bag_encrypt(bag, pass, flags)) < 0)
		goto out;
	r = gnutls_pkcs12_set_bag(p12, bag);
out:
	gnutls_pkcs12_bag_deinit(bag);
	return r;
}

static int key_bag(gnutls_pkcs12_t p12, gnutls_x509_privkey_t key,
		   const char *name, const gnutls_datum_t *id,
		   const char *pass, unsigned flags)
{
	gnutls_pkcs12_bag_t bag;
	int r, idx;

	if ((r = gnutls_pkcs12_bag_init(&bag)) < 0)
		return r;
	idx = r = gnutls_pkcs12_bag_set_privkey(bag, key, pass, flags);
	if (r >= 0 && (r = label(bag, idx, name, id)) >= 0)
		r = gnutls_pkcs12_set_bag(p12, bag);
	gnutls_pkcs12_bag_deinit(bag);
	return r;
}

/* Sign with the MAC the profile wants, and check that GnuTLS's iteration
 * count is one Windows takes. */
static int add_mac(gnutls_pkcs12_t p12, gnutls_mac_algorithm_t mac,
		   const char *pass, struct ec_err *e)
{
	unsigned algo, iter = 0;
	unsigned char salt[64];
	unsigned salt_size = sizeof(salt);
	int r;

	if ((r = gnutls_pkcs12_generate_mac2(p12, mac, pass)) < 0 ||
	    (r = gnutls_pkcs12_mac_info(p12, &algo, salt, &salt_size, &iter,
					NULL)) < 0)
		return ec_fail(e, EC_INTERNAL, "cannot make the PKCS#12 "
			       "file's MAC: %s", gnutls_strerror(r));
	if (iter > EC_PFX_MAC_ITER_MAX)
		return ec_fail(e, EC_INTERNAL, "GnuTLS made a MAC with %u "
			       "iterations, more than Windows accepts (%u)",
			       iter, EC_PFX_MAC_ITER_MAX);
	return 0;
}

int ec_pfx_write(gnutls_x509_privkey_t key, gnutls_x509_crt_t *crt,
		 size_t n, const char *name, const char *pass,
		 enum ec_pfx_profile profile, gnutls_datum_t *out,
		 struct ec_err *e)
{
	unsigned flags = profile == EC_PFX_COMPAT ? GNUTLS_PKCS_PKCS12_3DES :
			 GNUTLS_PKCS_PBES2_AES_256;
	gnutls_mac_algorithm_t mac = profile == EC_PFX_COMPAT ?
				     GNUTLS_MAC_SHA1 : GNUTLS_MAC_SHA256;
	unsigned char sha1[20];
	size_t idlen = sizeof(sha1);
	gnutls_datum_t id = { sha1, 0 };
	gnutls_pkcs12_t p12 = NULL;
	int r;

	out->data = NULL;
	out->size = 0;
	/* NSS and Java read no file without a MAC or with a plain key bag:
	 * no password is the empty one, as openssl -passout pass: has it */
	if (!pass)
		pass = "";
	if ((r = gnutls_x509_crt_get_fingerprint(crt[0], GNUTLS_DIG_SHA1, sha1,
						 &idlen)) < 0)
		goto fail;
	id.size = (unsigned)idlen;
	if ((r = gnutls_pkcs12_init(&p12)) < 0 ||
	    (r = crt_bag(p12, crt, n, name, &id, pass, flags)) < 0 ||
	    (r = key_bag(p12, key, name, &id, pass, flags)) < 0)
		goto fail;
	if (add_mac(p12, mac, pass, e) < 0) {
		gnutls_pkcs12_deinit(p12);
		return -1;
	}
	if ((r = gnutls_pkcs12_export2(p12, GNUTLS_X509_FMT_DER, out)) < 0)
		goto fail;
	gnutls_pkcs12_deinit(p12);
	return 0;
fail:
	if (p12)
		gnutls_pkcs12_deinit(p12);
	return ec_fail(e, EC_INTERNAL, "cannot make the PKCS#12 file: %s",
		       gnutls_strerror(r));
}
