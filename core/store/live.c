#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "buf.h"
#include "cert.h"
#include "fileio.h"
#include "live.h"
#include "safedir.h"

#define LIVE "live"
#define GEN ".gen"

/* open_dir's and open_path's mk: DIR_NEED, an absent directory is
 * not-found; DIR_MAKE, make it (0700) first; DIR_OPT, absent is a value
 * (open_dir -2, open_path 1), not an error. */
enum { DIR_NEED, DIR_MAKE, DIR_OPT };

/* Open dir in at, without following a symlink (mk: DIR_*).  A symlink or
 * a non-directory is store-corrupt; one another user owns or may write is
 * store-unsafe. */
static int open_dir(int at, const char *dir, const char *what, int mk,
		    struct ec_err *e)
{
	int fd;

	if (mk == DIR_MAKE && mkdirat(at, dir, 0700) < 0 && errno != EEXIST)
		return ec_fail_errno(e, EC_IO, errno, "cannot create '%s'",
				     what);
	fd = openat(at, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			return ec_fail(e, EC_STORE_CORRUPT, "'%s' is not a "
				       "directory", what);
		if (errno == ENOENT && mk == DIR_OPT)
			return -2;
		if (errno == ENOENT)
			return ec_fail(e, EC_NOT_FOUND, "'%s' does not exist",
				       what);
		return ec_fail_errno(e, EC_IO, errno, "cannot open '%s'",
				     what);
	}
	if (ec_safedir_check(fd, what, e) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Directory fds along STORE/live/.gen/NAME, as far as level asks:
 * 0 the store, 1 live, 2 .gen, 3 .gen/NAME (mk: DIR_*).  0 when all are
 * open; with DIR_OPT, 1 when the store or a directory is absent; -1 with
 * e.  The caller closes them. */
static int open_path(struct ec_store *s, const char *iface, int level,
		     int mk, int fds[4], struct ec_err *e)
{
	static const char *const names[] = { LIVE, GEN, NULL };
	const char *dir = ec_store_dir(s);
	char what[PATH_MAX];
	size_t n;

	fds[0] = fds[1] = fds[2] = fds[3] = -1;
	/* the store's own descriptor: never its path again */
	if (ec_store_fd(s) < 0 && mk == DIR_OPT)
		return 1;
	if (ec_store_fd(s) < 0)
		return ec_fail(e, EC_NOT_FOUND, "store '%s' does not exist", dir);
	if ((fds[0] = fcntl(ec_store_fd(s), F_DUPFD_CLOEXEC, 0)) < 0)
		return ec_fail_errno(e, EC_IO, errno, "cannot use store '%s'",
				     dir);
	n = (size_t)snprintf(what, sizeof(what), "%s", dir);
	for (int i = 1; i <= level; i++) {
		const char *d = names[i - 1] ? names[i - 1] : iface;

		if (n < sizeof(what))
			n += (size_t)snprintf(what + n, sizeof(what) - n, "/%s",
					      d);
		fds[i] = open_dir(fds[i - 1], d, what, mk, e);
		if (fds[i] == -2) {
			fds[i] = -1;
			return 1;
		}
		if (fds[i] < 0)
			return -1;
	}
	return 0;
}

static void close_path(int fds[4])
{
	for (int i = 3; i >= 0; i--)
		if (fds[i] >= 0)
			close(fds[i]);
}

int ec_live_path(struct ec_store *s, const char *iface, char *buf, size_t n,
		 struct ec_err *e)
{
	const char *dir = ec_store_dir(s);
	char cwd[PATH_MAX];
	size_t len;

	if (dir[0] == '/')
		len = (size_t)snprintf(buf, n, "%s/" LIVE "/%s", dir, iface);
	else if (getcwd(cwd, sizeof(cwd)))
		len = (size_t)snprintf(buf, n, "%s/%s/" LIVE "/%s", cwd, dir,
				       iface);
	else
		return ec_fail_errno(e, EC_IO, errno, "cannot tell the "
				     "current directory");
	if (len >= n)
		return ec_fail(e, EC_USAGE, "the store's path is too long");
	return 0;
}

/* A generation's number from its name: digits only, no leading zero. */
static unsigned long gen_number(const char *name)
{
	char *end;
	unsigned long g;

	if (name[0] < '1' || name[0] > '9')
		return 0;
	errno = 0;
	g = strtoul(name, &end, 10);
	return *end || errno ? 0 : g;
}

int ec_live_current(struct ec_store *s, const char *iface,
		    unsigned long *gen, struct ec_err *e)
{
	char target[256], want[128];
	int fds[4], r = -1;
	ssize_t n;

	*gen = 0;
	if ((r = open_path(s, iface, 1, DIR_OPT, fds, e)) != 0) {
		close_path(fds);
		return r < 0 ? -1 : 0;
	}
	r = -1;
	n = readlinkat(fds[1], iface, target, sizeof(target) - 1);
	if (n < 0) {
		if (errno == ENOENT) {
			r = 0;
		} else if (errno == EINVAL) {
			ec_fail(e, EC_STORE_CORRUPT, "'%s/" LIVE "/%s' is not "
				"a symlink edgecert made", ec_store_dir(s),
				iface);
		} else {
			ec_fail_errno(e, EC_IO, errno, "cannot read '%s/" LIVE
				      "/%s'", ec_store_dir(s), iface);
		}
		goto out;
	}
	target[n] = '\0';
	snprintf(want, sizeof(want), GEN "/%s/", iface);
	if (strncmp(target, want, strlen(want)) != 0 ||
	    !(*gen = gen_number(target + strlen(want)))) {
		ec_fail(e, EC_STORE_CORRUPT, "'%s/" LIVE "/%s' points to '%s', "
			"not to a generation", ec_store_dir(s), iface, target);
		goto out;
	}
	r = 0;
out:
	close_path(fds);
	return r;
}

static int open_gen(struct ec_store *s, const char *iface, unsigned long gen)
{
	struct ec_err e;
	char name[32];
	int fds[4], fd = -1;

	if (open_path(s, iface, 3, DIR_NEED, fds, &e) == 0) {
		snprintf(name, sizeof(name), "%lu", gen);
		fd = openat(fds[3], name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
	}
	close_path(fds);
	return fd;
}

int ec_live_has(struct ec_store *s, const char *iface, unsigned long gen)
{
	int fd = gen ? open_gen(s, iface, gen) : -1;

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

int ec_live_same(struct ec_store *s, const char *iface, unsigned long gen,
		 const struct ec_live_file *f, size_t n)
{
	int fd = gen ? open_gen(s, iface, gen) : -1, same = fd >= 0;
	struct ec_data d;
	struct ec_err e;
	struct stat sb;

	for (size_t i = 0; same && i < n; i++) {
		memset(&d, 0, sizeof(d));
		same = fstatat(fd, f[i].name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		       (sb.st_mode & 07777) == f[i].mode &&
		       sb.st_uid == (f[i].uid == (uid_t)-1 ? geteuid() :
				     f[i].uid) &&
		       (f[i].gid == (gid_t)-1 || sb.st_gid == f[i].gid) &&
		       ec_read_at(fd, f[i].name, f[i].len + 1, &d, &e) == 0 &&
		       d.size == f[i].len && memcmp(d.data, f[i].data,
						    d.size) == 0;
		ec_data_free(&d);
	}
	if (fd >= 0)
		close(fd);
	return same;
}

/* Remove a generation directory and the files in it. */
static int remove_gen(int dfd, const char *name, struct ec_err *e)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);
	struct dirent *de;
	DIR *d;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		/* a symlink or a file where only edgecert makes directories */
		if (errno == ELOOP || errno == ENOTDIR)
			return ec_fail(e, EC_STORE_CORRUPT, "live generation '%s' "
				       "is not a directory edgecert made", name);
		return ec_fail_errno(e, EC_IO, errno, "cannot open generation "
				     "'%s'", name);
	}
	if (!(d = fdopendir(fd))) {
		close(fd);
		return ec_fail_errno(e, EC_IO, errno, "cannot read generation "
				     "'%s'", name);
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return ec_fail_errno(e, EC_IO, errno, "cannot remove "
				     "generation '%s'", name);
	return 0;
}

/* The highest generation number in dfd. */
static int max_gen(int dfd, unsigned long *max, struct ec_err *e)
{
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	unsigned long g;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return ec_fail_errno(e, EC_IO, errno, "cannot read the live "
				     "generations");
	}
	*max = 0;
	while ((de = readdir(d)))
		if ((g = gen_number(de->d_name)) > *max)
			*max = g;
	closedir(d);
	return 0;
}

/* Files for another user: the directories down to .gen/NAME become
 * 0711 (only .gen/NAME goes back to 0700 without). */
static int open_dirs(int fds[4], int shared, struct ec_err *e)
{
	struct stat sb;

	for (int i = 1; i <= 3; i++) {
		if (fstat(fds[i], &sb) < 0)
			return ec_fail_errno(e, EC_IO, errno, "cannot read the "
					     "mode of the live directory");
		if ((shared && (sb.st_mode & 0111) != 0111 &&
		     fchmod(fds[i], (sb.st_mode & 0777) | 0711) < 0) ||
		    (!shared && i == 3 && (sb.st_mode & 0777) != 0700 &&
		     fchmod(fds[i], 0700) < 0))
			return ec_fail_errno(e, EC_IO, errno, "cannot set the "
					     "mode of the live directory");
	}
	return 0;
}

/* Give a file of a generation to uid:gid with its mode, on the opened
 * descriptor: a chown or chmod by name would follow a planted symlink. */
static int own_file(int dfd, const char *name, uid_t uid, gid_t gid,
		    mode_t mode, struct ec_err *e)
{
	struct stat sb;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
			O_CLOEXEC), r = 0;

	if (fd < 0)
		return ec_fail_errno(e, EC_IO, errno, "cannot open '%s'", name);
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode))
		r = ec_fail(e, EC_STORE_CORRUPT, "'%s' is not a regular file",
			    name);
	else if ((uid != (uid_t)-1 || gid != (gid_t)-1) &&
		 fchown(fd, uid, gid) < 0)
		r = ec_fail_errno(e, EC_IO, errno, "cannot give '%s' to "
				  "%ld:%ld", name, uid == (uid_t)-1 ? -1L :
				  (long)uid, gid == (gid_t)-1 ? -1L :
				  (long)gid);
	else if (fchmod(fd, mode) < 0)
		r = ec_fail_errno(e, EC_IO, errno, "cannot set the mode of "
				  "'%s'", name);
	close(fd);
	return r;
}

