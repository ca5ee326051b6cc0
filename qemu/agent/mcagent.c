// SPDX-License-Identifier: MIT
/*
 * mcagent: the guest side of the harness's control channel (a virtio-serial
 * port on the virt profile, the second UART on raspi3b).  Built static for
 * arm64 and started by the image's /init.
 *
 * Frames, both ways, are one header line and a payload:
 *
 *   request   "\x02MCQ <seq> <op> <arg> <len> <sum>\n" <len bytes>
 *   response  "\x02MCR <seq> <status> <len> <sum>\n"   <len bytes>
 *
 * seq, arg, status: decimal; len: decimal byte count; sum: FNV-1a 32 of
 * the payload in hex.  Anything between frames (console noise, a partial
 * frame cut by a reset) is skipped: a reader looks for "\x02MC" and
 * checks the header and the sum; a bad frame is answered with status -EBADMSG
 * (when its seq could be read) and otherwise dropped.
 *
 * ops: 'P' ping (payload echoed back, status 0)
 *      'X' run "/bin/sh -c PAYLOAD" (stdin /dev/null, stderr into stdout),
 *          arg = timeout in ms (0: none); status = exit code, 128+N for a
 *          signal, 124 when killed at the timeout; payload = the output
 *      'R' read the file named by the payload; status 0 or -errno
 *      'W' write: payload "PATH\0DATA"; status 0 or -errno
 * At start, and whenever it reopens the port, the agent sends an
 * unsolicited frame with seq 0, status 0 and payload
 * "READY <uname -r> <seconds since boot>".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAYLOAD (4u << 20)
#define MAX_OUTPUT (4u << 20)

static int port = -1;

static uint32_t fnv1a(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint32_t h = 2166136261u;

	while (n--) {
		h ^= *b++;
		h *= 16777619u;
	}
	return h;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *b = p;

	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pfd = { fd, POLLOUT, 0 };

				poll(&pfd, 1, 100);
				continue;
			}
			return -1;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static void respond(unsigned long seq, long status, const void *data,
		    size_t len)
{
	char hdr[96];
	int n = snprintf(hdr, sizeof(hdr), "\x02MCR %lu %ld %zu %08x\n", seq,
			 status, len, fnv1a(data, len));

	if (write_all(port, hdr, (size_t)n) == 0 && len)
		write_all(port, data, len);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void op_exec(unsigned long seq, const char *cmd, unsigned long tmo)
{
	int p[2], devnull, status = 0;
	char *out = malloc(MAX_OUTPUT);
	size_t len = 0;
	uint64_t deadline = tmo ? now_ms() + tmo : 0;
	int killed = 0;
	pid_t pid;

	if (!out || pipe2(p, O_CLOEXEC) < 0) {
		free(out);
		respond(seq, -ENOMEM, NULL, 0);
		return;
	}
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		free(out);
		respond(seq, -errno, NULL, 0);
		return;
	}
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		devnull = open("/dev/null", O_RDONLY);
		dup2(devnull, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		struct pollfd pfd = { p[0], POLLIN, 0 };
		int left = -1, r;
		ssize_t n;

		if (deadline) {
			uint64_t t = now_ms();

			left = t >= deadline ? 0 : (int)(deadline - t);
		}
		r = poll(&pfd, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			kill(-pid, SIGKILL);
			killed = 1;
			break;
		}
		if (len == MAX_OUTPUT) {
			char sink[4096];

			n = read(p[0], sink, sizeof(sink));
		} else {
			n = read(p[0], out + len, MAX_OUTPUT - len);
			if (n > 0)
				len += (size_t)n;
		}
		if (n == 0 || (n < 0 && errno != EINTR))
			break;
	}
	close(p[0]);
	/* background children keep the group: only our child is waited for */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (killed)
		status = 124;
	else if (WIFEXITED(status))
		status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		status = 128 + WTERMSIG(status);
	respond(seq, status, out, len);
	free(out);
}

static void op_read(unsigned long seq, const char *path)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf) {
		respond(seq, fd < 0 ? -errno : -ENOMEM, NULL, 0);
		if (fd >= 0)
			close(fd);
		free(buf);
		return;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb = cap < MAX_OUTPUT ? realloc(buf, cap * 2) :
						      NULL;

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			free(buf);
			respond(seq, -e, NULL, 0);
			return;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	respond(seq, 0, buf, len);
	free(buf);
}

