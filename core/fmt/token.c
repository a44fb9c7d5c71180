#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/pkcs11.h>
#include <p11-kit/pkcs11.h>

#include "buf.h"
#include "keywrap.h"
#include "token.h"

#define CKA_ID_LEN 20

static char *token_of(const char *key_url);
static int key_obj(struct ec_token *t, const char *key_url,
		   gnutls_pkcs11_obj_t *obj, unsigned char *id, size_t *nid,
		   struct ec_err *e);

struct ec_token {
	char *pin;		/* NULL: none given */
	int asked;		/* the token wanted a PIN we do not have */
	int wrong;		/* the token refused the PIN */
};

/* GnuTLS' PIN callback; userdata is the token.  A PIN is given once: a
 * second request means the first was wrong, and a retry would only count
 * down the token's tries. */
static int pin_cb(void *userdata, int attempt, const char *token_url,
		  const char *token_label, unsigned flags, char *pin,
		  size_t pin_max)
{
	struct ec_token *t = userdata;
	size_t n;

	(void)token_url;
	(void)token_label;
	if (!t->pin) {
		t->asked = 1;
		return -1;
	}
	if (attempt > 0 || (flags & GNUTLS_PIN_WRONG)) {
		t->wrong = 1;
		return -1;
	}
	n = strlen(t->pin);
	if (n >= pin_max)
		return -1;
	memcpy(pin, t->pin, n + 1);
	return 0;
}

/* A GnuTLS error of a token operation, as the right code: a refused PIN
 * is bad-password, a missing one usage, an absent object not-found. */
static int fail_token(struct ec_token *t, struct ec_err *e, int r,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail_token(struct ec_token *t, struct ec_err *e, int r,
		      const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (t->asked && !t->wrong)
		return ec_fail(e, EC_USAGE, "%s: the token asks for its PIN: "
			       "give --pin-file, --pin-env or --pin-fd", what);
	if (t->wrong || r == GNUTLS_E_PKCS11_PIN_ERROR ||
	    r == GNUTLS_E_PKCS11_PIN_EXPIRED ||
	    r == GNUTLS_E_PKCS11_PIN_LOCKED)
		return ec_fail(e, EC_BAD_PASSWORD, "%s: the token refused the "
			       "PIN", what);
	if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE ||
	    r == GNUTLS_E_PKCS11_REQUESTED_OBJECT_NOT_AVAILBLE ||
	    r == GNUTLS_E_PKCS11_SLOT_ERROR ||
	    r == GNUTLS_E_PKCS11_TOKEN_ERROR)
		return ec_fail(e, EC_NOT_FOUND, "%s: %s", what,
			       gnutls_strerror(r));
	return ec_fail(e, EC_IO, "%s: %s", what, gnutls_strerror(r));
}

int ec_token_open(struct ec_token **out, const char *module, const char *pin,
		  struct ec_err *e)
{
	struct ec_token *t = calloc(1, sizeof(*t));
	int r;

	*out = NULL;
	if (!t || (pin && !(t->pin = strdup(pin)))) {
		free(t);
		return ec_fail(e, EC_INTERNAL, "out of memory");
	}
	r = gnutls_pkcs11_init(module ? GNUTLS_PKCS11_FLAG_MANUAL :
			       GNUTLS_PKCS11_FLAG_AUTO, NULL);
	if (r == 0 && module)
		r = gnutls_pkcs11_add_provider(module, NULL);
	if (r < 0) {
		ec_token_close(t);
		return ec_fail(e, r == GNUTLS_E_PKCS11_LOAD_ERROR ? EC_NOT_FOUND
			       : EC_IO, "cannot load the PKCS#11 module%s%s%s: "
			       "%s", module ? " '" : "", module ? module : "",
			       module ? "'" : "", gnutls_strerror(r));
	}
	gnutls_pkcs11_set_pin_function(pin_cb, t);
	*out = t;
	return 0;
}

void ec_token_close(struct ec_token *t)
{
	if (!t)
		return;
	gnutls_pkcs11_set_pin_function(NULL, NULL);
	if (t->pin) {
		gnutls_memset(t->pin, 0, strlen(t->pin));
		free(t->pin);
	}
	free(t);
}

int ec_token_url_ok(const char *url, struct ec_err *e)
{
	if (strncmp(url, "pkcs11:", 7) != 0)
		return ec_fail(e, EC_USAGE, "--token wants a pkcs11: URL "
			       "(pkcs11:token=LABEL), not '%s'", url);
	if (strchr(url, '?'))
		return ec_fail(e, EC_USAGE, "--token '%s': no query part "
			       "(the PIN comes from --pin-file, --pin-env or "
			       "--pin-fd)", url);
	return 0;
}

int ec_token_find(struct ec_token *t, const char *url, struct ec_err *e)
{
	unsigned flags = 0;
	int r = gnutls_pkcs11_token_get_flags(url, &flags);

	(void)t;
	if (r == GNUTLS_E_PARSING_ERROR || r == GNUTLS_E_INVALID_REQUEST)
		return ec_fail(e, EC_USAGE, "--token '%s' is not a PKCS#11 URL: "
			       "%s", url, gnutls_strerror(r));
	if (r < 0)
		return ec_fail(e, EC_NOT_FOUND, "no PKCS#11 token matches '%s'",
			       url);
	return 0;
}

/* url with ";id=%xx..." for cid added. */
static char *with_id(const char *url, const unsigned char *id, size_t n)
{
	struct ec_buf b = { 0 };
	size_t len = strlen(url);

	ec_buf_adds(&b, url);
	if (len && url[len - 1] != ':' && url[len - 1] != ';')
		ec_buf_addc(&b, ';');
	ec_buf_adds(&b, "id=");
	for (size_t i = 0; i < n; i++)
		ec_buf_addf(&b, "%%%02x", id[i]);
	if (b.oom) {
		ec_buf_free(&b);
		return NULL;
	}
	return b.p;
}

/* The private key of url with CKA_ID cid, by its full URL. */
static int key_url_of(struct ec_token *t, const char *url,
		      const unsigned char *cid, char **key_url,
		      struct ec_err *e)
{
	gnutls_pkcs11_obj_t *objs = NULL;
	unsigned n = 0;
	char *u = with_id(url, cid, CKA_ID_LEN);
	int r;

	if (!u)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	r = gnutls_pkcs11_obj_list_import_url4(&objs, &n, u,
			GNUTLS_PKCS11_OBJ_FLAG_PRIVKEY |
			GNUTLS_PKCS11_OBJ_FLAG_LOGIN);
	free(u);
	if (r < 0)
		return fail_token(t, e, r, "cannot find the new key in '%s'",
				  url);
	if (n != 1)
		r = ec_fail(e, EC_IO, "the token holds %u keys with the new "
			    "key's CKA_ID", n);
	else if ((r = gnutls_pkcs11_obj_export_url(objs[0],
			GNUTLS_PKCS11_URL_GENERIC, key_url)) < 0)
		r = fail_token(t, e, r, "cannot name the new key");
	for (unsigned i = 0; i < n; i++)
		gnutls_pkcs11_obj_deinit(objs[i]);
	gnutls_free(objs);
	return r < 0 ? -1 : 0;
}

static unsigned store_flags(int exportable)
{
	return GNUTLS_PKCS11_OBJ_FLAG_LOGIN |
	       GNUTLS_PKCS11_OBJ_FLAG_MARK_SENSITIVE |
	       GNUTLS_PKCS11_OBJ_FLAG_MARK_PRIVATE |
	       (exportable ? GNUTLS_PKCS11_OBJ_FLAG_MARK_EXTRACTABLE : 0);
}

/* Hand the URL GnuTLS allocated over to malloc'd memory. */
static int own_url(char *g, char **out, struct ec_err *e)
{
	if (!g) {
		*out = NULL;
		return ec_fail(e, EC_INTERNAL, "the token gave no URL for the key");
	}
	*out = strdup(g);
	gnutls_free(g);
	return *out ? 0 : ec_fail(e, EC_INTERNAL, "out of memory");
}

/* GnuTLS 3.7's gnutls_pkcs11_privkey_generate3 never sets CKA_EXTRACTABLE,
 * and a token (SoftHSM2 among them) then makes the key unextractable, for
 * good: the attribute can only go from true to false.  An exportable key
 * is therefore made here and written into the token extractable. */
static int generate_exportable(struct ec_token *t, const char *url,
			       gnutls_pk_algorithm_t pk, unsigned bits,
			       const char *label, char **key_url,
			       struct ec_err *e)
{
	gnutls_x509_privkey_t key;
	int r;

	if ((r = gnutls_x509_privkey_init(&key)) < 0)
		return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	if ((r = gnutls_x509_privkey_generate2(key, pk, bits, 0, NULL, 0)) < 0)
		r = ec_fail(e, EC_INTERNAL, "cannot make a key: %s",
			    gnutls_strerror(r));
	else
		r = ec_token_import(t, url, key, label, 1, key_url, e);
	gnutls_x509_privkey_deinit(key);
	return r;
}

int ec_token_generate(struct ec_token *t, const char *url,
		      gnutls_pk_algorithm_t pk, unsigned bits,
		      gnutls_ecc_curve_t curve, const char *label,
		      int exportable, char **key_url, struct ec_err *e)
{
	unsigned char id[CKA_ID_LEN];
	gnutls_datum_t cid = { id, sizeof(id) };
	char *g = NULL;
	int r;

	*key_url = NULL;
	if (pk == GNUTLS_PK_ECDSA)
		bits = GNUTLS_CURVE_TO_BITS(curve);
	else if (pk == GNUTLS_PK_EDDSA_ED25519)
		bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_ED25519);
	if (exportable)
		return generate_exportable(t, url, pk, bits, label, key_url, e);
	if ((r = gnutls_rnd(GNUTLS_RND_NONCE, id, sizeof(id))) < 0)
		return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	r = gnutls_pkcs11_privkey_generate3(url, pk, bits, label, &cid,
					    GNUTLS_X509_FMT_DER, NULL,
					    GNUTLS_KEY_DIGITAL_SIGNATURE,
					    store_flags(0));
	if (r < 0)
		return fail_token(t, e, r, "cannot make a key in '%s'", url);
	if (key_url_of(t, url, id, &g, e) < 0)
		return -1;
	return own_url(g, key_url, e);
}

/* The public key object beside an imported key, under its CKA_ID, as
 * generation makes one: GnuTLS reads an ECDSA key's public half from it
 * (gnutls_pkcs11_copy_x509_privkey2 writes none). */
static int put_pubkey(struct ec_token *t, const char *url,
		      gnutls_x509_privkey_t key, const char *label,
		      const gnutls_datum_t *cid, struct ec_err *e)
{
	gnutls_privkey_t abs = NULL;
	gnutls_pubkey_t pub = NULL;
	int r;

	if ((r = gnutls_privkey_init(&abs)) < 0 ||
	    (r = gnutls_privkey_import_x509(abs, key, 0)) < 0 ||
	    (r = gnutls_pubkey_init(&pub)) < 0 ||
	    (r = gnutls_pubkey_import_privkey(pub, abs, 0, 0)) < 0)
		r = ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	else if ((r = gnutls_pkcs11_copy_pubkey(url, pub, label, cid,
			GNUTLS_KEY_DIGITAL_SIGNATURE,
			GNUTLS_PKCS11_OBJ_FLAG_LOGIN)) < 0)
		r = fail_token(t, e, r, "cannot write a public key into '%s'",
			       url);
	if (pub)
		gnutls_pubkey_deinit(pub);
	if (abs)
		gnutls_privkey_deinit(abs);
	return r < 0 ? -1 : 0;
}

int ec_token_import(struct ec_token *t, const char *url,
		    gnutls_x509_privkey_t key, const char *label,
		    int exportable, char **key_url, struct ec_err *e)
{
	unsigned char id[CKA_ID_LEN];
	gnutls_datum_t cid = { id, sizeof(id) };
	char *g = NULL;
	int r;

	*key_url = NULL;
	if ((r = gnutls_rnd(GNUTLS_RND_NONCE, id, sizeof(id))) < 0)
		return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	r = gnutls_pkcs11_copy_x509_privkey2(url, key, label, &cid,
					     GNUTLS_KEY_DIGITAL_SIGNATURE,
					     store_flags(exportable));
	if (r < 0)
		return fail_token(t, e, r, "cannot write a key into '%s'", url);
	if (put_pubkey(t, url, key, label, &cid, e) < 0)
		return -1;
	if (key_url_of(t, url, id, &g, e) < 0)
		return -1;
	return own_url(g, key_url, e);
}

int ec_token_privkey(struct ec_token *t, const char *key_url,
		     gnutls_privkey_t *out, struct ec_err *e)
{
	int r;

	if ((r = gnutls_privkey_init(out)) < 0)
		return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	gnutls_privkey_set_pin_function(*out, pin_cb, t);
	r = gnutls_privkey_import_url(*out, key_url, 0);
	if (r < 0) {
		gnutls_privkey_deinit(*out);
		*out = NULL;
		return fail_token(t, e, r, "cannot open the key '%s'", key_url);
	}
	return 0;
}

int ec_token_matches(struct ec_token *t, const char *key_url,
		     gnutls_x509_crt_t crt, struct ec_err *e)
{
	gnutls_privkey_t key = NULL;
	gnutls_pubkey_t pub = NULL;
	unsigned char a[64], b[64];
	size_t na = sizeof(a), nb = sizeof(b);
	int r;

	if (ec_token_privkey(t, key_url, &key, e) < 0)
		return -1;
	if ((r = gnutls_pubkey_init(&pub)) < 0 ||
	    (r = gnutls_pubkey_import_privkey(pub, key, 0, 0)) < 0 ||
	    (r = gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA256, b,
					  &nb)) < 0) {
		r = fail_token(t, e, r, "cannot read the key '%s'", key_url);
		goto out;
	}
	r = gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, a, &na)
	    == 0 && na == nb && memcmp(a, b, na) == 0;
out:
	if (pub)
		gnutls_pubkey_deinit(pub);
	gnutls_privkey_deinit(key);
	return r;
}

/* The key's token: its URL without the object's attributes. */
static char *token_of(const char *key_url)
{
	struct ec_buf b = { 0 };
	const char *p = key_url + 7;

	ec_buf_adds(&b, "pkcs11:");
	while (*p && *p != '?') {
		size_t n = strcspn(p, ";?");

		if (strncmp(p, "id=", 3) != 0 && strncmp(p, "object=", 7) != 0
		    && strncmp(p, "type=", 5) != 0)
			ec_buf_addf(&b, "%s%.*s", b.len > 7 ? ";" : "",
				    (int)n, p);
		p += n;
		if (*p == ';')
			p++;
	}
	if (b.oom) {
		ec_buf_free(&b);
		return NULL;
	}
	return b.p;
}

int ec_token_remove(struct ec_token *t, const char *key_url,
		    struct ec_err *e)
{
	gnutls_pkcs11_obj_t obj = NULL;
	unsigned char id[256] = { 0 };
	size_t nid = sizeof(id);
	char *turl = token_of(key_url), *u = NULL;
	int r = -1;

	if (!turl)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	if (key_obj(t, key_url, &obj, id, &nid, e) < 0)
		goto out;
	if (!(u = with_id(turl, id, nid))) {
		ec_fail(e, EC_INTERNAL, "out of memory");
		goto out;
	}
	if ((r = gnutls_pkcs11_delete_url(u, GNUTLS_PKCS11_OBJ_FLAG_LOGIN)) < 0)
		r = fail_token(t, e, r, "cannot remove the key '%s'", key_url);
	else
		r = 0;
out:
	if (obj)
		gnutls_pkcs11_obj_deinit(obj);
	free(u);
	free(turl);
	return r;
}

/* The key as a PKCS#11 object (logged in), and its CKA_ID. */
static int key_obj(struct ec_token *t, const char *key_url,
		   gnutls_pkcs11_obj_t *obj, unsigned char *id, size_t *nid,
		   struct ec_err *e)
{
	int r;

	if ((r = gnutls_pkcs11_obj_init(obj)) < 0)
		return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	gnutls_pkcs11_obj_set_pin_function(*obj, pin_cb, t);
	if ((r = gnutls_pkcs11_obj_import_url(*obj, key_url,
			GNUTLS_PKCS11_OBJ_FLAG_LOGIN)) < 0 ||
	    (id && (r = gnutls_pkcs11_obj_get_info(*obj, GNUTLS_PKCS11_OBJ_ID,
						   id, nid)) < 0)) {
		gnutls_pkcs11_obj_deinit(*obj);
		*obj = NULL;
		return fail_token(t, e, r, "cannot open the key '%s'", key_url);
	}
	return 0;
}

