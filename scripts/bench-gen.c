/* bench-gen.c: a store of N certificates for scripts/bench, written in the
 * layout of edgecert(1), FILES, directly (no edgecert run per object).
 *
 *   bench-gen DIR N
 *
 * One ECDSA P-256 key is reused: a self-signed root in root/, and N
 * server certificates it signs, serials 1..N, in personal/ with their
 * .meta (friendly_name "scale I", exportable, sha256, added), their
 * <sha256>.sha256 and <H>-<sha1>.name aliases and .key
 * (one file, hard-linked as often as the file system lets, to spare the
 * disk).  DIR/target gets the
 * SHA-1 of certificate N/2+1, DIR/root.pem the root.
 *
 *   bench-gen --bundle FILE N
 *
 * A PEM bundle of N distinct server certificates signed by one root (the
 * same key), then the root: the hostile bundle of issue 22, item 3, for
 * scripts/bench --hostile.  Without extended key usage and with short
 * names, so that 60,000 of them (31 MiB) stay under edgecert's input
 * limit of 32 MiB.  Built by scripts/bench against GnuTLS only. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#define CHECK(x) do { int r_ = (x); if (r_ < 0) { \
	fprintf(stderr, "bench-gen: %s: %s\n", #x, gnutls_strerror(r_)); \
	exit(1); } } while (0)

static void die(const char *what, const char *path)
{
	fprintf(stderr, "bench-gen: %s '%s': %s\n", what, path,
		strerror(errno));
	exit(1);
}

static void put(const char *path, const void *p, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, p, n) != (ssize_t)n || close(fd) < 0)
		die("cannot write", path);
}

static void hex(const unsigned char *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void ids(gnutls_x509_crt_t crt, char sha1[41], char sha256[65])
{
	unsigned char d[32];
	size_t n = sizeof(d);

	CHECK(gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA1, d, &n));
	hex(d, 20, sha1);
	n = sizeof(d);
	CHECK(gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, d, &n));
	hex(d, 32, sha256);
}

/* personal/<H>-<sha1>.name, H the first 16 hex digits of the SHA-256 of
 * the friendly name "scale I" (see certstore.h) */
static void name_alias(char *path, size_t n, const char *dir,
		       unsigned long i, const char *sha1)
{
	char fn[64], h[65];
	unsigned char d[32];

	snprintf(fn, sizeof(fn), "scale %lu", i);
	CHECK(gnutls_hash_fast(GNUTLS_DIG_SHA256, fn, strlen(fn), d));
	hex(d, 8, h);
	snprintf(path, n, "%s/personal/%s-%s.name", dir, h, sha1);
}

/* lean: no extended key usage (the bundle's leaves: 60,000 of them stay
 * under edgecert's 32 MiB input limit) */
static void make(gnutls_x509_crt_t *out, unsigned long serial,
		 const char *cn, gnutls_x509_privkey_t key,
		 gnutls_x509_crt_t issuer, gnutls_x509_privkey_t ikey,
		 time_t now, int lean)
{
	gnutls_x509_crt_t c;
	unsigned char sn[8];
	int ca = issuer == NULL;

	for (int i = 7; i >= 0; i--, serial >>= 8)
		sn[i] = (unsigned char)(serial & 0xff);
	sn[0] &= 0x7f;
	CHECK(gnutls_x509_crt_init(&c));
	CHECK(gnutls_x509_crt_set_version(c, 3));
	CHECK(gnutls_x509_crt_set_serial(c, sn, sizeof(sn)));
	CHECK(gnutls_x509_crt_set_dn_by_oid(c, GNUTLS_OID_X520_COMMON_NAME, 0,
					    cn, (unsigned)strlen(cn)));
	CHECK(gnutls_x509_crt_set_key(c, key));
	CHECK(gnutls_x509_crt_set_activation_time(c, now - 86400));
	CHECK(gnutls_x509_crt_set_expiration_time(c, now + 365L * 86400 *
						  (ca ? 10 : 1)));
	CHECK(gnutls_x509_crt_set_basic_constraints(c, ca, -1));
	if (ca) {
		CHECK(gnutls_x509_crt_set_key_usage(c, GNUTLS_KEY_KEY_CERT_SIGN
						    | GNUTLS_KEY_CRL_SIGN));
	} else {
		CHECK(gnutls_x509_crt_set_key_usage(c,
					GNUTLS_KEY_DIGITAL_SIGNATURE));
		if (!lean)
			CHECK(gnutls_x509_crt_set_key_purpose_oid(c,
					GNUTLS_KP_TLS_WWW_SERVER, 0));
		CHECK(gnutls_x509_crt_set_subject_alt_name(c, GNUTLS_SAN_DNSNAME,
					cn, (unsigned)strlen(cn),
					GNUTLS_FSAN_SET));
	}
	CHECK(gnutls_x509_crt_sign2(c, ca ? c : issuer, ca ? key : ikey,
				    GNUTLS_DIG_SHA256, 0));
	*out = c;
}

static int bundle(const char *file, unsigned long n, time_t now)
{
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t root, c;
	gnutls_datum_t pem;
	char cn[64];
	FILE *f = fopen(file, "w");

	if (!f)
		die("cannot create", file);
	CHECK(gnutls_x509_privkey_init(&key));
	CHECK(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
			GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0));
	make(&root, 1, "Bench Hostile Root", key, NULL, NULL, now, 1);
	for (unsigned long i = 1; i <= n; i++) {
		snprintf(cn, sizeof(cn), "h%lu.b.example", i);
		make(&c, i + 1, cn, key, root, key, now, 1);
		CHECK(gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_PEM, &pem));
		fwrite(pem.data, 1, pem.size, f);
		gnutls_free(pem.data);
		gnutls_x509_crt_deinit(c);
	}
	CHECK(gnutls_x509_crt_export2(root, GNUTLS_X509_FMT_PEM, &pem));
	fwrite(pem.data, 1, pem.size, f);
	gnutls_free(pem.data);
	if (fclose(f) != 0)
		die("cannot write", file);
	gnutls_x509_crt_deinit(root);
	gnutls_x509_privkey_deinit(key);
	return 0;
}

int main(int argc, char **argv)
{
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t root, c;
	gnutls_datum_t pem, kpem;
	char path[4096], keypath[4096], sha1[41], sha256[65], cn[64],
	     meta[512], added[32];
	const char *dir;
	unsigned long n, target;
	time_t now = time(NULL);

	if (argc == 4 && strcmp(argv[1], "--bundle") == 0 &&
	    (n = strtoul(argv[3], NULL, 10)) > 0)
		return bundle(argv[2], n, now);
	if (argc != 3 || (n = strtoul(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "usage: bench-gen DIR N | --bundle FILE N\n");
		return 2;
	}
	dir = argv[1];
	target = n / 2 + 1;
	strftime(added, sizeof(added), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	if (mkdir(dir, 0700) < 0)
		die("cannot create", dir);
	const char *secs[] = { "personal", "ca", "root", "crl", "pending",
			       "assigned" };
	for (size_t i = 0; i < sizeof(secs) / sizeof(*secs); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, secs[i]);
		if (mkdir(path, 0700) < 0)
			die("cannot create", path);
	}
	snprintf(path, sizeof(path), "%s/VERSION", dir);
	put(path, "1\n", 2, 0644);

	CHECK(gnutls_x509_privkey_init(&key));
	CHECK(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
			GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0));
	CHECK(gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL,
						GNUTLS_PKCS_PLAIN, &kpem));
	make(&root, 1, "Bench Scale Root", key, NULL, NULL, now, 0);
	CHECK(gnutls_x509_crt_export2(root, GNUTLS_X509_FMT_PEM, &pem));
	ids(root, sha1, sha256);
	snprintf(path, sizeof(path), "%s/root/%s.pem", dir, sha1);
	put(path, pem.data, pem.size, 0644);
	snprintf(path, sizeof(path), "%s/root/%s.sha256", dir, sha256);
	snprintf(cn, sizeof(cn), "%s\n", sha1);
	put(path, cn, strlen(cn), 0644);
	snprintf(path, sizeof(path), "%s/root.pem", dir);
	put(path, pem.data, pem.size, 0644);
	gnutls_free(pem.data);

	keypath[0] = '\0';
	for (unsigned long i = 1; i <= n; i++) {
		int len;

		snprintf(cn, sizeof(cn), "s%lu.bench.example", i);
		make(&c, i + 1, cn, key, root, key, now, 0);
		CHECK(gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_PEM, &pem));
		ids(c, sha1, sha256);
		snprintf(path, sizeof(path), "%s/personal/%s.pem", dir, sha1);
		put(path, pem.data, pem.size, 0644);
		gnutls_free(pem.data);
		gnutls_x509_crt_deinit(c);
		len = snprintf(meta, sizeof(meta), "friendly_name=scale %lu\n"
			       "exportable=true\nadded=%s\nsha256=%s\n", i,
			       added, sha256);
		snprintf(path, sizeof(path), "%s/personal/%s.meta", dir, sha1);
		put(path, meta, (size_t)len, 0644);
		snprintf(path, sizeof(path), "%s/personal/%s.sha256", dir,
			 sha256);
		len = snprintf(meta, sizeof(meta), "%s\n", sha1);
		put(path, meta, (size_t)len, 0644);
		name_alias(path, sizeof(path), dir, i, sha1);
		put(path, meta, (size_t)len, 0644);
		snprintf(path, sizeof(path), "%s/personal/%s.key", dir, sha1);
		/* a new file when the file system's link count runs out */
		if (!keypath[0] || (link(keypath, path) < 0 &&
				    errno == EMLINK)) {
			put(path, kpem.data, kpem.size, 0600);
			snprintf(keypath, sizeof(keypath), "%s", path);
		} else if (access(path, F_OK) < 0) {
			die("cannot link", path);
		}
		if (i == target) {
			char t[4096];

			snprintf(t, sizeof(t), "%s/target", dir);
			put(t, sha1, 40, 0644);
		}
	}
	gnutls_free(kpem.data);
	gnutls_x509_crt_deinit(root);
	gnutls_x509_privkey_deinit(key);
	return 0;
}
