/* assign.c: edgecert assign: bind a certificate to a server interface,
 * after checking that it can serve it, and publish the files a TLS
 * daemon reads in STORE/live/NAME, switched as a whole; then run the
 * deploy hook.  Also --rollback to the assignment before, and --clear. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmds.h"
#include "assignment.h"
#include "cert.h"
#include "certstore.h"
#include "daccess.h"
#include "deploy.h"
#include "hostname.h"
#include "ifacecheck.h"
#include "live.h"
#include "select.h"
#include "store.h"
#include "token.h"
#include "verify.h"

static const char usage[] =
	"usage: edgecert assign --interface NAME (--thumbprint T | --name N)\n"
	"        [--fqdn NAME] [--purpose server,client] [--resolve]\n"
	"        [--profile rfc5280|webpki]\n"
	"        [--deploy-hook CMD] [--force] [--owner USER] [--group GROUP]\n"
	"        [--served HOST:PORT[,SNI]]... [--served-timeout S]\n"
	"        [--served-rollback]\n"
	"       edgecert assign --interface NAME --rollback [--deploy-hook CMD]\n"
	"        [--served HOST:PORT[,SNI]]... [--served-timeout S]\n"
	"       edgecert assign --interface NAME --clear [--deploy-hook CMD]\n"
	"\n"
	"  --interface NAME   the server interface: [a-z0-9][a-z0-9-]*\n"
	"  --thumbprint T     the personal certificate with this SHA-1 or\n"
	"                     SHA-256 (or a unique prefix of 8+ digits)\n"
	"  --name N           the personal certificate with friendly name N\n"
	"                     (of several: the newest valid one with a key)\n"
	"  --fqdn NAME        the interface's DNS name: a DNS name of the\n"
	"                     certificate (its CN only when it has no SAN)\n"
	"                     must match it\n"
	"  --purpose LIST     the extended key usages it must allow, comma-\n"
	"                     separated: server (default), client, any, OIDs\n"
	"  --resolve          --fqdn must resolve to an address of this host\n"
	"  --profile P        the trust check's rules: rfc5280 (default) or\n"
	"                     webpki (see edgecert-verify-root(1))\n"
	"  --deploy-hook CMD  run CMD through /bin/sh -c after a change\n"
	"  --force            assign although the trust, name, purpose or\n"
	"                     resolve check failed (never without the key)\n"
	"  --owner USER       the live files belong to USER (kept until\n"
	"                     changed; '' for none), checked readable by it\n"
	"  --group GROUP      and to GROUP: the key 0640 (kept; '' for none)\n"
	"  --served HOST:PORT[,SNI]  after the hook, the daemon there must\n"
	"                     present the certificate (not-served)\n"
	"  --served-timeout S how long to try (default 10)\n"
	"  --served-rollback  when not served, roll back (hook run again)\n"
	"  --rollback         switch back to the assignment before this one\n"
	"  --clear            remove the assignment and its live directory\n"
	"\n"
	"A certificate whose key is in a PKCS#11 token gets privkey.uri (the\n"
	"key's pkcs11: URL) instead of privkey.pem; the checks ask the token,\n"
	"so give its PIN (--pin-file, --pin-env, --pin-fd).\n";

enum { OPT_CLEAR = 1, OPT_HOOK, OPT_FORCE, OPT_FQDN, OPT_GROUP,
       OPT_INTERFACE, OPT_NAME, OPT_OWNER, OPT_PURPOSE, OPT_RULES,
       OPT_RESOLVE, OPT_ROLLBACK, OPT_SERVED, OPT_SERVED_ROLLBACK, OPT_SERVED_TIMEOUT,
       OPT_THUMBPRINT };

static const struct option longopts[] = {
	{ "clear", no_argument, NULL, OPT_CLEAR },
	{ "deploy-hook", required_argument, NULL, OPT_HOOK },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "fqdn", required_argument, NULL, OPT_FQDN },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "interface", required_argument, NULL, OPT_INTERFACE },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "owner", required_argument, NULL, OPT_OWNER },
	{ "profile", required_argument, NULL, OPT_RULES },
	{ "purpose", required_argument, NULL, OPT_PURPOSE },
	{ "resolve", no_argument, NULL, OPT_RESOLVE },
	{ "rollback", no_argument, NULL, OPT_ROLLBACK },
	{ "served", required_argument, NULL, OPT_SERVED },
	{ "served-rollback", no_argument, NULL, OPT_SERVED_ROLLBACK },
	{ "served-timeout", required_argument, NULL, OPT_SERVED_TIMEOUT },
	{ "thumbprint", required_argument, NULL, OPT_THUMBPRINT },
	EC_GLOBAL_LONGOPTS
};

enum action { ACT_ASSIGN, ACT_ROLLBACK, ACT_CLEAR };
static const char *const action_names[] = { "assign", "rollback", "clear" };

struct assign_opts {
	const char *iface, *hook;
	struct ec_selector sel;
	struct ec_ifacecheck_opts chk;
	char purpose_buf[256];
	int purpose_set;
	enum action act;
	long owner, group;		/* -1: none */
	int owner_set, group_set;
	struct ec_probe_target served[EC_PROBE_MAX];
	int nserved, served_ms, served_rollback;
};

