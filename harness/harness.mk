# harness/: libmclab (topologies, nodes, traffic, capture, proc, nf) and
# the mclab CLI.

HARNESS_MAINS    := harness/src/mclab.c
HARNESS_LIB_SRCS := $(filter-out $(HARNESS_MAINS),$(wildcard harness/src/*.c))
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

$(MCLAB): $(BUILD)/harness/src/mclab.o $(HARNESS_LIB)
	$(call link,$^,$(HARNESS_LIBS))

HARNESS_TEST_SRCS := $(wildcard harness/tests/test_*.c)
HARNESS_TESTS     := $(patsubst harness/tests/%.c,$(BUILD)/harness/tests/%,$(HARNESS_TEST_SRCS))

$(BUILD)/harness/tests/%: $(BUILD)/harness/tests/%.o $(HARNESS_LIB)
	$(call link,$^,$(CMOCKA_LIBS) $(HARNESS_LIBS))

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
