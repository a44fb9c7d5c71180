# edgecert: see README.  "make", "make check", "make install".
.POSIX:

VERSION = 0.1.0
PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
DATADIR = $(PREFIX)/share/edgecert
COMPDIR = $(PREFIX)/share/bash-completion/completions

CC = cc
PKG_CONFIG = pkg-config
WARN = -Wall -Wextra -Werror
CFLAGS = -O2 -g
# SANITIZE=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer.
SAN_1 = -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
SAN = $(SAN_$(SANITIZE))
PKG_CFLAGS = $$($(PKG_CONFIG) --cflags gnutls libtasn1 nettle p11-kit-1)
PKG_LIBS = $$($(PKG_CONFIG) --libs gnutls libtasn1 nettle)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) \
	$(CFLAGS) $(SAN) -DEC_VERSION='"$(VERSION)"' $(PKG_CFLAGS)

CORE = $(wildcard core/*.c)
CMDS = $(wildcard cmd/*.c)
APPLETS = $(filter-out main,$(basename $(notdir $(CMDS))))
OBJS = $(patsubst %.c,build/%.o,$(CORE) $(CMDS))
HDRS = $(wildcard core/*.h cmd/*.h)
LINKS = $(addprefix bin/edgecert-,$(APPLETS))

all: bin/edgecert $(LINKS)

# Rebuild everything when the compiler or flags change (SANITIZE=1, CC=clang).
build/flags: FORCE
	@mkdir -p build
	@echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS)' | cmp -s - $@ || \
		echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS)' > $@

build/%.o: %.c $(HDRS) Makefile build/flags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

bin/edgecert: $(OBJS) build/flags
	@mkdir -p bin
	$(CC) $(CFLAGS) $(SAN) $(LDFLAGS) -o $@ $(OBJS) $(PKG_LIBS)

bin/edgecert-%: bin/edgecert
	ln -sf edgecert $@

deps:
	scripts/deps all

# core/*_asn1_tab.c from core/*.asn (committed; needs asn1Parser, libtasn1-bin).
regen-asn1:
	scripts/regen-asn1

# The test command of the README.  scripts/deps installs what is missing.
check:
	scripts/deps all
	$(MAKE) all
	scripts/run-tests

# The seed's procedure 4.2 on throwaway stores under demo/ (scripts/demo).
demo:
	scripts/deps all
	$(MAKE) all
	scripts/demo demo

# Longer fault, kill, concurrency and hostile-input runs than make check's.
stress:
	scripts/deps all
	$(MAKE) all
	EDGECERT_STRESS=1 scripts/run-tests t/faults.bats t/hostile.bats

# scripts/bench: edgecert against openssl and certtool, and at 10 to
# 100,000 certificates; writes bench/results.md and bench/scale.png.
# BENCH_ARGS=--quick for a short run.
bench:
	scripts/deps bench
	$(MAKE) all
	scripts/bench $(BENCH_ARGS)

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(DATADIR) $(DESTDIR)$(COMPDIR)
	cp bin/edgecert $(DESTDIR)$(BINDIR)/edgecert
	chmod 755 $(DESTDIR)$(BINDIR)/edgecert
	for a in $(APPLETS); do ln -sf edgecert $(DESTDIR)$(BINDIR)/edgecert-$$a; done
	cp man/*.1 $(DESTDIR)$(MANDIR)/man1/
	cp man/edgecert-status.schema.json $(DESTDIR)$(DATADIR)/
	cp completion/edgecert.bash $(DESTDIR)$(COMPDIR)/edgecert
	for a in $(APPLETS); do ln -sf edgecert $(DESTDIR)$(COMPDIR)/edgecert-$$a; done

clean:
	rm -rf build bin

.PHONY: all bench deps regen-asn1 check demo stress install clean FORCE
FORCE:
