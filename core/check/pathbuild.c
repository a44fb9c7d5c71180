#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "certstore.h"
#include "chain.h"
#include "crtindex.h"
#include "pathbuild.h"

/* Where a candidate comes from, most trusted first: the order of all[]. */
enum kind { K_ROOT, K_SYS, K_CA, K_EXTRA, K_TARGET };

#define KEYID_MAX 64

struct node {
	gnutls_x509_crt_t crt;
	unsigned char kind;
	unsigned char dup;		/* the DER of an earlier node */
	unsigned char info;		/* the attributes below are known */
	unsigned char listed;		/* iss is known */
	/* attributes: */
	time_t nb, na;
	int ca, pathlen, ku_ok, self_issued, weak, hashlen, secp;
	unsigned char ski[KEYID_MAX], aki[KEYID_MAX];
	size_t skilen, akilen;
	unsigned char sk[32];		/* subject and key */
	/* the nodes whose key verifies this one's signature: */
	size_t *iss, niss;
};

struct skient {
	unsigned char id[KEYID_MAX];
	size_t len, node;
};

struct ec_pb {
	gnutls_x509_crt_t *all;		/* roots, system, ca, extra, target */
	struct node *nd;
	size_t n, target;
	struct ec_crtix *ix;
	struct skient *byski;		/* nodes with an SKI, by SKI */
	size_t nbyski;
	size_t *stamp, epoch;		/* candidate listing: seen marks */
	/* owned: */
	gnutls_x509_crt_t *own[3];	/* store roots, system roots, ca */
	size_t nown[3];
};

static int is_anchor(const struct node *x)
{
	return x->kind == K_ROOT || x->kind == K_SYS;
}

static void keyid(gnutls_x509_crt_t crt, int aki, unsigned char *out,
		  size_t *len)
{
	size_t n = KEYID_MAX;
	unsigned crit;
	int r = aki ? gnutls_x509_crt_get_authority_key_id(crt, out, &n,
							   &crit) :
		gnutls_x509_crt_get_subject_key_id(crt, out, &n, &crit);

	*len = r < 0 ? 0 : n;
}

/* Subject and key: the SHA-256 of the key's id and the raw subject. */
static void subject_key(gnutls_x509_crt_t crt, unsigned char out[32])
{
	gnutls_datum_t dn = { NULL, 0 };
	gnutls_hash_hd_t h;
	unsigned char kid[64];
	size_t kl = sizeof(kid);

	memset(out, 0, 32);
	if (gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, kid,
				       &kl) < 0)
		kl = 0;
	if (gnutls_x509_crt_get_raw_dn(crt, &dn) < 0)
		dn.size = 0;
	if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) == 0) {
		gnutls_hash(h, kid, kl);
		gnutls_hash(h, dn.data, dn.size);
		gnutls_hash_deinit(h, out);
	}
	gnutls_free(dn.data);
}

static void attributes(struct node *x)
{
	gnutls_x509_crt_t c = x->crt;
	unsigned crit, ca = 0, bits = 0, ku = 0;
	int pl = -1, alg, pk;
	gnutls_digest_algorithm_t h;

	if (x->info)
		return;
	x->info = 1;
	x->nb = gnutls_x509_crt_get_activation_time(c);
	x->na = gnutls_x509_crt_get_expiration_time(c);
	x->ca = gnutls_x509_crt_get_basic_constraints(c, &crit, &ca, &pl) >= 0
		&& ca;
	x->pathlen = x->ca ? pl : -1;
	x->ku_ok = gnutls_x509_crt_get_key_usage(c, &ku, &crit) < 0 ||
		   (ku & GNUTLS_KEY_KEY_CERT_SIGN);
	x->self_issued = gnutls_x509_crt_check_issuer(c, c) != 0;
	alg = gnutls_x509_crt_get_signature_algorithm(c);
	h = alg < 0 ? GNUTLS_DIG_UNKNOWN :
	    gnutls_sign_get_hash_algorithm((gnutls_sign_algorithm_t)alg);
	x->weak = h == GNUTLS_DIG_MD5 || h == GNUTLS_DIG_MD2 ? 2 :
		  h == GNUTLS_DIG_SHA1 ? 1 : 0;
	x->hashlen = h == GNUTLS_DIG_UNKNOWN ? 64 : (int)gnutls_hash_get_len(h);
	pk = gnutls_x509_crt_get_pk_algorithm(c, &bits);
	x->secp = pk < 0 ? 0 :
		  (int)gnutls_pk_bits_to_sec_param((gnutls_pk_algorithm_t)pk,
						   bits);
	keyid(c, 1, x->aki, &x->akilen);
	subject_key(c, x->sk);
}