int ec_token_put_cert(struct ec_token *t, const char *key_url,
		      gnutls_x509_crt_t crt, const char *label,
		      struct ec_err *e)
{
	gnutls_pkcs11_obj_t obj = NULL;
	unsigned char id[256];
	size_t nid = sizeof(id);
	gnutls_datum_t cid;
	char *turl = token_of(key_url);
	int r = -1;

	if (!turl)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	if (key_obj(t, key_url, &obj, id, &nid, e) < 0)
		goto out;
	if (gnutls_pkcs11_crt_is_known(turl, crt,
				       GNUTLS_PKCS11_OBJ_FLAG_COMPARE)) {
		r = 0;
		goto out;
	}
	cid.data = id;
	cid.size = (unsigned)nid;
	r = gnutls_pkcs11_copy_x509_crt2(turl, crt, label, &cid,
					 GNUTLS_PKCS11_OBJ_FLAG_LOGIN);
	if (r < 0)
		r = fail_token(t, e, r, "cannot write the certificate into "
			       "'%s'", turl);
	else
		r = 1;
out:
	if (obj)
		gnutls_pkcs11_obj_deinit(obj);
	free(turl);
	return r;
}

/* Wrap key under a fresh session AES key with CKM_AES_KEY_WRAP (RFC 3394;
 * SoftHSM2 2.6 wraps a private key with it or CKM_AES_KEY_WRAP_PAD, not
 * with CKM_AES_CBC_PAD); the unwrapped bytes are the key's PKCS#8, padded
 * with zeros to whole semiblocks. */
static int wrap(CK_FUNCTION_LIST *f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key,
		const char *key_url, gnutls_datum_t *out, struct ec_err *e)
{
	unsigned char kek[32];
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_AES;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &no, sizeof(no) },
		{ CKA_WRAP, &yes, sizeof(yes) },
		{ CKA_VALUE, kek, sizeof(kek) },
	};
	CK_MECHANISM m = { CKM_AES_KEY_WRAP, NULL, 0 };
	CK_OBJECT_HANDLE wk = CK_INVALID_HANDLE;
	CK_ULONG len = 0;
	unsigned char *buf = NULL, *der = NULL;
	CK_RV rv;
	int r = -1;

	out->data = NULL;
	if (gnutls_rnd(GNUTLS_RND_KEY, kek, sizeof(kek)) < 0)
		return ec_fail(e, EC_INTERNAL, "no random bytes");
	if ((rv = f->C_CreateObject(s, tmpl, 5, &wk)) != CKR_OK) {
		ec_fail(e, EC_IO, "the token cannot make a wrapping key for "
			"'%s' (CK_RV 0x%lx)", key_url, (unsigned long)rv);
		goto out;
	}
	rv = f->C_WrapKey(s, &m, wk, key, NULL, &len);
	if (rv == CKR_OK && !(buf = malloc(len ? len : 1))) {
		ec_fail(e, EC_INTERNAL, "out of memory");
		goto out;
	}
	if (rv == CKR_OK)
		rv = f->C_WrapKey(s, &m, wk, key, buf, &len);
	if (rv == CKR_KEY_UNEXTRACTABLE || rv == CKR_KEY_NOT_WRAPPABLE) {
		ec_fail(e, EC_NOT_EXPORTABLE, "the token refuses to let the "
			"key '%s' out: it is not extractable (CKA_EXTRACTABLE "
			"false)", key_url);
		goto out;
	}
	if (rv != CKR_OK) {
		ec_fail(e, EC_IO, "the token cannot wrap the key '%s' "
			"(CK_RV 0x%lx)", key_url, (unsigned long)rv);
		goto out;
	}
	if (!(der = malloc(len ? len : 1))) {
		ec_fail(e, EC_INTERNAL, "out of memory");
		goto out;
	}
	if (ec_kw_unwrap(kek, buf, len, der) < 0) {
		ec_fail(e, EC_IO, "the token's wrapped key '%s' does not "
			"decrypt", key_url);
		goto out;
	}
	out->data = der;
	out->size = (unsigned)ec_kw_der_len(der, len - 8);
	der = NULL;
	r = 0;
