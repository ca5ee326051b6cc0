# packaging/: the systemd unit, the SysV init script, the Buildroot tree.
# Included by the top-level Makefile.

SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
INITDIR        ?= $(SYSCONFDIR)/init.d

# A shell test that prints TAP; ci/run-tests runs it like a cmocka suite.
UNIT_TESTS += packaging/tests/check-buildroot.sh

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

uninstall-packaging:
	rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/mcrouted.service
	rm -f $(DESTDIR)$(INITDIR)/mcrouted