static int skient_cmp(const void *a, const void *b)
{
	const struct skient *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->id, y->id, x->len);
}

/* The system's roots, copied out of a trust list of GnuTLS' own. */
static int load_system(struct ec_pb *pb, struct ec_err *e)
{
	gnutls_x509_trust_list_t tl = NULL;
	gnutls_x509_trust_list_iter_t it = NULL;
	gnutls_x509_crt_t c;
	size_t cap = 0;
	int r;

	if ((r = gnutls_x509_trust_list_init(&tl, 0)) < 0)
		return ec_fail(e, EC_INTERNAL, "%s", gnutls_strerror(r));
	if ((r = gnutls_x509_trust_list_add_system_trust(tl, 0, 0)) < 0) {
		gnutls_x509_trust_list_deinit(tl, 1);
		return ec_fail(e, EC_IO, "cannot load the system's trust "
			       "store: %s", gnutls_strerror(r));
	}
	r = 0;
	while (gnutls_x509_trust_list_iter_get_ca(tl, &it, &c) == 0) {
		if (pb->nown[1] == cap) {
			size_t nc = cap ? cap * 2 : 64;
			gnutls_x509_crt_t *v = realloc(pb->own[1],
						       nc * sizeof(*v));

			if (!v) {
				gnutls_x509_crt_deinit(c);
				r = ec_fail(e, EC_INTERNAL, "out of memory");
				break;
			}
			pb->own[1] = v;
			cap = nc;
		}
		pb->own[1][pb->nown[1]++] = c;
	}
	gnutls_x509_trust_list_iter_deinit(it);
	gnutls_x509_trust_list_deinit(tl, 1);
	return r;
}

struct digent {
	const unsigned char *d;		/* SHA-256 of the DER */
	size_t node;
};

static int digent_cmp(const void *a, const void *b)
{
	const struct digent *x = a, *y = b;
	int c = memcmp(x->d, y->d, 32);

	return c ? c : x->node < y->node ? -1 : x->node > y->node;
}

/* The nodes with the DER of an earlier one (more trusted: the order of
 * all[]) are dups; the target is the first with its DER. */
static int mark_dups(struct ec_pb *pb, struct ec_err *e)
{
	struct digent *v = malloc(pb->n * sizeof(*v));

	if (!v)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	for (size_t i = 0; i < pb->n; i++) {
		v[i].d = ec_crtix_digest(pb->ix, i);
		v[i].node = i;
	}
	qsort(v, pb->n, sizeof(*v), digent_cmp);
	for (size_t i = 0, first = 0; i < pb->n; i++) {
		if (i && memcmp(v[i].d, v[i - 1].d, 32) == 0)
			pb->nd[v[i].node].dup = 1;
		else
			first = v[i].node;
		if (v[i].node == pb->n - 1)
			pb->target = first;
	}
	free(v);
	return 0;
}

int ec_pb_new(struct ec_pb **out, struct ec_store *s, gnutls_x509_crt_t crt,
	      gnutls_x509_crt_t *extra, size_t nextra, int system_trust,
	      struct ec_err *e)
{
	static const unsigned char kinds[3] = { K_ROOT, K_SYS, K_CA };
	struct ec_pb *pb = calloc(1, sizeof(*pb));
	size_t n, k = 0;

	*out = NULL;
	if (!pb)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	if (ec_cs_load_all(s, EC_SEC_ROOT, &pb->own[0], &pb->nown[0], e) < 0 ||
	    (system_trust && load_system(pb, e) < 0) ||
	    ec_cs_load_all(s, EC_SEC_CA, &pb->own[2], &pb->nown[2], e) < 0)
		goto fail;
	if (!extra)
		nextra = 0;
	n = pb->nown[0] + pb->nown[1] + pb->nown[2] + nextra + 1;
	pb->all = malloc(n * sizeof(*pb->all));
	pb->nd = calloc(n, sizeof(*pb->nd));
	pb->stamp = calloc(n, sizeof(*pb->stamp));
	pb->byski = malloc(n * sizeof(*pb->byski));
	if (!pb->all || !pb->nd || !pb->stamp || !pb->byski) {
		ec_fail(e, EC_INTERNAL, "out of memory");
		goto fail;
	}
	for (int i = 0; i < 3; i++)
		for (size_t j = 0; j < pb->nown[i]; j++) {
			pb->nd[k].kind = kinds[i];
			pb->all[k++] = pb->own[i][j];
		}
	for (size_t j = 0; j < nextra; j++) {
		pb->nd[k].kind = K_EXTRA;
		pb->all[k++] = extra[j];
	}
	pb->nd[k].kind = K_TARGET;
	pb->all[k++] = crt;
	pb->n = k;
	if (ec_crtix_new(&pb->ix, pb->all, pb->n, e) < 0)
		goto fail;
	if (mark_dups(pb, e) < 0)
		goto fail;
	for (size_t i = 0; i < pb->n; i++) {
		struct node *x = &pb->nd[i];

		x->crt = pb->all[i];
		if (x->dup)
			continue;
		keyid(x->crt, 0, x->ski, &x->skilen);
		if (x->skilen) {
			struct skient *se = &pb->byski[pb->nbyski++];

			memcpy(se->id, x->ski, x->skilen);
			se->len = x->skilen;
			se->node = i;
		}
	}
	qsort(pb->byski, pb->nbyski, sizeof(*pb->byski), skient_cmp);
	*out = pb;
	return 0;
fail:
	ec_pb_free(pb);
	return -1;
}

