/* SPDX-License-Identifier: MIT */
/*
 * libmclab, all of it: include this one header in a case.
 *
 *   topo.h     .topo parser
 *   lab.h      lab_up()/lab_down(), nodes, sweep, the results folder
 *   util.h     mkdir_p(), whole files, SNP()
 *   node.h     commands, daemons and code inside a node; waits
 *   proc.h     ip_mr_vif/cache, ip6_mr_*, mc_forwarding, igmp/igmp6
 *   nf.h       iptables TTL/HL/MASQUERADE, conntrack list/count/flush
 *   router.h   the router under test (ROUTER=mcrouted|smcroute|igmpproxy)
 *   userns.h   rootless re-entry in a user+net+mount namespace
 *   traffic.h  multicast ping, UDP sender, receivers
 *   capture.h  live capture with records and tcpdump text
 *   deadline.h scaled deadlines and wait_until()
 *   netns.h    setns helpers
 */
#ifndef MCLAB_H
#define MCLAB_H

#include "deadline.h"
#include "lab.h"
#include "netns.h"
#include "nf.h"
#include "node.h"
#include "proc.h"
#include "router.h"
#include "topo.h"
#include "userns.h"
#if __has_include("traffic.h")
#include "traffic.h"
#endif
#if __has_include("capture.h")
#include "capture.h"
#endif

#endif