/* --owner, --group, --served... */
static void take_deploy_opt(struct ec_ctx *ctx, struct assign_opts *o, int c,
			    const char *arg)
{
	long n;

	if (c == OPT_OWNER && ec_owner_parse(arg, &o->owner, &ctx->err) == 0)
		o->owner_set = 1;
	if (c == OPT_GROUP && ec_group_parse(arg, &o->group, &ctx->err) == 0)
		o->group_set = 1;
	if (c == OPT_SERVED && o->nserved == EC_PROBE_MAX)
		ec_opt_error(ctx, "--served takes at most %d targets",
			     EC_PROBE_MAX);
	else if (c == OPT_SERVED)
		ec_probe_parse(arg, &o->served[o->nserved++], &ctx->err);
	o->served_rollback |= c == OPT_SERVED_ROLLBACK;
	if (c == OPT_SERVED_TIMEOUT &&
	    ec_opt_num(ctx, "--served-timeout", arg, 1, 3600, &n) == 0)
		o->served_ms = (int)n * 1000;
}

static void take_opt(struct ec_ctx *ctx, struct assign_opts *o, int c,
		     const char *arg)
{
	struct ec_host host;

	if (ctx->err.code != EC_OK)
		return;		/* the first usage error wins */
	switch (c) {
	case OPT_CLEAR:
		o->act = ACT_CLEAR;
		break;
	case OPT_ROLLBACK:
		o->act = ACT_ROLLBACK;
		break;
	case OPT_HOOK:
		o->hook = arg;
		break;
	case OPT_FORCE:
		o->chk.force = 1;
		break;
	case OPT_FQDN:
		if (ec_host_parse(arg, &host, &ctx->err) == 0)
			o->chk.fqdn = arg;
		break;
	case OPT_RULES:
		ec_rules_parse(arg, &o->chk.rules, &ctx->err);
		break;
	case OPT_INTERFACE:
		if (!ec_interface_ok(arg))
			ec_opt_error(ctx, "bad interface name '%s' (want "
				     "[a-z0-9][a-z0-9-]*, at most 64)", arg);
		o->iface = arg;
		break;
	case OPT_NAME:
		ec_selector_set(&o->sel, EC_SEL_NAME, arg, &ctx->err);
		break;
	case OPT_THUMBPRINT:
		ec_selector_set(&o->sel, EC_SEL_THUMBPRINT, arg, &ctx->err);
		break;
	case OPT_PURPOSE:
		o->purpose_set = 1;
		ec_purpose_list(&o->chk, arg, o->purpose_buf,
				sizeof(o->purpose_buf), &ctx->err);
		break;
	case OPT_RESOLVE:
		o->chk.resolve = 1;
		break;
	default:
		take_deploy_opt(ctx, o, c, arg);
	}
}

