# harness/: libmclab (topologies, nodes, traffic, capture, proc, nf) and
# the mclab CLI.

# harness/src is in folders, one a layer, lowest first as ci/layers.known
# orders them (ci/check-layers.sh holds includes and calls to that order):
#   base image topo lab node kern traffic router vm qemu check cli
# Headers are included by name ("node.h"): every folder is on the path.
HARNESS_DIRS     := $(patsubst %/,%,$(sort $(dir $(wildcard harness/src/*/*.h))))
HARNESS_INC      := $(addprefix -I,$(HARNESS_DIRS))

# The CLI: cli/mclab.c (main) and its commands, cli/mclab_*.c
HARNESS_MAINS    := harness/src/cli/mclab.c
MCLAB_SRCS       := $(wildcard harness/src/cli/*.c)
HARNESS_LIB_SRCS := $(filter-out $(MCLAB_SRCS),$(wildcard harness/src/*/*.c))
HARNESS_LIB      := $(BUILD)/harness/libmclab.a
HARNESS_LIBS     := $(MNL_LIBS) $(PCAP_LIBS) $(NFCT_LIBS) $(Z_LIBS) $(LZMA_LIBS)
MCLAB            := $(BUILD)/mclab

# The router's config parser (pure) is the harness's too: mclab check
# --image reads an image's smcroute.conf/mcrouted.conf with it, so the
# two can never disagree on what a config means.
HARNESS_ROUTER_OBJS := $(ROUTER_CONF_OBJS)
$(BUILD)/harness/src/image/imgmodel.o $(patsubst %.c,$(BUILD)/%.o,$(wildcard harness/src/check/*.c)): CPPFLAGS += -Irouter/src
$(BUILD)/harness/src/%.o: CPPFLAGS += $(HARNESS_INC)

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

$(BUILD)/harness/tests/%.o: CPPFLAGS += $(HARNESS_INC) -DFIXTURES='"harness/tests/fixtures"'

ALL_BINS    += $(HARNESS_TESTS)
UNIT_TESTS  += $(HARNESS_TESTS)
ALL_SOURCES += $(wildcard harness/src/*/*.[ch] harness/tests/*.[ch])
HARNESS_MAINS_PRESENT := $(wildcard $(HARNESS_MAINS))
ifneq ($(HARNESS_MAINS_PRESENT),)
ALL_BINS    += $(MCLAB)
INSTALL_BIN += $(MCLAB)
endif
MAN_PAGES   += $(wildcard harness/man/*.[1-8])
