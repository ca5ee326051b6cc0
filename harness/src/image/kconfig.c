// SPDX-License-Identifier: MIT
/*
 * Kernel configuration check.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ikconfig.h"
#include "kconfig.h"
#include "sdcard.h"
#include "util.h"

struct kc_sym {
	char *name; /* without CONFIG_ */
	enum kc_value v;
};

struct kconfig {
	struct kc_sym *syms;
	size_t n, cap;
};

static int add(struct kconfig *kc, const char *name, size_t len,
	       enum kc_value v)
{
	if (kc->n == kc->cap) {
		size_t nc = kc->cap ? kc->cap * 2 : 1024;
		struct kc_sym *ns = realloc(kc->syms, nc * sizeof(*ns));

		if (!ns)
			return -1;
		kc->syms = ns;
		kc->cap = nc;
	}
	kc->syms[kc->n].name = strndup(name, len);
	if (!kc->syms[kc->n].name)
		return -1;
	kc->syms[kc->n].v = v;
	kc->n++;
	return 0;
}

static int cmp_sym(const void *a, const void *b)
{
	return strcmp(((const struct kc_sym *)a)->name,
		      ((const struct kc_sym *)b)->name);
}

struct kconfig *kconfig_parse(const char *text)
{
	struct kconfig *kc = calloc(1, sizeof(*kc));
	const char *p = text;

	if (!kc)
		return NULL;
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		const char *name = NULL, *val;
		size_t nlen = 0;
		enum kc_value v = KC_MISSING;

		while (len && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		if (len > 7 && !strncmp(p, "CONFIG_", 7)) {
			name = p + 7;
			val = memchr(name, '=', len - 7);
			if (val) {
				nlen = (size_t)(val - name);
				val++;
				if (val < p + len && *val == 'y')
					v = KC_BUILTIN;
				else if (val < p + len && *val == 'm')
					v = KC_MODULE;
				else
					v = KC_MISSING; /* a string/number */
				/* "CONFIG_X=n" is not set; values like
				 * "y" only count when alone */
				if (val + 1 < p + len && val[1] != ' ' &&
				    val[1] != '\r' && val[1] != '#')
					v = KC_MISSING;
			} else {
				name = NULL;
			}
		} else if (len > 9 && !strncmp(p, "# CONFIG_", 9)) {
			const char *is = strstr(p, " is not set");

			if (is && is < p + len) {
				name = p + 9;
				nlen = (size_t)(is - name);
			}
		}
		if (name && nlen && add(kc, name, nlen, v) < 0) {
			kconfig_free(kc);
			return NULL;
		}
		p = eol ? eol + 1 : NULL;
	}
	if (kc->n)
		qsort(kc->syms, kc->n, sizeof(*kc->syms), cmp_sym);
	return kc;
}

void kconfig_free(struct kconfig *kc)
{
	if (!kc)
		return;
	for (size_t i = 0; i < kc->n; i++)
		free(kc->syms[i].name);
	free(kc->syms);
	free(kc);
}

size_t kconfig_count(const struct kconfig *kc)
{
	return kc ? kc->n : 0;
}

enum kc_value kconfig_get(const struct kconfig *kc, const char *sym)
{
	struct kc_sym key, *hit;

	if (!kc || !kc->n || !sym)
		return KC_MISSING;
	if (!strncmp(sym, "CONFIG_", 7))
		sym += 7;
	key.name = (char *)sym;
	hit = bsearch(&key, kc->syms, kc->n, sizeof(*kc->syms), cmp_sym);
	return hit ? hit->v : KC_MISSING;
}

const char *kconfig_value_name(enum kc_value v)
{
	return v == KC_BUILTIN ? "y" : v == KC_MODULE ? "m" : "missing";
}

