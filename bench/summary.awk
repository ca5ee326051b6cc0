# CSV rows "bench,param,metric,router,rep,value" -> one TSV line per
# bench/param/metric: bench param metric n_m min_m med_m max_m peer n_p
# min_p med_p max_p ratio(med_m/med_p).  Negative values mean "did not
# finish" and are left out of the statistics (n counts the finished ones).
function med(a, n,   i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	if (n % 2)
		return a[(n + 1) / 2]
	return (a[n / 2] + a[n / 2 + 1]) / 2
}
NR == 1 { next }
{
	key = $1 SUBSEP $2 SUBSEP $3
	if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
	r = $4
	if (r != "mcrouted") peer[key] = r
	tot[key, r]++
	if ($6 == "nan" || $6 < 0) next
	n = ++cnt[key, r]
	v[key, r, n] = $6 + 0
}
function stats(key, r,   n, i, a, lo, hi) {
	n = cnt[key, r] + 0
	if (!n) { S_n = tot[key, r] ? "0/" tot[key, r] : ""; S_min = S_med = S_max = ""; return }
	lo = hi = v[key, r, 1]
	for (i = 1; i <= n; i++) {
		a[i] = v[key, r, i]
		if (a[i] < lo) lo = a[i]
		if (a[i] > hi) hi = a[i]
	}
	S_n = (n == tot[key, r]) ? n : n "/" tot[key, r]
	S_min = lo; S_max = hi; S_med = med(a, n)
}
END {
	OFS = "\t"
	for (k = 1; k <= nk; k++) {
		key = order[k]
		split(key, f, SUBSEP)
		p = (key in peer) ? peer[key] : "-"
		stats(key, "mcrouted"); mn = S_n; m1 = S_min; m2 = S_med; m3 = S_max
		stats(key, p); pn = S_n; p1 = S_min; p2 = S_med; p3 = S_max
		ratio = (m2 != "" && p2 != "" && p2 > 0) ? sprintf("%.3f", m2 / p2) : ""
		print f[1], f[2], f[3], mn, m1, m2, m3, p, pn, p1, p2, p3, ratio
	}
}
