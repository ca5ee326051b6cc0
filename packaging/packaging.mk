# packaging/: the systemd unit, the SysV init script, the Buildroot tree.
# Included by the top-level Makefile.

SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
INITDIR        ?= $(SYSCONFDIR)/init.d
BASHCOMPDIR    ?= $(PREFIX)/share/bash-completion/completions
# mclab looks for topologies in /usr/share/mcast-lab/topologies (PREFIX=/usr)
TOPODIR        ?= $(PREFIX)/share/mcast-lab/topologies
COMPLETIONS    := packaging/completion/mcroutectl packaging/completion/mclab

# A shell test that prints TAP; ci/run-tests runs it like a cmocka suite.
UNIT_TESTS += packaging/tests/check-buildroot.sh
# make install into a scratch DESTDIR: files in place, the installed
# binaries run, --help matches the man pages, the completions complete.
UNIT_TESTS += packaging/tests/check-install.sh
# its make install reuses the build being tested
export CHECK_INSTALL_BUILD := $(BUILD)
export CHECK_INSTALL_CC := $(CC)
export CHECK_INSTALL_SANITIZE := $(SANITIZE)

.PHONY: install-packaging uninstall-packaging

# The unit and the script name /usr/sbin; point them at $(SBINDIR).
install-packaging:
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(INITDIR)
	sed 's|/usr/sbin/|$(SBINDIR)/|g' packaging/systemd/mcrouted.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/mcrouted.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/mcrouted.service
	sed 's|^EXEC=.*|EXEC="$(SBINDIR)/$$DAEMON"|' packaging/sysv/S41mcrouted \
		>$(DESTDIR)$(INITDIR)/mcrouted
	chmod 0755 $(DESTDIR)$(INITDIR)/mcrouted
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(TOPODIR)
	install -m 0644 $(COMPLETIONS) $(DESTDIR)$(BASHCOMPDIR)/
	install -m 0644 topologies/*.topo $(DESTDIR)$(TOPODIR)/

uninstall-packaging:
	rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/mcrouted.service
	rm -f $(DESTDIR)$(INITDIR)/mcrouted
	rm -f $(addprefix $(DESTDIR)$(BASHCOMPDIR)/,$(notdir $(COMPLETIONS)))
	rm -f $(addprefix $(DESTDIR)$(TOPODIR)/,$(notdir $(wildcard topologies/*.topo)))
	-rmdir $(DESTDIR)$(TOPODIR) $(DESTDIR)$(dir $(TOPODIR)) 2>/dev/null
