# cases/: cmocka suites that drive real kernels through libmclab.  Every
# cases/*.c is one suite; cases/common.* is shared by them.  A suite may
# be built from several files: cases/NAME.c (its main()) and the parts
# listed in CASE_PARTS_NAME, which are no suites of their own.

CASE_COMMON_SRCS := $(wildcard cases/common*.c)
# cases/igmp: one binary with four groups, a file a group
CASE_PARTS_igmp := cases/igmp_proxy.c cases/igmp_fast_leave.c \
		   cases/igmp_router_mode.c cases/igmp_election.c
# a second router under test in the lab: cases/chain and cases/igmp
CASE_PARTS_chain := cases/second_router.c
CASE_PARTS_igmp += cases/second_router.c
# cases/qemu: the SD card group in a file of its own
CASE_PARTS_qemu := cases/qemu_sdcard.c
CASE_PART_SRCS := $(sort $(CASE_PARTS_igmp) $(CASE_PARTS_chain) \
		  $(CASE_PARTS_qemu))
CASE_SRCS  := $(filter-out $(CASE_COMMON_SRCS) $(CASE_PART_SRCS),$(wildcard cases/*.c))
CASE_BINS  := $(patsubst cases/%.c,$(BUILD)/cases/%,$(CASE_SRCS))
CASE_COMMON_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(CASE_COMMON_SRCS))

$(BUILD)/cases/igmp: $(patsubst %.c,$(BUILD)/%.o,$(CASE_PARTS_igmp))
$(BUILD)/cases/chain: $(patsubst %.c,$(BUILD)/%.o,$(CASE_PARTS_chain))
$(BUILD)/cases/qemu: $(patsubst %.c,$(BUILD)/%.o,$(CASE_PARTS_qemu))

# objects first, whichever rule named them, then the library
$(BUILD)/cases/%: $(BUILD)/cases/%.o $(CASE_COMMON_OBJS) $(HARNESS_LIB)
	$(call link,$(filter %.o,$^) $(filter-out %.o,$^),$(CMOCKA_LIBS) $(HARNESS_LIBS))

$(BUILD)/cases/%.o: CPPFLAGS += $(HARNESS_INC) -Icases

ALL_BINS    += $(CASE_BINS)
CASE_TESTS  += $(CASE_BINS)
ALL_SOURCES += $(wildcard cases/*.[ch])
