/* SPDX-License-Identifier: MIT */
/*
 * The lab VM's control protocol: frames between the host's keeper
 * (harness/src/vm/vm.c) and the guest's mcvmd (harness/tools/mcvmd.c) over
 * one virtio-serial port, and between the keeper and its clients (mclab
 * vm exec, make check's runner) over a unix socket.  Many sessions (one
 * command each, with its stdio and exit status) share the port.
 *
 * A frame is an 8-byte header and a payload:
 *
 *   'M' TYPE SID(2, big endian) LEN(4, big endian) PAYLOAD[LEN]
 *
 * host -> guest                         guest -> host
 *   N  new session (vmp_req)              R  ready: "uname -r uptime" (SID 0)
 *   I  stdin bytes; empty: EOF            O  stdout bytes
 *   K  a signal (1 byte) for its group    E  stderr bytes
 *   W  window size "ROWS COLS"            X  exit status, decimal (128+N: signal N)
 *   C  the client went away: kill it      h  answer to H: "uname -r"
 *   H  hello (SID 0)
 *   Q  shut down (SID 0)
 *
 * Parsing is pure (bytes in, frame out) for unit tests and the fuzzer.
 */
#ifndef MCLAB_VMPROTO_H
#define MCLAB_VMPROTO_H

#include <stddef.h>
#include <stdint.h>

#define VMP_MAGIC 'M'
#define VMP_HDR 8
#define VMP_MAX_PAYLOAD (1u << 20)

struct vmp_frame {
	char type;
	uint16_t sid;
	uint32_t len;
	const unsigned char *payload; /* points into the parsed buffer */
};

/*
 * Parse one frame at the start of buf.  Returns the frame's size (header
 * plus payload), 0 when more bytes are needed, or -1 when buf does not
 * start with a valid header (the caller drops a byte and tries again).
 */
long vmp_parse(const unsigned char *buf, size_t len, struct vmp_frame *f);

/* Write a header for (type, sid, len) into hdr[VMP_HDR]. */
void vmp_header(unsigned char *hdr, char type, uint16_t sid, uint32_t len);

/* One frame (header and n bytes of payload) to fd.  0, or -1 with errno. */
int vmp_send(int fd, char type, uint16_t sid, const void *p, size_t n);

/* A session request: the command, where and how it runs. */
#define VMP_MAX_ARGS 256
#define VMP_MAX_ENV 512

struct vmp_req {
	int tty; /* a pty, not pipes */
	int rows, cols;
	const char *cwd;
	int argc, envc;
	const char *argv[VMP_MAX_ARGS + 1]; /* NULL-terminated */
	const char *envp[VMP_MAX_ENV + 1]; /* NULL-terminated */
};

/*
 * Encode r into buf as NUL-terminated "key=value" strings (tty, rows,
 * cols, cwd, env=..., arg=...).  Returns the length, or -1 when it does
 * not fit in len.
 */
long vmp_req_encode(const struct vmp_req *r, char *buf, size_t len);

/*
 * Decode a request in place (buf is modified: the strings point into it).
 * Returns 0, or -1 when it is malformed (no argument, an unknown key, a
 * string without its NUL, too many arguments).
 */
int vmp_req_decode(char *buf, size_t len, struct vmp_req *r);

#endif
