# harness/: libmclab (topologies, nodes, traffic, capture, proc, nf) and
# the mclab CLI.

# The CLI: mclab.c (main) and its commands, mclab_*.c
HARNESS_MAINS    := harness/src/mclab.c
MCLAB_SRCS       := $(wildcard harness/src/mclab*.c)
HARNESS_LIB_SRCS := $(filter-out $(MCLAB_SRCS),$(wildcard harness/src/*.c))
HARNESS_LIB      := $(BUILD)/harness/libmclab.a
HARNESS_LIBS     := $(MNL_LIBS) $(PCAP_LIBS) $(NFCT_LIBS) $(Z_LIBS) $(LZMA_LIBS)
MCLAB            := $(BUILD)/mclab

# The router's config parser (pure) is the harness's too: mclab check
# --image reads an image's smcroute.conf/mcrouted.conf with it, so the
# two can never disagree on what a config means.
HARNESS_ROUTER_OBJS := $(ROUTER_CONF_OBJS)
$(BUILD)/harness/src/imgmodel.o $(BUILD)/harness/src/imgcheck.o $(BUILD)/harness/src/imgcheck_guest.o $(BUILD)/harness/src/imgcheck_traffic.o: CPPFLAGS += -Irouter/src

$(HARNESS_LIB): $(patsubst %.c,$(BUILD)/%.o,$(HARNESS_LIB_SRCS)) $(HARNESS_ROUTER_OBJS)
	$(call archive,$^)

$(MCLAB): $(patsubst %.c,$(BUILD)/%.o,$(MCLAB_SRCS)) $(HARNESS_LIB)
	$(call link,$^,$(HARNESS_LIBS))

HARNESS_TEST_SRCS := $(wildcard harness/tests/test_*.c)
HARNESS_TESTS     := $(patsubst harness/tests/%.c,$(BUILD)/harness/tests/%,$(HARNESS_TEST_SRCS))

# test_capture is one suite from three files: the parser's tests and main()
# (test_capture.c), the offline capture's (capture_offline.c) and the
# frames both build (pktbuild.c)
$(BUILD)/harness/tests/test_capture: $(BUILD)/harness/tests/capture_offline.o \
	$(BUILD)/harness/tests/pktbuild.o

# objects first, whichever rule named them, then the library
$(BUILD)/harness/tests/%: $(BUILD)/harness/tests/%.o $(HARNESS_LIB)
	$(call link,$(filter %.o,$^) $(filter-out %.o,$^),$(CMOCKA_LIBS) $(HARNESS_LIBS))

$(BUILD)/harness/tests/%.o: CPPFLAGS += -Iharness/src -DFIXTURES='"harness/tests/fixtures"'

ALL_BINS    += $(HARNESS_TESTS)
UNIT_TESTS  += $(HARNESS_TESTS)
ALL_SOURCES += $(wildcard harness/src/*.[ch] harness/tests/*.[ch])
HARNESS_MAINS_PRESENT := $(wildcard $(HARNESS_MAINS))
ifneq ($(HARNESS_MAINS_PRESENT),)
ALL_BINS    += $(MCLAB)
INSTALL_BIN += $(MCLAB)
endif
MAN_PAGES   += $(wildcard harness/man/*.[1-8])
