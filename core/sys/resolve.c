#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "resolve.h"

static int same_addr(const struct sockaddr *a, const struct sockaddr *b)
{
	if (!a || !b || a->sa_family != b->sa_family)
		return 0;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)(const void *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)(const void *)b)->sin_addr.s_addr;
	if (a->sa_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)(const void *)a)->sin6_addr,
			      &((const struct sockaddr_in6 *)(const void *)b)->sin6_addr,
			      16) == 0;
	return 0;
}

static int is_local(const struct ifaddrs *ifs, const struct sockaddr *sa)
{
	for (const struct ifaddrs *i = ifs; i; i = i->ifa_next)
		if (same_addr(i->ifa_addr, sa))
			return 1;
	return 0;
}

int ec_resolve_local(const char *name, struct ec_resolved *r,
		     struct ec_err *e)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	struct ifaddrs *ifs = NULL;
	int g, nlocal = 0;
	char buf[64];

	memset(r, 0, sizeof(*r));
	if (getifaddrs(&ifs) < 0)
		return ec_fail_errno(e, EC_IO, errno, "cannot read this "
				     "host's addresses");
	g = getaddrinfo(name, NULL, &hints, &res);
	if (g != 0) {
		snprintf(r->error, sizeof(r->error), "%s",
			 g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
		freeifaddrs(ifs);
		return 0;
	}
	for (struct addrinfo *a = res; a && r->n < EC_RESOLVE_MAX;
	     a = a->ai_next) {
		const void *p = a->ai_family == AF_INET ?
			(const void *)&((struct sockaddr_in *)(void *)a->ai_addr)->sin_addr :
			(const void *)&((struct sockaddr_in6 *)(void *)a->ai_addr)->sin6_addr;
		size_t k;

		if ((a->ai_family != AF_INET && a->ai_family != AF_INET6) ||
		    !inet_ntop(a->ai_family, p, buf, sizeof(buf)))
			continue;
		for (k = 0; k < r->n && strcmp(r->addr[k], buf) != 0; k++)
			;
		if (k < r->n)
			continue;
		snprintf(r->addr[r->n], sizeof(r->addr[0]), "%s", buf);
		r->local[r->n] = is_local(ifs, a->ai_addr);
		nlocal += r->local[r->n];
		r->n++;
	}
	freeaddrinfo(res);
	freeifaddrs(ifs);
	if (r->n == 0)
		snprintf(r->error, sizeof(r->error), "no IPv4 or IPv6 address");
	return nlocal;
}
