// The 5x5 risk matrix (ISO/IEC 27005 grid): where a pair sits, inherent or residual.
const GRID = [
  [1, 1, 2, 2, 2], [1, 2, 2, 3, 3], [2, 2, 3, 4, 4], [2, 3, 4, 4, 5], [3, 4, 4, 5, 5],
];
const clamp = (v) => Math.min(5, Math.max(1, Math.ceil(v - 1e-9)));

export function cell(pair, residual) {
  if (!residual) return [clamp(pair.likelihood), clamp(pair.impact)];
  // The residual impact I_r (less the share transferred); else through R = I_r * lambda_r.
  const impact = pair.residual_impact > 0 ? pair.residual_impact
    : pair.residual_likelihood > 1e-12 ? pair.residual / pair.residual_likelihood : pair.impact;
  return [clamp(pair.residual_likelihood), clamp(impact)];
}

export function gridLevel(l, i) { return GRID[l - 1][i - 1]; }