static const struct kc_item items[] = {
	{ "IPv4 multicast",
	  { "IP_MULTICAST" },
	  KC_REQUIRED,
	  "no IPv4 multicast at all: no joins (mgroup), no IGMP, nothing to route" },
	{ "IPv4 multicast routing",
	  { "IP_MROUTE" },
	  KC_REQUIRED,
	  "MRT_INIT fails: mcrouted exits 76, smcroute \"MRT_INIT failed\"; nothing is forwarded" },
	{ "IPv6",
	  { "IPV6" },
	  KC_WANTED,
	  "no AF_INET6: smcroute fails with \"ICMPv6 socket open; Errno(97): Address family not supported\" (the field report); mcrouted routes IPv4 only, with a warning" },
	{ "IPv6 multicast routing",
	  { "IPV6_MROUTE" },
	  KC_WANTED,
	  "MRT6_INIT fails (\"MRT6_INIT failed; Errno(97)\" in smcroute); mcrouted skips IPv6 routes with a warning" },
	{ "IPv4 multicast routing tables",
	  { "IP_MROUTE_MULTIPLE_TABLES" },
	  KC_WANTED,
	  "mcrouted -t TABLE (several routers on one host) fails; the default table works" },
	{ "IPv6 multicast routing tables",
	  { "IPV6_MROUTE_MULTIPLE_TABLES" },
	  KC_WANTED,
	  "mcrouted -t TABLE for IPv6 fails; the default table works" },
	{ "TTL/HL target",
	  { "NETFILTER_XT_TARGET_HL", "IP_NF_TARGET_TTL" },
	  KC_WANTED,
	  "iptables -t mangle ... -j TTL --ttl-set 64 fails (\"No chain/target/match by that name\"): senders at TTL 1 (the field report) are never forwarded" },
	{ "mangle table",
	  { "IP_NF_MANGLE" },
	  KC_WANTED,
	  "no iptables -t mangle: the TTL rewrite cannot be added" },
	{ "IPv6 mangle table",
	  { "IP6_NF_MANGLE" },
	  KC_WANTED,
	  "no ip6tables -t mangle: hop limits cannot be rewritten" },
	{ "connection tracking",
	  { "NF_CONNTRACK" },
	  KC_WANTED,
	  "no conntrack: no NAT of any kind" },
	{ "NAT",
	  { "IP_NF_NAT", "NF_NAT" },
	  KC_WANTED,
	  "no iptables -t nat: the source of forwarded streams cannot be rewritten" },
	{ "MASQUERADE",
	  { "NETFILTER_XT_TARGET_MASQUERADE", "IP_NF_TARGET_MASQUERADE" },
	  KC_WANTED,
	  "-j MASQUERADE on usb0 fails: receivers see the sender's address, not usb0's" },
	{ "conntrack netlink",
	  { "NF_CT_NETLINK" },
	  KC_WANTED,
	  "mcrouted cannot drop a stream's old conntrack entry: NAT applies only after it times out (the field report's \"wait a while for NAT to kick in\")" },
};

const struct kc_item *kconfig_items(size_t *n)
{
	*n = sizeof(items) / sizeof(items[0]);
	return items;
}

int kconfig_check(const struct kconfig *kc, bool smcroute,
		  struct kc_result *out)
{
	int missing = 0;

	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		const struct kc_item *it = &items[i];
		bool req = it->need == KC_REQUIRED ||
			   (smcroute && (!strcmp(it->syms[0], "IPV6") ||
					 !strcmp(it->syms[0], "IPV6_MROUTE")));

		out[i].item = it;
		out[i].value = KC_MISSING;
		out[i].sym = it->syms[0];
		for (int k = 0; k < 3 && it->syms[k]; k++) {
			enum kc_value v = kconfig_get(kc, it->syms[k]);

			if (v > out[i].value) {
				out[i].value = v;
				out[i].sym = it->syms[k];
			}
		}
		if (req && out[i].value == KC_MISSING)
			missing++;
	}
	return missing;
}

/* ---- loading ---------------------------------------------------------- */

