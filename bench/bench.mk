# bench/: mcrouted against smcrouted and igmpproxy, side by side (make bench).
# Not part of make check: it takes ~30 minutes and wants a quiet machine.
#
#   make bench                        every benchmark, REPS=5
#   make bench BENCH_ONLY="load 1000"  one benchmark (mcbench arguments)
#   make bench BENCH_SUITE=0           without timing the netns suites (host, VM)
#   make bench BENCH_CSV=bench/results/bench-X.csv  only redo plots and RESULTS.md

BENCH_BIN  := $(BUILD)/bench/mcbench
BENCH_REPS ?= 5
BENCH_OUT  ?= bench/results

BENCH_SRCS := $(wildcard bench/*.c)
BENCH_OBJS := $(BENCH_SRCS:%.c=$(BUILD)/%.o)

$(BENCH_BIN): $(BENCH_OBJS) $(HARNESS_LIB)
	$(call link,$^,$(HARNESS_LIBS) -lm -lpthread)

$(BENCH_OBJS): CPPFLAGS += $(HARNESS_INC)

.PHONY: bench bench-build bench-run
bench-build: $(BENCH_BIN) $(MCROUTED) $(MCROUTECTL)

bench-run:
	@ci/install-deps --bench
	@$(MAKE) --no-print-directory bench-build
	@BUILD=$(BUILD) BENCH_REPS=$(BENCH_REPS) BENCH_OUT=$(BENCH_OUT) \
		BENCH_ONLY="$(BENCH_ONLY)" BENCH_SUITE=$(BENCH_SUITE) \
		BENCH_CSV=$(BENCH_CSV) \
		bench/run $(BENCH_BIN)

ALL_SOURCES += $(wildcard bench/*.[ch])
