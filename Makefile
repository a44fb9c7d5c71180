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
# SANITIZE=thread (with CC=clang) builds with ThreadSanitizer.
SAN_thread = -fsanitize=thread -fno-omit-frame-pointer
SAN = $(SAN_$(SANITIZE))
# a bundle's signatures are checked on several threads (chainpar.c)
THREADS = -pthread
PKG_CFLAGS = $$($(PKG_CONFIG) --cflags gnutls libtasn1 nettle p11-kit-1)
PKG_LIBS = $$($(PKG_CONFIG) --libs gnutls libtasn1 nettle)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(INC) \
	$(CFLAGS) $(SAN) $(THREADS) -DEC_VERSION='"$(VERSION)"' $(PKG_CFLAGS)

# Where objects and the binary go (make check builds its sanitized copy
# with BUILD=build/san BIN=build/san/bin).
BUILD = build
BIN = bin

# core/ by layer (README, Layout); its headers are included by name
# ("store.h") from cmd/, core/ and fuzz/.  core itself stays in the list
# for a module not yet placed in a group.
CORE_DIRS = core core/base core/sys core/fmt core/store core/check
INC = $(addprefix -I,$(CORE_DIRS))
CORE = $(wildcard $(addsuffix /*.c,$(CORE_DIRS)))
CMDS = $(wildcard cmd/*.c)
# every cmd/*.c is an applet but main.c (the dispatch) and ctx.c (the
# command line: global options, --help, --version, the default store)
APPLETS = $(filter-out main ctx,$(basename $(notdir $(CMDS))))
OBJS = $(patsubst %.c,$(BUILD)/%.o,$(CORE) $(CMDS))
HDRS = $(wildcard $(addsuffix /*.h,$(CORE_DIRS)) cmd/*.h)
LINKS = $(addprefix $(BIN)/edgecert-,$(APPLETS))

all: $(BIN)/edgecert $(LINKS)

# Rebuild everything when the compiler or flags change (SANITIZE=1, CC=clang).
$(BUILD)/flags: FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS)' | cmp -s - $@ || \
		echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS)' > $@

$(BUILD)/%.o: %.c $(HDRS) Makefile $(BUILD)/flags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BIN)/edgecert: $(OBJS) $(BUILD)/flags
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $(SAN) $(THREADS) $(LDFLAGS) -o $@ $(OBJS) \
		$(PKG_LIBS)

$(BIN)/edgecert-%: $(BIN)/edgecert
	ln -sf edgecert $@

# libFuzzer targets (fuzz/*.c, see fuzz/README), each linked with the
# core objects built by clang with ASan and UBSan, in build/fuzz.
FUZZ_CC = clang
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(INC) -O1 -g $(FUZZ_SAN) \
	-fsanitize=fuzzer-no-link $(THREADS) $(PKG_CFLAGS)
FUZZ_TARGETS = $(filter-out common,$(basename $(notdir $(wildcard fuzz/*.c))))
FUZZ_OBJS = $(patsubst %.c,build/fuzz/%.o,$(CORE) fuzz/common.c)
FUZZ_BINS = $(addprefix build/fuzz/bin/,$(FUZZ_TARGETS))
FUZZ_SECONDS = 60

build/fuzz/%.o: %.c $(HDRS) fuzz/fuzz.h Makefile
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

build/fuzz/bin/%: build/fuzz/fuzz/%.o $(FUZZ_OBJS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_SAN) $(THREADS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) \
		$(PKG_LIBS)

fuzz-build: $(FUZZ_BINS)
.PRECIOUS: build/fuzz/%.o

# Each fuzz target for FUZZ_SECONDS (scripts/fuzz; make check: 20 s).
fuzz: fuzz-build
	scripts/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

deps:
	scripts/deps all

# core/fmt/*_asn1_tab.c from core/fmt/*.asn (committed; needs asn1Parser, libtasn1-bin).
regen-asn1:
	scripts/regen-asn1

# The test command of the README (and CI's): lint, the bats suite, each
# fuzz target for CHECK_FUZZ_SECONDS, the suite again on the ASan+UBSan
# build, side by side where they can, ending with one "N passed, N
# failed" for all (scripts/check).
# scripts/deps installs what is missing.
CHECK_FUZZ_SECONDS = 20

check:
	scripts/deps all
	$(MAKE) -j$$(nproc) all fuzz-build
	$(MAKE) -j$$(nproc) SANITIZE=1 BUILD=build/san BIN=build/san/bin all
	scripts/check $(CHECK_FUZZ_SECONDS) $(FUZZ_TARGETS)

# The bats suite with every edgecert run under valgrind --leak-check=full
# (scripts/valgrind-tests; long: not part of make check).
valgrind:
	scripts/deps all
	$(MAKE) all
	scripts/valgrind-tests

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
# cppcheck and clang-tidy on cmd/ and core/ (scripts/lint, .clang-tidy),
# shellcheck on t/ and scripts/ (t/.shellcheckrc).
lint:
	scripts/lint

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

.PHONY: all bench deps regen-asn1 check demo stress install clean fuzz fuzz-build lint valgrind FORCE
FORCE:
