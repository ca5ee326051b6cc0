# Compiler flags, build folders and quiet rules shared by every fragment.

CC ?= cc
ifeq ($(origin CC),default)
CC := cc
endif

# One build folder per compiler and sanitizer setting, so that a sanitized
# or clang build never mixes objects with the default one.
BUILD ?= build/$(notdir $(firstword $(CC)))$(if $(filter 1,$(SANITIZE)),-san)
RESULTS ?= results

PKG_CONFIG ?= pkg-config
pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pc_libs = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null || echo $(2))

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 $(WARN) -D_GNU_SOURCE -fno-strict-aliasing \
	   -DVERSION='"$(VERSION)"'
LDFLAGS ?=
EXTRA_CFLAGS ?=
CFLAGS  += $(EXTRA_CFLAGS)

ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	     -fno-sanitize-recover=undefined
CFLAGS  += $(SAN_FLAGS)
LDFLAGS += $(SAN_FLAGS)
endif

MNL_LIBS    := $(call pc_libs,libmnl,-lmnl)
NFCT_LIBS   := $(call pc_libs,libnetfilter_conntrack,-lnetfilter_conntrack)
PCAP_LIBS   := $(call pc_libs,libpcap,-lpcap)
CMOCKA_LIBS := $(call pc_libs,cmocka,-lcmocka)
CAP_LIBS    := $(call pc_libs,libcap,-lcap)
Z_LIBS      := $(call pc_libs,zlib,-lz)
LZMA_LIBS   := $(call pc_libs,liblzma,-llzma)

ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2);
endif

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(CFLAGS) $(CPPFLAGS) -MMD -MP -c -o $@ $<

# link(objs, libs)
define link
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $(1) $(2)
endef

define archive
	@mkdir -p $(dir $@)
	$(call say,AR,$@)rm -f $@ && $(AR) rcs $@ $(1)
endef

ALL_BINS :=
UNIT_TESTS :=
CASE_TESTS :=
INSTALL_SBIN :=
INSTALL_BIN :=
MAN_PAGES :=
ALL_SOURCES :=

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
