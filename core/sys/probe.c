#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>

#include "probe.h"

#define PAUSE_MS 200

int ec_probe_parse(const char *arg, struct ec_probe_target *t,
		   struct ec_err *e)
{
	const char *comma = strchr(arg, ','), *colon, *host = arg;
	size_t hlen, plen;

	memset(t, 0, sizeof(*t));
	if (strlen(arg) >= sizeof(t->spec))
		return ec_fail(e, EC_USAGE, "--served: too long");
	snprintf(t->spec, sizeof(t->spec), "%s", arg);
	if (comma && (!comma[1] || strlen(comma + 1) >= sizeof(t->sni) ||
		      strpbrk(comma + 1, ",:/ ")))
		return ec_fail(e, EC_USAGE, "--served '%s': want "
			       "HOST:PORT[,SNI]", arg);
	if (comma)
		snprintf(t->sni, sizeof(t->sni), "%s", comma + 1);
	hlen = comma ? (size_t)(comma - arg) : strlen(arg);
	if (*arg == '[') {
		const char *end = memchr(arg, ']', hlen);

		if (!end || end[1] != ':')
			return ec_fail(e, EC_USAGE, "--served '%s': want "
				       "[IPv6]:PORT", arg);
		host = arg + 1;
		colon = end + 1;
		hlen = (size_t)(end - host);
	} else {
		for (colon = NULL; host + hlen > arg; hlen--)
			if (arg[hlen - 1] == ':') {
				colon = arg + hlen - 1;
				break;
			}
		if (colon)
			hlen = (size_t)(colon - arg);
	}
	plen = colon ? (size_t)((comma ? comma : arg + strlen(arg)) -
				colon - 1) : 0;
	if (!colon || !hlen || hlen >= sizeof(t->host) || !plen ||
	    plen > 5 || strspn(colon + 1, "0123456789") != plen ||
	    (*arg != '[' && memchr(host, ':', hlen) != NULL))
		return ec_fail(e, EC_USAGE, "--served '%s': want "
			       "HOST:PORT[,SNI]", arg);
	memcpy(t->host, host, hlen);
	memcpy(t->port, colon + 1, plen);
	if (strtol(t->port, NULL, 10) < 1 || strtol(t->port, NULL, 10) > 65535)
		return ec_fail(e, EC_USAGE, "--served '%s': bad port", arg);
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A connected socket within ms, or -1 (msg says why). */
static int dial(const struct ec_probe_target *t, long ms, char *msg,
		size_t n)
{
	struct addrinfo hints = { 0 }, *ai = NULL, *a;
	struct pollfd p;
	int fd = -1, x, err = 0;
	socklen_t len = sizeof(err);

	hints.ai_socktype = SOCK_STREAM;
	if ((x = getaddrinfo(t->host, t->port, &hints, &ai)) != 0) {
		snprintf(msg, n, "cannot resolve '%s': %s", t->host,
			 gai_strerror(x));
		return -1;
	}
	for (a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC |
			    SOCK_NONBLOCK, a->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			p.fd = fd;
			p.events = POLLOUT;
			err = 0;
			if (poll(&p, 1, (int)(ms > 0 ? ms : 1)) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
				       &len) == 0 && !err)
				break;
			errno = err ? err : ETIMEDOUT;
		}
		snprintf(msg, n, "cannot connect to %s: %s", t->spec,
			 strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	/* connected: the handshake blocks, bounded by its own timeout (a
	 * non-blocking one would spin on EAGAIN) */
	if (fd >= 0 && (x = fcntl(fd, F_GETFL)) >= 0)
		(void)fcntl(fd, F_SETFL, x & ~O_NONBLOCK);
	return fd;
}

/* One handshake: 1 served, 0 another leaf or none (msg says). */
static int try_once(const struct ec_probe_target *t,
		    const gnutls_datum_t *want, long ms,
		    struct ec_probe_result *r)
{
	gnutls_certificate_credentials_t cred = NULL;
	gnutls_session_t s = NULL;
	const gnutls_datum_t *peer;
	unsigned int npeer = 0;
	unsigned char sha1[20];
	int fd = dial(t, ms, r->msg, sizeof(r->msg)), x, ok = 0;

	if (fd < 0)
		return 0;
	if (gnutls_certificate_allocate_credentials(&cred) < 0 ||
	    gnutls_init(&s, GNUTLS_CLIENT) < 0 ||
	    gnutls_set_default_priority(s) < 0 ||
	    gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred) < 0 ||
	    (t->sni[0] && gnutls_server_name_set(s, GNUTLS_NAME_DNS, t->sni,
						 strlen(t->sni)) < 0)) {
		snprintf(r->msg, sizeof(r->msg), "cannot set up a TLS "
			 "session");
		goto out;
	}
	gnutls_transport_set_int(s, fd);
	gnutls_handshake_set_timeout(s, (unsigned)(ms > 100 ? ms : 100));
	do
		x = gnutls_handshake(s);
	while (x < 0 && !gnutls_error_is_fatal(x));
	if (x < 0) {
		snprintf(r->msg, sizeof(r->msg), "TLS handshake with %s "
			 "failed: %s", t->spec, gnutls_strerror(x));
		goto out;
	}
	peer = gnutls_certificate_get_peers(s, &npeer);
	if (!peer || !npeer) {
		snprintf(r->msg, sizeof(r->msg), "%s presented no "
			 "certificate", t->spec);
		goto out;
	}
	if (gnutls_hash_fast(GNUTLS_DIG_SHA1, peer[0].data, peer[0].size,
			     sha1) == 0)
		for (int i = 0; i < 20; i++)
			snprintf(r->seen + 2 * i, 3, "%02x", sha1[i]);
	ok = peer[0].size == want->size &&
	     memcmp(peer[0].data, want->data, want->size) == 0;
	snprintf(r->msg, sizeof(r->msg), "%s presents %s%s", t->spec,
		 r->seen, ok ? ", the certificate assigned" :
		 ", not the certificate assigned");
	gnutls_bye(s, GNUTLS_SHUT_WR);
out:
	if (s)
		gnutls_deinit(s);
	if (cred)
		gnutls_certificate_free_credentials(cred);
	close(fd);
	return ok;
}

void ec_probe_run(const struct ec_probe_target *t, const gnutls_datum_t *want,
		  int timeout_ms, struct ec_probe_result *r)
{
	long end = now_ms() + timeout_ms, left;
	struct timespec pause = { 0, PAUSE_MS * 1000000L };

	memset(r, 0, sizeof(*r));
	while (r->tries < EC_PROBE_TRIES) {
		r->seen[0] = '\0';
		r->tries++;
		left = end - now_ms();
		if ((r->served = try_once(t, want, left, r)))
			return;
		if (end - now_ms() <= PAUSE_MS)
			break;
		nanosleep(&pause, NULL);
	}
}