int ec_live_write(struct ec_store *s, const char *iface,
		  const struct ec_live_file *f, size_t n, unsigned long *gen,
		  struct ec_err *e)
{
	char tmp[40], name[32];
	int fds[4], gfd = -1, r = -1, shared = 0;

	for (size_t i = 0; i < n; i++)
		shared |= f[i].uid != (uid_t)-1 || f[i].gid != (gid_t)-1;
	if (open_path(s, iface, 3, DIR_MAKE, fds, e) < 0 ||
	    open_dirs(fds, shared, e) < 0 || max_gen(fds[3], gen, e) < 0)
		goto out;
	++*gen;
	snprintf(name, sizeof(name), "%lu", *gen);
	snprintf(tmp, sizeof(tmp), "%lu.tmp", *gen);
	if (remove_gen(fds[3], tmp, e) < 0)
		goto out;
	if ((gfd = open_dir(fds[3], tmp, tmp, DIR_MAKE, e)) < 0)
		goto out;
	if (fchmod(gfd, 0755) < 0) {
		ec_fail_errno(e, EC_IO, errno, "cannot set the mode of a live "
			      "generation");
		goto fail;
	}
	for (size_t i = 0; i < n; i++)
		/* no group bits until own_file has given it to its group */
		if (ec_create_at_mode(gfd, f[i].name, f[i].data, f[i].len,
				      f[i].mode & ~(mode_t)070, e) < 0 ||
		    own_file(gfd, f[i].name, f[i].uid, f[i].gid, f[i].mode,
			     e) < 0)
			goto fail;
	if (ec_fsync_fd_dir(gfd, e) < 0)
		goto fail;
	if (renameat(fds[3], tmp, fds[3], name) < 0) {
		ec_fail_errno(e, EC_IO, errno, "cannot publish live generation "
			      "%lu of '%s'", *gen, iface);
		goto fail;
	}
	if (ec_fsync_fd_dir(fds[3], e) < 0 || ec_fsync_fd_dir(fds[2], e) < 0 ||
	    ec_fsync_fd_dir(fds[1], e) < 0)
		goto out;
	r = 0;
	goto out;
fail:
	{
		struct ec_err ignored;

		remove_gen(fds[3], tmp, &ignored);
	}
out:
	if (gfd >= 0)
		close(gfd);
	close_path(fds);
	return r;
}