out:
	if (der) {
		gnutls_memset(der, 0, len);
		free(der);
	}
	if (buf) {
		gnutls_memset(buf, 0, len);
		free(buf);
	}
	if (wk != CK_INVALID_HANDLE)
		f->C_DestroyObject(s, wk);
	gnutls_memset(kek, 0, sizeof(kek));
	return r;
}

/* SoftHSM2 wraps an EC key as a PKCS#8 whose ECPrivateKey has no public
 * key (RFC 5915 allows it; GnuTLS 3.7 does not import it): the private
 * scalar from the PKCS#8, the public point from the token.  A GnuTLS
 * error code. */
static int key_from_token(struct ec_token *t, const char *key_url,
			  const gnutls_datum_t *der, gnutls_x509_privkey_t out)
{
	gnutls_datum_t k = { NULL, 0 }, x = { NULL, 0 }, y = { NULL, 0 };
	gnutls_ecc_curve_t curve;
	gnutls_privkey_t key = NULL;
	gnutls_pubkey_t pub = NULL;
	struct ec_err e;
	int r;

	if ((r = ec_kw_ec_scalar(der, &k)) < 0)
		return r;
	if (ec_token_privkey(t, key_url, &key, &e) < 0) {
		r = GNUTLS_E_PKCS11_ERROR;
		goto out;
	}
	if ((r = gnutls_pubkey_init(&pub)) == 0 &&
	    (r = gnutls_pubkey_import_privkey(pub, key, 0, 0)) == 0 &&
	    (r = gnutls_pubkey_export_ecc_raw(pub, &curve, &x, &y)) == 0)
		r = gnutls_x509_privkey_import_ecc_raw(out, curve, &x, &y, &k);
	gnutls_free(x.data);
	gnutls_free(y.data);
	if (pub)
		gnutls_pubkey_deinit(pub);
	gnutls_privkey_deinit(key);
out:
	gnutls_memset(k.data, 0, k.size);
	gnutls_free(k.data);
	return r;
}

int ec_token_extract(struct ec_token *t, const char *key_url,
		     gnutls_x509_privkey_t *out, struct ec_err *e)
{
	gnutls_pkcs11_obj_t obj = NULL;
	gnutls_datum_t der = { NULL, 0 };
	void *fp = NULL, *sp = NULL, *op = NULL;
	unsigned long slot;
	CK_FUNCTION_LIST *f;
	CK_SESSION_HANDLE s;
	int r;

	*out = NULL;
	if (key_obj(t, key_url, &obj, NULL, NULL, e) < 0)
		return -1;
	r = gnutls_pkcs11_obj_get_ptr(obj, &fp, &sp, &op, &slot,
				      GNUTLS_PKCS11_OBJ_FLAG_LOGIN);
	gnutls_pkcs11_obj_deinit(obj);
	if (r < 0)
		return fail_token(t, e, r, "cannot open the key '%s'", key_url);
	f = fp;
	s = (CK_SESSION_HANDLE)(uintptr_t)sp;
	r = wrap(f, s, (CK_OBJECT_HANDLE)(uintptr_t)op, key_url, &der, e);
	f->C_CloseSession(s);
	if (r < 0)
		return -1;
	if ((r = gnutls_x509_privkey_init(out)) == 0 &&
	    (r = gnutls_x509_privkey_import_pkcs8(*out, &der,
			GNUTLS_X509_FMT_DER, NULL, GNUTLS_PKCS_PLAIN)) ==
	    GNUTLS_E_ASN1_ELEMENT_NOT_FOUND)
		r = key_from_token(t, key_url, &der, *out);
	if (r < 0) {
		if (*out)
			gnutls_x509_privkey_deinit(*out);
		*out = NULL;
		r = ec_fail(e, EC_IO, "the key '%s' from the token does not "
			    "decode: %s", key_url, gnutls_strerror(r));
	}
	gnutls_memset(der.data, 0, der.size);
	free(der.data);
	return r < 0 ? -1 : 0;
}
