# qemu/: the emulated Pi image (qemu/Makefile does the work).  make check
# builds it when it can (root, and ci/install-deps --qemu installed the
# tool chain); cases/qemu skips, saying why, when the image is not there.

.PHONY: qemu-image qemu-sdcard vm-kernel check-image

# The lab's VM kernel (x86_64 hosts): the case suites run on it when this
# host's kernel cannot run them (mclab preflight, harness/src/vm/vm.h).
vm-kernel:
	@if [ "$$(uname -m)" != x86_64 ]; then \
		echo "vm kernel: not built (the lab's VM is x86_64; this host is $$(uname -m))"; \
	elif [ "$$(id -u)" != 0 ] && [ ! -e qemu/out/bzImage-vm ]; then \
		echo "vm kernel: not built (downloads need root); on a kernel without multicast routing the cases fail"; \
	else \
		$(MAKE) --no-print-directory -C qemu vm-kernel; \
	fi

qemu-image: vm-kernel
	@if [ "$$(id -u)" != 0 ]; then \
		echo "qemu image: not built (downloads need root); the qemu cases skip"; \
	elif ! command -v qemu-system-aarch64 >/dev/null || \
	     ! command -v aarch64-linux-gnu-gcc >/dev/null; then \
		echo "qemu image: not built (ci/install-deps --qemu); the qemu cases skip"; \
	else \
		$(MAKE) --no-print-directory -C qemu image; \
		if command -v qemu-system-arm >/dev/null && \
		   command -v arm-linux-gnueabi-gcc >/dev/null; then \
			$(MAKE) --no-print-directory -C qemu standins; \
		else \
			echo "SD card stand-ins: not built (ci/install-deps --qemu); cases/image skips"; \
		fi; \
	fi

qemu-sdcard:
	@$(MAKE) --no-print-directory -C qemu sdcard

# The qemu cases on the raspi3b machine (the fidelity profile): usb-net
# NICs, the mini UART for the agent, thread=single TCG.
.PHONY: check-pi
check-pi: deps
	@$(MAKE) --no-print-directory all qemu-image
	@QEMU_PROFILE=raspi3b ci/run-tests --results $(RESULTS) -- \
		$(filter %/cases/qemu,$(CASE_TESTS))

# The regression run before flashing: a user's own SD card image (its
# kernel, init, router and config) as the router of pi-router, under the
# field report's checks.  make check-image IMAGE=output/images/sdcard.img
check-image: all
	@[ -n "$(IMAGE)" ] || { echo "usage: make check-image IMAGE=path/to/sdcard.img [BOARD=raspi0|raspi2b|raspi3b] [LOGIN=user:password]"; exit 2; }
	@$(BUILD)/mclab check --image "$(IMAGE)" $(if $(BOARD),--board $(BOARD)) $(if $(LOGIN),--login "$(LOGIN)") -v
