/* request.c: edgecert request: a key and a PKCS#10 request for an offline
 * CA, kept as a pending request until "accept" brings the answer in. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "cmds.h"
#include "cert.h"
#include "csr.h"
#include "fileio.h"
#include "infreq.h"
#include "meta.h"
#include "pending.h"
#include "store.h"
#include "token.h"

static const char usage[] =
	"usage: edgecert request --cn NAME [--dns NAME]... [--ip ADDR]...\n"
	"                        [--org O] [--ou OU] [--locality L] [--state ST]\n"
	"                        [--country CC] [--subject DN] [--name FRIENDLY]\n"
	"                        [--key-type rsa|ecdsa|ed25519] [--bits N]\n"
	"                        [--curve p256|p384] [--allow-weak] [--exportable]\n"
	"                        [--eku server,client|OID,...] [--template NAME]\n"
	"                        [--template-oid OID[:MAJOR[:MINOR]]]\n"
	"                        [--out FILE] [--force]\n"
	"       edgecert request --inf FILE [the options above]\n"
	"       edgecert request --cancel ID [--force]\n"
	"\n"
	"  --allow-weak        allow an RSA key under 2048 bits\n"
	"  --bits N            RSA key size (default 2048)\n"
	"  --cancel ID         discard pending request ID and its key\n"
	"                      (--force when it is younger than a day)\n"
	"  --cn NAME           the subject's common name, the FQDN; it joins\n"
	"                      the DNS names\n"
	"  --country CC        two-letter country code\n"
	"  --curve p256|p384   ECDSA curve (default p256)\n"
	"  --dns NAME          a subjectAltName DNS name (repeatable)\n"
	"  --eku LIST          extended key usage: server, client or OIDs\n"
	"                      (default server,client)\n"
	"  --exportable        the key may be exported once issued (in a\n"
	"                      token: CKA_EXTRACTABLE true)\n"
	"  --force             make a new request even if the same one is\n"
	"                      pending or issued; overwrite --out\n"
	"  --inf FILE          read the request from a certreq INF file;\n"
	"                      the options given here override it\n"
	"  --ip ADDR           a subjectAltName IP address (repeatable)\n"
	"  --key-type TYPE     rsa (default), ecdsa or ed25519\n"
	"  --locality L        locality (city)\n"
	"  --name FRIENDLY     the friendly name the certificate will carry\n"
	"  --org O             organization\n"
	"  --ou OU             organizational unit\n"
	"  --out FILE          write the PEM request there ('-': standard\n"
	"                      output, the status record then goes to stderr)\n"
	"  --state ST          state or province\n"
	"  --subject DN        the whole subject, RFC 4514 (CN=...,O=...)\n"
	"  --template NAME     Microsoft certificate template name extension\n"
	"  --template-oid OID[:MAJOR[:MINOR]]\n"
	"                      Microsoft certificate template (v2) extension\n"
	"\n"
	"With the global --token URL the key is made in that PKCS#11 token\n"
	"(sensitive; not extractable unless --exportable) and signs the\n"
	"request there; the pending request keeps the key's URL.\n"
	"\n"
	"With --inf, --cn or --subject may be left out, the request has no EKU\n"
	"unless the INF or --eku gives one, and its SANs are exactly those\n"
	"given (the CN does not join them), as certreq makes it.\n";

enum {
	OPT_ALLOW_WEAK = 1, OPT_BITS, OPT_CANCEL, OPT_CN, OPT_COUNTRY,
	OPT_CURVE, OPT_DNS, OPT_EKU, OPT_EXPORTABLE, OPT_FORCE, OPT_INF, OPT_IP,
	OPT_KEY_TYPE, OPT_LOCALITY, OPT_NAME, OPT_ORG, OPT_OU, OPT_OUT,
	OPT_STATE, OPT_SUBJECT, OPT_TEMPLATE, OPT_TEMPLATE_OID,
};

static const struct option longopts[] = {
	{ "allow-weak", no_argument, NULL, OPT_ALLOW_WEAK },
	{ "bits", required_argument, NULL, OPT_BITS },
	{ "cancel", required_argument, NULL, OPT_CANCEL },
	{ "cn", required_argument, NULL, OPT_CN },
	{ "country", required_argument, NULL, OPT_COUNTRY },
	{ "curve", required_argument, NULL, OPT_CURVE },
	{ "dns", required_argument, NULL, OPT_DNS },
	{ "eku", required_argument, NULL, OPT_EKU },
	{ "exportable", no_argument, NULL, OPT_EXPORTABLE },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "inf", required_argument, NULL, OPT_INF },
	{ "ip", required_argument, NULL, OPT_IP },
	{ "key-type", required_argument, NULL, OPT_KEY_TYPE },
	{ "locality", required_argument, NULL, OPT_LOCALITY },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "org", required_argument, NULL, OPT_ORG },
	{ "ou", required_argument, NULL, OPT_OU },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "subject", required_argument, NULL, OPT_SUBJECT },
	{ "template", required_argument, NULL, OPT_TEMPLATE },
	{ "template-oid", required_argument, NULL, OPT_TEMPLATE_OID },
	EC_GLOBAL_LONGOPTS
};

struct request_opts {
	struct ec_csr_params p;
	struct ec_pending_spec sp;	/* sp.p is &p; sp.token set by run */
	const char *out, *cancel, *inf;
	int allow_weak, force, bits_given, curve_given, type_given;
	char eku_buf[512];
	struct ec_inf_req infr;	/* --inf, read */
};