static void check_combination(struct ec_ctx *ctx, struct assign_opts *o,
			      int rollback, int clear)
{
	if (!o->iface)
		ec_opt_error(ctx, "--interface NAME is required");
	else if (rollback && clear)
		ec_opt_error(ctx, "--rollback and --clear exclude each other");
	else if ((rollback || clear) && (o->sel.kind != EC_SEL_NONE ||
		 o->chk.fqdn || o->purpose_set || o->chk.resolve ||
		 o->chk.force || o->chk.rules || o->owner_set || o->group_set ||
		 o->served_rollback || (clear && o->nserved)))
		ec_opt_error(ctx, "--%s takes no certificate and no checks",
			     rollback ? "rollback" : "clear");
	else if (!rollback && !clear && o->sel.kind == EC_SEL_NONE)
		ec_opt_error(ctx, "name the certificate: --thumbprint or "
			     "--name");
	else if (o->chk.resolve && !o->chk.fqdn)
		ec_opt_error(ctx, "--resolve needs --fqdn");
	else if (!o->nserved && (o->served_rollback || o->served_ms))
		ec_opt_error(ctx, "--served-rollback and --served-timeout "
			     "need --served");
}

static int parse_opts(int argc, char **argv, struct ec_ctx *ctx,
		      struct assign_opts *o)
{
	int c, rollback = 0, clear = 0;

	o->chk.purpose[0] = GNUTLS_KP_TLS_WWW_SERVER;
	o->chk.npurpose = 1;
	o->owner = o->group = -1;
	while ((c = getopt_long(argc, argv, EC_GLOBAL_SHORTOPTS, longopts,
				NULL)) != -1) {
		if (c >= OPT_CLEAR && c <= OPT_THUMBPRINT) {
			rollback |= c == OPT_ROLLBACK;
			clear |= c == OPT_CLEAR;
			take_opt(ctx, o, c, optarg);
		} else if (!ec_opt_global(ctx, c, optarg, argc, argv)) {
			ec_opt_error(ctx, "unknown option");
		}
	}
	if (!ctx->help && !ctx->version)
		check_combination(ctx, o, rollback, clear);
	return ec_opt_done(ctx, argc, argv);
}

/* What the run did, for the record and the hook. */
struct run {
	struct ec_ctx *ctx;
	struct assign_opts *o;
	struct ec_store *s;
	struct ec_assignment a;		/* the interface, and after the run */
	int again;			/* --served-rollback's */
	gnutls_datum_t want;		/* the certificate's DER */
};

static void report_cert(struct run *r, gnutls_x509_crt_t crt,
			const char *sha1)
{
	struct ec_cert_extra x = { 0 };
	struct ec_meta m = { 0 };
	struct ec_err e;
	char *dn;

	gnutls_free(r->want.data);
	r->want.data = NULL;
	if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &r->want) < 0)
		r->want.size = 0;
	if (r->again)
		return;		/* --served-rollback's: reported before */
	dn = ec_cert_dn(crt, 0);
	if (ec_cs_load_meta(r->s, EC_SEC_PERSONAL, sha1, &m, &e) == 0)
		ec_cs_extra(r->s, EC_SEC_PERSONAL, sha1, &m, &x);
	ec_cert_status(r->ctx->st, "certificate", crt, &x);
	ec_status_text(r->ctx->st, "certificate: %s %s", sha1, dn ? dn : "");
	free(dn);
	ec_meta_free(&m);
}

/* The token of the certificate's key, when it has one. */
static int open_token(struct run *r, const char *sha1)
{
	struct ec_meta m;
	int ret = 0;

	if (ec_cs_load_meta(r->s, EC_SEC_PERSONAL, sha1, &m, &r->ctx->err) < 0)
		return -1;
	if (ec_cs_key_url(&m) && !r->o->chk.tok)
		ret = ec_ctx_token(r->ctx, &r->o->chk.tok, &r->ctx->err);
	ec_meta_free(&m);
	return ret;
}

