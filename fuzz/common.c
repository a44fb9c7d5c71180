/* common.c: helpers of the fuzz targets (fuzz.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "cert.h"
#include "csr.h"

char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

void fuzz_use_crt(struct ec_status *st, const char *key, gnutls_x509_crt_t crt)
{
	char sha1[EC_SHA1_HEX], sha256[EC_SHA256_HEX], id[EC_KEYID_HEX];
	struct ec_cert_extra x = { .section = "ca" };
	struct ec_err e;
	char *dn, *cn;

	(void)ec_cert_ids(crt, sha1, sha256, &e);
	(void)ec_keyid_of_crt(crt, id, &e);
	dn = ec_cert_dn(crt, 0);
	free(dn);
	dn = ec_cert_dn(crt, 1);
	free(dn);
	cn = ec_cert_cn(crt);
	free(cn);
	ec_cert_status(st, key, crt, &x);
}

/* kv: every line is key= and a value of '...' pieces joined by \'; a
 * quote inside a value is always '\'' (so eval gives it back whole). */
static void check_kv(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (p[i] < 'a' || p[i] > 'z')
			abort();
		while (i < n && ((p[i] >= 'a' && p[i] <= 'z') ||
				 (p[i] >= '0' && p[i] <= '9') || p[i] == '_'))
			i++;
		if (i >= n || p[i++] != '=')
			abort();
		for (;;) {
			if (i < n && p[i] == '\'') {
				const char *q = memchr(p + i + 1, '\'',
						       n - i - 1);
				if (!q)
					abort();
				i = (size_t)(q - p) + 1;
			} else if (i + 1 < n && p[i] == '\\' &&
				   p[i + 1] == '\'') {
				i += 2;
			} else {
				break;
			}
		}
		if (i >= n || p[i++] != '\n')
			abort();
	}
}

/* json: one line, no control characters in it. */
static void check_json(const char *p, size_t n)
{
	if (n < 3 || p[0] != '{' || p[n - 1] != '\n' || p[n - 2] != '}')
		abort();
	for (size_t i = 0; i + 1 < n; i++)
		if ((unsigned char)p[i] < 0x20)
			abort();
}

void fuzz_finish(struct ec_status *st, const struct ec_err *e)
{
	enum ec_format fmt = ec_status_format(st);
	int fd = memfd_create("fuzz-status", 0);
	off_t n;
	char *p;

	if (fd < 0)
		abort();
	if (ec_status_finish(st, fd, e) < 0)
		abort();
	ec_status_free(st);
	n = lseek(fd, 0, SEEK_END);
	if (n <= 0)
		abort();
	p = malloc((size_t)n);
	if (!p || pread(fd, p, (size_t)n, 0) != n)
		abort();
	if (fmt == EC_FMT_KV)
		check_kv(p, (size_t)n);
	else if (fmt == EC_FMT_JSON)
		check_json(p, (size_t)n);
	free(p);
	close(fd);
}

gnutls_privkey_t fuzz_signer(void)
{
	static gnutls_x509_privkey_t key;
	static gnutls_privkey_t signer;
	struct ec_err e;

	if (!signer &&
	    (ec_key_generate(GNUTLS_PK_ECDSA, 0, GNUTLS_ECC_CURVE_SECP256R1,
			     &key, &e) < 0 || gnutls_privkey_init(&signer) < 0 ||
	     gnutls_privkey_import_x509(signer, key, 0) < 0))
		abort();
	return signer;
}