static void parse_template_oid(struct ec_ctx *ctx, struct request_opts *o,
			       char *arg)
{
	char *maj = strchr(arg, ':'), *min = NULL;
	long v;

	if (maj) {
		*maj++ = '\0';
		if ((min = strchr(maj, ':')))
			*min++ = '\0';
	}
	if (!ec_oid_ok(arg)) {
		ec_opt_error(ctx, "--template-oid wants a dotted OID, not '%s'",
			     arg);
		return;
	}
	o->p.template_oid = arg;
	if (maj && ec_opt_num(ctx, "--template-oid MAJOR", maj, 0,
			      4294967295L, &v) == 0)
		o->p.template_major = v;
	if (min && ec_opt_num(ctx, "--template-oid MINOR", min, 0,
			      4294967295L, &v) == 0)
		o->p.template_minor = v;
}

static void parse_key_type(struct ec_ctx *ctx, struct request_opts *o,
			   const char *arg)
{
	o->sp.key_type = arg;
	o->type_given = 1;
	if (strcmp(arg, "rsa") == 0)
		o->sp.pk = GNUTLS_PK_RSA;
	else if (strcmp(arg, "ecdsa") == 0)
		o->sp.pk = GNUTLS_PK_ECDSA;
	else if (strcmp(arg, "ed25519") == 0)
		o->sp.pk = GNUTLS_PK_EDDSA_ED25519;
	else
		ec_opt_error(ctx, "--key-type wants rsa, ecdsa or ed25519, not "
			     "'%s'", arg);
}

static void parse_curve(struct ec_ctx *ctx, struct request_opts *o,
			const char *arg)
{
	o->curve_given = 1;
	if (strcmp(arg, "p256") == 0)
		o->sp.curve = GNUTLS_ECC_CURVE_SECP256R1;
	else if (strcmp(arg, "p384") == 0)
		o->sp.curve = GNUTLS_ECC_CURVE_SECP384R1;
	else
		ec_opt_error(ctx, "--curve wants p256 or p384, not '%s'", arg);
}

static void add_name(struct ec_ctx *ctx, const char **v, size_t *n,
		     const char *arg, const char *opt)
{
	if (*n == EC_MAX_NAMES)
		ec_opt_error(ctx, "more than %d %s", EC_MAX_NAMES, opt);
	else
		v[(*n)++] = arg;
}

/* --inf: what the command line left out comes from the INF file. */
static int read_inf(struct ec_ctx *ctx, struct request_opts *o)
{
	struct ec_inf_req *r = &o->infr;
	struct ec_data d = { 0 };
	int ret;

	if (ec_read_input(o->inf, EC_INPUT_MAX, &d, &ctx->err) < 0)
		return -1;
	ret = ec_inf_request(d.data, d.size, r, &ctx->err);
	ec_data_free(&d);
	if (ret < 0)
		return -1;
	for (size_t i = 0; i < r->nwarn; i++)
		ec_status_warn(ctx->st, "%s", r->warn[i]);
	ec_pending_spec_inf(&o->sp, &o->p, r, o->type_given, o->bits_given,
			    o->curve_given);
	return 0;
}

