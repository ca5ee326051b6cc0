################################################################################
#
# mcrouted
#
################################################################################

# Built from this very repository: the external tree lives in
# packaging/buildroot/, two levels below the top.
MCROUTED_VERSION = $(shell cat $(BR2_EXTERNAL_MCAST_LAB_PATH)/../../VERSION)
MCROUTED_SITE = $(BR2_EXTERNAL_MCAST_LAB_PATH)/../..
MCROUTED_SITE_METHOD = local
MCROUTED_LICENSE = MIT
# SITE_METHOD local copies the tree with rsync: leave out build products.
MCROUTED_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS = \
	--exclude /build --exclude /results --exclude /bench/results \
	--exclude /qemu/cache --exclude /qemu/out --exclude /fuzz/corpus-run
MCROUTED_DEPENDENCIES = host-pkgconf libmnl libnetfilter_conntrack libcap

# Only the router targets of the top-level Makefile, in a build folder of
# their own.  TARGET_CONFIGURE_OPTS goes in the environment so that the
# Makefile's own "CFLAGS +=" still applies; WARN drops -Werror, since a
# newer cross compiler may warn where the project's compilers do not.
MCROUTED_BUILD_DIR = build/buildroot
MCROUTED_MAKE_OPTS = \
	BUILD=$(MCROUTED_BUILD_DIR) \
	WARN="-Wall -Wextra"

define MCROUTED_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(TARGET_CONFIGURE_OPTS) $(MAKE) -C $(@D) \
		$(MCROUTED_MAKE_OPTS) \
		$(MCROUTED_BUILD_DIR)/mcrouted $(MCROUTED_BUILD_DIR)/mcroutectl
endef

define MCROUTED_INSTALL_TARGET_CMDS
	$(INSTALL) -D -m 0755 $(@D)/$(MCROUTED_BUILD_DIR)/mcrouted \
		$(TARGET_DIR)/usr/sbin/mcrouted
	$(INSTALL) -D -m 0755 $(@D)/$(MCROUTED_BUILD_DIR)/mcroutectl \
		$(TARGET_DIR)/usr/sbin/mcroutectl
	$(INSTALL) -D -m 0644 $(MCROUTED_PKGDIR)/mcrouted.conf \
		$(TARGET_DIR)/etc/mcrouted.conf
endef

define MCROUTED_INSTALL_INIT_SYSV
	$(INSTALL) -D -m 0755 $(MCROUTED_PKGDIR)/S41mcrouted \
		$(TARGET_DIR)/etc/init.d/S41mcrouted
endef

define MCROUTED_INSTALL_INIT_SYSTEMD
	$(INSTALL) -D -m 0644 $(@D)/packaging/systemd/mcrouted.service \
		$(TARGET_DIR)/usr/lib/systemd/system/mcrouted.service
endef

# The kernel options of the field report: multicast routing (IPv4 and
# IPv6, with tables for mcrouted -t), the TTL/HL targets in the mangle
# tables, MASQUERADE, and conntrack over netlink for the NAT fix-up.
# Their prerequisites are enabled too, or olddefconfig would drop them.
# CONFIG_NET and CONFIG_INET are assumed, as for smcroute.
define MCROUTED_LINUX_CONFIG_FIXUPS
	$(call KCONFIG_ENABLE_OPT,CONFIG_IP_MULTICAST)
	$(call KCONFIG_ENABLE_OPT,CONFIG_IP_MROUTE)
	$(call KCONFIG_ENABLE_OPT,CONFIG_IP_MROUTE_MULTIPLE_TABLES)
	$(call KCONFIG_ENABLE_OPT,CONFIG_IPV6)
	$(call KCONFIG_ENABLE_OPT,CONFIG_IPV6_MROUTE)
	$(call KCONFIG_ENABLE_OPT,CONFIG_IPV6_MROUTE_MULTIPLE_TABLES)
	$(call KCONFIG_ENABLE_OPT,CONFIG_NETFILTER)
	$(call KCONFIG_ENABLE_OPT,CONFIG_NETFILTER_ADVANCED)
	$(call KCONFIG_ENABLE_OPT,CONFIG_NETFILTER_NETLINK)
	$(call KCONFIG_ENABLE_OPT,CONFIG_NETFILTER_XTABLES)
	$(call KCONFIG_ENABLE_OPT,CONFIG_NF_CONNTRACK)
	$(call KCONFIG_ENABLE_OPT,CONFIG_NF_CT_NETLINK)
	$(call KCONFIG_ENABLE_OPT,CONFIG_NF_NAT)
	$(call KCONFIG_ENABLE_OPT,CONFIG_IP_NF_IPTABLES)
	$(call KCONFIG_ENABLE_OPT,CONFIG_IP_NF_MANGLE)
	$(call KCONFIG_ENABLE_OPT,CONFIG_IP_NF_NAT)
	$(call KCONFIG_ENABLE_OPT,CONFIG_IP_NF_TARGET_MASQUERADE)
	$(call KCONFIG_ENABLE_OPT,CONFIG_IP6_NF_IPTABLES)
	$(call KCONFIG_ENABLE_OPT,CONFIG_IP6_NF_MANGLE)
	$(call KCONFIG_ENABLE_OPT,CONFIG_NETFILTER_XT_TARGET_HL)
endef

$(eval $(generic-package))