int ec_live_own(struct ec_store *s, const char *iface, unsigned long gen,
		uid_t uid, gid_t gid, struct ec_err *e)
{
	int fd = gen ? open_gen(s, iface, gen) : -1, dup_fd, fds[4], r = -1;
	int shared = uid != (uid_t)-1 || gid != (gid_t)-1;
	struct dirent *de;
	struct stat sb;
	mode_t mode;
	DIR *d;

	if (fd < 0)
		return ec_fail(e, EC_NOT_FOUND, "interface '%s' has no live "
			       "generation %lu", iface, gen);
	if (open_path(s, iface, 3, DIR_NEED, fds, e) < 0 ||
	    open_dirs(fds, shared, e) < 0 || (dup_fd = dup(fd)) < 0)
		goto out;
	if (!(d = fdopendir(dup_fd))) {
		close(dup_fd);
		ec_fail_errno(e, EC_IO, errno, "cannot read generation %lu",
			      gen);
		goto out;
	}
	r = 0;
	while (r == 0 && (de = readdir(d))) {
		if (fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(sb.st_mode))
			continue;
		mode = sb.st_mode & 0004 ? 0644 :
		       gid != (gid_t)-1 ? 0640 : 0600;
		r = own_file(fd, de->d_name, uid == (uid_t)-1 ? geteuid() :
			     uid, gid == (gid_t)-1 ? getegid() : gid, mode, e);
	}
	closedir(d);
	if (r == 0)
		r = ec_fsync_fd_dir(fd, e);
out:
	close_path(fds);
	close(fd);
	return r;
}

int ec_live_switch(struct ec_store *s, const char *iface, unsigned long gen,
		   struct ec_err *e)
{
	char target[128], tmp[96];
	int fds[4], r = -1;

	if ((r = open_path(s, iface, 1, gen ? DIR_MAKE : DIR_OPT, fds,
			   e)) != 0) {
		close_path(fds);
		return r < 0 ? -1 : 0;	/* no link to remove */
	}
	r = -1;
	if (gen == 0) {
		if (unlinkat(fds[1], iface, 0) < 0 && errno != ENOENT) {
			ec_fail_errno(e, EC_IO, errno, "cannot remove '%s/"
				      LIVE "/%s'", ec_store_dir(s), iface);
			goto out;
		}
	} else {
		snprintf(target, sizeof(target), GEN "/%s/%lu", iface, gen);
		snprintf(tmp, sizeof(tmp), ".%s.new", iface);
		unlinkat(fds[1], tmp, 0);
		if (symlinkat(target, fds[1], tmp) < 0 ||
		    renameat(fds[1], tmp, fds[1], iface) < 0) {
			ec_fail_errno(e, EC_IO, errno, "cannot switch '%s/"
				      LIVE "/%s' to generation %lu",
				      ec_store_dir(s), iface, gen);
			unlinkat(fds[1], tmp, 0);
			goto out;
		}
	}
	r = ec_fsync_fd_dir(fds[1], e);
out:
	close_path(fds);
	return r;
}

int ec_live_drop(struct ec_store *s, const char *iface, unsigned long gen,
		 struct ec_err *e)
{
	char name[32];
	int fds[4], r;

	snprintf(name, sizeof(name), "%lu", gen);
	if (open_path(s, iface, 3, DIR_NEED, fds, e) < 0) {
		close_path(fds);
		return -1;
	}
	r = remove_gen(fds[3], name, e);
	if (r == 0)
		r = ec_fsync_fd_dir(fds[3], e);
	close_path(fds);
	return r;
}

int ec_live_prune(struct ec_store *s, const char *iface, unsigned long keep1,
		  unsigned long keep2, struct ec_err *e)
{
	int fds[4], fd, r = -1, left = 0;
	struct dirent *de;
	unsigned long g;
	DIR *d;

	if ((r = open_path(s, iface, 3, DIR_OPT, fds, e)) != 0) {
		close_path(fds);
		return r < 0 ? -1 : 0;
	}
	r = -1;
	if ((fd = dup(fds[3])) < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		ec_fail_errno(e, EC_IO, errno, "cannot read the live "
			      "generations of '%s'", iface);
		goto out;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		g = gen_number(de->d_name);
		if (g && (g == keep1 || g == keep2)) {
			left = 1;
			continue;
		}
		if (remove_gen(fds[3], de->d_name, e) < 0) {
			closedir(d);
			goto out;
		}
	}
	closedir(d);
	if (ec_fsync_fd_dir(fds[3], e) < 0)
		goto out;
	if (!left && unlinkat(fds[2], iface, AT_REMOVEDIR) < 0 &&
	    errno != ENOENT) {
		ec_fail_errno(e, EC_IO, errno, "cannot remove the live "
			      "generations of '%s'", iface);
		goto out;
	}
	r = 0;
out:
	close_path(fds);
	return r;
}

static int pem_add(struct ec_buf *b, gnutls_x509_crt_t crt, struct ec_err *e)
{
	gnutls_datum_t d = { NULL, 0 };

	if (ec_cert_pem(crt, &d, e) < 0)
		return -1;
	ec_buf_add(b, d.data, d.size);
	gnutls_free(d.data);
	return 0;
}

static int datum(gnutls_datum_t *d, const struct ec_buf *b, struct ec_err *e)
{
	if (b->oom)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	d->data = gnutls_malloc(b->len + 1);
	if (!d->data)
		return ec_fail(e, EC_INTERNAL, "out of memory");
	if (b->len)
		memcpy(d->data, b->p, b->len);
	d->size = (unsigned)b->len;
	return 0;
}