static int parse(int argc, char **argv, struct ec_ctx *ctx,
		 struct request_opts *o)
{
	long v;
	int c;

	while ((c = getopt_long(argc, argv, EC_GLOBAL_SHORTOPTS, longopts,
				NULL)) != -1) {
		switch (c) {
		case OPT_ALLOW_WEAK: o->allow_weak = 1; break;
		case OPT_BITS:
			o->bits_given = 1;
			if (ec_opt_num(ctx, "--bits", optarg, 512, 16384, &v)
			    == 0)
				o->sp.bits = (unsigned)v;
			break;
		case OPT_CANCEL: o->cancel = optarg; break;
		case OPT_CN: o->p.cn = optarg; break;
		case OPT_COUNTRY: o->p.country = optarg; break;
		case OPT_CURVE: parse_curve(ctx, o, optarg); break;
		case OPT_DNS:
			add_name(ctx, o->p.dns, &o->p.ndns, optarg, "--dns");
			break;
		case OPT_EKU:
			snprintf(o->eku_buf, sizeof(o->eku_buf), "%s", optarg);
			if (ec_eku_parse(o->eku_buf, &o->p, &ctx->err) < 0)
				ctx->err.code = EC_USAGE;
			break;
		case OPT_EXPORTABLE: o->sp.exportable = 1; break;
		case OPT_FORCE: o->force = 1; break;
		case OPT_INF: o->inf = optarg; break;
		case OPT_IP:
			add_name(ctx, o->p.ip, &o->p.nip, optarg, "--ip");
			break;
		case OPT_KEY_TYPE: parse_key_type(ctx, o, optarg); break;
		case OPT_LOCALITY: o->p.locality = optarg; break;
		case OPT_NAME: o->sp.name = optarg; break;
		case OPT_ORG: o->p.org = optarg; break;
		case OPT_OU: o->p.ou = optarg; break;
		case OPT_OUT: o->out = optarg; break;
		case OPT_STATE: o->p.state = optarg; break;
		case OPT_SUBJECT: o->p.subject = optarg; break;
		case OPT_TEMPLATE: o->p.template_name = optarg; break;
		case OPT_TEMPLATE_OID: parse_template_oid(ctx, o, optarg); break;
		default:
			if (!ec_opt_global(ctx, c, optarg, argc, argv))
				ec_opt_error(ctx, "unknown option");
		}
	}
	if (ec_opt_done(ctx, argc, argv))
		return 1;
	if (o->cancel)
		return 0;
	if (o->inf && read_inf(ctx, o) < 0)
		return 1;
	if (!o->p.cn && !o->p.subject)
		return ec_opt_error(ctx, "give --cn (the FQDN) or --subject%s",
				    o->inf ? " (the INF file has no Subject)" :
				    "");
	if (o->p.subject && (o->p.cn || o->p.org || o->p.ou || o->p.locality ||
			     o->p.state || o->p.country))
		return ec_opt_error(ctx, "--subject excludes --cn, --org, --ou,"
				    " --locality, --state and --country");
	if (o->sp.pk != GNUTLS_PK_RSA && o->bits_given)
		return ec_opt_error(ctx, "--bits is for RSA keys; ECDSA takes "
				    "--curve");
	if (o->sp.pk != GNUTLS_PK_ECDSA && o->curve_given)
		return ec_opt_error(ctx, "--curve is for ECDSA keys");
	if (ec_csr_check(&o->p, &ctx->err) < 0)
		return 1;
	return 0;
}

/* Write the request where --out says; *changed when a file changed. */
static int write_out(struct ec_ctx *ctx, const struct request_opts *o,
		     const gnutls_datum_t *pem, int *changed)
{
	if (!o->out)
		return 0;
	if (strcmp(o->out, "-") == 0) {
		if (fwrite(pem->data, 1, pem->size, stdout) != pem->size ||
		    fflush(stdout) != 0)
			return ec_fail(&ctx->err, EC_IO, "cannot write the "
				       "request to standard output");
		return 0;
	}
	if (ec_write_if_changed(o->out, pem->data, pem->size, 0644, o->force,
				ctx->check, changed, &ctx->err) < 0) {
		ec_hint_force(ctx, o->out, o->force);
		return -1;
	}
	return 0;
}

static void san_arrays(struct ec_status *st, gnutls_x509_crq_t crq)
{
	static const struct { const char *key; unsigned type; } kinds[] = {
		{ "dns_names", GNUTLS_SAN_DNSNAME },
		{ "ip_addresses", GNUTLS_SAN_IPADDRESS },
	};

	for (size_t k = 0; k < 2; k++) {
		ec_status_arr(st, kinds[k].key);
		for (unsigned i = 0;; i++) {
			char buf[1024], ip[64];
			size_t n = sizeof(buf) - 1;
			unsigned type, crit;

			if (gnutls_x509_crq_get_subject_alt_name(crq, i, buf, &n,
					&type, &crit) < 0)
				break;
			if (type != kinds[k].type)
				continue;
			buf[n] = '\0';
			if (type == GNUTLS_SAN_IPADDRESS &&
			    !inet_ntop(n == 4 ? AF_INET : AF_INET6, buf, ip,
				       sizeof(ip)))
				continue;
			ec_status_str(st, NULL, type == GNUTLS_SAN_IPADDRESS ? ip :
				      buf);
		}
		ec_status_end(st);
	}
}

/* The record of a request, new or found pending. */
static void report(struct ec_ctx *ctx, struct ec_store *s,
		   const struct request_opts *o, const char *id,
		   gnutls_x509_crq_t crq, const struct ec_meta *m, int changed)
{
	struct ec_status *st = ctx->st;
	gnutls_datum_t dn = { NULL, 0 };
	char hex[EC_SHA256_HEX], path[4200];
	const char *v;

	gnutls_x509_crq_get_dn3(crq, &dn, 0);
	ec_status_str(st, "id", id);
	ec_status_str(st, "subject", dn.data ? (char *)dn.data : "");
	san_arrays(st, crq);
	ec_status_str(st, "key_type", ec_meta_get(m, "key_type"));
	v = ec_meta_get(m, "key_bits");
	ec_status_int(st, "key_bits", v ? strtol(v, NULL, 10) : 0);
	ec_status_arr(st, "eku");
	for (unsigned i = 0;; i++) {
		char oid[128];
		size_t n = sizeof(oid);

		if (gnutls_x509_crq_get_key_purpose_oid(crq, i, oid, &n, NULL) < 0)
			break;
		ec_status_str(st, NULL, oid);
	}
	ec_status_end(st);
	ec_status_str(st, "template", ec_meta_get(m, "template"));
	ec_status_str(st, "template_oid", ec_meta_get(m, "template_oid"));
	ec_status_str(st, "friendly_name", ec_meta_get(m, "friendly_name"));
	v = ec_meta_get(m, "exportable");
	ec_status_bool(st, "exportable", v && strcmp(v, "true") == 0);
	v = ec_meta_get(m, "key_store");
	ec_status_str(st, "key_store", v ? v : "file");
	ec_status_str(st, "key_url", ec_meta_get(m, "key_url"));
	ec_status_str(st, "created", ec_meta_get(m, "created"));
	ec_status_str(st, "out", o->out);
	ec_pending_csr_path(s, id, path, sizeof(path));
	ec_status_str(st, "request_file", path);
	ec_pending_csr_sha256(crq, hex);
	ec_status_str(st, "request_sha256", hex);
	ec_status_bool(st, "pending", 1);
	ec_status_str(st, "issued", NULL);
	ec_status_changed(st, changed);
	gnutls_free(dn.data);
}

/* The same request is pending: hand it out again. */
static int run_existing(struct ec_ctx *ctx, const struct request_opts *o,
			struct ec_store *s, const char *id)
{
	gnutls_x509_crq_t crq;
	gnutls_datum_t pem;
	struct ec_meta m;
	int changed = 0, r;

	if (ec_pending_load(s, id, &crq, &pem, &m, &ctx->err) < 0)
		return -1;
	r = write_out(ctx, o, &pem, &changed);
	if (r == 0) {
		report(ctx, s, o, id, crq, &m, changed);
		ec_status_message(ctx->st, "request %.16s... is pending already",
				  id);
	}
	ec_pending_req_free(crq, &pem, &m);
	return r;
}

