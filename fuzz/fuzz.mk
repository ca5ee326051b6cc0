# fuzz/: libFuzzer targets (clang), built in their own folder with ASan and
# UBSan.  make fuzz runs each for FUZZ_SECONDS; make check runs a smoke of
# FUZZ_SMOKE_SECONDS each when clang is there.

FUZZ_SRCS  := $(wildcard fuzz/fuzz_*.c)
FUZZ_BUILD := build/fuzz
FUZZ_BINS  := $(patsubst fuzz/%.c,$(FUZZ_BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 10
HAVE_CLANG := $(shell command -v clang >/dev/null 2>&1 && echo 1)

# Valid inside the fuzz build (BUILD=$(FUZZ_BUILD)).
$(BUILD)/fuzz/%: $(BUILD)/fuzz/%.o $(ROUTER_LIB) $(HARNESS_LIB)
	$(call link,$^,-fsanitize=fuzzer $(ROUTER_LIBS) $(HARNESS_LIBS))

$(BUILD)/fuzz/%.o: CPPFLAGS += -Irouter/src $(HARNESS_INC)

.PHONY: fuzz fuzz-build
fuzz-build:
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang SANITIZE=1 \
		EXTRA_CFLAGS=-fsanitize=fuzzer-no-link $(FUZZ_BINS)

fuzz: fuzz-build
	@ci/fuzz --build $(FUZZ_BUILD) --seconds $(FUZZ_SECONDS)

ALL_SOURCES += $(FUZZ_SRCS) $(wildcard fuzz/*.h)
