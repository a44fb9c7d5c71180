/* safedir.h: a directory that no one but its owner and root can swap.
 *
 * A store is only as safe as the directories above it: whoever may rename
 * an entry of an ancestor can put a tree of his own where the store was,
 * between a check and a use.  So the path is walked from "/" one component
 * at a time, each opened relative to the one before without following a
 * symlink (a symlink is read and its target walked the same way), and
 * each directory is checked on its descriptor, as ssh's StrictModes does:
 *
 *   - every ancestor is owned by root or by the effective user, and is not
 *     writable by group or others, unless it is sticky (/tmp) and the entry
 *     taken in it is owned by root or by the effective user;
 *   - the directory itself is not a symlink, is owned by the effective
 *     user, and is not writable by group or others.
 *
 * What fails is store-unsafe; a symlink or a file where the directory
 * should be is store-corrupt.  The descriptor returned is the directory:
 * everything after is done relative to it. */
#ifndef EC_SAFEDIR_H
#define EC_SAFEDIR_H

#include "err.h"

/* Open path as described; *out gets the descriptor (O_DIRECTORY,
 * close-on-exec).  With create, missing components are made (0700);
 * without it, a missing one sets *out to -1 and returns 0. */
int ec_safedir_open(const char *path, int create, int *out, struct ec_err *e);

/* A directory inside an open safe one (a section, live/...): a directory,
 * owned by the effective user, not writable by group or others. */
int ec_safedir_check(int fd, const char *what, struct ec_err *e);

#endif
