/* list.c: edgecert list: the store's inventory, streamed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "cmds.h"
#include "cert.h"
#include "certstore.h"
#include "crlfile.h"
#include "meta.h"
#include "pending.h"
#include "select.h"
#include "store.h"

static const char usage[] =
	"usage: edgecert list [--section SECTION] [--expiring DAYS]\n"
	"                     [--thumbprint T | --name N | --interface I]\n"
	"\n"
	"  --expiring DAYS   only certificates whose not_after falls within\n"
	"                    DAYS days from now (expired ones included)\n"
	"  --interface I     only the certificate assigned to interface I\n"
	"  --name N          only the certificate with friendly name N (of\n"
	"                    several: the newest valid one with a key)\n"
	"  --section SECTION personal, ca, root, crl, pending, assigned or\n"
	"                    all (the default)\n"
	"  --thumbprint T    only the certificate with SHA-1 or SHA-256\n"
	"                    thumbprint T (or a unique prefix of 8+ digits)\n";

enum { OPT_EXPIRING = 1, OPT_INTERFACE, OPT_NAME, OPT_SECTION,
       OPT_THUMBPRINT };

static const struct option longopts[] = {
	{ "expiring", required_argument, NULL, OPT_EXPIRING },
	{ "interface", required_argument, NULL, OPT_INTERFACE },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "section", required_argument, NULL, OPT_SECTION },
	{ "thumbprint", required_argument, NULL, OPT_THUMBPRINT },
	EC_GLOBAL_LONGOPTS
};

struct list_run {
	struct ec_ctx *ctx;
	struct ec_store *store;
	enum ec_section sec;
	int expiring;		/* filter on */
	time_t horizon;		/* not_after at or before it passes */
	time_t now;
	long count;
};

/* A row of the text table, under its header. */
static void row(struct list_run *lr, const char *sec, const char *id,
		const char *date, const char *name, const char *tail)
{
	if (lr->count == 0)
		ec_status_text(lr->ctx->st, "%-9s %-40s %-10s %s", "SECTION", "ID",
			       "DATE", "NAME");
	ec_status_text(lr->ctx->st, "%-9s %-40s %-10.10s %s%s", sec, id, date,
		       name, tail);
}

struct names {
	char **v;
	size_t n, cap;
};

static int collect(void *arg, const char *name)
{
	struct names *ns = arg;

	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 64;
		char **v = realloc(ns->v, cap * sizeof(*v));

		if (!v)
			return -1;
		ns->v = v;
		ns->cap = cap;
	}
	if (!(ns->v[ns->n] = strdup(name)))
		return -1;
	ns->n++;
	return 0;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
}

/* Load a certificate; a broken one is a warning, not the end of the list. */
static int load_cert(struct list_run *lr, enum ec_section sec,
		     const char *id, gnutls_x509_crt_t *crt)
{
	struct ec_err e;

	if (ec_cs_load_cert(lr->store, sec, id, crt, &e) == 0)
		return 0;
	ec_status_warn(lr->ctx->st, "skipped %s/%s.pem: %s", ec_section_name(sec),
		       id, e.msg);
	return -1;
}

static int read_meta(struct list_run *lr, enum ec_section sec,
		     const char *id, struct ec_meta *m)
{
	struct ec_err e;

	if (ec_cs_load_meta(lr->store, sec, id, m, &e) == 0)
		return 0;
	ec_status_warn(lr->ctx->st, "%s", e.msg);
	return -1;
}

static void cert_item(struct list_run *lr, const char *id)
{
	struct ec_status *st = lr->ctx->st;
	struct ec_cert_extra x;
	gnutls_x509_crt_t crt;
	struct ec_meta m;
	char date[32], *subj;
	time_t na;

	if (load_cert(lr, lr->sec, id, &crt) < 0)
		return;
	na = gnutls_x509_crt_get_expiration_time(crt);
	if (lr->expiring && na > lr->horizon)
		goto out;
	read_meta(lr, lr->sec, id, &m);
	ec_cs_extra(lr->store, lr->sec, id, &m, &x);
	ec_cert_status(st, NULL, crt, &x);
	ec_time_rfc3339(na, date, sizeof(date));
	subj = x.friendly_name ? NULL : ec_cert_dn(crt, 0);
	row(lr, x.section, id, date, x.friendly_name ? x.friendly_name :
	    subj ? subj : "", x.key_url ? " [key: pkcs11]" :
	    x.has_private_key ? " [key]" : "");
	free(subj);
	ec_meta_free(&m);
	lr->count++;
out:
	gnutls_x509_crt_deinit(crt);
}

static void crl_item(struct list_run *lr, const char *id)
{
	struct ec_status *st = lr->ctx->st;
	gnutls_x509_crl_t crl = NULL;
	gnutls_datum_t dn = { NULL, 0 };
	char name[256], t1[32], t2[32];
	struct ec_err e;
	int r;

	snprintf(name, sizeof(name), "%s.pem", id);
	if (ec_crlfile_read(lr->store, name, &crl, &e) < 0) {
		ec_status_warn(st, "skipped crl/%s: %s", name, e.msg);
		return;
	}
	if ((r = gnutls_x509_crl_get_issuer_dn3(crl, &dn, 0)) < 0) {
		ec_status_warn(st, "skipped crl/%s: %s", name, gnutls_strerror(r));
		goto out;
	}
	ec_time_rfc3339(gnutls_x509_crl_get_this_update(crl), t1, sizeof(t1));
	ec_time_rfc3339(gnutls_x509_crl_get_next_update(crl), t2, sizeof(t2));
	ec_status_obj(st, NULL);
	ec_status_str(st, "section", "crl");
	ec_status_str(st, "id", id);
	ec_status_str(st, "issuer", (char *)dn.data);
	ec_status_str(st, "this_update", t1);
	ec_status_str(st, "next_update", t2);
	ec_status_int(st, "revoked_count", gnutls_x509_crl_get_crt_count(crl));
	ec_status_end(st);
	row(lr, "crl", id, t2, (char *)dn.data, "");
	lr->count++;
out:
	gnutls_free(dn.data);
	gnutls_x509_crl_deinit(crl);
}

static long days_between(time_t from, time_t to)
{
	double d = difftime(to, from) / 86400.0;

	return (long)(d < 0 ? d - 0.999999 : d);
}

static void pending_item(struct list_run *lr, const char *id)
{
	struct ec_status *st = lr->ctx->st;
	const char *subj, *created;
	struct ec_meta m;
	time_t when;
	struct ec_err e;
	char tail[48];
	long age = 0;

	if (ec_pending_load_meta(lr->store, id, &m, &e) < 0) {
		ec_status_warn(lr->ctx->st, "%s", e.msg);
		return;
	}
	subj = ec_meta_get(&m, "subject");
	created = ec_meta_get(&m, "created");
	if (ec_pending_created(&m, &when) == 0)
		age = days_between(when, lr->now);
	ec_status_obj(st, NULL);
	ec_status_str(st, "section", "pending");
	ec_status_str(st, "id", id);
	ec_status_str(st, "subject", subj ? subj : "");
	ec_status_str(st, "friendly_name", ec_meta_get(&m, "friendly_name"));
	ec_status_str(st, "created", created ? created : "");
	ec_status_int(st, "age_days", age);
	ec_status_str(st, "key_store", ec_cs_key_url(&m) ? "pkcs11" : "file");
	ec_status_str(st, "key_url", ec_cs_key_url(&m));
	ec_status_end(st);
	snprintf(tail, sizeof(tail), " (%ld day%s old)", age,
		 age == 1 ? "" : "s");
	row(lr, "pending", id, created ? created : "", subj ? subj : "", tail);
	ec_meta_free(&m);
	lr->count++;
}

static void assigned_item(struct list_run *lr, const char *iface)
{
	struct ec_status *st = lr->ctx->st;
	const char *thumb, *fqdn, *when;
	gnutls_x509_crt_t crt = NULL;
	struct ec_meta m;
	char tail[340], date[32], left[40];
	time_t na = 0;

	if (read_meta(lr, EC_SEC_ASSIGNED, iface, &m) < 0)
		return;
	thumb = ec_meta_get(&m, "thumbprint");
	fqdn = ec_meta_get(&m, "fqdn");
	if (thumb && strlen(thumb) == EC_SHA1_HEX - 1 &&
	    ec_store_name_ok(thumb) &&
	    load_cert(lr, EC_SEC_PERSONAL, thumb, &crt) == 0)
		na = gnutls_x509_crt_get_expiration_time(crt);
	if (lr->expiring && (!crt || na > lr->horizon))
		goto out;
	ec_status_obj(st, NULL);
	ec_status_str(st, "section", "assigned");
	ec_status_str(st, "interface", iface);
	ec_status_str(st, "thumbprint", thumb ? thumb : "");
	ec_status_str(st, "fqdn", fqdn);
	ec_status_str(st, "assigned", ec_meta_get(&m, "assigned"));
	if (crt)
		ec_status_int(st, "days_to_expiry", days_between(lr->now, na));
	else
		ec_status_str(st, "days_to_expiry", NULL);
	ec_status_end(st);
	if (crt)
		ec_time_rfc3339(na, date, sizeof(date));
	when = ec_meta_get(&m, "assigned");
	if (crt)
		snprintf(left, sizeof(left), "%ld days to expiry",
			 days_between(lr->now, na));
	snprintf(tail, sizeof(tail), "%s%s (assigned %.10s, %s)",
		 fqdn ? " " : "", fqdn ? fqdn : "", when ? when : "-",
		 crt ? left : "certificate missing");
	row(lr, "assigned", iface, crt ? date : "-", thumb ? thumb : "-",
	    tail);
	lr->count++;
out:
	if (crt)
		gnutls_x509_crt_deinit(crt);
	ec_meta_free(&m);
}

static int list_section(struct list_run *lr)
{
	struct names ns = { 0 };
	int cert = lr->sec <= EC_SEC_ROOT;
	const char *suffix = cert || lr->sec == EC_SEC_CRL ? ".pem" : ".meta";
	int r;

	if (lr->expiring && (lr->sec == EC_SEC_CRL ||
			     lr->sec == EC_SEC_PENDING))
		return 0;
	r = ec_store_scan(lr->store, lr->sec, suffix, collect, &ns,
			  &lr->ctx->err);
	if (r != 0) {
		free_names(&ns);
		if (r > 0)
			ec_fail(&lr->ctx->err, EC_INTERNAL, "out of memory");
		return -1;
	}
	if (ns.n > 1)
		qsort(ns.v, ns.n, sizeof(*ns.v), cmpstr);
	for (size_t i = 0; i < ns.n; i++) {
		ns.v[i][strlen(ns.v[i]) - strlen(suffix)] = '\0';
		if (cert)
			cert_item(lr, ns.v[i]);
		else if (lr->sec == EC_SEC_CRL)
			crl_item(lr, ns.v[i]);
		else if (lr->sec == EC_SEC_PENDING)
			pending_item(lr, ns.v[i]);
		else
			assigned_item(lr, ns.v[i]);
	}
	free_names(&ns);
	return 0;
}

/* One certificate, named by a selector. */
static int list_one(struct list_run *lr, const struct ec_selector *sel,
		    int only)
{
	unsigned mask = only >= 0 ? EC_SECMASK(only) : EC_SECMASK_CERTS;
	struct ec_found f;

	if (only > EC_SEC_ROOT)
		return ec_fail(&lr->ctx->err, EC_USAGE, "--%s selects a "
			       "certificate: give --section personal, ca or "
			       "root, or none", sel->kind == EC_SEL_NAME ?
			       "name" : sel->kind == EC_SEL_INTERFACE ?
			       "interface" : "thumbprint");
	if (ec_select(lr->store, sel, mask, lr->now, &f, &lr->ctx->err) < 0)
		return -1;
	if (f.note[0])
		ec_status_warn(lr->ctx->st, "%s", f.note);
	lr->sec = f.sec;
	cert_item(lr, f.sha1);
	return 0;
}

int cmd_list(int argc, char **argv, struct ec_ctx *ctx)
{
	struct list_run lr = { .ctx = ctx };
	struct ec_selector sel = { EC_SEL_NONE, NULL };
	int c, only = -1, r = -1;
	long days;

	ctx->usage = usage;
	while ((c = getopt_long(argc, argv, EC_GLOBAL_SHORTOPTS, longopts,
				NULL)) != -1) {
		switch (c) {
		case OPT_EXPIRING:
			if (ec_opt_num(ctx, "--expiring", optarg, 0, 36500,
				       &days) == 0) {
				lr.expiring = 1;
				lr.horizon = time(NULL) + days * 86400;
			}
			break;
		case OPT_SECTION:
			if (strcmp(optarg, "all") == 0)
				only = -1;
			else if ((only = ec_section_parse(optarg)) < 0)
				ec_opt_error(ctx, "--section wants personal, "
					     "ca, root, crl, pending, assigned"
					     " or all, not '%s'", optarg);
			break;
		case OPT_INTERFACE:
		case OPT_NAME:
		case OPT_THUMBPRINT:
			if (ctx->err.code == EC_OK)	/* first error wins */
				ec_selector_set(&sel, c == OPT_NAME ?
						EC_SEL_NAME : c == OPT_INTERFACE ?
						EC_SEL_INTERFACE :
						EC_SEL_THUMBPRINT, optarg,
						&ctx->err);
			break;
		default:
			if (!ec_opt_global(ctx, c, optarg, argc, argv))
				ec_opt_error(ctx, "unknown option");
		}
	}
	if (ec_opt_done(ctx, argc, argv))
		return ctx->err.code == EC_OK ? 0 : -1;
	if (ec_store_open(&lr.store, ctx->store_dir, 0, 0, &ctx->err) < 0)
		return -1;
	lr.now = time(NULL);
	ec_status_stream(ctx->st, ctx->status_fd);
	ec_status_text_custom(ctx->st);
	ec_status_str(ctx->st, "store", ec_store_dir(lr.store));
	ec_status_arr(ctx->st, "items");
	if (sel.kind != EC_SEL_NONE) {
		if (list_one(&lr, &sel, only) < 0)
			goto out;
	} else {
		for (int i = 0; i < EC_SEC_COUNT; i++) {
			if (only >= 0 && i != only)
				continue;
			lr.sec = (enum ec_section)i;
			if (list_section(&lr) < 0)
				goto out;
		}
	}
	ec_status_end(ctx->st);
	ec_status_int(ctx->st, "count", lr.count);
	ec_status_message(ctx->st, "%ld item%s in %s", lr.count,
			  lr.count == 1 ? "" : "s", ec_store_dir(lr.store));
	r = 0;
out:
	ec_store_close(lr.store);
	return r;
}
