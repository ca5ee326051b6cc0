# mcast-lab: a Linux multicast router and the lab that proves it.
#
#   make            build the router, the harness and the tests
#   make check      install missing packages (as root), build, run every suite
#   make lab        bring up the Pi router topology and show traffic crossing it
#   make install    PREFIX=/usr DESTDIR=/tmp/x
#
# Variables: CC=clang, SANITIZE=1 (ASan+UBSan), V=1 (verbose), ROUTER=...,
# TARGET=..., MCLAB_TIMEOUT_MULT=N.  One non-recursive make; every part
# brings its own fragment (router/router.mk, harness/harness.mk, ...).

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:
.SECONDARY:

PREFIX    ?= /usr/local
SBINDIR   ?= $(PREFIX)/sbin
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DESTDIR   ?=
SANITIZE  ?= 0
V         ?= 0
VERSION   := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

include mk/build.mk
include router/router.mk
include harness/harness.mk
include harness/tools/tools.mk
include cases/cases.mk
include packaging/packaging.mk
include qemu/qemu.mk
include fuzz/fuzz.mk
include bench/bench.mk

# The tree's shape: module cycles and layers over includes and calls (read
# from $(BUILD)'s objects), file sizes; a ratchet that may only shrink
# (ci/layers.known).  test-check-layers holds the checker to its faults.
UNIT_TESTS += ci/check-layers.sh ci/test-check-layers.sh ci/test-run-tests.sh
export MCLAB_BUILD := $(BUILD)

.PHONY: all check check-unit check-cases lab install uninstall clean deps \
	format format-check

all: $(ALL_BINS)

# As root --qemu too: qemu-system-arm and the arm64 cross tool chain for
# the emulated Pi (cases/qemu, which needs root; a rootless run skips it)
deps:
	@ci/install-deps $$([ "$$(id -u)" = 0 ] && echo --qemu)

# The closing line of check is "N passed, N failed, N skipped" over every
# suite run.  Unit suites run anywhere; the integration cases need root (or
# re-enter themselves in a user namespace when that is allowed).
# Suites run MCLAB_JOBS at once (default 1; make check MCLAB_JOBS=2), their
# report in the order given either way.
# With clang, every fuzz target also runs FUZZ_SMOKE_SECONDS (default 10; .ci/run runs a 60 s one).
FUZZ_SMOKE := $(if $(HAVE_CLANG),ci/fuzz)

check: deps
	@$(MAKE) --no-print-directory all qemu-image $(if $(HAVE_CLANG),fuzz-build)
	@FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) ci/run-tests --results $(RESULTS) \
		$(UNIT_TESTS) $(FUZZ_SMOKE) -- $(CASE_TESTS)

check-unit: all
	@ci/run-tests --results $(RESULTS) $(UNIT_TESTS)

# The integration cases alone, e.g. against a peer: make check-cases ROUTER=smcroute
check-cases: deps
	@$(MAKE) --no-print-directory all qemu-image
	@ci/run-tests --results $(RESULTS) -- $(CASE_TESTS)

lab: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) ci/lab

format:
	clang-format -i $(ALL_SOURCES)

format-check:
	@clang-format --dry-run --Werror $(ALL_SOURCES)

# Side by side with smcrouted and igmpproxy, not part of check (bench/RESULTS.md)
bench: bench-run

# Only what is installed is built: a broken test never blocks an install.
install: $(INSTALL_SBIN) $(INSTALL_BIN) install-packaging
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR)
	install -m 0755 $(INSTALL_SBIN) $(DESTDIR)$(SBINDIR)/
	install -m 0755 $(INSTALL_BIN) $(DESTDIR)$(BINDIR)/
	for m in $(MAN_PAGES); do \
		s=$${m##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s; \
		install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done

uninstall: uninstall-packaging
	rm -f $(addprefix $(DESTDIR)$(SBINDIR)/,$(notdir $(INSTALL_SBIN)))
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(INSTALL_BIN)))
	for m in $(MAN_PAGES); do \
		s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done

clean:
	rm -rf build results
