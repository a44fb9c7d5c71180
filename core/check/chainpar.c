/* chainpar.c: a bundle's signatures checked on every CPU at once, before
 * its paths are built one by one (chain.h, ec_chainset_presign).
 *
 * Each (extra certificate, candidate issuer) pair is checked once, as
 * ec_chainset_build would check it, and its verdict kept in the chainset.
 * A thread works on the subjects i with i % nthreads == its number, so
 * that each certificate is a subject in one thread only; the issuers are
 * each thread's own copies, made from their DER before the threads start,
 * so that no GnuTLS object is shared between threads (the originals are
 * touched again only after every thread has ended). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "chain.h"

#define PRESIGN_THREADS 8
/* at most this many issuer copies (a few issuers a bundle is the case
 * it is for: a bundle of many CAs is checked one by one instead) */
#define PRESIGN_COPIES 4096

struct pair {
	size_t sub;		/* the subject: extra index */
	long iss;		/* its issuer's slot; -1: itself */
	signed char *out;	/* its verdict */
};

struct share {
	const struct pair *pair;
	size_t npair;
	gnutls_x509_crt_t *sub;		/* extra certificates */
	gnutls_x509_crt_t *copy;	/* this thread's issuers, by slot */
	size_t t, nt;
};

static void *work(void *arg)
{
	const struct share *sh = arg;

	for (size_t p = 0; p < sh->npair; p++) {
		const struct pair *q = &sh->pair[p];
		gnutls_x509_crt_t sub = sh->sub[q->sub];

		if (q->sub % sh->nt != sh->t)
			continue;
		*q->out = (signed char)ec_crt_issued_by(sub, q->iss < 0 ? sub :
							sh->copy[q->iss]);
	}
	return NULL;
}

static size_t cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > PRESIGN_THREADS ? PRESIGN_THREADS : (size_t)n;
}

/* The pairs, their verdicts' places (cs->voff, cs->verdict) and the
 * issuers each pair names (slot[k][j]: pool k's j; iss[s]: slot s's). */
static int plan(struct ec_chainset *cs, struct pair **pair, size_t *npair,
		long **slot, gnutls_x509_crt_t **iss, size_t *niss,
		struct ec_err *e)
{
	size_t n = cs->npool[2], nv = 0, np = 0, ns = 0;

	if (!(cs->voff = malloc((3 * n + 1) * sizeof(size_t))))
		return ec_fail(e, EC_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 3; k++) {
			size_t nc;

			cs->voff[3 * i + k] = nv;
			ec_crtix_issuers(cs->ix[k], cs->pool[2][i], &nc);
			nv += nc;
		}
	cs->voff[3 * n] = nv;
	cs->verdict = malloc(nv ? nv : 1);
	*pair = malloc((nv + n) * sizeof(**pair));
	if (!cs->verdict || !*pair)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	memset(cs->verdict, -1, nv);
	for (int k = 0; k < 3; k++) {
		if (!(slot[k] = malloc((cs->npool[k] ? cs->npool[k] : 1) *
				       sizeof(long))))
			return ec_fail(e, EC_INTERNAL, "out of memory");
		for (size_t j = 0; j < cs->npool[k]; j++)
			slot[k][j] = -1;
	}
	for (size_t i = 0; i < n; i++) {
		/* a certificate twice in the file: its first is the one
		 * ec_chainset_build reads */
		if (ec_crtix_find(cs->ix[2], cs->pool[2][i]) != (long)i)
			continue;
		if (ec_crtix_self_named(cs->ix[2], i))
			(*pair)[np++] = (struct pair){ i, -1,
						       &cs->selfsigned[2][i] };
		else
			cs->selfsigned[2][i] = 0;
		for (int k = 0; k < 3; k++) {
			size_t nc;
			const size_t *c = ec_crtix_issuers(cs->ix[k],
							   cs->pool[2][i], &nc);

			for (size_t j = 0; j < nc; j++) {
				if (slot[k][c[j]] < 0)
					slot[k][c[j]] = (long)ns++;
				(*pair)[np++] = (struct pair){
					i, slot[k][c[j]],
					&cs->verdict[cs->voff[3 * i + k] + j] };
			}
		}
	}
	*npair = np;
	*niss = ns;
	if (!(*iss = calloc(ns ? ns : 1, sizeof(**iss))))
		return ec_fail(e, EC_INTERNAL, "out of memory");
	for (int k = 0; k < 3; k++)
		for (size_t j = 0; j < cs->npool[k]; j++)
			if (slot[k][j] >= 0)
				(*iss)[slot[k][j]] = cs->pool[k][j];
	return 0;
}

/* Thread t's copies of the issuers: 0, or -1 (nothing to free but
 * what *copy holds). */
static int copies(gnutls_x509_crt_t *iss, size_t niss,
		  gnutls_x509_crt_t **copy, struct ec_err *e)
{
	if (!(*copy = calloc(niss ? niss : 1, sizeof(**copy))))
		return ec_fail(e, EC_INTERNAL, "out of memory");
	for (size_t s = 0; s < niss; s++) {
		gnutls_datum_t der = { NULL, 0 };
		int r;

		if (gnutls_x509_crt_export2(iss[s], GNUTLS_X509_FMT_DER,
					    &der) < 0)
			return ec_fail(e, EC_INTERNAL,
				       "cannot copy a certificate");
		r = gnutls_x509_crt_init(&(*copy)[s]);
		if (r >= 0)
			r = gnutls_x509_crt_import((*copy)[s], &der,
						   GNUTLS_X509_FMT_DER);
		gnutls_free(der.data);
		if (r < 0)
			return ec_fail(e, EC_INTERNAL,
				       "cannot copy a certificate: %s",
				       gnutls_strerror(r));
	}
	return 0;
}

int ec_chainset_presign(struct ec_chainset *cs, struct ec_err *e)
{
	size_t nt = cpus(), npair = 0, niss = 0, started = 0;
	struct pair *pair = NULL;
	long *slot[3] = { NULL, NULL, NULL };
	gnutls_x509_crt_t *iss = NULL;
	gnutls_x509_crt_t *copy[PRESIGN_THREADS] = { NULL };
	struct share sh[PRESIGN_THREADS];
	pthread_t th[PRESIGN_THREADS];
	int r = -1;

	if (cs->verdict || cs->npool[2] < EC_PRESIGN_MIN || nt < 2)
		return 0;
	if (plan(cs, &pair, &npair, slot, &iss, &niss, e) < 0)
		goto out;
	if (niss * nt > PRESIGN_COPIES) {
		/* too many issuers to copy: ec_chainset_build checks them */
		memset(cs->verdict, -1, cs->voff[3 * cs->npool[2]]);
		memset(cs->selfsigned[2], -1, cs->npool[2]);
		r = 0;
		goto out;
	}
	for (size_t t = 0; t < nt; t++) {
		if (copies(iss, niss, &copy[t], e) < 0)
			goto out;
		sh[t] = (struct share){ pair, npair, cs->pool[2], copy[t],
					t, nt };
	}
	/* threads 1.. on their own, thread 0's share here; a share whose
	 * thread cannot start is done here too */
	for (size_t t = 1; t < nt; t++)
		if (pthread_create(&th[t], NULL, work, &sh[t]) != 0)
			break;
		else
			started = t;
	work(&sh[0]);
	for (size_t t = started + 1; t < nt; t++)
		work(&sh[t]);
	for (size_t t = 1; t <= started; t++)
		pthread_join(th[t], NULL);
	r = 0;
out:
	for (size_t t = 0; t < nt; t++) {
		for (size_t s = 0; copy[t] && s < niss; s++)
			if (copy[t][s])
				gnutls_x509_crt_deinit(copy[t][s]);
		free(copy[t]);
	}
	free(iss);
	for (int k = 0; k < 3; k++)
		free(slot[k]);
	free(pair);
	if (r < 0) {
		free(cs->voff);
		free(cs->verdict);
		cs->voff = NULL;
		cs->verdict = NULL;
		memset(cs->selfsigned[2], -1, cs->npool[2]);
	}
	return r;
}
