# router/: mcrouted, mcroutectl, their man pages and unit tests.

ROUTER_MAINS    := router/src/main.c router/src/mcroutectl.c
ROUTER_LIB_SRCS := $(filter-out $(ROUTER_MAINS),$(wildcard router/src/*.c))
ROUTER_LIB      := $(BUILD)/router/librouter.a
ROUTER_LIBS     := $(MNL_LIBS) $(NFCT_LIBS) $(CAP_LIBS)

# The config parser (pure) and what it needs: the harness links these too
# (harness/harness.mk), to read an image's config as the router does.
ROUTER_CONF_SRCS := router/src/conf.c router/src/conf_phyint.c \
		    router/src/conf_route.c router/src/conf_include.c \
		    router/src/conf_print.c router/src/route.c router/src/esc.c \
		    router/src/vec.c router/src/addr.c
ROUTER_CONF_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(ROUTER_CONF_SRCS))

MCROUTED   := $(BUILD)/mcrouted
MCROUTECTL := $(BUILD)/mcroutectl

$(ROUTER_LIB): $(patsubst %.c,$(BUILD)/%.o,$(ROUTER_LIB_SRCS))
	$(call archive,$^)

$(MCROUTED): $(BUILD)/router/src/main.o $(ROUTER_LIB)
	$(call link,$^,$(ROUTER_LIBS))

$(MCROUTECTL): $(BUILD)/router/src/mcroutectl.o $(ROUTER_LIB)
	$(call link,$^,$(ROUTER_LIBS))

ROUTER_TEST_SRCS := $(wildcard router/tests/test_*.c)
ROUTER_TESTS     := $(patsubst router/tests/%.c,$(BUILD)/router/tests/%,$(ROUTER_TEST_SRCS))

$(BUILD)/router/tests/%: $(BUILD)/router/tests/%.o $(ROUTER_LIB)
	$(call link,$^,$(CMOCKA_LIBS) $(ROUTER_LIBS))

# The config parser's tests share an in-memory file system and helpers.
ROUTER_CONF_TESTS := $(filter $(BUILD)/router/tests/test_conf%,$(ROUTER_TESTS))
$(ROUTER_CONF_TESTS): $(BUILD)/router/tests/%: $(BUILD)/router/tests/%.o \
		$(BUILD)/router/tests/conf_fixture.o $(ROUTER_LIB)
	$(call link,$^,$(CMOCKA_LIBS) $(ROUTER_LIBS))

# The IGMP/MLD state machine's tests share a fake clock, gm_if and proxy.
ROUTER_GM_TESTS := $(patsubst %,$(BUILD)/router/tests/%,test_gm \
		   test_gm_querier test_gm_proxy)
$(ROUTER_GM_TESTS): $(BUILD)/router/tests/%: $(BUILD)/router/tests/%.o \
		$(BUILD)/router/tests/gm_fixture.o $(ROUTER_LIB)
	$(call link,$^,$(CMOCKA_LIBS) $(ROUTER_LIBS))

# The route engine's tests share a fake kernel.
ROUTER_KERN_TESTS := $(patsubst %,$(BUILD)/router/tests/%,test_mroute \
		     test_gm_route)
$(ROUTER_KERN_TESTS): $(BUILD)/router/tests/%: $(BUILD)/router/tests/%.o \
		$(BUILD)/router/tests/fake_kern.o $(ROUTER_LIB)
	$(call link,$^,$(CMOCKA_LIBS) $(ROUTER_LIBS))

$(BUILD)/router/tests/%.o: CPPFLAGS += -Irouter/src

ALL_BINS     += $(MCROUTED) $(MCROUTECTL) $(ROUTER_TESTS)
UNIT_TESTS   += $(ROUTER_TESTS)
INSTALL_SBIN += $(MCROUTED) $(MCROUTECTL)
MAN_PAGES    += $(wildcard router/man/*.[1-8])
ALL_SOURCES  += $(wildcard router/src/*.[ch] router/tests/*.[ch])
