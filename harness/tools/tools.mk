# harness/tools/: small helper programs the cases run inside nodes.

HARNESS_TOOL_SRCS := $(wildcard harness/tools/*.c)
HARNESS_TOOLS := $(patsubst harness/tools/%.c,$(BUILD)/%,$(HARNESS_TOOL_SRCS))

$(BUILD)/%: $(BUILD)/harness/tools/%.o $(HARNESS_LIB)
	$(call link,$^,$(HARNESS_LIBS))

$(BUILD)/harness/tools/%.o: CPPFLAGS += $(HARNESS_INC)

ALL_BINS    += $(HARNESS_TOOLS)
ALL_SOURCES += $(HARNESS_TOOL_SRCS)