/* The certificate, checked, then published (core/store/assignment.h). */
static int do_assign(struct run *r)
{
	struct ec_ctx *ctx = r->ctx;
	struct ec_ifacecheck chk = { 0 };
	struct ec_live_set ls = { 0 };
	gnutls_x509_crt_t crt = NULL;
	struct ec_found f;
	char forced[100];
	struct ec_assignment_want w = { f.sha1, r->o->chk.fqdn, forced };
	int ret = -1, refuse, ran = 0;

	if (ec_select(r->s, &r->o->sel, EC_SECMASK(EC_SEC_PERSONAL),
		      time(NULL), &f, &ctx->err) < 0 ||
	    ec_cs_load_cert(r->s, EC_SEC_PERSONAL, f.sha1, &crt,
			    &ctx->err) < 0)
		goto out;
	if (f.note[0])
		ec_status_warn(ctx->st, "%s", f.note);
	report_cert(r, crt, f.sha1);
	ec_status_str(ctx->st, "fqdn", r->o->chk.fqdn);
	if (open_token(r, f.sha1) < 0 ||
	    ec_ifacecheck_run(r->s, f.sha1, crt, &r->o->chk, &chk,
			      &ctx->err) < 0)
		goto out;
	ran = 1;
	if ((refuse = ec_ifacecheck_refusal(&chk)) >= 0) {
		ec_fail(&ctx->err, chk.c[refuse].code, "refusing to assign %s "
			"to interface '%s': %s: %s; nothing changed", f.sha1,
			r->o->iface, ec_check_name((enum ec_check_id)refuse),
			chk.c[refuse].msg);
		goto out;
	}
	if (ec_live_set_make(crt, &chk.vr.built, chk.key, chk.key_url,
			     r->a.owner, r->a.group, &ls, &ctx->err) < 0)
		goto out;
	ec_status_int(ctx->st, "chain_count", (long long)ls.nchain);
	ec_ifacecheck_forced(&chk, forced, sizeof(forced));
	ret = ec_assignment_publish(&r->a, &ls, &w,
				    &chk.c[EC_CHK_DAEMON_ACCESS], &ctx->err);
out:
	if (ran)
		ec_ifacecheck_report(ctx->st, &chk, &r->o->chk);
	ec_live_set_free(&ls);
	ec_ifacecheck_free(&chk);
	if (crt)
		gnutls_x509_crt_deinit(crt);
	return ret;
}

static int do_rollback(struct run *r)
{
	gnutls_x509_crt_t crt = NULL;
	const char *thumb, *fqdn;

	if (ec_assignment_previous(&r->a, &thumb, &fqdn, &r->ctx->err) < 0 ||
	    ec_cs_load_cert(r->s, EC_SEC_PERSONAL, thumb, &crt,
			    &r->ctx->err) < 0)
		return -1;
	report_cert(r, crt, thumb);
	gnutls_x509_crt_deinit(crt);
	if (!r->again)
		ec_status_str(r->ctx->st, "fqdn", fqdn);
	return ec_assignment_rollback(&r->a, &r->ctx->err);
}

/* Run the hook (the store closed: a hook may run edgecert). */
static void run_hook(struct run *r, const char *key, const char *prev)
{
	struct ec_deploy d = { r->o->hook, r->o->iface, r->a.thumbprint,
			       r->a.live, r->a.fqdn, action_names[r->o->act],
			       prev };

	ec_ctx_drop_secrets(r->ctx);	/* the PIN's source, read or not */
	ec_deploy_hook(r->ctx->st, key, &d, &r->ctx->err);
}

static void summary(struct run *r)
{
	struct ec_status *st = r->ctx->st;
	const struct ec_assignment *a = &r->a;
	const char *would = r->ctx->check && a->changed ? "would " : "";

	if (a->generation)
		ec_status_int(st, "generation", (long long)a->generation);
	else
		ec_status_str(st, "generation", NULL);
	ec_status_text(st, "live: %s%s", a->live, a->generation ? "" :
		       " (none)");
	ec_status_changed(st, a->changed);
	if (!a->changed)
		ec_status_message(st, r->o->act == ACT_CLEAR ? "nothing is "
				  "assigned to interface '%s'" : "interface '%s' "
				  "already has %s", r->o->iface, a->thumbprint);
	else if (r->o->act == ACT_CLEAR)
		ec_status_message(st, "%scleared interface '%s'", would,
				  r->o->iface);
	else
		ec_status_message(st, "%s%s %s to interface '%s' (%s)", would,
				  r->o->act == ACT_ROLLBACK ? "rolled back" :
				  "assigned", a->thumbprint, r->o->iface,
				  a->live);
}

/* The interface's state, the store open; the live files' owner and
 * group: the options', else the record's. */
static int load_state(struct run *r)
{
	struct assign_opts *o = r->o;

	if (ec_assignment_open(&r->a, r->s, o->iface, r->ctx->check,
			       r->ctx->st, &r->ctx->err) < 0)
		return -1;
	if (o->owner_set)
		r->a.owner = o->owner;
	if (o->group_set)
		r->a.group = o->group;
	return 0;
}

static int served(struct run *r, const char *key)
{
	return ec_deploy_served(r->ctx->st, key, r->o->served, r->o->nserved,
				&r->want, r->o->served_ms ? r->o->served_ms :
				10000, &r->ctx->err);
}

/* --served-rollback: the new certificate is not served; back to the one
 * before, its hook, its check; the run stays not-served. */
static void served_rollback(struct run *r, const char *bad)
{
	struct ec_ctx *ctx = r->ctx;
	struct ec_err first = ctx->err;
	char why[sizeof(first.msg)];

	ctx->err.code = EC_OK;
	r->again = 1;
	r->o->act = ACT_ROLLBACK;
	ec_status_obj(ctx->st, "served_rollback");
	if (ec_store_open(&r->s, ctx->store_dir, EC_STORE_WRITE,
			  ctx->wait_seconds, &ctx->err) == 0 &&
	    load_state(r) == 0 && do_rollback(r) == 0) {
		ec_assignment_close(&r->a);
		ec_store_close(r->s);
		r->s = NULL;
		ec_status_str(ctx->st, "thumbprint", r->a.thumbprint);
		ec_status_int(ctx->st, "generation",
			      (long long)r->a.generation);
		if (r->o->hook)
			run_hook(r, "hook", bad);
		if (ctx->err.code == EC_OK)
			served(r, "served");
	}
	ec_status_end(ctx->st);
	snprintf(why, sizeof(why), "%s", ctx->err.msg);
	/* (bad when the rollback did not get as far) */
	ec_fail(&ctx->err, EC_NOT_SERVED, "%.400s; rolled back to %s: %.400s",
		first.msg, r->a.thumbprint ? r->a.thumbprint : bad,
		ctx->err.code == EC_OK ? "served" : why);
}

int cmd_assign(int argc, char **argv, struct ec_ctx *ctx)
{
	struct assign_opts o = { 0 };
	struct run r = { .ctx = ctx, .o = &o };
	char prev[EC_SHA1_HEX] = "", now[EC_SHA1_HEX] = "";
	int ret = -1;

	ctx->usage = usage;
	if (parse_opts(argc, argv, ctx, &o))
		return ctx->err.code == EC_OK ? 0 : -1;
	if (ec_store_open(&r.s, ctx->store_dir, ctx->check ? 0 :
			  EC_STORE_WRITE, ctx->wait_seconds, &ctx->err) < 0)
		return -1;
	ec_status_text_custom(ctx->st);
	ec_status_str(ctx->st, "interface", o.iface);
	ec_status_str(ctx->st, "action", action_names[o.act]);
	ec_status_text(ctx->st, "interface: %s (%s)", o.iface,
		       action_names[o.act]);
	if (load_state(&r) < 0)
		goto out;
	if (r.a.cur.have)
		memcpy(prev, r.a.cur.thumbprint, sizeof(prev));
	ec_status_str(ctx->st, "previous", r.a.cur.have ? prev : NULL);
	ec_status_str(ctx->st, "live_dir", r.a.live);
	ec_daccess_report(ctx->st, r.a.owner, r.a.group);
	if ((o.act == ACT_ASSIGN ? do_assign(&r) : o.act == ACT_ROLLBACK ?
	     do_rollback(&r) : ec_assignment_clear(&r.a, &ctx->err)) < 0)
		goto out;
	summary(&r);
	ec_assignment_close(&r.a);
	ec_store_close(r.s);
	r.s = NULL;
	if (o.hook && r.a.changed && !ctx->check)
		run_hook(&r, "hook", prev[0] ? prev : NULL);
	else
		ec_status_str(ctx->st, "hook", NULL);
	if (r.a.thumbprint)
		memcpy(now, r.a.thumbprint, sizeof(now));
	if (o.nserved && !ctx->check && o.act != ACT_CLEAR &&
	    ctx->err.code == EC_OK && served(&r, "served") < 0 &&
	    o.served_rollback && r.a.changed)
		served_rollback(&r, now);
	ret = ctx->err.code == EC_OK ? 0 : -1;
out:
	gnutls_free(r.want.data);
	ec_assignment_close(&r.a);
	ec_store_close(r.s);
	ec_token_close(o.chk.tok);
	return ret;
}
