/** Exact binomial upper tails in log space, for p-values far below floating-point underflow. */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** Natural log of Γ(x) for x > 0 (Lanczos, g = 7; ~15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

function logBinomialPmf(k: number, n: number, p: number): number {
  return (
    logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p)
  );
}

/**
 * log P(X ≥ k) for X ~ Binomial(n, p). Below the mean the tail is reported as log 1 = 0, which is
 * conservative and all a significance test needs.
 */
export function logBinomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 0;
  if (k > n) return -Infinity;
  if (p <= 0) return -Infinity;
  if (p >= 1 || k <= n * p) return 0;
  const first = logBinomialPmf(k, n, p);
  // Terms shrink geometrically past the mean: sum their ratios to the first term.
  let ratioSum = 1;
  let term = 1;
  const odds = p / (1 - p);
  for (let i = k; i < n; i++) {
    term *= ((n - i) / (i + 1)) * odds;
    ratioSum += term;
    if (term < ratioSum * 1e-16) break;
  }
  return Math.min(0, first + Math.log(ratioSum));
}