static int run_new(struct ec_ctx *ctx, const struct request_opts *o,
		   struct ec_store *s, const char *params)
{
	struct ec_pending_key k = { 0 };
	struct ec_token *tok = NULL;
	struct ec_err ke = { 0 };
	gnutls_x509_crq_t crq = NULL;
	gnutls_datum_t pem = { NULL, 0 };
	struct ec_meta m = { 0 };
	struct ec_txn *t = NULL;
	char id[EC_KEYID_HEX], *text = NULL;
	size_t len;
	int changed = 1, wrote = 0, committed = 0, r = -1;

	if ((ctx->token_url && ec_ctx_token(ctx, &tok, &ctx->err) < 0) ||
	    ec_pending_key_make(&o->sp, tok, ctx->check, &k, &ctx->err) < 0 ||
	    ec_csr_make(&o->p, k.key, &crq, &ctx->err) < 0 ||
	    ec_keyid_of_privkey(k.key, id, &ctx->err) < 0)
		goto out;
	if (gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_PEM, &pem) < 0 ||
	    ec_pending_fill_meta(&m, &o->sp, id, params, crq, k.url) != 0 ||
	    !(text = ec_meta_format(&m, &len))) {
		ec_fail(&ctx->err, EC_INTERNAL, "cannot encode the request");
		goto out;
	}
	if (!ctx->check) {
		if (ec_txn_begin(s, &t, &ctx->err) < 0 ||
		    ec_pending_stage(s, t, id, k.x509, &pem, text, len,
				     &ctx->err) < 0)
			goto out;
	}
	/* the file first: if it cannot be written, the store is untouched */
	if (o->out && strcmp(o->out, "-") != 0) {
		if (write_out(ctx, o, &pem, &changed) < 0)
			goto out;
		wrote = !ctx->check;
	}
	if (t) {
		r = ec_txn_commit(t, &ctx->err);
		t = NULL;
		if (r < 0) {
			if (wrote)
				unlink(o->out);
			goto out;
		}
		committed = 1;
	}
	r = -1;
	/* not with --check: the key of that request is not kept */
	if (!ctx->check && o->out && strcmp(o->out, "-") == 0 &&
	    write_out(ctx, o, &pem, &changed) < 0)
		goto out;
	report(ctx, s, o, id, crq, &m, 1);
	ec_status_message(ctx->st, "%s request %.16s... for %s%s", ctx->check ?
			  "would make" : "made", id, m.n ? ec_meta_get(&m,
			  "subject") : "", ctx->token_url ? ", its key in the "
			  "token" : "");
	r = 0;
out:
	ec_txn_abort(t);
	free(text);
	ec_meta_free(&m);
	gnutls_free(pem.data);
	if (crq)
		gnutls_x509_crq_deinit(crq);
	/* a token key of a failed run is taken out again */
	if (ec_pending_key_free(&k, tok, r < 0 && !committed, &ke) < 0)
		ec_status_warn(ctx->st, "the key made in the token stays there: "
			       "%s", ke.msg);
	ec_token_close(tok);
	return r;
}

/* A cancelled request's key in a token goes too (after the commit: a
 * key that cannot be removed is a warning, the request is gone). */
static void cancel_token_key(struct ec_ctx *ctx, const struct ec_meta *m)
{
	const char *url = ec_meta_get(m, "key_url");
	struct ec_token *tok = NULL;
	struct ec_err e = { 0 };

	if (!url)
		return;
	if (ec_ctx_token(ctx, &tok, &e) < 0 || ec_token_remove(tok, url, &e) < 0)
		ec_status_warn(ctx->st, "the request's key stays in the token: %s",
			       e.msg);
	ec_token_close(tok);
}

static int run_cancel(struct ec_ctx *ctx, const struct request_opts *o,
		      struct ec_store *s)
{
	char id[EC_PENDING_ID_MAX];
	struct ec_meta m = { 0 };
	time_t created;
	int r = -1;

	if (strlen(o->cancel) < 8 || !ec_store_name_ok(o->cancel))
		return ec_fail(&ctx->err, EC_USAGE, "--cancel wants a request "
			       "id (8 hex digits or more), not '%s'", o->cancel);
	if (ec_pending_resolve(s, o->cancel, id, &ctx->err) < 0 ||
	    ec_pending_load_meta(s, id, &m, &ctx->err) < 0)
		return -1;
	if (!o->force && (ec_pending_created(&m, &created) < 0 ||
			  difftime(time(NULL), created) < 86400)) {
		ec_fail(&ctx->err, EC_REFUSED, "request %s is less than a day "
			"old; cancelling discards its key: give --force", id);
		goto out;
	}
	if (!ctx->check) {
		if (ec_pending_cancel(s, id, &ctx->err) < 0)
			goto out;
		cancel_token_key(ctx, &m);
	}
	ec_status_str(ctx->st, "id", id);
	ec_status_str(ctx->st, "subject", ec_meta_get(&m, "subject"));
	ec_status_bool(ctx->st, "cancelled", 1);
	ec_status_changed(ctx->st, 1);
	ec_status_message(ctx->st, "%s request %s", ctx->check ? "would cancel" :
			  "cancelled", id);
	r = 0;
out:
	ec_meta_free(&m);
	return r;
}

static int run(int argc, char **argv, struct ec_ctx *ctx,
	       struct request_opts *o)
{
	char params[EC_SHA256_HEX], id[EC_PENDING_ID_MAX];
	struct ec_store *s = NULL;
	int r = -1, hits;

	ctx->usage = usage;
	if (parse(argc, argv, ctx, o))
		return ctx->err.code == EC_OK ? 0 : -1;
	if (o->out && strcmp(o->out, "-") == 0 && ctx->status_fd == 1)
		ctx->status_fd = 2;	/* stdout carries the request */
	if (!o->cancel && o->sp.pk == GNUTLS_PK_RSA && o->sp.bits < 2048 &&
	    !o->allow_weak)
		return ec_fail(&ctx->err, EC_WEAK_KEY, "an RSA key of %u bits "
			       "is too weak (2048 or more; --allow-weak to "
			       "insist)", o->sp.bits);
	if (ctx->token_url && o->sp.pk == GNUTLS_PK_EDDSA_ED25519)
		return ec_fail(&ctx->err, EC_USAGE, "an ed25519 key cannot be "
			       "made in a token (GnuTLS' PKCS#11 key generation "
			       "takes rsa and ecdsa)");
	if (o->p.neku == 0 && !o->inf) {
		strcpy(o->eku_buf, "server,client");
		ec_eku_parse(o->eku_buf, &o->p, &ctx->err);
	}
	if (ec_store_open(&s, ctx->store_dir, ctx->check ? 0 : EC_STORE_WRITE,
			  ctx->wait_seconds, &ctx->err) < 0)
		return -1;
	if (o->cancel) {
		r = run_cancel(ctx, o, s);
		goto out;
	}
	o->sp.token = ctx->token_url;
	ec_pending_params_id(&o->sp, params);
	if (!o->force) {
		hits = ec_pending_find(s, "params", params, 0, id, &ctx->err);
		if (hits < 0)
			goto out;
		if (hits == 1) {
			r = run_existing(ctx, o, s, id);
			goto out;
		}
		hits = ec_pending_find_issued(s, params, id, &ctx->err);
		if (hits < 0)
			goto out;
		if (hits >= 1) {
			ec_status_bool(ctx->st, "pending", 0);
			ec_status_str(ctx->st, "issued", id);
			ec_status_message(ctx->st, "this request was issued and "
					  "accepted already as %s (--force for a "
					  "new one)", id);
			r = 0;
			goto out;
		}
	}
	r = run_new(ctx, o, s, params);
out:
	ec_store_close(s);
	return r;
}

int cmd_request(int argc, char **argv, struct ec_ctx *ctx)
{
	struct request_opts o = {
		.sp = { .pk = GNUTLS_PK_RSA, .bits = 2048, .key_type = "rsa",
			.curve = GNUTLS_ECC_CURVE_SECP256R1 },
		.p = { .template_major = -1, .template_minor = -1 },
	};
	int r;

	o.sp.p = &o.p;
	r = run(argc, argv, ctx, &o);

	ec_inf_req_free(&o.infr);
	return r;
}