/* Output of a command (argv), NULL when it fails or prints nothing. */
static char *run_out(const char *const argv[])
{
	int p[2];
	pid_t pid;
	char *buf;
	size_t len = 0;
	int st;

	if (pipe2(p, O_CLOEXEC) < 0)
		return NULL;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return NULL;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		dup2(p[1], 1);
		dup2(nul, 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	buf = mclab_read_fd(p[0], &len);
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!buf || !len || !WIFEXITED(st) || WEXITSTATUS(st)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static char *read_text(const char *path)
{
	size_t l = strlen(path);

	if (access(path, R_OK) < 0)
		return NULL;
	if (l > 3 && !strcmp(path + l - 3, ".gz")) {
		const char *argv[] = { "gzip", "-dc", path, NULL };

		return run_out(argv);
	} else {
		const char *argv[] = { "cat", path, NULL };

		return run_out(argv);
	}
}

/*
 * The embedded config (IKCONFIG) of the kernel on an SD card image's boot
 * partition: the one its board boots, else the first of the usual names.
 */
static char *image_ikconfig(const char *img, long long off, char *from,
			    size_t fromlen, char *why, size_t whylen)
{
	static const char *const names[] = { "zImage",	    "Image",
					     "kernel8.img", "kernel7l.img",
					     "kernel7.img", "kernel.img" };
	struct sd_boot b;
	char err[300], how[300] = "";
	const char *kernel = NULL;
	unsigned char *data = NULL;
	char *text = NULL;
	long n = -1;

	if (sd_inspect(img, NULL, NULL, &b, err, sizeof(err)) == 0) {
		kernel = b.board.kernel;
		n = sd_read(img, off, kernel, IKC_MAX_PAYLOAD, &data);
	}
	/* a board qemu cannot run (a Pi 4) still has a kernel to read */
	for (size_t i = 0; n < 0 && i < sizeof(names) / sizeof(names[0]); i++) {
		kernel = names[i];
		n = sd_read(img, off, kernel, IKC_MAX_PAYLOAD, &data);
	}
	if (n < 0) {
		snprintf(why, whylen, "no kernel file in the boot partition");
	} else if (ikconfig_extract(data, (size_t)n, &text, how, sizeof(how)) ==
		   IKC_FOUND) {
		snprintf(from, fromlen, "%s (%s: %s)", img, kernel, how);
	} else {
		snprintf(why, whylen, "%s: %s", kernel, how);
	}
	free(data);
	sd_boot_free(&b);
	return text;
}

char *kconfig_load(const char *what, bool image, char *from, size_t fromlen,
		   char *err, size_t errlen)
{
	char *text;

	if (image) {
		long long off = sd_boot_offset(what);
		char spec[4200], why[400];
		static const char *const names[] = { "::kernel.config",
						     "::config", "::.config" };

		if (off < 0) {
			snprintf(err, errlen, "%s: no MBR partition table",
				 what);
			return NULL;
		}
		snprintf(spec, sizeof(spec), "%s@@%lld", what, off);
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			const char *argv[] = { "mtype", "-i", spec, names[i],
					       NULL };

			text = run_out(argv);
			if (text && strstr(text, "CONFIG_")) {
				snprintf(from, fromlen,
					 "%s (boot partition %s)", what,
					 names[i] + 2);
				return text;
			}
			free(text);
		}
		text = image_ikconfig(what, off, from, fromlen, why,
				      sizeof(why));
		if (text)
			return text;
		snprintf(err, errlen,
			 "%s: no kernel.config in the boot partition, and %s "
			 "(Buildroot: enable CONFIG_IKCONFIG, or copy "
			 "output/build/linux-*/.config there as kernel.config; "
			 "on the board: mclab kconfig running)",
			 what, why);
		return NULL;
	}
	if (!strcmp(what, "running")) {
		struct utsname u;
		char path[400];

		text = read_text("/proc/config.gz");
		if (text) {
			snprintf(from, fromlen, "/proc/config.gz");
			return text;
		}
		uname(&u);
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		text = read_text(path);
		if (text) {
			snprintf(from, fromlen, "%s", path);
			return text;
		}
		snprintf(err, errlen,
			 "no /proc/config.gz (CONFIG_IKCONFIG_PROC) and no %s",
			 path);
		return NULL;
	}
	text = read_text(what);
	if (!text) {
		snprintf(err, errlen, "%s: %s", what,
			 access(what, R_OK) < 0 ? strerror(errno) :
						  "cannot read");
		return NULL;
	}
	snprintf(from, fromlen, "%s", what);
	return text;
}
