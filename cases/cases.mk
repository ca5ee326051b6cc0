# cases/: cmocka suites that drive real kernels through libmclab.  Every
# cases/*.c is one suite; cases/common.* is shared by them.

CASE_COMMON_SRCS := $(wildcard cases/common*.c)
CASE_SRCS  := $(filter-out $(CASE_COMMON_SRCS),$(wildcard cases/*.c))
CASE_BINS  := $(patsubst cases/%.c,$(BUILD)/cases/%,$(CASE_SRCS))
CASE_COMMON_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(CASE_COMMON_SRCS))

$(BUILD)/cases/%: $(BUILD)/cases/%.o $(CASE_COMMON_OBJS) $(HARNESS_LIB)
	$(call link,$^,$(CMOCKA_LIBS) $(HARNESS_LIBS))

$(BUILD)/cases/%.o: CPPFLAGS += -Iharness/src -Icases

ALL_BINS    += $(CASE_BINS)
CASE_TESTS  += $(CASE_BINS)
ALL_SOURCES += $(wildcard cases/*.[ch])