/* privkey.uri: the key's URL on one line. */
static int uri_file(const char *url, gnutls_datum_t *out, struct ec_err *e)
{
	size_t n = strlen(url);

	if (!(out->data = gnutls_malloc(n + 2)))
		return ec_fail(e, EC_INTERNAL, "out of memory");
	memcpy(out->data, url, n);
	out->data[n] = '\n';
	out->data[n + 1] = '\0';
	out->size = (unsigned)n + 1;
	return 0;
}

/* Each file owner's and group's (-1: none); the key and combined.pem
 * 0640 with a group, else 0600. */
static void set_own(struct ec_live_set *ls, long owner, long group)
{
	for (size_t i = 0; i < EC_LIVE_NFILES; i++) {
		struct ec_live_file *f = &ls->f[i];

		f->uid = owner < 0 ? (uid_t)-1 : (uid_t)owner;
		f->gid = group < 0 ? (gid_t)-1 : (gid_t)group;
		if (i >= 3)	/* the key, combined.pem */
			f->mode = group < 0 ? 0600 : 0640;
	}
}

int ec_live_set_make(gnutls_x509_crt_t crt, const struct ec_chain *path,
		     gnutls_x509_privkey_t key, const char *key_url,
		     long owner, long group, struct ec_live_set *ls,
		     struct ec_err *e)
{
	struct ec_buf chain = { 0 }, full = { 0 }, comb = { 0 };
	int r = -1, x;

	memset(ls, 0, sizeof(*ls));
	/* the intermediates: the path's certificates up to, not including,
	 * a trusted root or a self-signed certificate */
	for (size_t i = 1; i < path->n; i++) {
		if (path->sec[i] == EC_SEC_ROOT ||
		    ec_crt_self_signed(path->v[i]))
			break;
		if (pem_add(&chain, path->v[i], e) < 0)
			goto out;
		ls->nchain++;
	}
	if (ec_cert_pem(crt, &ls->cert, e) < 0)
		goto out;
	ec_buf_add(&full, ls->cert.data, ls->cert.size);
	ec_buf_add(&full, chain.p, chain.len);
	if (datum(&ls->chain, &chain, e) < 0 || datum(&ls->full, &full, e) < 0)
		goto out;
	if (!key) {
		if (uri_file(key_url, &ls->key, e) < 0)
			goto out;
		x = 0;
	} else {
		x = gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM,
						      NULL, GNUTLS_PKCS_PLAIN,
						      &ls->key);
	}
	if (x < 0) {
		ec_fail(e, EC_INTERNAL, "cannot encode the private key: %s",
			gnutls_strerror(x));
		goto out;
	}
	if (key) {
		ec_buf_add(&comb, ls->key.data, ls->key.size);
		ec_buf_add(&comb, full.p, full.len);
		if (datum(&ls->combined, &comb, e) < 0)
			goto out;
	}
	ls->f[0] = (struct ec_live_file){ "cert.pem", ls->cert.data,
					  ls->cert.size, 0644, 0, 0 };
	ls->f[1] = (struct ec_live_file){ "chain.pem", ls->chain.data,
					  ls->chain.size, 0644, 0, 0 };
	ls->f[2] = (struct ec_live_file){ "fullchain.pem", ls->full.data,
					  ls->full.size, 0644, 0, 0 };
	ls->f[3] = (struct ec_live_file){ key ? "privkey.pem" : "privkey.uri",
					  ls->key.data, ls->key.size, 0600, 0, 0 };
	ls->f[4] = (struct ec_live_file){ "combined.pem", ls->combined.data,
					  ls->combined.size, 0600, 0, 0 };
	ls->n = key ? 5 : 4;
	set_own(ls, owner, group);
	r = 0;
out:
	ec_buf_free(&chain);
	ec_buf_free(&full);
	ec_buf_free(&comb);
	if (r < 0)
		ec_live_set_free(ls);
	return r;
}

void ec_live_set_free(struct ec_live_set *ls)
{
	gnutls_free(ls->cert.data);
	gnutls_free(ls->chain.data);
	gnutls_free(ls->full.data);
	if (ls->key.data) {
		gnutls_memset(ls->key.data, 0, ls->key.size);
		gnutls_free(ls->key.data);
	}
	if (ls->combined.data) {
		gnutls_memset(ls->combined.data, 0, ls->combined.size);
		gnutls_free(ls->combined.data);
	}
	memset(ls, 0, sizeof(*ls));
}