static void op_write(unsigned long seq, const char *payload, size_t len)
{
	size_t plen = strnlen(payload, len);
	int fd;

	if (plen == len) {
		respond(seq, -EINVAL, NULL, 0);
		return;
	}
	fd = open(payload, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		respond(seq, -errno, NULL, 0);
		return;
	}
	if (write_all(fd, payload + plen + 1, len - plen - 1) < 0) {
		int e = errno;

		close(fd);
		respond(seq, -e, NULL, 0);
		return;
	}
	respond(seq, close(fd) < 0 ? -errno : 0, NULL, 0);
}

/* The reader: a buffer of what came in, scanned for frames. */
static char *in;
static size_t in_len, in_cap;

static int fill(void)
{
	ssize_t n;

	if (in_cap - in_len < 4096) {
		size_t nc = in_cap ? in_cap * 2 : 65536;
		char *nb;

		if (nc > MAX_PAYLOAD + 4096) {
			/* a runaway frame: drop what we have */
			in_len = 0;
			return 0;
		}
		nb = realloc(in, nc);
		if (!nb)
			return -1;
		in = nb;
		in_cap = nc;
	}
	n = read(port, in + in_len, in_cap - in_len - 1);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1;
	in_len += (size_t)n;
	return 0;
}

static void consume(size_t n)
{
	memmove(in, in + n, in_len - n);
	in_len -= n;
}

/*
 * Take the complete frames out of the buffer and handle them.  Returns
 * when more input is needed.
 */
static void scan(void)
{
	for (;;) {
		char *start = memmem(in, in_len, "\x02MCQ ", 5), *nl;
		unsigned long seq, arg, len;
		unsigned int sum;
		char op;
		size_t hlen;

		if (!start) {
			/* keep a possible partial magic at the end */
			consume(in_len > 4 ? in_len - 4 : 0);
			return;
		}
		consume((size_t)(start - in));
		nl = memchr(in, '\n', in_len);
		if (!nl) {
			if (in_len > 128)
				consume(1); /* no header this long: noise */
			else
				return;
			continue;
		}
		hlen = (size_t)(nl - in) + 1;
		*nl = '\0';
		if (sscanf(in + 5, "%lu %c %lu %lu %x", &seq, &op, &arg, &len,
			   &sum) != 5 ||
		    len > MAX_PAYLOAD) {
			*nl = '\n';
			consume(1);
			continue;
		}
		*nl = '\n'; /* the header stays intact for the next scan */
		if (in_len < hlen + len)
			return; /* the payload is still coming */
		{
			char *payload = malloc(len + 1);

			if (!payload)
				return;
			memcpy(payload, in + hlen, len);
			payload[len] = '\0';
			consume(hlen + len);
			if (fnv1a(payload, len) != sum) {
				respond(seq, -EBADMSG, NULL, 0);
			} else {
				switch (op) {
				case 'P':
					respond(seq, 0, payload, len);
					break;
				case 'X':
					op_exec(seq, payload, arg);
					break;
				case 'R':
					op_read(seq, payload);
					break;
				case 'W':
					op_write(seq, payload, len);
					break;
				default:
					respond(seq, -ENOSYS, NULL, 0);
				}
			}
			free(payload);
		}
	}
}

static int open_port(const char *dev)
{
	struct termios t;
	int fd = open(dev, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		cfsetispeed(&t, B115200);
		cfsetospeed(&t, B115200);
		t.c_cflag |= CLOCAL | CREAD;
		tcsetattr(fd, TCSANOW, &t);
		tcflush(fd, TCIOFLUSH);
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct utsname u;
	char ready[256];

	if (argc != 2) {
		fprintf(stderr, "usage: mcagent DEVICE\n");
		return 64;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	uname(&u);
	{
		/* the guest's uptime at readiness: how long the boot took */
		char up[64] = "?";
		int fd = open("/proc/uptime", O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, up, sizeof(up) - 1) : -1;

		if (n > 0)
			up[strcspn(up, " \n")] = '\0';
		if (fd >= 0)
			close(fd);
		snprintf(ready, sizeof(ready), "READY %s %s", u.release, up);
	}
	for (;;) {
		port = open_port(argv[1]);
		if (port < 0) {
			fprintf(stderr, "mcagent: %s: %s\n", argv[1],
				strerror(errno));
			return 69;
		}
		in_len = 0;
		respond(0, 0, ready, strlen(ready));
		while (fill() == 0)
			scan();
		close(port);
		/* a virtio port reads EOF while the host is away: wait a bit */
		poll(NULL, 0, 100);
	}
}
