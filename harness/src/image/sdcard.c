// SPDX-License-Identifier: MIT
/*
 * A Raspberry Pi SD card image's boot partition (see sdcard.h).  The
 * image is opened read-only and mtools reads the vfat partition in it at
 * its offset ("IMG@@OFFSET"), so nothing is mounted or written.
 */
#include "sdcard.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

long long sd_mbr_first(const unsigned char *s, size_t len)
{
	uint32_t lba;

	if (len < 512 || s[510] != 0x55 || s[511] != 0xaa)
		return -1;
	/* the first of four 16-byte entries at 446: type at +4, LBA at +8 */
	if (s[446 + 4] == 0)
		return -1;
	lba = (uint32_t)s[454] | (uint32_t)s[455] << 8 |
	      (uint32_t)s[456] << 16 | (uint32_t)s[457] << 24;
	return lba ? (long long)lba * 512 : -1;
}

long long sd_boot_offset(const char *img)
{
	unsigned char mbr[512];
	int fd = open(img, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, mbr, sizeof(mbr), 0);
	close(fd);
	return n == (ssize_t)sizeof(mbr) ? sd_mbr_first(mbr, sizeof(mbr)) : -1;
}

/*
 * Run argv with stdout into a malloc'ed buffer of at most max bytes (NUL
 * added).  The count, or -1 when it failed before max bytes came.
 */
static long capture(const char *const argv[], size_t max, unsigned char **out)
{
	int p[2], st;
	pid_t pid;
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	bool full, oom = false;

	*out = NULL;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		dup2(p[1], 1);
		dup2(nul, 2);
		dup2(nul, 0);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	while (len < max) {
		ssize_t n;

		if (len + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			unsigned char *nb;

			if (ncap > max + 1)
				ncap = max + 1;
			nb = realloc(buf, ncap);
			if (!nb) {
				oom = true;
				break;
			}
			buf = nb;
			cap = ncap;
		}
		n = read(p[0], buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	full = len >= max;
	close(p[0]);
	if (full)
		kill(pid, SIGTERM);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (oom || !buf || (!full && (!WIFEXITED(st) || WEXITSTATUS(st)))) {
		free(buf);
		return -1;
	}
	buf[len] = '\0';
	*out = buf;
	return (long)len;
}

static void spec_of(char *spec, size_t len, const char *img, long long off)
{
	snprintf(spec, len, "%s@@%lld", img, off);
}

int sd_list(const char *img, long long off, char ***names, size_t *n)
{
	char spec[4200];
	const char *argv[] = { "mdir", "-b", "-i", spec, "::/", NULL };
	unsigned char *out;
	char *line, *save = NULL, **v = NULL;
	size_t k = 0;

	*names = NULL;
	*n = 0;
	spec_of(spec, sizeof(spec), img, off);
	if (capture(argv, 1u << 20, &out) < 0) {
		errno = ENOENT;
		return -1;
	}
	/* "::/config.txt" per line */
	for (line = strtok_r((char *)out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *name = line, **nv;

		line[strcspn(line, "\r")] = '\0';
		if (!strncmp(name, "::/", 3))
			name += 3;
		if (!*name || strchr(name, '/'))
			continue;
		nv = realloc(v, (k + 1) * sizeof(*v));
		if (nv)
			v = nv;
		if (!nv || !(v[k] = strdup(name))) {
			free(out);
			sd_names_free(v, k);
			errno = ENOMEM;
			return -1;
		}
		k++;
	}
	free(out);
	*names = v;
	*n = k;
	return 0;
}

void sd_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

long sd_read(const char *img, long long off, const char *name, size_t max,
	     unsigned char **buf)
{
	char spec[4200], src[300];
	const char *argv[] = { "mcopy", "-n", "-i", spec, src, "-", NULL };

	spec_of(spec, sizeof(spec), img, off);
	snprintf(src, sizeof(src), "::/%s", name);
	return capture(argv, max, buf);
}

int sd_get(const char *img, long long off, const char *name, const char *dest)
{
	char spec[4200], src[300];
	const char *argv[] = {
		"mcopy", "-n", "-o", "-i", spec, src, dest, NULL
	};
	unsigned char *out;
	struct stat st;

	spec_of(spec, sizeof(spec), img, off);
	snprintf(src, sizeof(src), "::/%s", name);
	if (capture(argv, 65536, &out) < 0)
		return -1;
	free(out);
	return stat(dest, &st) == 0 && S_ISREG(st.st_mode) ? 0 : -1;
}

struct head_arg {
	const char *img;
	long long off;
};

static long head_of(void *arg, const char *name, unsigned char *buf, size_t len)
{
	struct head_arg *h = arg;
	unsigned char *b;
	long n = sd_read(h->img, h->off, name, len, &b);

	if (n < 0)
		return -1;
	memcpy(buf, b, (size_t)n < len ? (size_t)n : len);
	free(b);
	return n;
}

int sd_inspect(const char *img, const char *board, const char *dtb,
	       struct sd_boot *b, char *err, size_t errlen)
{
	struct head_arg h = { img, 0 };
	unsigned char *text;
	const char *cmdfile;

	memset(b, 0, sizeof(*b));
	if (access(img, R_OK) < 0) {
		snprintf(err, errlen, "%s: %s", img, strerror(errno));
		return -1;
	}
	b->off = h.off = sd_boot_offset(img);
	if (b->off < 0) {
		snprintf(err, errlen,
			 "%s: no MBR partition table (an SD card image has "
			 "a vfat boot partition first)",
			 img);
		return -1;
	}
	if (sd_list(img, b->off, &b->names, &b->nnames) < 0 || !b->nnames) {
		snprintf(err, errlen,
			 "%s: the first partition (at %lld) is not a vfat "
			 "boot partition mtools can read",
			 img, b->off);
		return -1;
	}
	if (sd_read(img, b->off, "config.txt", 1u << 20, &text) >= 0)
		b->config = (char *)text;
	if (pi_board_pick((const char *const *)b->names, b->nnames, b->config,
			  head_of, &h, board, dtb, &b->board, err, errlen) < 0)
		return -1;
	pi_config_parse(b->config, b->board.family, &b->cfg);
	cmdfile = b->cfg.cmdline[0] ? b->cfg.cmdline : "cmdline.txt";
	if (sd_read(img, b->off, cmdfile, sizeof(b->cmdline) - 1, &text) >= 0) {
		text[strcspn((char *)text, "\r\n")] = '\0';
		snprintf(b->cmdline, sizeof(b->cmdline), "%s", (char *)text);
		free(text);
	}
	return 0;
}

void sd_boot_free(struct sd_boot *b)
{
	sd_names_free(b->names, b->nnames);
	free(b->config);
	memset(b, 0, sizeof(*b));
}
