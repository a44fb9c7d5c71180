/* infreq.h: a certreq INF file (inf.h) as the parameters of a request:
 * [NewRequest] Subject, KeyAlgorithm, KeyLength, Exportable,
 * FriendlyName, KeyUsage, HashAlgorithm, RequestType (PKCS10 only) and
 * the keys that change nothing here (KeySpec, MachineKeySet, Silent;
 * SMIME, PrivateKeyArchive, UserProtected, UseExistingKeySet when FALSE;
 * ProviderName and ProviderType with a warning); [Extensions] 2.5.29.17
 * ({text}dns=...&ipaddress=...) and 2.5.29.37 ({text}OID,OID) with their
 * _continue_ lines, and OID = lines for the EKU;
 * [EnhancedKeyUsageExtension] OID = lines; [RequestAttributes]
 * CertificateTemplate (the template name extension and the name-value
 * pair attribute); [Version] Signature.  Anything else, or a value
 * it cannot honour, is usage naming the line. */
#ifndef EC_INFREQ_H
#define EC_INFREQ_H

#include <gnutls/gnutls.h>

#include "csr.h"
#include "err.h"
#include "inf.h"

struct ec_inf_req {
	struct ec_csr_params p;	/* subject, dns, ip, eku, template_name,
				 * key_usage, hash, exact_sans */
	int have_san, have_eku;
	char san_order[2 * EC_MAX_NAMES + 1];	/* p.san_order */
	gnutls_pk_algorithm_t pk;	/* 0: not given */
	unsigned bits;			/* 0: not given (RSA) */
	unsigned bits_line;		/* KeyLength's line */
	gnutls_ecc_curve_t curve;	/* 0: not given */
	int exportable;			/* 1: TRUE */
	const char *name;		/* FriendlyName or NULL */
	char *warn[4];
	size_t nwarn;
	/* owned */
	struct ec_inf inf;
	char **bufs;
	size_t nbufs;
};

/* Read the INF file's bytes into r (zeroed first).  usage on anything it
 * cannot honour, with the line number. */
int ec_inf_request(const unsigned char *data, size_t n, struct ec_inf_req *r,
		   struct ec_err *e);
void ec_inf_req_free(struct ec_inf_req *r);

/* Fill what the command line left out of p from r (pointers into r):
 * the subject unless --subject or a part of it was given, the SANs
 * unless --dns or --ip, the EKU unless --eku, the template unless
 * --template or --template-oid; KeyUsage and HashAlgorithm.  The SANs
 * are then exactly those given, as certreq makes them (the CN does not
 * join them). */
void ec_inf_merge(const struct ec_inf_req *r, struct ec_csr_params *p);

#endif
