/// Terms `‖J_i x_i + J_j x_j − z‖²_W` over pairs of `k`-vector unknowns, stored flat
/// (row-major `k × k` blocks, one `k`-vector target per term shared by all right-hand sides).
struct PairTerms {
    let k: Int
    var ji: [Double], jj: [Double], weight: [Double], target: [Double]
    init(k: Int, count: Int) {
        self.k = k
        ji = Array(repeating: 0, count: count * k * k); jj = ji; weight = ji
        target = Array(repeating: 0, count: count * k)
    }
}

/// Sparse linear least squares in `k`-vector unknowns by the normal equations and CHOLMOD; the
/// pattern and the symbolic analysis are built once and reused by every `solve` over the same
/// pairs (the chordal rotation and translation systems share them).
final class LinearLeastSquares {
    let k: Int, count: Int
    private let pairs: [(Int, Int)]
    private let blockOf: [Int]
    private let nb: Int
    private let pattern: BlockPattern
    private let chol: SparseCholesky?
    /// Per pair: block positions of (i,i), (i,j) or (j,i), (j,j) in the pattern (−1 when unused).
    private let positions: [(Int, Int, Int)]

    /// `pairs` are the two variables of each term; `anchored` variables are held at given values.
    init(k: Int, count: Int, pairs: [(Int, Int)], anchored: Set<Int>) throws(PoseGraphError) {
        self.k = k; self.count = count; self.pairs = pairs
        var blockOf = [Int](repeating: -1, count: count)
        var nb = 0
        for v in 0..<count where !anchored.contains(v) { blockOf[v] = nb; nb += 1 }
        self.blockOf = blockOf; self.nb = nb
        var blockPairs: [(Int, Int)] = []
        blockPairs.reserveCapacity(pairs.count)
        for (i, j) in pairs where blockOf[i] >= 0 && blockOf[j] >= 0 { blockPairs.append((blockOf[i], blockOf[j])) }
        for v in 0..<count where blockOf[v] >= 0 { blockPairs.append((blockOf[v], blockOf[v])) }
        let pattern = BlockPattern(d: k, blocks: nb, pairs: blockPairs)
        self.pattern = pattern
        positions = pairs.map { i, j in
            let bi = blockOf[i], bj = blockOf[j]
            let pii = bi >= 0 ? pattern.position(row: bi, column: bi) : -1
            let pjj = bj >= 0 ? pattern.position(row: bj, column: bj) : -1
            let pij = bi >= 0 && bj >= 0 && bi != bj ? pattern.position(row: min(bi, bj), column: max(bi, bj)) : -1
            return (pii, pij, pjj)
        }
        chol = nb > 0 ? try SparseCholesky(pattern: pattern) : nil
    }

    /// Solves for `columns` right-hand sides; anchored variables hold `anchors[v]` (`k` values per
    /// right-hand side, right-hand side `q` at `q·k..<q·k+k`). Returns `count · columns · k`
    /// values, variable `v`'s right-hand side `q` at `(v·columns + q)·k`.
    func solve(_ terms: PairTerms, anchors: [Int: [Double]], columns: Int) throws(PoseGraphError) -> [Double] {
        let k = self.k, kk = k * k, n = nb * k
        var result = [Double](repeating: 0, count: count * columns * k)
        for (v, x) in anchors { for q in 0..<(columns * k) { result[v * columns * k + q] = x[q] } }
        guard let chol else { return result }
        let values = chol.values
        values.update(repeating: 0, count: chol.nonZeros)
        var rhs = [Double](repeating: 0, count: n * columns)
        var wj = [Double](repeating: 0, count: 2 * kk), z = [Double](repeating: 0, count: k), wz = z
        for (e, (i, j)) in pairs.enumerated() {
            let b = [blockOf[i], blockOf[j]], jac = [e * kk, e * kk], w = e * kk
            // WJ for both keys.
            for x in 0..<2 {
                let src = x == 0 ? terms.ji : terms.jj
                for r in 0..<k { for c in 0..<k {
                    var s = 0.0
                    for m in 0..<k { s += terms.weight[w + r * k + m] * src[jac[x] + m * k + c] }
                    wj[x * kk + r * k + c] = s
                } }
            }
            for q in 0..<columns {
                for r in 0..<k { z[r] = terms.target[e * k + r] }
                for (x, v) in [i, j].enumerated() where b[x] < 0 {
                    let src = x == 0 ? terms.ji : terms.jj
                    for r in 0..<k { for c in 0..<k { z[r] -= src[jac[x] + r * k + c] * result[(v * columns + q) * k + c] } }
                }
                for r in 0..<k { var s = 0.0; for c in 0..<k { s += terms.weight[w + r * k + c] * z[c] }; wz[r] = s }
                for x in 0..<2 where b[x] >= 0 {
                    let src = x == 0 ? terms.ji : terms.jj
                    for c in 0..<k {
                        var s = 0.0
                        for r in 0..<k { s += src[jac[x] + r * k + c] * wz[r] }
                        rhs[q * n + b[x] * k + c] += s
                    }
                }
            }
            // Blocks JₓᵀWJ_y of the upper triangle.
            let (pii, pij, pjj) = positions[e]
            for (x, y, p) in [(0, 0, pii), (1, 1, pjj), (b[0] < b[1] ? 0 : 1, b[0] < b[1] ? 1 : 0, pij)] where p >= 0 {
                let src = x == 0 ? terms.ji : terms.jj
                for c in 0..<k {
                    for r in 0..<(x == y ? c + 1 : k) {
                        var s = 0.0
                        for m in 0..<k { s += src[jac[x] + m * k + r] * wj[y * kk + m * k + c] }
                        values[pattern.index(column: b[y], position: p, r: r, c: c)] += s
                    }
                }
            }
        }
        try chol.factorize()
        let x = try chol.solve(rhs, columns: columns)
        for v in 0..<count where blockOf[v] >= 0 {
            for q in 0..<columns { for c in 0..<k { result[(v * columns + q) * k + c] = x[q * n + blockOf[v] * k + c] } }
        }
        return result
    }
}