void ec_pb_free(struct ec_pb *pb)
{
	if (!pb)
		return;
	for (size_t i = 0; pb->nd && i < pb->n; i++)
		free(pb->nd[i].iss);
	ec_crtix_free(pb->ix);
	free(pb->byski);
	free(pb->stamp);
	free(pb->nd);
	free(pb->all);
	for (int i = 0; i < 3; i++)
		ec_cs_free_list(pb->own[i], pb->nown[i]);
	free(pb);
}

struct search {
	struct ec_pb *pb;
	time_t at;
	int sha1_ok;
	int strict;		/* candidates with a defect are not tried */
	ec_pb_check_fn check;
	void *arg;
	struct ec_pb_stats *st;
	size_t lim_sigs, lim_steps, lim_paths;
	size_t path[EC_CHAIN_MAX], n;
	size_t dead[EC_CHAIN_MAX], ndead;	/* the longest dead end */
	gnutls_x509_crt_t pv[EC_CHAIN_MAX];	/* the path for check */
	int psec[EC_CHAIN_MAX];
	size_t unwind;		/* > 0: paths that start with path[0..unwind)
				 * fail: back to replace path[unwind - 1] */
	int anchored;		/* an anchored path was checked */
	int stop;		/* 1: done; 2: over a bound; -1: error */
};

/* Try j as an issuer of node i (once per listing). */
static void try_issuer(struct search *S, size_t i, size_t j,
		       size_t **v, size_t *cap)
{
	struct ec_pb *pb = S->pb;
	struct node *x = &pb->nd[i];

	if (pb->nd[j].dup || j == i || pb->stamp[j] == pb->epoch ||
	    S->stop)
		return;
	pb->stamp[j] = pb->epoch;
	if (S->st->sigs >= S->lim_sigs) {
		S->stop = 2;
		return;
	}
	S->st->sigs++;
	if (!ec_crt_issued_by(x->crt, pb->nd[j].crt))
		return;
	if (x->niss == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		size_t *nv = realloc(*v, nc * sizeof(*nv));

		if (!nv) {
			S->stop = 2;	/* no memory: no more work */
			return;
		}
		*v = nv;
		*cap = nc;
	}
	(*v)[x->niss++] = j;
}

/* The issuers of node i: named like its issuer, or with its AKI as SKI,
 * and verifying its signature.  Kept; a listing the bounds cut is not. */
static void list_issuers(struct search *S, size_t i)
{
	struct ec_pb *pb = S->pb;
	struct node *x = &pb->nd[i];
	size_t nc, cap = 0, *v = NULL;
	const size_t *c;

	if (x->listed)
		return;
	attributes(x);
	pb->epoch++;
	x->niss = 0;
	c = ec_crtix_issuers(pb->ix, x->crt, &nc);
	for (size_t j = 0; j < nc; j++)
		try_issuer(S, i, c[j], &v, &cap);
	if (x->akilen) {
		struct skient key = { .len = x->akilen };
		struct skient *at;

		memcpy(key.id, x->aki, x->akilen);
		at = bsearch(&key, pb->byski, pb->nbyski, sizeof(key),
			     skient_cmp);
		while (at && at > pb->byski && skient_cmp(at - 1, &key) == 0)
			at--;
		for (; at && at < pb->byski + pb->nbyski &&
		       skient_cmp(at, &key) == 0; at++)
			try_issuer(S, i, at->node, &v, &cap);
	}
	if (S->stop) {
		free(v);
		x->niss = 0;
		return;
	}
	x->iss = v;
	x->listed = 1;
}

/* A defect of c's own that no path through it can mend, at position n
 * of S's path: outside its validity at the time; for an intermediate,
 * not a CA that may sign certificates, a signature the profile refuses,
 * or more intermediates below than its pathLenConstraint allows (those
 * not self-issued: RFC 5280 6.1.4 (l)). */
static int defect(const struct search *S, const struct node *c, size_t n)
{
	size_t below = 0;

	if (c->nb > S->at || c->na < S->at)
		return 1;
	if (n == 0)		/* the target: its signature */
		return c->weak == 2 || (c->weak == 1 && !S->sha1_ok);
	if (is_anchor(c))
		return 0;
	if (!c->ca || !c->ku_ok || c->weak == 2 ||
	    (c->weak == 1 && !S->sha1_ok))
		return 1;
	for (size_t i = 1; i < n; i++)
		below += !S->pb->nd[S->path[i]].self_issued;
	return c->pathlen >= 0 && below > (size_t)c->pathlen;
}

struct cand {
	size_t node;
	int defect, anchor, keyid, kind, hashlen, secp;
	time_t nb;
};

/* The order of pathbuild.h: no defect, an anchor, a matching key id,
 * the store's, a stronger hash and key, the newest. */
static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->defect != y->defect)
		return x->defect - y->defect;
	if (x->anchor != y->anchor)
		return y->anchor - x->anchor;
	if (x->keyid != y->keyid)
		return x->keyid - y->keyid;
	if (x->kind != y->kind)
		return x->kind - y->kind;
	if (x->hashlen != y->hashlen)
		return y->hashlen - x->hashlen;
	if (x->secp != y->secp)
		return y->secp - x->secp;
	if (x->nb != y->nb)
		return x->nb > y->nb ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

static int on_path(const struct search *S, const struct node *c)
{
	for (size_t i = 0; i < S->n; i++)
		if (memcmp(S->pb->nd[S->path[i]].sk, c->sk, 32) == 0)
			return 1;
	return 0;
}

static int check_path(struct search *S, const size_t *path, size_t n,
		      int anchored, size_t *doomed)
{
	struct ec_pb_path p = { .v = S->pv, .sec = S->psec, .n = n,
				.anchored = anchored };

	for (size_t i = 0; i < n; i++) {
		const struct node *x = &S->pb->nd[path[i]];

		S->pv[i] = x->crt;
		S->psec[i] = x->kind == K_ROOT ? EC_SEC_ROOT :
			     x->kind == K_CA ? EC_SEC_CA : -1;
	}
	*doomed = n;
	return S->check(S->arg, &p, doomed);
}

static void complete(struct search *S)
{
	size_t doomed;
	int r;

	if (S->st->paths >= S->lim_paths) {
		S->stop = 2;
		return;
	}
	S->st->paths++;
	S->anchored = 1;
	r = check_path(S, S->path, S->n, 1, &doomed);
	if (r == 0 && doomed >= 1 && doomed < S->n)
		S->unwind = doomed;
	if (r < 0) {
		S->stop = -1;
	} else if (r > 0) {
		S->st->found = 1;
		S->stop = 1;
	} else if (!S->strict) {
		S->stop = 1;	/* reporting: the first anchored path */
	}
}

/* One node of the depth-first search: its candidates, best first. */
struct frame {
	struct cand *c;
	size_t nc, next, tried;
};

/* Enter path[n - 1]: a trust anchor completes a path (0: no frame);
 * else its candidates, in f (1), or none to try at the length bound. */
static int open_frame(struct search *S, struct frame *f)
{
	struct ec_pb *pb = S->pb;
	size_t cur = S->path[S->n - 1];
	struct node *x = &pb->nd[cur];

	memset(f, 0, sizeof(*f));
	if (is_anchor(x)) {
		complete(S);
		return 0;
	}
	if (S->n >= EC_CHAIN_MAX)
		return 1;
	list_issuers(S, cur);
	if (S->stop)
		return 0;
	if (!(f->c = malloc((x->niss ? x->niss : 1) * sizeof(*f->c)))) {
		S->stop = 2;
		return 0;
	}
	for (size_t i = 0; i < x->niss; i++) {
		struct node *y = &pb->nd[x->iss[i]];
		struct cand *k = &f->c[f->nc];

		attributes(y);
		if (on_path(S, y))
			continue;
		k->node = x->iss[i];
		k->defect = defect(S, y, S->n);
		if (k->defect && S->strict)
			continue;
		k->anchor = is_anchor(y);
		k->keyid = !x->akilen || !y->skilen ? 1 :
			   x->akilen == y->skilen &&
			   memcmp(x->aki, y->ski, y->skilen) == 0 ? 0 : 2;
		k->kind = y->kind;
		k->hashlen = y->hashlen;
		k->secp = y->secp;
		k->nb = y->nb;
		f->nc++;
	}
	if (f->nc)
		qsort(f->c, f->nc, sizeof(*f->c), cand_cmp);
	return 1;
}

/* Leave path[n - 1]: a dead end when nothing above it was tried, kept
 * when it is the longest yet, or as long and ends in a self-issued
 * certificate (a root that is not trusted says more than a gap). */
static void close_frame(struct search *S, struct frame *f)
{
	const struct node *top = &S->pb->nd[S->path[S->n - 1]];

	free(f->c);
	f->c = NULL;
	if (!f->tried &&
	    (S->n > S->ndead ||
	     (S->n == S->ndead && top->self_issued &&
	      !S->pb->nd[S->dead[S->ndead - 1]].self_issued))) {
		memcpy(S->dead, S->path, S->n * sizeof(S->path[0]));
		S->ndead = S->n;
	}
}

/* Back in f after its candidate at path[n]: when path[0..unwind) fails
 * whatever comes above it, f has nothing left to try; when the candidate
 * was the one to replace, f goes on. */
static void returned(struct search *S, struct frame *f)
{
	if (S->unwind && S->unwind <= S->n)
		f->next = f->nc;
	else if (S->unwind == S->n + 1)
		S->unwind = 0;
}

/* Depth-first from path[0], a frame per certificate of the path (fr[k]
 * for path[k]; n == top while fr[top - 1] is tried). */
static void dfs(struct search *S)
{
	struct frame fr[EC_CHAIN_MAX];
	size_t top = 0;

	if (!open_frame(S, &fr[0]))
		return;
	top = 1;
	while (top > 0) {
		struct frame *f = &fr[top - 1];

		if (S->stop || f->next >= f->nc) {
			close_frame(S, f);
			if (--top == 0)
				break;
			S->n--;
			returned(S, &fr[top - 1]);
			continue;
		}
		if (S->st->steps >= S->lim_steps) {
			S->stop = 2;
			continue;
		}
		S->st->steps++;
		f->tried++;
		S->path[S->n++] = f->c[f->next++].node;
		if (open_frame(S, &fr[top])) {
			top++;
		} else {
			S->n--;
			returned(S, f);
		}
	}
}

int ec_pb_search(struct ec_pb *pb, time_t at, int sha1_ok,
		 ec_pb_check_fn check, void *arg, struct ec_pb_stats *st,
		 struct ec_err *e)
{
	struct search S = {
		.pb = pb, .at = at, .sha1_ok = sha1_ok, .strict = 1,
		.check = check, .arg = arg, .st = st,
		.lim_sigs = EC_PB_MAX_SIGS, .lim_steps = EC_PB_MAX_STEPS,
		.lim_paths = EC_PB_MAX_PATHS, .n = 1,
	};
	int over = 0, r;

	(void)e;		/* check sets it */
	memset(st, 0, sizeof(*st));
	S.path[0] = pb->target;
	attributes(&pb->nd[pb->target]);
	/* first every path without a known defect; a target with one has
	 * none */
	if (!defect(&S, &pb->nd[pb->target], 0))
		dfs(&S);
	if (S.stop < 0)
		return -1;
	if (st->found)
		return 0;
	over = S.stop == 2;
	if (!S.anchored) {
		/* then, for a report, the first path to an anchor at all,
		 * with a fresh allowance */
		S.strict = 0;
		S.stop = 0;
		S.unwind = 0;
		S.n = 1;
		S.lim_sigs = st->sigs + EC_PB_MAX_SIGS;
		S.lim_steps = st->steps + EC_PB_MAX_STEPS;
		S.lim_paths = st->paths + 1;
		dfs(&S);
		if (S.stop < 0)
			return -1;
		over |= S.stop == 2 && !S.anchored;
	}
	if (!S.anchored && S.ndead) {
		size_t doomed;

		if ((r = check_path(&S, S.dead, S.ndead, 0, &doomed)) < 0)
			return -1;
		st->found = r > 0;
	}
	st->exhausted = over && !st->found;
	return 0;
}

int ec_pb_named(const struct ec_pb *pb, const gnutls_datum_t *dn)
{
	size_t n = 0;

	return ec_crtix_named(pb->ix, dn, &n) && n > 0;
}
